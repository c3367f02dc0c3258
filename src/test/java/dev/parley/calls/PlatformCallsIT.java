package dev.parley.calls;

import dev.parley.fakes.FakePlatform;
import dev.parley.fakes.Received;
import dev.parley.fakes.Script;
import dev.parley.fakes.Sentinel;
import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Parley node whose provider is a hosted platform (Vapi or Retell), played by a fake built
 * from the platform's published API description (dev.parley.fakes): the fake checks every request
 * Parley sends against the platform's schema, answers as the platform documents, and sends the
 * platform's own webhooks, signed or authenticated as the platform does. Each subclass is one
 * platform; the cases both must pass are here, through the real server over HTTP and the real
 * dispatcher, and each ends by asserting that the fake saw no request its platform would refuse.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PlatformCallsIT {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String SCOPES = "read:interviews,write:interviews,delete:interviews,read:companies,write:agents";
  /** Each test calls numbers of its own (the fake scripts calls by the number called). */
  /** The simulator's scripted endings (0001 to 0007) are never among them: a test interview with one completes. */
  private static final AtomicInteger NEXT_NUMBER = new AtomicInteger(123_456);

  TestServer server;

  /** The fake platform, started before the server. */
  abstract FakePlatform platform();

  abstract FakePlatform startPlatform();

  /** The server's settings for this platform (PARLEY_PROVIDER, its key and base URL, ...). */
  abstract Map<String, String> providerSettings();

  /** The admin options a caller number needs on this platform (Vapi: its phoneNumberId). */
  abstract String[] callerNumberOptions();

  /** The creates the platform received. */
  abstract List<Received> creates();

  /** The callId Parley gave the call a create asked for. */
  abstract String callIdOf(Received create);

  /** The cancels the platform received (Vapi: end-call on the control URL; Retell: stop-call). */
  abstract List<Received> cancels();

  /** The platform's own outcome value for each scripted outcome. */
  abstract String rawReason(Script.Outcome outcome);

  /** A webhook that says the call ended, as the platform would send it but without its credential (unsigned, forged). */
  abstract void forgedEndsChangeNothing(Tenant t, String interviewId, String callId);

  @BeforeAll
  void start() {
    startPlatform();
    Map<String, String> env = new HashMap<>(providerSettings());
    env.put("PARLEY_PROVIDER_TIMEOUT_MS", "1000");
    env.put("PARLEY_PROVIDER_RECONCILE_GRACE_MS", "3000");
    env.put("PARLEY_PROVIDER_BUSY_RETRY_SECONDS", "1");
    env.put("PARLEY_PROVIDER_END_REPORT_WAIT_SECONDS", "1");
    // an outcome that is not a completed call fails the interview at once: one attempt to look at
    env.put("PARLEY_RETRY_COUNT", "0");
    env.put("PARLEY_DISPATCH_POLL_MS", "100");
    env.put("PARLEY_LEASE_CHECK_MS", "200");
    env.put("PARLEY_SIMULATOR_RING_MS", "100");
    env.put("PARLEY_SIMULATOR_TALK_MS", "300");
    // the fake serves its control URLs and recordings on this machine: the one exception to the address check
    env.put("PARLEY_OUTBOUND_ALLOW", platform().url().substring("http://".length()));
    server = TestServer.start(getClass().getSimpleName().toLowerCase(), env);
  }

  @AfterAll
  void stop() {
    if (server != null) server.close();
    // the fake fails here if it ever produced a payload its platform's schema refuses
    if (platform() != null) platform().close();
  }

  // ---------------------------------------------------------------- helpers

  static String newNumber() {
    return "+421915" + NEXT_NUMBER.getAndIncrement();
  }

  Tenant company(String name, int slots) {
    Tenant t = server.company(name, SCOPES, "--call-window", "00:00-24:00", "--max-concurrent-calls", String.valueOf(slots));
    TestServer.callerNumber(server.database, t.companyId(), callerNumberOptions());
    return t;
  }

  static String body(String phone, String extra) {
    return "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"phoneNumber\":\"" + phone + "\"},"
      + "\"agent\":{\"name\":\"Screening\",\"language\":\"SK\",\"duration\":5,\"voiceId\":\"VIERA\","
      + "\"questions\":[\"Why this role?\",\"Tell me about a project you led.\"]}" + extra + "}";
  }

  String create(Tenant t, String phone) {
    Response r = server.post("/interviews", t.key(), body(phone, ""));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    assertThat(r.data().getBoolean("livemode")).isTrue();
    return r.data().getString("id");
  }

  JsonObject interview(Tenant t, String id) {
    return server.get("/interviews/" + id, t.key()).data();
  }

  JsonObject attempt(Tenant t, String id) {
    return interview(t, id).getJsonArray("callAttempts").getJsonObject(0);
  }

  List<Received> createsTo(String number) {
    return creates().stream().filter(c -> number.equals(toNumber(c))).toList();
  }

  abstract String toNumber(Received create);

  long activeCalls(Tenant t) {
    return Sql.count(server.database, "SELECT active_calls FROM companies WHERE id = ?", t.companyId());
  }

  void assertNoViolations() {
    assertThat(platform().violations()).as("requests the platform would refuse").isEmpty();
    assertThat(platform().faults()).as("the fake's own faults").isEmpty();
  }

  // ---------------------------------------------------------------- the cases

  @Test
  void aCompletedCallHasItsTranscriptRecordingAndAnalysis() {
    String number = newNumber();
    byte[] audio = "ID3 an mp3 recording, byte for byte".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    platform().onNumber(number, Script.answered().ringMs(100).talkMs(300).endedByUser()
      .transcript(Script.Line.agent("Dobrý deň, prečo práve táto pozícia?"), Script.Line.user("Lebo rád riešim ťažké problémy."),
        Script.Line.agent("Ďakujem, dovidenia."))
      .recording(audio, "audio/mpeg"));
    Tenant t = company("Completed " + getClass().getSimpleName(), 2);
    String id = create(t, number);

    await().atMost(WAIT).until(() -> interview(t, id).getValue("analysis") != null);
    JsonObject done = interview(t, id);
    assertThat(done.getString("status")).isEqualTo("COMPLETED");
    JsonArray transcript = done.getJsonArray("transcript");
    assertThat(transcript.stream().map(o -> ((JsonObject) o).getString("role") + ": " + ((JsonObject) o).getString("text")))
      .containsExactly("agent: Dobrý deň, prečo práve táto pozícia?", "candidate: Lebo rád riešim ťažké problémy.",
        "agent: Ďakujem, dovidenia.");
    JsonObject attempt = done.getJsonArray("callAttempts").getJsonObject(0);
    assertThat(attempt.getString("status")).isEqualTo("COMPLETED");
    assertThat(attempt.getString("provider")).isEqualTo(platformName());
    assertThat(attempt.getString("providerReason")).isEqualTo(rawReason(Script.Outcome.ANSWERED));
    String callId = callIdOf(createsTo(number).get(0));
    assertThat(attempt.getString("providerCallId")).isEqualTo(platformCallIdOf(callId));
    assertThat(done.getJsonObject("analysis").getJsonObject("general").getInteger("overallRating")).isBetween(0, 100);

    HttpResponse<byte[]> recording = server.download("/v1/interviews/" + id + "/recording", t.key());
    assertThat(recording.statusCode()).isEqualTo(200);
    assertThat(recording.headers().firstValue("content-type")).hasValue("audio/mpeg");
    assertThat(recording.body()).isEqualTo(audio);
    assertThat(platform().recordingHostRequests()).allSatisfy(r -> assertThat(r.header("Authorization"))
      .as("the platform's key never reaches the recording's host").isNull());
    assertThat(activeCalls(t)).isZero();
    assertThat(createsTo(number)).hasSize(1);
    assertNoViolations();
  }

  abstract String platformName();

  /** The platform's own ID of the call Parley named {@code callId}. */
  String platformCallIdOf(String callId) {
    return creates().stream().filter(c -> callId.equals(callIdOf(c))).findFirst().map(Received::callId).orElse(null);
  }

  /** The cancels the platform received for the call Parley named {@code callId}. */
  List<Received> cancelsOf(String callId) {
    String platformId = platformCallIdOf(callId);
    return cancels().stream().filter(c -> platformId != null && platformId.equals(c.callId())).toList();
  }

  @Test
  void everyOutcomeHasItsReasonCodeAndKeepsThePlatformsValue() {
    Map<Script.Outcome, String> expected = Map.of(Script.Outcome.NO_ANSWER, "NO_ANSWER", Script.Outcome.BUSY, "BUSY",
      Script.Outcome.VOICEMAIL, "VOICEMAIL", Script.Outcome.FAILED, "PROVIDER_ERROR");
    Tenant t = company("Outcomes " + getClass().getSimpleName(), 5);
    Map<String, Script.Outcome> byInterview = new HashMap<>();
    for (Script.Outcome outcome : expected.keySet()) {
      String number = newNumber();
      platform().onNumber(number, switch (outcome) {
        case NO_ANSWER -> Script.noAnswer();
        case BUSY -> Script.busy();
        case VOICEMAIL -> Script.voicemail();
        default -> Script.failed();
      });
      byInterview.put(create(t, number), outcome);
    }
    // a value the platform may add one day (sent as the platform would, with its credential): failed,
    // PROVIDER_ERROR, the value kept
    String unknownNumber = newNumber();
    platform().onNumber(unknownNumber, Script.ringsUntilCancelled());
    String unknown = create(t, unknownNumber);
    await().atMost(WAIT).until(() -> createsTo(unknownNumber).size() == 1 && platformCallIdOf(callIdOf(createsTo(unknownNumber).get(0))) != null);
    endCall(callIdOf(createsTo(unknownNumber).get(0)), UNKNOWN_REASON);

    await().atMost(WAIT).until(() -> byInterview.keySet().stream().allMatch(id -> "FAILED".equals(interview(t, id).getString("status")))
      && "FAILED".equals(interview(t, unknown).getString("status")));
    byInterview.forEach((id, outcome) -> {
      JsonObject attempt = attempt(t, id);
      assertThat(attempt.getString("status")).as(outcome.name()).isEqualTo("FAILED");
      assertThat(attempt.getString("reasonCode")).as(outcome.name()).isEqualTo(expected.get(outcome));
      assertThat(attempt.getString("providerReason")).as(outcome.name()).isEqualTo(rawReason(outcome));
      assertThat(interview(t, id).getValue("transcript")).as(outcome.name()).isNull();
    });
    assertThat(attempt(t, unknown).getString("reasonCode")).isEqualTo("PROVIDER_ERROR");
    assertThat(attempt(t, unknown).getString("providerReason")).isEqualTo(UNKNOWN_REASON);
    assertThat(activeCalls(t)).isZero();
    assertNoViolations();
  }

  /** A made-up outcome value of the platform's, which no table maps (and its published enum does not have yet). */
  static final String UNKNOWN_REASON = "a-reason-this-platform-added-later";

  @Test
  void aDeleteWhileRingingCancelsTheCallAndNothingFollows() {
    String number = newNumber();
    platform().onNumber(number, Script.ringsUntilCancelled());
    Tenant t = company("Delete while ringing " + getClass().getSimpleName(), 1);
    String id = create(t, number);
    await().atMost(WAIT).until(() -> "IN_PROGRESS".equals(interview(t, id).getString("status"))
      && Sql.count(server.database, "SELECT count(*) FROM live_calls WHERE interview_id = ? AND dialled_at IS NOT NULL", id) == 1);
    String callId = callIdOf(createsTo(number).get(0));

    assertThat(server.delete("/interviews/" + id, t.key()).status()).isEqualTo(200);
    await().atMost(WAIT).until(() -> !cancelsOf(callId).isEmpty());
    // the platform ends the cancelled call and says so; that frees the slot, and nothing else happens
    await().atMost(WAIT).until(() -> activeCalls(t) == 0);
    assertThat(Sql.rowsAbout(server.database, id)).as("what is left of the interview but its audit row").isEmpty();
    assertThat(cancelsOf(callId)).hasSize(1);
    assertNoViolations();
  }

  @Test
  void aDeleteWhileLiveLetsTheCallEndAndFreesTheSlot() {
    String number = newNumber();
    platform().onNumber(number, Script.answered().ringMs(50).talkMs(2500));
    Tenant t = company("Delete while live " + getClass().getSimpleName(), 1);
    String id = create(t, number);
    await().atMost(WAIT).until(() -> Sql.count(server.database,
      "SELECT count(*) FROM live_calls WHERE interview_id = ? AND answered_at IS NOT NULL", id) == 1);
    String callId = callIdOf(createsTo(number).get(0));

    assertThat(server.delete("/interviews/" + id, t.key()).status()).isEqualTo(200);
    assertThat(activeCalls(t)).as("the call goes on").isEqualTo(1);
    await().atMost(WAIT).until(() -> activeCalls(t) == 0);
    assertThat(cancelsOf(callId)).as("an answered call is not cut").isEmpty();
    assertThat(Sql.rowsAbout(server.database, id)).as("what is left of the interview but its audit row").isEmpty();
    assertNoViolations();
  }

  @Test
  void aCreateAnsweredAfterTheTimeoutIsAdoptedNotPlacedTwice() {
    String number = newNumber();
    // the call is made at once, and still talks when its answer comes, after Parley's 1 s timeout
    platform().onNumber(number, Script.answered().ringMs(100).talkMs(3000).answerCreateAfterMs(2500));
    assertCreatedOnceAndCompleted("Late answer", number);
  }

  @Test
  void aCreateWhoseAnswerIsDroppedIsAdoptedNotPlacedTwice() {
    String number = newNumber();
    platform().onNumber(number, Script.answered().ringMs(100).talkMs(3000).dropCreateAnswer());
    assertCreatedOnceAndCompleted("Dropped answer", number);
  }

  private void assertCreatedOnceAndCompleted(String name, String number) {
    Tenant t = company(name + " " + getClass().getSimpleName(), 1);
    int searchesBefore = searches();
    String id = create(t, number);
    await().atMost(WAIT).until(() -> "COMPLETED".equals(interview(t, id).getString("status")));
    assertThat(createsTo(number)).as("creates of the call").hasSize(1);
    assertThat(searches()).as("the platform was asked for the call").isGreaterThan(searchesBefore);
    assertThat(attempt(t, id).getString("providerCallId")).isEqualTo(platformCallIdOf(callIdOf(createsTo(number).get(0))));
    assertThat(server.metric("parley_dials_total", "outcome", "reconciled")).isPositive();
    assertNoViolations();
  }

  /** How many times Parley asked the platform for its calls (a reconcile). */
  abstract int searches();

  @Test
  void repeatedAndOutOfOrderEventsChangeNothingTwice() {
    String repeated = newNumber(), disordered = newNumber();
    platform().onNumber(repeated, Script.answered().ringMs(50).talkMs(200).repeatEvents());
    platform().onNumber(disordered, Script.answered().ringMs(50).talkMs(200).outOfOrder());
    Tenant t = company("Quirks " + getClass().getSimpleName(), 2);
    String a = create(t, repeated), b = create(t, disordered);
    await().atMost(WAIT).until(() -> interview(t, a).getValue("analysis") != null && interview(t, b).getValue("analysis") != null);
    for (String id : List.of(a, b)) {
      JsonObject done = interview(t, id);
      assertThat(done.getString("status")).isEqualTo("COMPLETED");
      assertThat(done.getJsonArray("callAttempts")).hasSize(1);
      assertThat(done.getJsonArray("transcript")).hasSize(Script.DEFAULT_TRANSCRIPT.size());
      assertThat(Sql.count(server.database, "SELECT count(*) FROM outbox WHERE interview_id = ? AND kind = 'post_call'", id)).isZero();
    }
    assertThat(activeCalls(t)).isZero();
    assertNoViolations();
  }

  @Test
  void webhooksWithoutThePlatformsCredentialAreRefusedAndChangeNothing() {
    String number = newNumber();
    platform().onNumber(number, Script.liveUntilCancelled().ringMs(50).maxMs(60_000));
    Tenant t = company("Forged " + getClass().getSimpleName(), 1);
    String id = create(t, number);
    await().atMost(WAIT).until(() -> Sql.count(server.database,
      "SELECT count(*) FROM live_calls WHERE interview_id = ? AND answered_at IS NOT NULL", id) == 1);
    String callId = callIdOf(createsTo(number).get(0));

    forgedEndsChangeNothing(t, id, callId);
    assertThat(interview(t, id).getString("status")).isEqualTo("IN_PROGRESS");
    assertThat(activeCalls(t)).isEqualTo(1);
    assertThat(Sql.count(server.database, "SELECT count(*) FROM live_calls WHERE call_id = ?::uuid", callId)).isEqualTo(1);
    // and the real end still counts
    assertThat(server.delete("/interviews/" + id, t.key()).status()).isEqualTo(200);
    endCall(callId, rawReason(Script.Outcome.ANSWERED));
    await().atMost(WAIT).until(() -> activeCalls(t) == 0);
    assertNoViolations();
  }

  /**
   * Sends the webhook that ends the call with this raw outcome, as the platform does (with the
   * call's credential), for outcomes a scripted call does not produce.
   */
  abstract void endCall(String callId, String rawReason);

  @Test
  void aRecordingOnASpecialPurposeAddressIsNeverFetched() throws Exception {
    try (Sentinel internal = new Sentinel()) {
      String number = newNumber();
      platform().onNumber(number, Script.answered().ringMs(50).talkMs(200));
      // the platform hands out recording URLs on another port of this machine, which no setting allows
      platform().setRecordingBase(internal.url());
      try {
        Tenant t = company("Internal recording " + getClass().getSimpleName(), 1);
        String id = create(t, number);
        await().atMost(WAIT).until(() -> interview(t, id).getValue("analysis") != null);
        assertThat(interview(t, id).getString("status")).isEqualTo("COMPLETED");
        assertThat(server.download("/v1/interviews/" + id + "/recording", t.key()).statusCode()).isEqualTo(404);
        assertThat(internal.count()).as("requests that reached the internal address").isZero();
      } finally {
        platform().setRecordingBase(null);
      }
    }
    assertNoViolations();
  }

  @Test
  void aTestKeysInterviewNeverReachesThePlatform() {
    String number = newNumber();
    Tenant t = company("Test mode " + getClass().getSimpleName(), 1);
    String testKey = server.admin("key", "create", "--company", t.companyId(), "--name", "test", "--scopes", SCOPES, "--test")
      .getString("key");
    Response created = server.post("/interviews", testKey, body(number, ""));
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    assertThat(created.data().getBoolean("livemode")).isFalse();
    String id = created.data().getString("id");
    await().atMost(WAIT).until(() -> interview(t, id).getValue("analysis") != null);
    JsonObject done = interview(t, id);
    assertThat(done.getString("status")).isEqualTo("COMPLETED");
    assertThat(done.getJsonArray("callAttempts").getJsonObject(0).getString("provider")).isEqualTo("simulator");
    // isTest with a live key: the same
    String flagged = server.post("/interviews", t.key(), body(number, ",\"isTest\":true")).data().getString("id");
    await().atMost(WAIT).until(() -> "COMPLETED".equals(interview(t, flagged).getString("status")));
    assertThat(createsTo(number)).as("creates at the platform for the test interviews' number").isEmpty();
  }

  @Test
  void aConcurrencyRefusalIsNotAFailedAttempt() {
    String number = newNumber();
    platform().onNumber(number, Script.concurrencyRefusal());
    Tenant t = company("Busy platform " + getClass().getSimpleName(), 1);
    String id = create(t, number);
    await().atMost(WAIT).until(() -> attempt(t, id).getString("providerReason") != null
      && "SCHEDULED".equals(attempt(t, id).getString("status")));
    JsonObject waiting = interview(t, id);
    assertThat(waiting.getString("status")).isEqualTo("SCHEDULED");
    assertThat(waiting.getJsonArray("callAttempts")).hasSize(1);
    JsonObject queuedAgain = waiting.getJsonArray("callAttempts").getJsonObject(0);
    assertThat(queuedAgain.getValue("reasonCode")).isNull();
    assertThat(queuedAgain.getString("providerReason")).containsIgnoringCase("concurrency");
    assertThat(activeCalls(t)).isZero();

    // the platform has room again: the same attempt is dialled and completes
    platform().onNumber(number, Script.answered().ringMs(50).talkMs(200));
    await().atMost(WAIT).until(() -> "COMPLETED".equals(interview(t, id).getString("status")));
    JsonObject done = interview(t, id);
    assertThat(done.getJsonArray("callAttempts")).hasSize(1);
    assertThat(done.getJsonArray("callAttempts").getJsonObject(0).getInteger("retryNumber")).isZero();
    assertNoViolations();
  }

  @Test
  void callerNumbersAreTheCompanysOwnAndOnlineAgentsAreNeverDialled() {
    Tenant t = server.company("Numbers " + getClass().getSimpleName(), SCOPES, "--call-window", "00:00-24:00");
    Tenant other = company("Other numbers " + getClass().getSimpleName(), 1);
    // no number and no default: a live interview cannot be dialled
    Response none = server.post("/interviews", t.key(), body(newNumber(), ""));
    assertThat(none.status()).isEqualTo(400);
    assertThat(none.body().getJsonObject("error").getJsonObject("details").encode()).contains("agent.companyPhoneNumberId");
    // another company's number
    String othersNumber = server.get("/company/" + other.companyId() + "/phone-numbers", other.key()).data()
      .getJsonArray("items").getJsonObject(0).getString("id");
    String withOthers = "{\"name\":\"Other's number\",\"companyPhoneNumberId\":\"" + othersNumber + "\"}";
    Response agent = server.post("/agents", t.key(), withOthers);
    assertThat(agent.status()).isEqualTo(400);
    assertThat(agent.raw().body()).contains("companyPhoneNumberId").doesNotContain(other.companyId());
    assertThat(server.get("/company/" + other.companyId() + "/phone-numbers", t.key()).errorCode()).isEqualTo("FORBIDDEN_COMPANY");

    // an agent names one of its company's numbers: that number is the caller ID
    JsonObject number = server.admin("phone-number", "create", "--company", t.companyId(), "--number", "+421233000111",
      "--label", "Recruiting", "--provider-ref", "ref-recruiting");
    assertThat(number.getString("number")).isEqualTo("+421233000111");
    assertThat(server.get("/company/" + t.companyId() + "/phone-numbers", t.key()).data().getJsonArray("items"))
      .extracting(o -> ((JsonObject) o).getString("label")).containsExactly("Recruiting");
    String phone = newNumber();
    platform().onNumber(phone, Script.answered().ringMs(50).talkMs(100));
    Response named = server.post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"L\",\"phoneNumber\":\""
      + phone + "\"},\"agent\":{\"name\":\"Named\",\"companyPhoneNumberId\":\"" + number.getString("id") + "\"}}");
    assertThat(named.status()).as(named.raw().body()).isEqualTo(201);
    await().atMost(WAIT).until(() -> createsTo(phone).size() == 1);
    assertCallerId(createsTo(phone).get(0), "+421233000111", "ref-recruiting");

    // ONLINE: no attempts, never dialled
    String online = newNumber();
    Response onlineInterview = server.post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"L\","
      + "\"phoneNumber\":\"" + online + "\"},\"agent\":{\"name\":\"Online\",\"type\":\"ONLINE\"}}");
    assertThat(onlineInterview.status()).as(onlineInterview.raw().body()).isEqualTo(201);
    assertThat(onlineInterview.data().getJsonArray("callAttempts")).isEmpty();
    assertThat(server.post("/interviews/" + onlineInterview.data().getString("id") + "/call-attempts", t.key(), "{}").status())
      .isEqualTo(400);
    await().atMost(WAIT).until(() -> "COMPLETED".equals(interview(t, named.data().getString("id")).getString("status")));
    assertThat(createsTo(online)).isEmpty();
    assertNoViolations();
  }

  /** The create came from this caller number (Vapi: its providerRef; Retell: the number). */
  abstract void assertCallerId(Received create, String number, String providerRef);
}
