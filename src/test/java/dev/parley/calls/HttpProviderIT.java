package dev.parley.calls;

import dev.parley.calls.provider.Synthetic;
import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The {@code http} provider against a fake provider server: the call contract of SPEC section 7. */
class HttpProviderIT {
  static FakeProvider provider;
  static TestServer server;
  static final Duration WAIT = Duration.ofSeconds(20);

  @BeforeAll
  static void start() throws Exception {
    provider = new FakeProvider("provider-secret-for-tests");
    server = TestServer.start("httpprov", Map.of(
      "PARLEY_PROVIDER", "http",
      "PARLEY_PROVIDER_URL", provider.url(),
      // the fake serves its recordings on this machine: an exception to the special-purpose address check
      "PARLEY_OUTBOUND_ALLOW", provider.url().substring("http://".length()),
      "PARLEY_PROVIDER_SECRET", provider.secret,
      "PARLEY_RETRY_DELAY_SECONDS", "0",
      "PARLEY_DISPATCH_POLL_MS", "100",
      "PARLEY_PROVIDER_TIMEOUT_MS", "500",
      "PARLEY_LEASE_CHECK_MS", "200"));
  }

  @AfterAll
  static void stop() {
    server.close();
    provider.close();
  }

  static Tenant company(String name, int slots) {
    Tenant t = server.company(name, "read:interviews,write:interviews,delete:interviews",
      "--call-window", "00:00-24:00", "--max-concurrent-calls", String.valueOf(slots));
    TestServer.callerNumber(server.database, t.companyId());
    return t;
  }

