package dev.parley.api;

import dev.parley.support.PromQl;
import dev.parley.support.Receiver;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.parley.api.ApiChecks.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * deploy/grafana/parley.json against a real node: a small scenario (requests with errors, a call
 * the simulator takes to completion, webhooks delivered to a local receiver), then every metric
 * that any query of the board selects must be on /metrics with a sample, and the board must have
 * the panels docs/operations.md explains.
 */
class DashboardIT {
  static final Path BOARD = Path.of("deploy/grafana/parley.json");
  static final Duration WAIT = Duration.ofSeconds(30);
  static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\(\\s*([^,)]+?)\\s*,");

  static TestServer server;
  static Receiver receiver;

  @BeforeAll
  static void start() throws Exception {
    receiver = new Receiver();
    server = TestServer.start("dashboard", Map.of(
      "PARLEY_WEBHOOKS_ALLOW_PRIVATE", "true",
      "PARLEY_WEBHOOK_POLL_MS", "100",
      "PARLEY_SIMULATOR_RING_MS", "100",
      "PARLEY_SIMULATOR_TALK_MS", "3000",
      "PARLEY_DISPATCH_POLL_MS", "200",
      "PARLEY_METRICS_DB_READ_MS", "200"));
  }

  @AfterAll
  static void stop() {
    server.close();
    receiver.close();
  }

  @Test
  void everyMetricTheBoardQueriesIsOnMetricsAfterAScenario() throws Exception {
    Tenant t = server.company("Board", "read:interviews,write:interviews,write:webhooks",
      "--call-window", "00:00-24:00", "--max-concurrent-calls", "3");
    Response hook = server.post("/webhooks", t.key(), "{\"url\":\"" + receiver.url() + "\","
      + "\"events\":[\"interview.started\",\"interview.completed\"]}");
    assertThat(hook.status()).as(hook.raw().body()).isEqualTo(201);
    receiver.secret = hook.data().getString("signingSecret");

    // requests, some of them errors, one of them matching no route and one the codec refuses
    assertError(server.get("/interviews/not-a-uuid", t.key()), 400, "INVALID_ID");
    assertError(server.get("/interviews", null), 401, "INVALID_API_KEY");
    assertError(server.get("/no-such-endpoint", t.key()), 404, "RESOURCE_NOT_FOUND");
    assertThat(server.raw("GET /" + "a".repeat(5000) + " HTTP/1.1").status()).isEqualTo(414);

    // an interview due now: dialled, answered, completed by the simulator
    Response made = server.post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"+421915123456\"},\"agent\":{\"name\":\"Screening\",\"questions\":[\"Why us?\"]}}");
    assertThat(made.status()).as(made.raw().body()).isEqualTo(201);
    String id = made.data().getString("id");
    // its slot shows while the call is live (the figures are read every 200 ms)
    await().atMost(WAIT).until(() -> server.metric("parley_slots_in_use") >= 1);
    await().atMost(WAIT).until(() -> receiver.eventsOf(id).contains("interview.completed"));
    assertThat(server.get("/interviews/" + id, t.key()).data().getString("status")).isEqualTo("COMPLETED");
    await().atMost(WAIT).until(() -> server.metric("parley_webhook_deliveries_total", "outcome", "delivered") >= 2);

    // what the scenario did, as the board's metrics count it
    assertThat(server.metric("parley_http_requests_seconds_count", "operation", "getInterview", "status", "400")).isEqualTo(1);
    assertThat(server.metric("parley_http_requests_seconds_count", "operation", "listInterviews", "status", "401")).isEqualTo(1);
    assertThat(server.metric("parley_http_requests_seconds_count", "operation", "unmatched", "method", "GET", "status", "404"))
      .isEqualTo(1);
    assertThat(server.metric("parley_http_requests_seconds_count", "operation", "unmatched", "status", "414")).isEqualTo(1);
    assertThat(server.metric("parley_http_requests_seconds_count", "operation", "createInterview", "status", "201")).isEqualTo(1);
    assertThat(server.metric("parley_dials_total", "outcome", "placed")).isEqualTo(1);
    assertThat(server.metric("parley_dispatch_delay_seconds_count")).isEqualTo(1);
    assertThat(server.metric("parley_slot_release_seconds_count")).isEqualTo(1);
    assertThat(server.metric("parley_webhook_deliveries_total", "outcome", "failed_try")).isZero();
    assertThat(server.metric("parley_database_up")).isEqualTo(1);
    await().atMost(WAIT).until(() -> server.metric("parley_slots_in_use") == 0 && server.metric("parley_slots_limit") >= 3
      && server.metric("parley_webhook_deliveries_pending") == 0);

