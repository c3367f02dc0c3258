package dev.parley.calls;

import dev.parley.calls.provider.Synthetic;
import dev.parley.support.Receiver;
import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The call lifecycle end to end with the simulator provider: a completed call through post-call
 * work, no-answer retries, a delete while the call is live, slots under concurrent creates, test
 * interviews and the call-attempt endpoints.
 */
class SimulatorCallsIT {
  static TestServer server;
  /** Every company here subscribes to every event: the events are checked where a client sees them. */
  static Receiver receiver;
  static final String SCOPES = "read:interviews,write:interviews,delete:interviews,write:webhooks";
  static final Duration WAIT = Duration.ofSeconds(20);

  @BeforeAll
  static void start() throws Exception {
    receiver = new Receiver();
    server = TestServer.start("simcalls", Map.of(
      "PARLEY_WEBHOOKS_ALLOW_PRIVATE", "true",
      "PARLEY_WEBHOOK_POLL_MS", "100",
      "PARLEY_SIMULATOR_RING_MS", "100",
      "PARLEY_SIMULATOR_TALK_MS", "1000",
      "PARLEY_SIMULATOR_LONG_CALL_MS", "10000",
      "PARLEY_RETRY_DELAY_SECONDS", "0",
      "PARLEY_DISPATCH_POLL_MS", "200"));
  }

  @AfterAll
  static void stop() {
    server.close();
    receiver.close();
  }

  static Tenant company(String name, int slots) {
    Tenant t = server.company(name, SCOPES, "--call-window", "00:00-24:00", "--max-concurrent-calls", String.valueOf(slots));
    Response hook = server.post("/webhooks", t.key(), "{\"url\":\"" + receiver.url() + "\",\"events\":[\"interview.started\","
      + "\"interview.completed\",\"interview.failed\",\"analysis.completed\",\"analysis.failed\"]}");
    assertThat(hook.status()).as(hook.raw().body()).isEqualTo(201);
    return t;
  }

