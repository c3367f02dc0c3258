package dev.parley.crash;

import com.sun.net.httpserver.HttpServer;
import dev.parley.support.ApiClient;
import dev.parley.support.JarProcess;
import dev.parley.support.Receiver;
import dev.parley.support.Sql;
import dev.parley.support.TestDatabase;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code kill -9} of the real server process ({@code target/parley.jar}) in the middle of its work,
 * then the same server started again on the same database: in the middle of post-call work (the
 * analyzer holds its answer), in the middle of a webhook send (the receiver holds its answer), and
 * with a live call. Afterwards nothing is lost and nothing is done twice that a client can see.
 */
class CrashRecoveryIT {
  static final String COMPLETES = "+421915123456";
  static final String LONG_CALL = "+421915120004";
  static final List<String> EVENTS = List.of("interview.started", "interview.completed", "analysis.completed");

  TestDatabase database;
  JarProcess jar;
  Path dataDir;

  @AfterEach
  void stop() throws IOException {
    if (jar != null) jar.close();
    if (database != null) database.close();
    if (dataDir != null) {
      try (var files = Files.walk(dataDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** The server in its own process on a database of its own, with fast timings and the given settings. */
  JarProcess start(String label, Map<String, String> settings) throws IOException {
    database = TestDatabase.create(label);
    dataDir = Files.createTempDirectory("parley-" + label);
    Map<String, String> env = new HashMap<>(Map.of(
      "DATABASE_URL", database.url(), "PARLEY_DATA_DIR", dataDir.toString(),
      "PARLEY_SIMULATOR_RING_MS", "100", "PARLEY_SIMULATOR_TALK_MS", "300",
      "PARLEY_DISPATCH_POLL_MS", "200", "PARLEY_WEBHOOKS_ALLOW_PRIVATE", "true",
      "PARLEY_WEBHOOK_POLL_MS", "100", "PARLEY_WEBHOOK_RETRY_BASE_MS", "200", "PARLEY_WEBHOOK_RETRY_MAX_MS", "1000"));
    env.putAll(settings);
    return JarProcess.start(env, dataDir.resolve("server.log"));
  }

  /** A company with a key and a webhook subscription of every event to the receiver. */
  String[] company(Receiver receiver, String... options) {
    String[] create = new String[4 + options.length];
    System.arraycopy(new String[] {"company", "create", "--name", "Crash"}, 0, create, 0, 4);
    System.arraycopy(options, 0, create, 4, options.length);
    String companyId = TestServer.admin(database, create).getString("id");
    String key = TestServer.admin(database, "key", "create", "--company", companyId, "--name", "crash",
      "--scopes", "read:interviews,write:interviews,delete:interviews,write:webhooks").getString("key");
    Response hook = jar.api().post("/webhooks", key, "{\"url\":\"" + receiver.url() + "\",\"events\":"
      + new JsonArray(List.of("interview.started", "interview.completed", "interview.failed", "analysis.completed",
        "analysis.failed")).encode() + "}");
    assertThat(hook.status()).as(hook.raw().body()).isEqualTo(201);
    receiver.secret = hook.data().getString("signingSecret");
    return new String[] {companyId, key};
  }

  String interview(String key, String phone) {
    Response r = jar.api().post("/interviews", key, "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"" + phone + "\"},\"agent\":{\"name\":\"Screening\"}}");
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.data().getString("id");
  }

  long count(String sql, Object... params) {
    return Sql.count(database, sql, params);
  }

  /** What the server holds about an interview, for a failure message. */
  String state(String id, Receiver receiver) {
    return "interview " + Sql.rows(database, "SELECT status, analysis IS NOT NULL AS analysed FROM interviews WHERE id = ?", id)
      + ", outbox " + Sql.rows(database, "SELECT kind, payload::text, attempts, available_at - now() AS due_in FROM outbox")
      + ", deliveries " + Sql.rows(database, "SELECT event_type, status, attempts, last_status FROM webhook_deliveries ORDER BY seq")
      + ", received " + receiver.hits.stream().map(h -> h.event() + "=" + h.answered()).toList();
  }

  @Test
  void aCrashDuringTheAnalysisLosesNothingAndRepeatsNothingAClientSees() throws Exception {
    try (FakeAnalyzer analyzer = new FakeAnalyzer(); Receiver receiver = new Receiver()) {
      analyzer.holdNext();
      jar = start("crashpost", Map.of("PARLEY_ANALYSIS_PROVIDER", "openai", "PARLEY_ANALYSIS_BASE_URL", analyzer.url(),
        "PARLEY_ANALYSIS_API_KEY", "sk-test",
        // the held analysis must still be waiting when the server is killed, however slow the deliveries
        // before it are on a loaded machine; the job's lease is longer than the analysis may take
        "PARLEY_ANALYSIS_TIMEOUT_MS", "20000", "PARLEY_POSTCALL_LEASE_SECONDS", "24"));
      String key = company(receiver, "--call-window", "00:00-24:00")[1];
      String id = interview(key, COMPLETES);

      // the call ended, its recording and transcript are stored, and the analyzer holds the analysis
      assertThat(analyzer.held.await(60, TimeUnit.SECONDS)).as("the analysis is asked for").isTrue();
      assertThat(Sql.rows(database, "SELECT status, analysis IS NULL AS waiting, transcript IS NOT NULL AS transcribed FROM interviews WHERE id = ?", id))
        .containsExactly(Map.of("status", "COMPLETED", "waiting", true, "transcribed", true));
      long recordingBytes = count("SELECT size_bytes FROM recordings WHERE interview_id = ?", id);
      assertThat(recordingBytes).as("the stored recording").isGreaterThan(44);
      // the two events before the analysis are delivered and recorded as such: nothing is owed to the receiver but the analysis
      await().atMost(Duration.ofSeconds(30)).until(() ->
        count("SELECT count(*) FROM webhook_deliveries WHERE interview_id = ? AND status = 'DELIVERED'", id) == 2);
      assertThat(analyzer.requests.get()).as("the held analysis is the only one asked for when the server is killed").isEqualTo(1);

      jar.kill9();
      analyzer.answer(new JsonObject().put("overallRating", 77).put("companyFitRating", "HIGH"));
      jar.restart();

      // the job's lease runs out and the restarted server analyses again, once
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(receiver.eventsOf(id).contains("analysis.completed")
        && count("SELECT count(*) FROM webhook_deliveries WHERE interview_id = ? AND status = 'DELIVERED'", id) == 3)
        .as(() -> state(id, receiver)).isTrue());
      assertThat(receiver.eventsOf(id)).containsExactlyElementsOf(EVENTS);
      assertThat(receiver.hits).allSatisfy(h -> assertThat(h.signatureValid()).isTrue());
      assertThat(analyzer.requests.get()).as("the analysis interrupted, then the analysis done").isEqualTo(2);
      assertThat(count("SELECT count(*) FROM outbox WHERE interview_id = ?", id)).as("post-call work left").isZero();
      assertThat(count("SELECT count(*) FROM webhook_deliveries WHERE interview_id = ? AND status = 'DELIVERED'", id)).isEqualTo(3);

      Response read = jar.api().get("/interviews/" + id, key);
      assertThat(read.status()).isEqualTo(200);
      assertThat(read.data().getString("status")).isEqualTo("COMPLETED");
      assertThat(read.data().getJsonObject("analysis").getJsonObject("general").getInteger("overallRating")).isEqualTo(77);
      HttpResponse<byte[]> wav = jar.api().download("/interviews/" + id + "/recording", key);
      assertThat(wav.statusCode()).isEqualTo(200);
      assertThat(wav.body()).hasSize((int) recordingBytes);
      assertThat(new String(wav.body(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RIFF");
      assertThat(count("SELECT sum(active_calls) FROM companies")).isZero();
    }
  }

  @Test
  void aCrashDuringAWebhookSendDeliversItAgainWithTheSameIdAndNothingElseTwice() throws Exception {
    try (Receiver receiver = new Receiver()) {
      // the third request (analysis.completed, after interview.started and interview.completed) is held
      AtomicInteger requests = new AtomicInteger();
      CountDownLatch sending = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      receiver.answer = () -> {
        if (requests.incrementAndGet() != 3) return 204;
        sending.countDown();
        try {
          release.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return 503; // its sender is dead by now: nobody reads this answer
      };
      jar = start("crashsend", Map.of("PARLEY_WEBHOOK_TIMEOUT_MS", "4000"));
      String key = company(receiver, "--call-window", "00:00-24:00")[1];
      String id = interview(key, COMPLETES);

      assertThat(sending.await(60, TimeUnit.SECONDS)).as("the third delivery is on the wire").isTrue();
      assertThat(Sql.rows(database, "SELECT event_type, status, attempts, last_status FROM webhook_deliveries WHERE interview_id = ? ORDER BY seq", id))
        .as("killed mid-send: the send is claimed, not yet answered")
        .extracting(r -> r.get("event_type") + " " + r.get("status") + " " + r.get("attempts") + " " + r.get("last_status"))
        .containsExactly("interview.started DELIVERED 1 204", "interview.completed DELIVERED 1 204", "analysis.completed PENDING 1 null");
      jar.kill9();
      Instant killed = Instant.now();
      release.countDown();
      jar.restart();

      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(receiver.eventsOf(id).contains("analysis.completed")
        && count("SELECT count(*) FROM webhook_deliveries WHERE interview_id = ? AND status = 'DELIVERED'", id) == 3)
        .as(() -> state(id, receiver)).isTrue());
      assertThat(receiver.eventsOf(id)).containsExactlyElementsOf(EVENTS);
      List<Receiver.Hit> analysisSends = receiver.hits.stream().filter(h -> h.event().equals("analysis.completed")).toList();
      assertThat(analysisSends).as("sent before the crash and again after it").hasSize(2);
      assertThat(analysisSends.get(1).at()).isAfter(killed);
      assertThat(analysisSends.get(1).deliveryId()).as("the same delivery, for the receiver to recognise")
        .isEqualTo(analysisSends.get(0).deliveryId());
      assertThat(receiver.hits).allSatisfy(h -> assertThat(h.signatureValid()).isTrue());
      assertThat(Sql.rows(database, "SELECT event_type, status, attempts FROM webhook_deliveries WHERE interview_id = ? ORDER BY seq", id))
        .extracting(r -> r.get("event_type") + " " + r.get("status") + " " + r.get("attempts"))
        .containsExactly("interview.started DELIVERED 1", "interview.completed DELIVERED 1", "analysis.completed DELIVERED 2");
      assertThat(count("SELECT count(*) FROM outbox WHERE interview_id = ?", id)).isZero();
      assertThat(jar.api().get("/interviews/" + id, key).data().getString("status")).isEqualTo("COMPLETED");
    }
  }

  @Test
  void aCrashWithALiveCallFreesItsSlotByLeaseAndADeleteMeanwhileLeavesNothing() throws Exception {
    try (Receiver receiver = new Receiver()) {
      // the lease outlasts the kill and the restart, so the delete lands while the call may still be live
      jar = start("crashlive", Map.of("PARLEY_LEASE_SECONDS", "30", "PARLEY_LEASE_CHECK_MS", "500",
        "PARLEY_SIMULATOR_LONG_CALL_MS", "3600000"));
      String[] tenant = company(receiver, "--call-window", "00:00-24:00", "--max-concurrent-calls", "1");
      String companyId = tenant[0];
      String key = tenant[1];
      String live = interview(key, LONG_CALL);
      await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM live_calls WHERE interview_id = ?", live) == 1);
      await().atMost(Duration.ofSeconds(30)).until(() -> receiver.eventsOf(live).equals(List.of("interview.started")));
      String waiting = interview(key, COMPLETES);
      assertThat(count("SELECT count(*) FROM interviews WHERE id = ? AND status = 'SCHEDULED'", waiting))
        .as("no free slot: the second interview waits").isEqualTo(1);

      jar.kill9();
      jar.restart();

      // both acknowledged interviews are there; the live one is deleted while its node is gone
      assertThat(jar.api().get("/interviews/" + waiting, key).status()).isEqualTo(200);
      assertThat(jar.api().get("/interviews/" + live, key).data().getString("status")).isEqualTo("IN_PROGRESS");
      Response deleted = jar.api().delete("/interviews/" + live, key);
      assertThat(deleted.status()).as(deleted.raw().body()).isEqualTo(200);
      Instant deletedAt = Instant.now();
      assertThat(count("SELECT active_calls FROM companies WHERE id = ?", companyId))
        .as("the slot stays taken while the call may still be live").isEqualTo(1);

      // the lease runs out: the slot is freed, the waiting interview is dialled and completes
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(receiver.eventsOf(waiting))
        .as(() -> state(waiting, receiver)).containsExactlyElementsOf(List.of("interview.started", "interview.completed",
          "analysis.completed")));
      await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT active_calls FROM companies WHERE id = ?", companyId) == 0);
      assertThat(count("SELECT count(*) FROM live_calls")).isZero();
      assertThat(Sql.rowsAbout(database, live)).as("rows about the deleted interview").isEmpty();
      assertThat(receiver.hits).filteredOn(h -> live.equals(h.interviewId()))
        .as("nothing about the deleted interview after its delete")
        .allSatisfy(h -> assertThat(h.at()).isBefore(deletedAt))
        .extracting(Receiver.Hit::event).containsExactly("interview.started");
      assertThat(jar.api().get("/interviews/" + live, key).status()).isEqualTo(404);
    }
  }

  /**
   * An OpenAI-compatible chat-completions server: it holds the first request it is told to hold
   * (the server is killed meanwhile), and answers the others with the analysis it is given.
   */
  static final class FakeAnalyzer implements AutoCloseable {
    final AtomicInteger requests = new AtomicInteger();
    final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean holdNext;
    private volatile JsonObject analysis = new JsonObject().put("overallRating", 50);
    private final HttpServer server;

    FakeAnalyzer() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setExecutor(Executors.newCachedThreadPool());
      server.createContext("/", exchange -> {
        exchange.getRequestBody().readAllBytes();
        requests.incrementAndGet();
        if (holdNext) {
          holdNext = false;
          held.countDown();
          try {
            release.await(120, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        JsonObject completion = new JsonObject().put("id", "chatcmpl-1").put("object", "chat.completion")
          .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("finish_reason", "stop")
            .put("message", new JsonObject().put("role", "assistant").put("content", analysis.encode()))));
        byte[] body = completion.encode().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        try {
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
        } catch (IOException e) {
          // the server that asked is gone
        }
        exchange.close();
      });
      server.start();
    }

    void holdNext() {
      holdNext = true;
    }

    /** From now on every request gets this analysis, the held one included. */
    void answer(JsonObject analysis) {
      this.analysis = analysis;
      release.countDown();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    @Override
    public void close() {
      release.countDown();
      server.stop(0);
    }
  }
}
