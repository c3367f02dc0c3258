package dev.parley.logging;

import dev.parley.api.ApiChecks;
import dev.parley.support.ChaosProxy;
import dev.parley.support.JarProcess;
import dev.parley.support.TestDatabase;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The logs of the jar as it runs in production, with PARLEY_LOG_FORMAT=json, its PostgreSQL behind
 * a proxy that can cut it: every line is a JSON object, every answer carries a request id, the
 * line about a failed request carries its id, and an outage that fails many requests writes a few
 * lines, not one a request.
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LogsIT {
  static final Pattern GENERATED = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  static final Pattern SUMMARY = Pattern.compile("… and (\\d+) more like it in the last 10 s: requests answered 503 UNAVAILABLE.*");
  static TestDatabase database;
  static ChaosProxy proxy;
  static JarProcess jar;
  static Path log;
  static String key;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    database = TestDatabase.create("logs");
    proxy = ChaosProxy.start(vertx, database.serverHost(), database.serverPort());
    String company = TestServer.admin(database, "company", "create", "--name", "Acme").getString("id");
    key = TestServer.admin(database, "key", "create", "--company", company, "--name", "logs", "--scopes", ApiChecks.ALL)
      .getString("key");
    log = Files.createTempFile("parley-logs", ".log");
    jar = JarProcess.start(Map.of("DATABASE_URL", database.urlThrough("127.0.0.1", proxy.port()), "PARLEY_LOG_FORMAT", "json",
      "PARLEY_DATA_DIR", Files.createTempDirectory("parley-logs").toString()), log);
  }

  @AfterAll
  static void stop() throws Exception {
    if (jar != null) jar.close();
    proxy.close();
    database.close();
  }

  static List<String> lines() {
    try {
      return Files.readAllLines(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every line of the log, each of which must be a JSON object. */
  static List<JsonObject> events() {
    List<JsonObject> events = new ArrayList<>();
    for (String line : lines()) {
      try {
        events.add(new JsonObject(line));
      } catch (DecodeException e) {
        throw new AssertionError("not a JSON object: " + line, e);
      }
    }
    return events;
  }

  static String requestId(Response r) {
    return r.raw().headers().firstValue("X-Request-Id").orElse(null);
  }

  @Test
  @Order(1)
  void everyLineIsOneJsonObjectWithTimestampLevelLoggerAndMessage() {
    assertThat(jar.api().get("/interviews", key).status()).isEqualTo(200);
    List<JsonObject> events = events();
    assertThat(events).extracting(e -> e.getString("message")).anyMatch(m -> m.startsWith("Parley listening on port"));
    for (JsonObject e : events) {
      assertThat(e.getString("timestamp")).as(e.encode()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
      assertThat(e.getString("level")).as(e.encode()).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
      assertThat(e.getString("logger")).as(e.encode()).isNotBlank();
      assertThat(e.getString("message")).as(e.encode()).isNotNull();
      assertThat(e.getString("thread")).as(e.encode()).isNotBlank();
    }
  }

  @Test
  @Order(2)
  void everyAnswerCarriesARequestIdTheClientsWhenItIsSane() {
    Response mine = jar.api().send("GET", "/interviews", key, null, Map.of("X-Request-Id", "abc-123"));
    assertThat(mine.status()).isEqualTo(200);
    assertThat(requestId(mine)).isEqualTo("abc-123");

    Response generated = jar.api().get("/interviews", key);
    assertThat(requestId(generated)).matches(GENERATED);
    assertThat(requestId(jar.api().get("/interviews", key))).as("a new one each time").isNotEqualTo(requestId(generated));

    String tooLong = "a".repeat(RequestIds.MAX_LENGTH + 1);
    assertThat(requestId(jar.api().send("GET", "/interviews", key, null, Map.of("X-Request-Id", tooLong)))).matches(GENERATED);
    assertThat(requestId(jar.api().send("GET", "/interviews", key, null, Map.of("X-Request-Id", "a b<script>")))).matches(GENERATED);
    assertThat(requestId(jar.api().send("GET", "/interviews", key, null, Map.of("X-Request-Id", "a".repeat(RequestIds.MAX_LENGTH)))))
      .as("the longest accepted").isEqualTo("a".repeat(RequestIds.MAX_LENGTH));

    // errors, the operations endpoints and the API's own 404 too
    assertThat(requestId(jar.api().send("GET", "/interviews", null, null, Map.of("X-Request-Id", "no-key")))).isEqualTo("no-key");
    assertThat(jar.api().get("/interviews", null).status()).isEqualTo(401);
    assertThat(requestId(jar.api().get("/no/such/endpoint", key))).matches(GENERATED);
    assertThat(requestId(jar.api().get("/interviews/" + java.util.UUID.randomUUID(), key))).matches(GENERATED);
    assertThat(requestId(jar.api().send("GET", "/health/live", null, null, Map.of("X-Request-Id", "probe-1")))).isEqualTo("probe-1");
    assertThat(requestId(jar.api().get("/metrics", null))).matches(GENERATED);
    String big = "{\"candidate\":{\"phoneNumber\":\"" + "1".repeat(300_000) + "\"}}";
    Response tooLarge = jar.api().send("POST", "/interviews", key, big, Map.of("X-Request-Id", "big-1"));
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(requestId(tooLarge)).isEqualTo("big-1");
  }

  @Test
  @Order(3)
  void aHostileIdIsNeverEchoedNorLogged() {
    // control characters (a terminal escape, a bell) that an HTTP client would refuse to send
    String head = raw("GET /v1/interviews HTTP/1.1", "Authorization: Bearer " + key, "X-Request-Id: evil\u001b[31m\u0007");
    assertThat(header(head, "X-Request-Id")).matches(GENERATED);
    // a request line over the codec's limit: answered 414 by the codec's handler, with an id of its own
    String tooLong = raw("GET /v1/interviews?" + "q".repeat(5000) + " HTTP/1.1", "X-Request-Id: long-url");
    assertThat(tooLong).matches("(?s)HTTP/1\\.[01] 414 .*");
    assertThat(header(tooLong, "X-Request-Id")).matches(GENERATED);
    assertThat(lines()).noneMatch(l -> l.contains("\u001b") || l.contains("\u0007") || l.contains("evil"));
  }

  @Test
  @Order(4)
  void anOutageLogsTheFirstFailedRequestWithItsIdAndThenOneSummaryAnInterval() {
    int before = lines().size();
    proxy.cut();
    try {
      Response first = jar.api().send("GET", "/interviews", key, null, Map.of("X-Request-Id", "outage-first"));
      assertThat(first.status()).isEqualTo(503);
      assertThat(requestId(first)).isEqualTo("outage-first");
      int more = 40;
      for (int i = 0; i < more; i++) {
        Response r = jar.api().send("GET", "/interviews", key, null, Map.of("X-Request-Id", "outage-" + i));
        assertThat(r.status()).isEqualTo(503);
        assertThat(requestId(r)).isEqualTo("outage-" + i);
      }
      // the first, with its id, once; then the others as a count, within the interval after it
      await().atMost(Duration.ofSeconds(30)).until(() -> summarised(before) == more);
      List<JsonObject> during = events().subList(before, events().size());
      assertThat(during).filteredOn(e -> e.getString("message").startsWith("Request listInterviews answered 503 UNAVAILABLE"))
        .singleElement().satisfies(e -> {
          assertThat(e.getString("requestId")).isEqualTo("outage-first");
          assertThat(e.getString("level")).isEqualTo("WARN");
        });
      assertThat(during).as("no line per request: %s", during).hasSizeLessThanOrEqualTo(6);
      assertThat(during).as("an expected failure has no stack trace").noneMatch(e -> e.containsKey("stackTrace"));
      assertThat(during).filteredOn(e -> e.getString("message").startsWith("PostgreSQL is unavailable")).hasSize(1);
    } finally {
      proxy.restore();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> jar.api().get("/interviews", key).status() == 200);
  }

  /** The requests the summary lines since line {@code from} count. */
  static long summarised(int from) {
    long n = 0;
    List<JsonObject> events = events();
    for (JsonObject e : events.subList(from, events.size())) {
      Matcher m = SUMMARY.matcher(e.getString("message"));
      if (m.matches()) n += Long.parseLong(m.group(1));
    }
    return n;
  }

  /** Sends bytes as they are; returns the answer's status line and headers. */
  static String raw(String requestLine, String... headerLines) {
    return TestServer.raw(Integer.parseInt(jar.baseUrl().substring(jar.baseUrl().lastIndexOf(':') + 1)), requestLine, headerLines).head();
  }

  static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) return line.substring(name.length() + 1).trim();
    }
    return null;
  }
}