    JsonObject board = new JsonObject(Files.readString(BOARD));
    Map<String, Set<String>> queried = queriedMetrics(board);
    assertThat(queried).as("metrics the board queries").isNotEmpty();
    Set<String> scraped = sampleNames(server.send("GET", "/metrics", null, null, Map.of()).raw().body());
    Map<String, Set<String>> missing = new TreeMap<>();
    queried.forEach((name, panels) -> {
      if (!scraped.contains(name)) missing.put(name, panels);
    });
    assertThat(missing).as("metrics the board queries (with their panels) that /metrics has no sample of").isEmpty();
    assertThat(queried.keySet()).contains("parley_http_requests_seconds_bucket", "parley_dispatch_delay_seconds_bucket",
      "parley_dials_total", "parley_slots_in_use", "parley_slots_limit", "parley_webhook_deliveries_total",
      "parley_webhook_circuits_open", "vertx_pool_in_use", "vertx_pool_queue_pending", "vertx_pool_queue_time_seconds_sum",
      "parley_database_up");
  }

  @Test
  void theBoardHasThePanelsOperationsMdExplainsAndAsksForItsDataSource() throws Exception {
    JsonObject board = new JsonObject(Files.readString(BOARD));
    List<String> titles = new ArrayList<>();
    for (JsonObject panel : panels(board)) titles.add(panel.getString("title"));
    assertThat(titles).contains("Request rate by route", "Latency by route (p50, p95, p99)", "Errors by route (4xx, 5xx)",
      "Due → dial delay (p50, p95, p99)", "Dials per second by outcome", "Concurrency slots in use against limits",
      "Webhook deliveries by outcome", "Open circuits and pending deliveries",
      "Database pool: connections in use and waiters", "Database pool wait time", "Database up");
    String operations = Files.readString(Path.of("docs/operations.md"));
    for (JsonObject panel : panels(board)) {
      if ("row".equals(panel.getString("type"))) continue;
      assertThat(operations).as("docs/operations.md explains panel %s", panel.getString("title"))
        .contains("#### " + panel.getString("title"));
      assertThat(panel.getJsonArray("targets")).as(panel.getString("title")).isNotEmpty();
      assertThat(panel.getJsonObject("datasource").getString("uid")).isEqualTo("${DS_PROMETHEUS}");
    }
    JsonArray inputs = board.getJsonArray("__inputs");
    assertThat(inputs).hasSize(1);
    assertThat(inputs.getJsonObject(0).getString("name")).isEqualTo("DS_PROMETHEUS");
    assertThat(inputs.getJsonObject(0).getString("pluginId")).isEqualTo("prometheus");
  }

  /** Every panel, those inside collapsed rows too. */
  static List<JsonObject> panels(JsonObject board) {
    List<JsonObject> all = new ArrayList<>();
    for (Object p : board.getJsonArray("panels")) {
      JsonObject panel = (JsonObject) p;
      all.add(panel);
      JsonArray inner = panel.getJsonArray("panels");
      if (inner != null) inner.forEach(x -> all.add((JsonObject) x));
    }
    return all;
  }

  /** Each metric name the board's queries select, with the panels (or variables) that query it. */
  static Map<String, Set<String>> queriedMetrics(JsonObject board) {
    Map<String, Set<String>> names = new TreeMap<>();
    for (JsonObject panel : panels(board)) {
      JsonArray targets = panel.getJsonArray("targets", new JsonArray());
      for (Object target : targets) {
        String expr = ((JsonObject) target).getString("expr");
        assertThat(expr).as("a query of %s", panel.getString("title")).isNotBlank();
        for (String name : PromQl.metricNames(expr)) names.computeIfAbsent(name, k -> new TreeSet<>()).add(panel.getString("title"));
      }
    }
    for (Object v : board.getJsonObject("templating").getJsonArray("list")) {
      JsonObject variable = (JsonObject) v;
      if (!"query".equals(variable.getString("type"))) continue;
      Object query = variable.getValue("query");
      String text = query instanceof JsonObject q ? q.getString("query") : String.valueOf(query);
      Matcher m = LABEL_VALUES.matcher(text);
      // label_values(METRIC, label) is Grafana's, not PromQL: its first argument is a selector
      for (String name : m.find() ? PromQl.metricNames(m.group(1)) : PromQl.metricNames(text)) {
        names.computeIfAbsent(name, k -> new TreeSet<>()).add("variable " + variable.getString("name"));
      }
    }
    return names;
  }

  /** The names of the samples in a Prometheus text exposition (a histogram's _bucket, _count and _sum as such). */
  static Set<String> sampleNames(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      int end = 0;
      while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') end++;
      names.add(line.substring(0, end));
    }
    return names;
  }
}