  static String create(Tenant t, String phone) {
    var r = server.post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"" + phone + "\"},\"agent\":{\"name\":\"Screening\",\"questions\":[\"Why us?\"]}}");
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.data().getString("id");
  }

  static String status(Tenant t, String id) {
    return server.get("/interviews/" + id, t.key()).data().getString("status");
  }

  static JsonObject ended(String callId, String reason, String recordingUrl) {
    return new JsonObject().put("type", "call.ended").put("callId", callId).put("at", java.time.Instant.now().toString())
      .put("endedReason", reason).put("durationSeconds", 42).put("recordingUrl", recordingUrl)
      .put("transcript", new JsonArray()
        .add(new JsonObject().put("role", "agent").put("text", "Why us?").put("startMs", 0))
        .add(new JsonObject().put("role", "candidate").put("text", "I led a team of five for three years.").put("startMs", 2500)));
  }

  @Test
  void aCallPlacedOverHttpCompletesWithItsRecordingByteForByte() throws Exception {
    Tenant t = company("HttpDone", 2);
    String id = create(t, "+421915123456");
    await().atMost(WAIT).until(() -> provider.callFor(id) != null);
    JsonObject call = provider.callFor(id);
    assertThat(call.getString("to")).isEqualTo("+421915123456");
    assertThat(call.getString("eventsUrl")).isEqualTo(server.baseUrl() + "/v1/provider/events");
    assertThat(call.getJsonObject("agent").getJsonArray("questions")).containsExactly("Why us?");
    assertThat(call.getInteger("maxDurationSeconds")).isEqualTo(15 * 60);
    assertThat(status(t, id)).isEqualTo("IN_PROGRESS");

    String callId = call.getString("callId");
    byte[] wav = Synthetic.wav(3).getBytes();
    provider.recordings.put(callId + ".wav", wav);
    String events = call.getString("eventsUrl");
    assertThat(provider.send(events, new JsonObject().put("type", "call.ringing").put("callId", callId)).statusCode()).isEqualTo(200);
    assertThat(provider.send(events, new JsonObject().put("type", "call.answered").put("callId", callId)).statusCode()).isEqualTo(200);
    HttpResponse<String> end = provider.send(events, ended(callId, "completed", provider.url() + "/recordings/" + callId + ".wav"));
    assertThat(end.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(end.body()).getJsonObject("data").getBoolean("applied")).isTrue();
    // The slot is free as soon as the event is answered, before the post-call work.
    assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId())).isZero();

    await().atMost(WAIT).until(() -> server.get("/interviews/" + id, t.key()).data().getValue("analysis") != null);
    JsonObject done = server.get("/interviews/" + id, t.key()).data();
    assertThat(done.getString("status")).isEqualTo("COMPLETED");
    assertThat(done.getJsonArray("transcript").getJsonObject(1).getString("text")).contains("I led a team");
    assertThat(done.getJsonArray("callAttempts").getJsonObject(0).getInteger("duration")).isEqualTo(42);

    HttpResponse<byte[]> recording = server.download("/v1/interviews/" + id + "/recording", t.key());
    assertThat(recording.statusCode()).isEqualTo(200);
    assertThat(recording.body()).isEqualTo(wav);

    // A duplicate or late event changes nothing.
    HttpResponse<String> again = provider.send(events, ended(callId, "no-answer", null));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(again.body()).getJsonObject("data").getBoolean("applied")).isFalse();
    assertThat(provider.send(events, new JsonObject().put("type", "call.answered").put("callId", callId)).statusCode()).isEqualTo(200);
    JsonObject after = server.get("/interviews/" + id, t.key()).data();
    assertThat(after.getString("status")).isEqualTo("COMPLETED");
    assertThat(after.getJsonArray("callAttempts")).hasSize(1);
    assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId())).isZero();
  }

  @Test
  void unsignedOrBadlySignedEventsAreRefused() {
    String events = server.baseUrl() + "/v1/provider/events";
    String body = new JsonObject().put("type", "call.ringing").put("callId", java.util.UUID.randomUUID().toString()).encode();
    assertThat(provider.send(events, body, null).statusCode()).isEqualTo(401);
    assertThat(provider.send(events, body, "t=1,v1=00").statusCode()).isEqualTo(401);
    String wrongKey = dev.parley.auth.Signatures.sign("another-secret", System.currentTimeMillis() / 1000, body.getBytes());
    assertThat(provider.send(events, body, wrongKey).statusCode()).isEqualTo(401);
    String stale = dev.parley.auth.Signatures.sign(provider.secret, System.currentTimeMillis() / 1000 - 3600, body.getBytes());
    assertThat(provider.send(events, body, stale).statusCode()).isEqualTo(401);
    HttpResponse<String> invalid = provider.send(events, new JsonObject().put("type", "call.exploded").put("callId", "x"));
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(invalid.body()).contains("VALIDATION_FAILED");
  }

  @Test
  void busyThenRetriesThenFailed() {
    Tenant t = company("HttpBusy", 1);
    String id = create(t, "+421915120002");
    for (int attempt = 0; attempt < 3; attempt++) {
      int n = attempt;
      await().atMost(WAIT).until(() -> provider.calls.stream().filter(c -> id.equals(c.getString("interviewId"))).count() > n);
      JsonObject call = provider.calls.stream().filter(c -> id.equals(c.getString("interviewId"))).skip(n).findFirst().orElseThrow();
      assertThat(provider.send(call.getString("eventsUrl"), ended(call.getString("callId"), "busy", null)).statusCode()).isEqualTo(200);
    }
    await().atMost(WAIT).until(() -> status(t, id).equals("FAILED"));
    JsonArray attempts = server.get("/interviews/" + id, t.key()).data().getJsonArray("callAttempts");
    assertThat(attempts).hasSize(3);
    attempts.forEach(a -> assertThat(((JsonObject) a).getString("reasonCode")).isEqualTo("BUSY"));
  }

  /**
   * Makes an interview's attempt due now, as a schedule falling due would; the dispatcher's poll
   * (PARLEY_DISPATCH_POLL_MS, 100 ms here) finds it, so callers wait for what follows.
   */
  static void fallDue(String interviewId) {
    Sql.executeWithoutTriggers(server.database, "UPDATE call_attempts SET scheduled_at = now(), callable_at = now() WHERE interview_id = ?", interviewId);
  }

  static String scheduledTomorrow(Tenant t) {
    Response r = server.post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"+421915123456\"},\"agent\":{\"name\":\"Screening\"},\"scheduledAt\":\""
      + java.time.Instant.now().plusSeconds(86_400) + "\"}");
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.data().getString("id");
  }

  /**
   * Invariant 1, with the claim and the delete made to overlap: the claim is held inside its
   * transaction (this test locks the company row its slots are taken from), the delete then waits
   * for the interview the claim has locked; released, the claim commits first, and the delete finds
   * the call and has it cancelled at the provider once it is dialled.
   */
  @Test
  void aDeleteThatLandsDuringTheClaimHasTheCallCancelled() throws Exception {
    Tenant t = company("Delete during claim", 2);
    String id = scheduledTomorrow(t);
    CompletableFuture<Response> delete;
    try (java.sql.Connection hold = server.database.connect()) {
      hold.setAutoCommit(false);
      Sql.lock(hold, "SELECT 1 FROM companies WHERE id = ? FOR UPDATE", t.companyId());
      fallDue(id);
      await().atMost(WAIT).until(() -> Sql.waitingOnALock(server.database, "max_concurrent_calls - active_calls FROM companies"));
      delete = CompletableFuture.supplyAsync(() -> server.delete("/interviews/" + id, t.key()));
      await().atMost(WAIT).until(() -> Sql.waitingOnALock(server.database, "FROM delete_interview("));
      hold.commit();
    }
    assertThat(delete.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(Sql.rows(server.database, "SELECT status_at_delete FROM interview_deletions WHERE interview_id = ?", id))
      .extracting(r -> r.get("status_at_delete")).containsExactly("IN_PROGRESS");
    await().atMost(WAIT).until(() -> !dialsOf(id).isEmpty());
    String callId = dialsOf(id).get(0).getString("callId");
    await().atMost(WAIT).until(() -> provider.cancels.contains(callId));
    provider.send(dialsOf(id).get(0).getString("eventsUrl"), ended(callId, "canceled", null));
    assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId())).isZero();
    assertThat(Sql.rowsAbout(server.database, id)).isEmpty();
  }

  /**
   * Invariant 1 the other way round: the delete holds the interview when it falls due (the
   * dispatcher skips it) and commits first; no call is ever placed for it, while the dispatcher
   * goes on to dial the next interview. That one is created while the delete still holds the first:
   * its dial shows that a claim has passed the first by.
   */
  @Test
  void aDeleteThatCommitsBeforeTheClaimMeansNoCall() throws Exception {
    Tenant t = company("Delete before claim", 2);
    String id = scheduledTomorrow(t);
    CompletableFuture<Response> delete;
    String next;
    try (java.sql.Connection hold = server.database.connect()) {
      hold.setAutoCommit(false);
      // The delete locks the interview first, then waits here to write its audit row: it holds
      // the interview while it falls due. (Holding the interview row in the test instead leaves a
      // moment, when the test lets go, in which the dispatcher's SKIP LOCKED may take it first.)
      try (java.sql.Statement s = hold.createStatement()) {
        s.execute("LOCK TABLE interview_deletions IN SHARE MODE");
      }
      delete = CompletableFuture.supplyAsync(() -> server.delete("/interviews/" + id, t.key()));
      await().atMost(WAIT).until(() -> Sql.waitingOnALock(server.database, "FROM delete_interview("));
      fallDue(id); // due, but locked by the delete: the dispatcher passes it by
      next = create(t, "+421915123456");
      await().atMost(WAIT).until(() -> !dialsOf(next).isEmpty());
      hold.commit(); // the delete goes on and commits
    }
    assertThat(delete.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(Sql.rows(server.database, "SELECT status_at_delete FROM interview_deletions WHERE interview_id = ?", id))
      .extracting(r -> r.get("status_at_delete")).containsExactly("SCHEDULED");
    assertThat(dialsOf(id)).as("dials of the deleted interview").isEmpty();
    provider.send(dialsOf(next).get(0).getString("eventsUrl"), ended(dialsOf(next).get(0).getString("callId"), "completed", null));
  }

  // ---------------------------------------------------------------- the dial, after the claim

  /** Holds the fake provider's answer until the test releases it (at most 30 s). */
  static void hold(CountDownLatch release) {
    try {
      release.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static List<JsonObject> dialsOf(String interviewId) {
    return provider.calls.stream().filter(c -> interviewId.equals(c.getString("interviewId"))).toList();
  }

  static Object liveCall(String interviewId, String column) {
    List<Map<String, Object>> rows = Sql.rows(server.database, "SELECT " + column + " AS v FROM live_calls WHERE interview_id = ?", interviewId);
    return rows.isEmpty() ? null : rows.get(0).get("v");
  }

  /** A dial whose answer does not come in time is sent again with the same callId: one call. */
  @Test
  void aDialThatTimesOutIsSentAgainWithTheSameCallId() throws Exception {
    Tenant t = company("Slow provider", 2);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger seen = new AtomicInteger();
    provider.onCall = call -> {
      // the first answer is held back past PARLEY_PROVIDER_TIMEOUT_MS (500 ms); the next ones come at once
      if (seen.incrementAndGet() == 1) hold(release);
    };
    try {
      String id = create(t, "+421915123456");
      await().atMost(WAIT).until(() -> liveCall(id, "dialled_at") != null);
      assertThat(dialsOf(id)).hasSizeGreaterThanOrEqualTo(2);
      assertThat(dialsOf(id).stream().map(c -> c.getString("callId")).distinct()).as("callIds of the dials").hasSize(1);
      String callId = dialsOf(id).get(0).getString("callId");
      assertThat(liveCall(id, "call_id").toString()).isEqualTo(callId);
      assertThat(status(t, id)).isEqualTo("IN_PROGRESS");
      release.countDown();
      assertThat(provider.send(dialsOf(id).get(0).getString("eventsUrl"), ended(callId, "completed", null)).statusCode()).isEqualTo(200);
      await().atMost(WAIT).until(() -> "COMPLETED".equals(status(t, id)));
      assertThat(server.get("/interviews/" + id, t.key()).data().getJsonArray("callAttempts")).hasSize(1);
    } finally {
      release.countDown();
      provider.onCall = call -> { };
    }
  }

  /**
   * A delete that commits while the dial is in flight: the call is cancelled at the provider once
   * the provider has taken it, its end frees the slot, and nothing else is produced.
   */
  @Test
  void aDeleteDuringTheDialCancelsTheCallAtTheProvider() throws Exception {
    Tenant t = company("Delete during dial", 2);
    CountDownLatch dialling = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    provider.onCall = call -> {
      dialling.countDown();
      hold(release);
    };
    try {
      String id = create(t, "+421915123456");
      assertThat(dialling.await(20, TimeUnit.SECONDS)).isTrue();
      String callId = dialsOf(id).get(0).getString("callId");
      assertThat(server.delete("/interviews/" + id, t.key()).status()).as("the delete does not wait for the dial").isEqualTo(200);
      assertThat(provider.cancels).doesNotContain(callId);
      release.countDown(); // the provider takes the call now (or takes its second try)
      provider.onCall = call -> { };
      await().atMost(WAIT).until(() -> provider.cancels.contains(callId));
      assertThat(provider.cancels.stream().filter(callId::equals)).as("one cancel").hasSize(1);
      assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId()))
        .as("the slot is held until the provider reports the end").isEqualTo(1);
      var end = provider.send(dialsOf(id).get(0).getString("eventsUrl"), ended(callId, "canceled", null));
      assertThat(new JsonObject(end.body()).getJsonObject("data").getBoolean("applied")).isTrue();
      assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId())).isZero();
      assertThat(Sql.rowsAbout(server.database, id)).isEmpty();
      assertThat(Sql.rows(server.database, "SELECT status_at_delete FROM interview_deletions WHERE interview_id = ?", id))
        .extracting(r -> r.get("status_at_delete")).containsExactly("IN_PROGRESS");
    } finally {
      release.countDown();
      provider.onCall = call -> { };
    }
  }

  /**
   * Dials the provider takes at the same moment are recorded together (one statement for those that
   * come in while the last one runs): each call still gets its own answer, so a cancel goes to
   * exactly the calls deleted during their dial, and every other call is recorded as dialled.
   */
  @Test
  void dialsTakenTogetherAreEachRecordedAndOnlyTheDeletedOnesCancelled() throws Exception {
    int calls = 8;
    Tenant t = company("Dials taken together", calls);
    CountDownLatch dialling = new CountDownLatch(calls);
    CountDownLatch release = new CountDownLatch(1);
    provider.onCall = call -> {
      dialling.countDown();
      hold(release);
    };
    try {
      List<String> ids = new ArrayList<>();
      for (int k = 0; k < calls; k++) ids.add(create(t, "+421915123456"));
      assertThat(dialling.await(20, TimeUnit.SECONDS)).as("all dials under way").isTrue();
      List<String> deleted = ids.subList(0, calls / 2), kept = ids.subList(calls / 2, calls);
      List<String> deletedCalls = deleted.stream().map(id -> dialsOf(id).get(0).getString("callId")).toList();
      List<String> keptCalls = kept.stream().map(id -> dialsOf(id).get(0).getString("callId")).toList();
      for (String id : deleted) assertThat(server.delete("/interviews/" + id, t.key()).status()).isEqualTo(200);
      release.countDown(); // the provider answers every held dial at once
      provider.onCall = call -> { };

      await().atMost(WAIT).until(() -> provider.cancels.containsAll(deletedCalls)
        && kept.stream().allMatch(id -> liveCall(id, "dialled_at") != null));
      for (String callId : deletedCalls) {
        assertThat(provider.cancels.stream().filter(callId::equals)).as("one cancel of " + callId).hasSize(1);
      }
      assertThat(provider.cancels).as("no cancel of a call that was not deleted").doesNotContainAnyElementsOf(keptCalls);
      assertThat(Sql.count(server.database, "SELECT count(*) FROM live_calls WHERE company_id = ? AND dialled_at IS NULL",
        t.companyId())).as("dials left unrecorded").isZero();
      for (String id : kept) assertThat(status(t, id)).isEqualTo("IN_PROGRESS");
      for (int k = 0; k < calls; k++) {
        String callId = k < calls / 2 ? deletedCalls.get(k) : keptCalls.get(k - calls / 2);
        provider.send(dialsOf(ids.get(k)).get(0).getString("eventsUrl"), ended(callId, k < calls / 2 ? "canceled" : "completed", null));
      }
      assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId())).isZero();
    } finally {
      release.countDown();
      provider.onCall = call -> { };
    }
  }

  /** Dialled but not answered: a delete cancels the call at once. Answered: the call runs to its end, no cancel. */
  @Test
  void aDeleteCancelsACallNotYetAnsweredButNotAnAnsweredOne() {
    Tenant t = company("Cancel or not", 2);
    String ringing = create(t, "+421915123456");
    String answered = create(t, "+421915123456");
    await().atMost(WAIT).until(() -> liveCall(ringing, "dialled_at") != null && liveCall(answered, "dialled_at") != null);
    String ringingCall = liveCall(ringing, "call_id").toString(), answeredCall = liveCall(answered, "call_id").toString();
    String events = dialsOf(answered).get(0).getString("eventsUrl");
    provider.send(events, new JsonObject().put("type", "call.answered").put("callId", answeredCall));
    await().atMost(WAIT).until(() -> liveCall(answered, "answered_at") != null);
    double applied = server.metric("parley_cluster_hints_total", "kind", "interview-deleted", "outcome", "applied");

    assertThat(server.delete("/interviews/" + ringing, t.key()).status()).isEqualTo(200);
    await().atMost(WAIT).until(() -> provider.cancels.contains(ringingCall));
    assertThat(server.delete("/interviews/" + answered, t.key()).status()).isEqualTo(200);
    await().atMost(WAIT).until(() -> server.metric("parley_cluster_hints_total", "kind", "interview-deleted", "outcome", "applied") >= applied + 2);
    assertThat(liveCall(answered, "cancel_requested_at")).as("nothing to cancel for the answered call").isNull();
    assertThat(provider.cancels).doesNotContain(answeredCall);
    // both end as their provider reports it; nothing follows for either
    provider.send(events, ended(ringingCall, "canceled", null));
    provider.send(events, ended(answeredCall, "completed", null));
    assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId())).isZero();
    assertThat(Sql.rowsAbout(server.database, ringing)).isEmpty();
    assertThat(Sql.rowsAbout(server.database, answered)).isEmpty();
  }

  /** A claim whose node died before its dial went out: another node dials it, with the claim's callId. */
  @Test
  void aClaimedCallWhoseNodeDiedIsDialledAgainWithItsCallId() {
    Tenant t = company("Orphan dial", 2);
    Response created = server.post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"+421915123456\"},\"agent\":{\"name\":\"Screening\"},\"scheduledAt\":\""
      + java.time.Instant.now().plusSeconds(86_400) + "\"}");
    String id = created.data().getString("id");
    String attempt = created.data().getJsonArray("callAttempts").getJsonObject(0).getString("id");
    String callId = java.util.UUID.randomUUID().toString();
    // what a node leaves behind when it dies between its claim's commit and its dial
    Sql.execute(server.database, "UPDATE call_attempts SET status = 'IN_PROGRESS', called_at = now() WHERE id = ?", attempt);
    Sql.execute(server.database, "UPDATE interviews SET status = 'IN_PROGRESS' WHERE id = ?", id);
    Sql.execute(server.database, "UPDATE companies SET active_calls = active_calls + 1 WHERE id = ?", t.companyId());
    Sql.execute(server.database, """
      INSERT INTO live_calls (call_id, attempt_id, interview_id, company_id, node_id, provider, lease_expires_at, dial_due_at)
      VALUES (?, ?, ?, ?, 'a-node-that-died', 'http', now() + interval '1 hour', now() - interval '1 second')""",
      callId, attempt, id, t.companyId());

    await().atMost(WAIT).until(() -> !dialsOf(id).isEmpty() && liveCall(id, "dialled_at") != null);
    assertThat(dialsOf(id)).extracting(c -> c.getString("callId")).containsOnly(callId);
    assertThat(liveCall(id, "node_id")).isEqualTo(server.node().nodeId());
    provider.send(dialsOf(id).get(0).getString("eventsUrl"), ended(callId, "completed", null));
    await().atMost(WAIT).until(() -> "COMPLETED".equals(status(t, id)));
    assertThat(Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId())).isZero();
  }
}