  static String create(Tenant t, String phone, String extra) {
    Response r = server.post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"" + phone + "\"},\"agent\":{\"name\":\"Screening\",\"questions\":[\"Why us?\","
      + "\"Tell me about a project you led.\"]}" + extra + "}");
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.data().getString("id");
  }

  static JsonObject interview(Tenant t, String id) {
    return server.get("/interviews/" + id, t.key()).data();
  }

  static String status(Tenant t, String id) {
    return interview(t, id).getString("status");
  }

  /** The webhook events a subscriber got about the interview, once {@code expected} of them arrived. */
  static List<String> events(String interviewId, int expected) {
    await().atMost(WAIT).until(() -> receiver.eventsOf(interviewId).size() >= expected);
    return receiver.eventsOf(interviewId);
  }

  @Test
  void aCompletedCallRunsThePostCallWorkInOrder() throws Exception {
    Tenant t = company("Completed", 2);
    String id = create(t, "+421915123456", "");
    await().atMost(WAIT).until(() -> interview(t, id).getValue("analysis") != null);

    JsonObject done = interview(t, id);
    assertThat(done.getString("status")).isEqualTo("COMPLETED");
    assertThat(done.getString("finishedDate")).isNotNull();
    assertThat(done.getJsonArray("transcript").encode()).contains("Tell me about a project you led.");
    JsonObject general = done.getJsonObject("analysis").getJsonObject("general");
    assertThat(general.getInteger("overallRating")).isBetween(0, 100);
    assertThat(general.getString("companyFitRating")).isIn("LOW", "MEDIUM", "HIGH");
    JsonObject attempt = done.getJsonArray("callAttempts").getJsonObject(0);
    assertThat(attempt.getString("status")).isEqualTo("COMPLETED");
    assertThat(attempt.getString("calledAt")).isNotNull();
    assertThat(attempt.getString("recordingUrl")).endsWith("/v1/interviews/" + id + "/recording");
    assertThat(events(id, 3)).containsExactly("interview.started", "interview.completed", "analysis.completed");

    // The recording is a row in PostgreSQL (any node serves it), and the API sends it byte for byte.
    List<Map<String, Object>> rows = Sql.rows(server.database,
      "SELECT company_id::text AS company, content_type FROM recordings WHERE interview_id = ?", id);
    assertThat(rows).hasSize(1);
    byte[] stored = Sql.recording(server.database, id);
    assertThat(rows.get(0).get("company")).isEqualTo(t.companyId());
    assertThat(rows.get(0).get("content_type")).isEqualTo("audio/wav");
    assertThat(stored).isEqualTo(Synthetic.wav(1).getBytes()); // what the simulator recorded
    HttpResponse<byte[]> served = server.download("/v1/interviews/" + id + "/recording", t.key());
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.headers().firstValue("content-type")).hasValue("audio/wav");
    assertThat(served.body()).isEqualTo(stored);
    assertThat(new String(served.body(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RIFF");
    assertThat(new String(served.body(), 8, 4, StandardCharsets.US_ASCII)).isEqualTo("WAVE");
    assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId())).isZero();

    // Another company's key: 403; an interview without a recording: 404 about the recording.
    Tenant other = company("CompletedOther", 1);
    assertThat(server.get("/interviews/" + id + "/recording", other.key()).errorCode()).isEqualTo("FORBIDDEN_COMPANY");
    String scheduled = create(t, "+421915123456", ",\"scheduledAt\":\"" + java.time.OffsetDateTime.now().plusDays(2) + "\"");
    Response none = server.get("/interviews/" + scheduled + "/recording", t.key());
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.body().getJsonObject("error").getJsonObject("details").getString("resourceType")).isEqualTo("Recording");

    // Deleting the completed interview removes its recording in the delete's transaction:
    // nothing but the audit row is left the moment the delete answers.
    assertThat(server.delete("/interviews/" + id, t.key()).status()).isEqualTo(200);
    assertThat(Sql.rowsAbout(server.database, id)).isEmpty();
    assertThat(Sql.count(server.database, "SELECT count(*) FROM interview_deletions WHERE interview_id = ?", id)).isEqualTo(1);
    assertThat(server.get("/interviews/" + id + "/recording", t.key()).errorCode()).isEqualTo("RESOURCE_NOT_FOUND");
  }

  @Test
  void noAnswerIsRetriedThenTheInterviewFails() {
    Tenant t = company("NoAnswer", 2);
    String id = create(t, "+421915120001", "");
    await().atMost(WAIT).until(() -> status(t, id).equals("FAILED"));
    JsonObject failed = interview(t, id);
    assertThat(failed.getJsonArray("callAttempts")).hasSize(3);
    for (int i = 0; i < 3; i++) {
      JsonObject a = failed.getJsonArray("callAttempts").getJsonObject(i);
      assertThat(a.getString("status")).isEqualTo("FAILED");
      assertThat(a.getString("reasonCode")).isEqualTo("NO_ANSWER");
    }
    assertThat(failed.getJsonArray("callAttempts").stream().map(o -> ((JsonObject) o).getInteger("retryNumber")))
      .containsExactlyInAnyOrder(0, 1, 2);
    assertThat(events(id, 4)).containsExactly("interview.started", "interview.started", "interview.started", "interview.failed");
    assertThat(failed.getValue("transcript")).isNull();
  }

  @Test
  void aLiveCallDeletedGoesOnFreesItsSlotAtTheEndAndLeavesNothing() throws Exception {
    Tenant t = company("OneSlot", 1);
    String live = create(t, "+421915120004", ""); // the simulator's long call
    // answered: a delete before that would cancel the call at the provider instead (SPEC section 3)
    await().atMost(WAIT).until(() -> Sql.count(server.database,
      "SELECT count(*) FROM live_calls WHERE interview_id = ? AND answered_at IS NOT NULL", live) == 1);
    String waiting = create(t, "+421915123456", "");

    assertThat(server.delete("/interviews/" + live, t.key()).status()).isEqualTo(200);
    // The call goes on: its slot is still held, flagged, and the other interview waits.
    List<Map<String, Object>> liveCall = Sql.rows(server.database,
      "SELECT post_call_skipped FROM live_calls WHERE interview_id = ?", live);
    assertThat(liveCall).hasSize(1);
    assertThat(liveCall.get(0).get("post_call_skipped")).isEqualTo(true);
    assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId())).isEqualTo(1);
    assertThat(status(t, waiting)).isEqualTo("SCHEDULED");

    // When the deleted call ends, its slot goes to the waiting interview.
    await().atMost(WAIT).until(() -> Sql.count(server.database, "SELECT count(*) FROM live_calls WHERE interview_id = ?", live) == 0);
    await().atMost(WAIT).until(() -> status(t, waiting).equals("COMPLETED"));
    await().atMost(WAIT).until(() -> interview(t, waiting).getValue("analysis") != null);

    assertThat(Sql.rowsAbout(server.database, live)).isEmpty();
    assertThat(events(waiting, 3)).containsExactly("interview.started", "interview.completed", "analysis.completed");
    assertThat(receiver.eventsOf(live)).allMatch("interview.started"::equals); // nothing about its end
    assertThat(Sql.count(server.database, "SELECT count(*) FROM interview_deletions WHERE interview_id = ?", live)).isEqualTo(1);
    assertThat(server.get("/interviews/" + live, t.key()).status()).isEqualTo(404);
    assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId())).isZero();
  }

  /** Deleted while it rings: the call is cancelled at the provider, its end frees the slot, nothing follows. */
  @Test
  void aCallDeletedBeforeItIsAnsweredIsCancelled() throws Exception {
    Tenant t = company("Ringing", 1);
    String ringing = create(t, "+421915120007", ""); // rings for the long call's time
    await().atMost(WAIT).until(() -> Sql.count(server.database,
      "SELECT count(*) FROM live_calls WHERE interview_id = ? AND dialled_at IS NOT NULL", ringing) == 1);
    assertThat(server.delete("/interviews/" + ringing, t.key()).status()).isEqualTo(200);
    // cancelled long before the simulated no-answer would end it
    await().atMost(Duration.ofSeconds(3)).until(() ->
      Sql.count(server.database, "SELECT count(*) FROM live_calls WHERE interview_id = ?", ringing) == 0);
    assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId())).isZero();
    assertThat(Sql.rowsAbout(server.database, ringing)).isEmpty();
    assertThat(receiver.eventsOf(ringing)).allMatch("interview.started"::equals);
  }

  @Test
  void concurrentCreatesNeverExceedTheSlots() throws Exception {
    Tenant t = company("Busy", 2);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<String>> ids = new ArrayList<>();
    for (int i = 0; i < 16; i++) ids.add(pool.submit(() -> create(t, "+421915123456", "")));
    List<String> created = new ArrayList<>();
    for (Future<String> f : ids) created.add(f.get());
    pool.shutdown();

    AtomicLong most = new AtomicLong();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
      long live = Sql.count(server.database, "SELECT count(*) FROM live_calls WHERE company_id = ?", t.companyId());
      long held = Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId());
      assertThat(live).isLessThanOrEqualTo(2);
      assertThat(held).isBetween(0L, 2L);
      most.accumulateAndGet(live, Math::max);
      return Sql.count(server.database, "SELECT count(*) FROM interviews WHERE company_id = ? AND status = 'COMPLETED'",
        t.companyId()) == created.size();
    });
    assertThat(most.get()).isEqualTo(2); // both slots were used
    assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId())).isZero();
  }

  /**
   * A test interview (isTest, or any interview of an sk_test_ key) is played by the simulator like a
   * call: dialled when due, holding a slot while it lasts, through the whole post-call path, and
   * marked livemode false; a live one says livemode true.
   */
  @Test
  void aTestInterviewIsASimulatedCallThatHoldsASlot() {
    Tenant t = company("Testing", 1);
    String testKey = server.admin("key", "create", "--company", t.companyId(), "--name", "test key", "--scopes", SCOPES, "--test")
      .getString("key");
    assertThat(testKey).startsWith("sk_test_");
    // the long call's number: the slot is visibly held while it rings and talks
    String flagged = create(t, "+421915120004", ",\"isTest\":true");
    JsonObject started = interview(t, flagged);
    assertThat(started.getBoolean("livemode")).isFalse();
    assertThat(started.getBoolean("isTest")).isTrue();
    await().atMost(WAIT).until(() -> "IN_PROGRESS".equals(interview(t, flagged).getString("status")));
    JsonObject live = interview(t, flagged).getJsonArray("callAttempts").getJsonObject(0);
    assertThat(live.getString("status")).isEqualTo("IN_PROGRESS");
    assertThat(live.getString("provider")).isEqualTo("simulator");
    assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId())).isEqualTo(1);
    assertThat(server.delete("/interviews/" + flagged, t.key()).status()).isEqualTo(200);

    Response byTestKey = server.post("/interviews", testKey, "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"+421915123456\"},\"agent\":{\"name\":\"Screening\",\"questions\":[\"Tell me about a project you led.\"]}}");
    assertThat(byTestKey.status()).as(byTestKey.raw().body()).isEqualTo(201);
    assertThat(byTestKey.data().getBoolean("livemode")).isFalse();
    String id = byTestKey.data().getString("id");
    await().atMost(WAIT).until(() -> interview(t, id).getValue("analysis") != null);
    JsonObject done = interview(t, id);
    assertThat(done.getString("status")).isEqualTo("COMPLETED");
    assertThat(done.getBoolean("isTest")).isTrue();
    assertThat(done.getJsonArray("callAttempts")).hasSize(1);
    assertThat(done.getJsonArray("callAttempts").getJsonObject(0).getString("provider")).isEqualTo("simulator");
    assertThat(done.getJsonArray("transcript").encode()).contains("Tell me about a project you led.");
    assertThat(server.download("/interviews/" + id + "/recording", t.key()).body()).isEqualTo(Synthetic.wav(1).getBytes());
    assertThat(events(id, 3)).containsExactly("interview.started", "interview.completed", "analysis.completed");
    assertThat(receiver.delivered().stream().filter(h -> id.equals(h.interviewId()))
      .map(h -> h.body().getJsonObject("data").getBoolean("livemode"))).containsOnly(false);
    assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId())).isZero();

    String liveId = create(t, "+421915123456", "");
    assertThat(interview(t, liveId).getBoolean("livemode")).isTrue();
  }

  @Test
  void callAttemptsCanBeInvokedMovedAndCancelled() {
    Tenant t = company("Attempts", 1);
    String later = java.time.OffsetDateTime.now().plusDays(2).toString();
    // the simulator's long call: once dialled, it stays live for seconds
    String id = create(t, "+421915120004", ",\"scheduledAt\":\"" + later + "\"");
    String attempt = interview(t, id).getJsonArray("callAttempts").getJsonObject(0).getString("id");

    String evenLater = java.time.OffsetDateTime.now().plusDays(3).toString();
    Response moved = server.send("PATCH", "/interviews/" + id + "/call-attempts/" + attempt, t.key(),
      "{\"scheduledAt\":\"" + evenLater + "\"}", Map.of());
    assertThat(moved.status()).as(moved.raw().body()).isEqualTo(204);
    Response past = server.send("PATCH", "/interviews/" + id + "/call-attempts/" + attempt, t.key(),
      "{\"scheduledAt\":\"2020-01-01T00:00:00Z\"}", Map.of());
    assertThat(past.status()).isEqualTo(400);

    assertThat(server.delete("/interviews/" + id + "/call-attempts/" + attempt, t.key()).status()).isEqualTo(204);
    JsonObject cancelled = interview(t, id);
    assertThat(cancelled.getString("status")).isEqualTo("CANCELLED");
    assertThat(cancelled.getJsonArray("callAttempts")).isEmpty();

    // A new attempt now: the interview is dialled and completes.
    Response invoked = server.post("/interviews/" + id + "/call-attempts", t.key(), "{}");
    assertThat(invoked.status()).as(invoked.raw().body()).isEqualTo(201);
    await().atMost(WAIT).until(() -> Sql.count(server.database,
      "SELECT count(*) FROM live_calls WHERE interview_id = ? AND answered_at IS NOT NULL", id) == 1);
    // while the call is live: no new attempt, and its attempt cannot be removed
    assertThat(server.post("/interviews/" + id + "/call-attempts", t.key(), "{}").errorCode()).isEqualTo("CONFLICT");
    String liveAttempt = interview(t, id).getJsonArray("callAttempts").getJsonObject(0).getString("id");
    assertThat(server.delete("/interviews/" + id + "/call-attempts/" + liveAttempt, t.key()).errorCode()).isEqualTo("CONFLICT");
    assertThat(Sql.count(server.database, "SELECT count(*) FROM live_calls WHERE interview_id = ?", id))
      .as("still live when both were refused").isEqualTo(1);
    await().atMost(WAIT).until(() -> status(t, id).equals("COMPLETED"));
    String completedAttempt = interview(t, id).getJsonArray("callAttempts").getJsonObject(0).getString("id");
    Response notScheduled = server.send("PATCH", "/interviews/" + id + "/call-attempts/" + completedAttempt, t.key(),
      "{\"scheduledAt\":\"" + evenLater + "\"}", Map.of());
    assertThat(notScheduled.status()).isEqualTo(400);
    assertThat(server.delete("/interviews/" + id + "/call-attempts/not-a-uuid", t.key()).errorCode()).isEqualTo("INVALID_ID");
  }
}
