package dev.parley.fakes;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** FakeVapi driven like a Vapi client would drive Vapi, with a Sentinel as the server URL. */
class FakeVapiTest {
  private static final String PHONE_NUMBER_ID = "0f3a9a57-3f7e-4c7b-9d0e-2b6f1f0c1a11";
  private static final String SECRET = "s3cr3t-per-call";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private FakeVapi vapi;
  private Sentinel receiver;

  @BeforeEach
  void start() {
    vapi = new FakeVapi();
    receiver = new Sentinel();
  }

  @AfterEach
  void stop() {
    receiver.close();
    vapi.close(); // throws if the fake caught itself sending something Vapi's schema rejects
  }

  private String hook() {
    return receiver.url() + "/vapi/events";
  }

  private JsonObject body(String number) {
    return new JsonObject()
      .put("name", UUID.randomUUID().toString())
      .put("phoneNumberId", PHONE_NUMBER_ID)
      .put("customer", new JsonObject().put("number", number))
      .put("assistant", new JsonObject()
        .put("firstMessage", "Dobrý deň, tu je asistent pohovoru.")
        .put("maxDurationSeconds", 600)
        .put("model", new JsonObject().put("provider", "openai").put("model", "gpt-4o")
          .put("messages", new JsonArray().add(new JsonObject().put("role", "system").put("content", "You interview the candidate."))))
        .put("serverMessages", new JsonArray().add("status-update").add("end-of-call-report"))
        .put("metadata", new JsonObject().put("parleyCallId", "c-1"))
        .put("server", new JsonObject().put("url", hook())
          .put("headers", new JsonObject().put("X-Parley-Secret", SECRET).put("X-Parley-Call-Id", "c-1"))));
  }

  private HttpResponse<String> create(JsonObject body) {
    return Http.post(vapi.url() + "/call", vapi.apiKey(), body.encode());
  }

  private String createOk(JsonObject body) {
    HttpResponse<String> r = create(body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return new JsonObject(r.body()).getString("id");
  }

  private List<String> events(String callId) {
    return vapi.deliveries(callId).stream().map(Delivery::event).toList();
  }

  private JsonObject message(String callId, String event) {
    return vapi.deliveries(callId, event).get(0).json().getJsonObject("message");
  }

  @Test
  void anAnsweredCallIsCreatedAndPlaysTheDocumentedMessagesWithTheServerHeaders() {
    byte[] audio = "RIFF-scripted-audio".getBytes(StandardCharsets.UTF_8);
    vapi.onNumber("+421915123456", Script.answered().ringMs(50).talkMs(200)
      .transcript(Script.Line.agent("Dobrý deň, ďakujem za čas."), Script.Line.user("Dobrý deň."))
      .recording(audio, "audio/wav"));
    JsonObject body = body("+421915123456");

    HttpResponse<String> r = create(body);

    assertThat(r.statusCode()).isEqualTo(201);
    JsonObject call = new JsonObject(r.body());
    String id = call.getString("id");
    assertThat(UUID.fromString(id)).isNotNull();
    assertThat(call.getString("orgId")).isEqualTo(vapi.orgId());
    assertThat(call.getString("status")).isEqualTo("queued");
    assertThat(call.getString("type")).isEqualTo("outboundPhoneCall");
    assertThat(call.getString("name")).isEqualTo(body.getString("name"));
    assertThat(call.getString("phoneNumberId")).isEqualTo(PHONE_NUMBER_ID);
    assertThat(call.getJsonObject("customer").getString("number")).isEqualTo("+421915123456");
    assertThat(call.getJsonObject("assistant").getJsonObject("metadata").getString("parleyCallId")).isEqualTo("c-1");
    assertThat(call.getJsonObject("monitor").getString("controlUrl")).isEqualTo(vapi.url() + "/control/" + id);
    assertThat(Instant.parse(call.getString("createdAt"))).isNotNull();

    await().atMost(WAIT).until(() -> vapi.deliveries(id, "end-of-call-report").size() == 1);
    // [V5]: status-update ringing, in-progress, ended (before the report), then the end-of-call-report
    assertThat(events(id)).containsExactly("status-update:ringing", "status-update:in-progress", "status-update:ended", "end-of-call-report");
    List<Received> got = receiver.requests("/vapi/events");
    assertThat(got).hasSize(4).allSatisfy(req -> {
      assertThat(req.header("X-Parley-Secret")).isEqualTo(SECRET);
      assertThat(req.header("X-Parley-Call-Id")).isEqualTo("c-1");
      assertThat(req.header("Content-Type")).isEqualTo("application/json");
      assertThat(req.json().getJsonObject("message").getJsonObject("call").getString("id")).isEqualTo(id);
      assertThat(req.json().getJsonObject("message").getJsonObject("call").getString("name")).isEqualTo(body.getString("name"));
    });
    JsonObject ringing = message(id, "status-update:ringing");
    assertThat(ringing.getString("status")).isEqualTo("ringing");
    assertThat(ringing.containsKey("endedReason")).isFalse();
    assertThat(ringing.getValue("timestamp")).isInstanceOf(Number.class);
    JsonObject ended = message(id, "status-update:ended");
    assertThat(ended.getString("endedReason")).isEqualTo("assistant-ended-call");

    JsonObject report = message(id, "end-of-call-report");
    assertThat(report.getString("endedReason")).isEqualTo("assistant-ended-call");
    Instant started = Instant.parse(report.getString("startedAt"));
    Instant endedAt = Instant.parse(report.getString("endedAt"));
    assertThat(Duration.between(started, endedAt).toMillis()).isGreaterThanOrEqualTo(200);
    JsonObject artifact = report.getJsonObject("artifact");
    JsonArray messages = artifact.getJsonArray("messages");
    assertThat(messages.stream().map(m -> ((JsonObject) m).getString("role")).toList()).containsExactly("system", "bot", "user");
    assertThat(messages.getJsonObject(1).getString("message")).isEqualTo("Dobrý deň, ďakujem za čas.");
    assertThat(messages.getJsonObject(2).getDouble("secondsFromStart")).isGreaterThan(0);
    assertThat(artifact.getString("transcript")).contains("AI: Dobrý deň, ďakujem za čas.").contains("User: Dobrý deň.");
    assertThat(artifact.getJsonObject("recording").getJsonObject("mono").getString("combinedUrl")).isNotBlank();
    assertThat(artifact.getString("presignedMonoUrl")).startsWith(vapi.url() + "/recordings/" + id);
    assertThat(report.getJsonObject("analysis")).isNotNull();

    JsonObject fetched = new JsonObject(Http.get(vapi.url() + "/call/" + id, vapi.apiKey()).body());
    assertThat(fetched.getString("status")).isEqualTo("ended");
    assertThat(fetched.getString("endedReason")).isEqualTo("assistant-ended-call");
    assertThat(fetched.getString("startedAt")).isEqualTo(report.getString("startedAt"));
    assertThat(fetched.getJsonObject("artifact").getJsonArray("messages")).hasSize(3);
    assertThat(vapi.deliveries()).allMatch(Delivery::ok);
    assertThat(vapi.violations()).isEmpty();
  }

  @Test
  void invalidCreatesAreAnswered400TheNestWayAndRecorded() {
    JsonObject shortNumber = body("+4");
    JsonObject misspeltTop = body("+421915000001").put("phoneNumberID", PHONE_NUMBER_ID);
    JsonObject misspeltAssistant = body("+421915000001");
    misspeltAssistant.getJsonObject("assistant").put("fistMessage", "Hi");
    JsonObject misspeltCustomer = body("+421915000001");
    misspeltCustomer.getJsonObject("customer").put("nmber", "+421915000001");
    JsonObject misspeltServer = body("+421915000001");
    misspeltServer.getJsonObject("assistant").getJsonObject("server").put("backofPlan", new JsonObject());
    JsonObject badBackoff = body("+421915000001");
    badBackoff.getJsonObject("assistant").getJsonObject("server").put("backoffPlan", new JsonObject().put("type", "fixed"));
    JsonObject twoAssistants = body("+421915000001").put("assistantId", "a-1");

    List<JsonObject> bad = List.of(shortNumber, misspeltTop, misspeltAssistant, misspeltCustomer, misspeltServer, badBackoff, twoAssistants);
    for (JsonObject b : bad) {
      HttpResponse<String> r = create(b);
      assertThat(r.statusCode()).as(b.encode()).isEqualTo(400);
      JsonObject answer = new JsonObject(r.body());
      assertThat(answer.getString("error")).isEqualTo("Bad Request");
      assertThat(answer.getInteger("statusCode")).isEqualTo(400);
      assertThat(answer.getJsonArray("message")).isNotEmpty();
    }

    assertThat(vapi.violations()).hasSize(bad.size()).allMatch(v -> v.operation().equals("POST /call"));
    assertThat(vapi.violations().get(0).errors()).anyMatch(e -> e.contains("/customer/number") && e.contains("too short"));
    assertThat(vapi.violations().get(1).errors()).contains("property phoneNumberID should not exist");
    assertThat(vapi.violations().get(2).errors()).contains("property assistant.fistMessage should not exist");
    assertThat(vapi.violations().get(3).errors()).contains("property customer.nmber should not exist");
    assertThat(vapi.violations().get(4).errors()).contains("property assistant.server.backofPlan should not exist");
    assertThat(vapi.violations().get(5).errors()).anyMatch(e -> e.contains("maxRetries"));
    assertThat(vapi.violations().get(6).errors()).anyMatch(e -> e.startsWith("exactly one of assistantId, assistant"));
    assertThat(vapi.violations().get(0).body()).isEqualTo(shortNumber.encode());
    assertThat(vapi.callIds()).isEmpty();
    assertThat(vapi.creates()).hasSize(bad.size()).allMatch(c -> c.status() == 400 && c.callId() == null);
  }

  @Test
  void theRestApiWantsThePrivateKey() {
    HttpResponse<String> r = Http.post(vapi.url() + "/call", "wrong-key", body("+421915000001").encode());
    HttpResponse<String> none = Http.get(vapi.url() + "/call", null);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(r.body()).getString("error")).isEqualTo("Unauthorized");
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(vapi.unauthorized()).isEqualTo(2);
    assertThat(vapi.callIds()).isEmpty();
  }

  @Test
  void onlyTheListedServerMessagesAreSentAndTheDefaultListHasBoth() {
    JsonObject onlyReport = body("+421915000001");
    onlyReport.getJsonObject("assistant").put("serverMessages", new JsonArray().add("end-of-call-report"));
    JsonObject defaults = body("+421915000002");
    defaults.getJsonObject("assistant").remove("serverMessages");

    String a = createOk(onlyReport);
    String b = createOk(defaults);

    await().atMost(WAIT).until(() -> vapi.deliveries(a, "end-of-call-report").size() == 1 && vapi.deliveries(b, "end-of-call-report").size() == 1);
    assertThat(events(a)).containsExactly("end-of-call-report");
    assertThat(events(b)).containsExactly("status-update:ringing", "status-update:in-progress", "status-update:ended", "end-of-call-report");
  }

  @Test
  void callsThatNeverConnectStillGetStatusUpdateEndedAndAReportWithoutArtifacts() {
    vapi.onNumber("+421915000001", Script.noAnswer().ringMs(50));
    vapi.onNumber("+421915000002", Script.busy());
    vapi.onNumber("+421915000003", Script.failed());

    String noAnswer = createOk(body("+421915000001"));
    String busy = createOk(body("+421915000002"));
    String failed = createOk(body("+421915000003"));

    await().atMost(WAIT).until(() -> List.of(noAnswer, busy, failed).stream().allMatch(id -> vapi.deliveries(id, "end-of-call-report").size() == 1));
    assertThat(events(noAnswer)).containsExactly("status-update:ringing", "status-update:ended", "end-of-call-report");
    assertThat(events(busy)).containsExactly("status-update:ended", "end-of-call-report");
    assertThat(events(failed)).containsExactly("status-update:ended", "end-of-call-report");
    assertThat(message(noAnswer, "end-of-call-report").getString("endedReason")).isEqualTo("customer-did-not-answer");
    assertThat(message(busy, "status-update:ended").getString("endedReason")).isEqualTo("customer-busy");
    assertThat(message(failed, "end-of-call-report").getString("endedReason")).isEqualTo("twilio-failed-to-connect-call");
    JsonObject report = message(noAnswer, "end-of-call-report");
    assertThat(report.containsKey("startedAt")).isFalse();
    assertThat(report.getJsonObject("artifact").getJsonArray("messages")).isEmpty();
    assertThat(report.getJsonObject("artifact").containsKey("recordingUrl")).isFalse();
    HttpResponse<String> recording = Http.get(vapi.url() + "/call/" + noAnswer + "/mono-recording", vapi.apiKey());
    assertThat(recording.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(recording.body()).getString("message")).isEqualTo("Artifact not found.");
  }

  @Test
  void eventQuirksReorderAndRepeat() {
    vapi.onNumber("+421915000001", Script.answered().ringMs(20).talkMs(50).outOfOrder());
    vapi.onNumber("+421915000002", Script.answered().ringMs(20).talkMs(50).repeatEvents());

    String swapped = createOk(body("+421915000001"));
    String repeated = createOk(body("+421915000002"));

    await().atMost(WAIT).until(() -> events(swapped).size() == 4 && vapi.deliveries(repeated, "end-of-call-report").size() == 2);
    assertThat(events(swapped)).containsExactly("status-update:ringing", "status-update:in-progress", "end-of-call-report", "status-update:ended");
    assertThat(events(repeated)).containsExactly("status-update:ringing", "status-update:ringing", "status-update:in-progress",
      "status-update:in-progress", "status-update:ended", "status-update:ended", "end-of-call-report", "end-of-call-report");
  }

  @Test
  void aBackoffPlanRetriesAndNoPlanMeansNoRetry() {
    AtomicInteger seen = new AtomicInteger();
    receiver.respondWith(req -> req.path().equals("/vapi/events") && seen.incrementAndGet() <= 2 ? 500 : 200);
    JsonObject withPlan = body("+421915000001");
    withPlan.getJsonObject("assistant").put("serverMessages", new JsonArray().add("end-of-call-report"));
    withPlan.getJsonObject("assistant").getJsonObject("server")
      .put("backoffPlan", new JsonObject().put("type", "exponential").put("maxRetries", 3).put("baseDelaySeconds", 0.02));

    String a = createOk(withPlan);

    await().atMost(WAIT).until(() -> vapi.deliveries(a).stream().anyMatch(Delivery::ok));
    assertThat(vapi.deliveries(a)).extracting(Delivery::attempt, Delivery::status)
      .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 500), org.assertj.core.groups.Tuple.tuple(2, 500),
        org.assertj.core.groups.Tuple.tuple(3, 200));

    receiver.respondWith(503);
    JsonObject noPlan = body("+421915000002");
    noPlan.getJsonObject("assistant").put("serverMessages", new JsonArray().add("end-of-call-report"));
    String b = createOk(noPlan);
    await().atMost(WAIT).until(() -> vapi.deliveries(b).size() == 1);
    await().during(Duration.ofMillis(400)).atMost(WAIT).until(() -> vapi.deliveries(b).size() == 1);
    assertThat(vapi.deliveries(b).get(0).status()).isEqualTo(503);
  }

  @Test
  void listFiltersByPhoneNumberAndCreatedAtNewestFirstAndRejectsUnknownParams() {
    vapi.defaultScript(Script.ringsUntilCancelled());
    String first = createOk(body("+421915000001"));
    // the next call must be created at a later millisecond than the first
    await().atMost(WAIT).until(() -> Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
      .isAfter(Instant.parse(vapi.call(first).getString("createdAt"))));
    String second = createOk(body("+421915000002"));
    String third = createOk(body("+421915000003"));
    JsonObject other = body("+421915000004").put("phoneNumberId", "other-number");
    createOk(other);
    String since = vapi.call(second).getString("createdAt");

    JsonArray found = list("phoneNumberId=" + PHONE_NUMBER_ID + "&createdAtGe=" + enc(since));
    JsonArray newest = list("phoneNumberId=" + PHONE_NUMBER_ID + "&limit=1");
    JsonArray byId = list("id=" + first);

    assertThat(ids(found)).containsExactly(third, second);
    assertThat(ids(newest)).containsExactly(third);
    assertThat(ids(byId)).containsExactly(first);
    assertThat(vapi.listQueries()).hasSize(3);

    HttpResponse<String> unknown = Http.get(vapi.url() + "/call?customerNumber=%2B421915000001", vapi.apiKey());
    HttpResponse<String> badLimit = Http.get(vapi.url() + "/call?limit=many", vapi.apiKey());
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(badLimit.statusCode()).isEqualTo(400);
    assertThat(vapi.violations()).hasSize(2);
    assertThat(vapi.violations().get(0).errors()).containsExactly("property customerNumber should not exist");
    assertThat(vapi.violations().get(0).operation()).isEqualTo("GET /call");
  }

  private JsonArray list(String query) {
    HttpResponse<String> r = Http.get(vapi.url() + "/call?" + query, vapi.apiKey());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonArray(r.body());
  }

  private static List<String> ids(JsonArray calls) {
    return calls.stream().map(c -> ((JsonObject) c).getString("id")).toList();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void monoRecordingRedirectsToAShortLivedUrlThatNeverSeesTheApiKey() {
    byte[] audio = "OggS-scripted".getBytes(StandardCharsets.UTF_8);
    vapi.onNumber("+421915000001", Script.answered().ringMs(10).talkMs(30).recording(audio, "audio/ogg"));
    String id = createOk(body("+421915000001"));
    await().atMost(WAIT).until(() -> vapi.deliveries(id, "end-of-call-report").size() == 1);
    String path = vapi.url() + "/call/" + id + "/mono-recording";

    HttpResponse<String> anonymous = Http.get(path, null);
    HttpResponse<String> redirect = Http.get(path, vapi.apiKey());

    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(redirect.statusCode()).isEqualTo(302);
    String location = redirect.headers().firstValue("Location").orElseThrow();
    assertThat(location).startsWith(vapi.url() + "/recordings/" + id + "?");
    HttpResponse<byte[]> media = Http.getBytes(location, null);
    assertThat(media.statusCode()).isEqualTo(200);
    assertThat(media.body()).isEqualTo(audio);
    assertThat(media.headers().firstValue("Content-Type")).hasValue("audio/ogg");
    assertThat(vapi.recordingHostRequests()).hasSize(1);
    assertThat(vapi.recordingHostRequests().get(0).header("Authorization")).isNull();
    assertThat(vapi.monoRecordingRequests()).hasSize(1);

    // the signature matters, and the raw recordingUrl is private storage
    assertThat(Http.getBytes(location.replaceAll("sig=[0-9a-f]+", "sig=00"), null).statusCode()).isEqualTo(403);
    String raw = vapi.call(id).getJsonObject("artifact").getString("recordingUrl");
    assertThat(Http.getBytes(raw, null).statusCode()).isEqualTo(403);
    // a client that wrongly forwards the key is seen by the recording host
    Http.getBytes(location, vapi.apiKey());
    assertThat(vapi.recordingHostRequests().get(3).header("Authorization")).isEqualTo("Bearer " + vapi.apiKey());
  }

  @Test
  void theRecordingHostCanBeMovedElsewhereAndBehindRedirects() {
    vapi.onNumber("+421915000001", Script.answered().ringMs(10).talkMs(30));
    String id = createOk(body("+421915000001"));
    await().atMost(WAIT).until(() -> vapi.deliveries(id, "end-of-call-report").size() == 1);
    try (Sentinel elsewhere = new Sentinel()) {
      vapi.setRecordingBase(elsewhere.url());
      String direct = Http.get(vapi.url() + "/call/" + id + "/mono-recording", vapi.apiKey()).headers().firstValue("Location").orElseThrow();
      assertThat(direct).startsWith(elsewhere.url() + "/recordings/" + id);

      vapi.setRecordingRedirects(2);
      String hop1 = Http.get(vapi.url() + "/call/" + id + "/mono-recording", vapi.apiKey()).headers().firstValue("Location").orElseThrow();
      assertThat(hop1).startsWith(vapi.url() + "/hop/2/" + id);
      String hop2 = Http.get(hop1, null).headers().firstValue("Location").orElseThrow();
      String last = Http.get(hop2, null).headers().firstValue("Location").orElseThrow();
      assertThat(hop2).startsWith(vapi.url() + "/hop/1/" + id);
      assertThat(last).startsWith(elsewhere.url() + "/recordings/" + id);
      assertThat(elsewhere.count()).isZero();
    }
  }

  @Test
  void endCallOnTheControlUrlEndsARingingCallAsManuallyCanceled() {
    vapi.onNumber("+421915000001", Script.ringsUntilCancelled());
    HttpResponse<String> created = create(body("+421915000001"));
    String id = new JsonObject(created.body()).getString("id");
    String controlUrl = new JsonObject(created.body()).getJsonObject("monitor").getString("controlUrl");
    await().atMost(WAIT).until(() -> "ringing".equals(vapi.status(id)));

    HttpResponse<String> bad = Http.post(controlUrl, null, "{\"type\":\"hang-up\"}");
    HttpResponse<String> end = Http.post(controlUrl, null, "{\"type\":\"end-call\"}");

    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(end.statusCode()).isEqualTo(200);
    await().atMost(WAIT).until(() -> vapi.deliveries(id, "end-of-call-report").size() == 1);
    assertThat(events(id)).containsExactly("status-update:ringing", "status-update:ended", "end-of-call-report");
    assertThat(message(id, "status-update:ended").getString("endedReason")).isEqualTo("manually-canceled");
    assertThat(vapi.call(id).getString("endedReason")).isEqualTo("manually-canceled");
    assertThat(vapi.controls()).hasSize(2);
    assertThat(vapi.controls().get(1).json().getString("type")).isEqualTo("end-call");
    assertThat(vapi.violations()).singleElement().satisfies(v -> assertThat(v.operation()).isEqualTo("POST control"));
  }

  @Test
  void aDelayedCreateAnswerStillCreatesTheCallAtOnce() throws Exception {
    vapi.onNumber("+421915000001", Script.ringsUntilCancelled().answerCreateAfterMs(3_000));
    JsonObject body = body("+421915000001");

    CompletableFuture<HttpResponse<String>> answer = Http.postAsync(vapi.url() + "/call", vapi.apiKey(), body.encode(), Duration.ofSeconds(10));

    await().atMost(WAIT).until(() -> ids(list("phoneNumberId=" + PHONE_NUMBER_ID)).size() == 1);
    assertThat(answer).isNotDone();
    JsonObject listed = list("phoneNumberId=" + PHONE_NUMBER_ID).getJsonObject(0);
    // and the call plays meanwhile: it rings before Parley hears of it
    await().atMost(WAIT).until(() -> !vapi.deliveries(listed.getString("id"), "status-update:ringing").isEmpty());
    assertThat(answer).isNotDone();
    assertThat(listed.getString("name")).isEqualTo(body.getString("name"));
    assertThat(listed.getJsonObject("customer").getString("number")).isEqualTo("+421915000001");
    assertThat(answer.get().statusCode()).isEqualTo(201);
    assertThat(new JsonObject(answer.get().body()).getString("id")).isEqualTo(listed.getString("id"));
  }

  @Test
  void aClientThatTimesOutOrLosesTheConnectionStillLeavesACall() {
    vapi.onNumber("+421915000001", Script.ringsUntilCancelled().answerCreateAfterMs(2_000));
    vapi.onNumber("+421915000002", Script.ringsUntilCancelled().dropCreateAnswer());

    CompletableFuture<HttpResponse<String>> timedOut = Http.postAsync(vapi.url() + "/call", vapi.apiKey(),
      body("+421915000001").encode(), Duration.ofMillis(300));
    assertThatThrownBy(timedOut::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(HttpTimeoutException.class);
    assertThatThrownBy(() -> create(body("+421915000002"))).isInstanceOf(UncheckedIOException.class);

    assertThat(vapi.callIdsTo("+421915000001")).hasSize(1);
    assertThat(vapi.callIdsTo("+421915000002")).hasSize(1);
    await().atMost(WAIT).until(() -> vapi.creates().stream().allMatch(c -> c.status() != 0));
    assertThat(vapi.creates()).extracting(Received::status).containsExactlyInAnyOrder(201, -1);
  }

  @Test
  void aConcurrencyRefusalIsA201ThenAnImmediateEnd() {
    vapi.onNumber("+421915000001", Script.concurrencyRefusal());

    String id = createOk(body("+421915000001"));

    await().atMost(WAIT).until(() -> vapi.deliveries(id, "end-of-call-report").size() == 1);
    assertThat(events(id)).containsExactly("status-update:ended", "end-of-call-report");
    assertThat(message(id, "end-of-call-report").getString("endedReason"))
      .isEqualTo("call.start.error-subscription-concurrency-limit-reached");
  }

  @Test
  void aHeldCallWaitsForTheTest() {
    vapi.onNumber("+421915000001", Script.answered().ringMs(10).talkMs(10).holdAfterCreate());
    String id = createOk(body("+421915000001"));

    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> vapi.deliveries(id).isEmpty());
    assertThat(vapi.status(id)).isEqualTo("queued");
    vapi.release(id);

    await().atMost(WAIT).until(() -> vapi.deliveries(id, "end-of-call-report").size() == 1);
    assertThat(events(id)).hasSize(4);
  }

  @Test
  void aFailingCreateCreatesNothing() {
    vapi.onNumber("+421915000001", Script.answered().createFailsWith(500));

    HttpResponse<String> r = create(body("+421915000001"));

    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(vapi.callIds()).isEmpty();
  }

  @Test
  void sendMessagePostsAnyBodyWithTheGivenHeaders() {
    HttpResponse<String> r = vapi.sendMessage(hook(), Map.of("X-Parley-Secret", "forged"), "{\"message\":{\"type\":\"status-update\"}}");

    assertThat(r.statusCode()).isEqualTo(200);
    Received got = receiver.requests("/vapi/events").get(0);
    assertThat(got.header("X-Parley-Secret")).isEqualTo("forged");
    assertThat(got.body()).isEqualTo("{\"message\":{\"type\":\"status-update\"}}");
    assertThat(vapi.deliveries()).isEmpty();
  }

  @Test
  void theFakeRefusesToSendAPayloadVapiWouldNotSend() {
    FakeVapi unfaithful = new FakeVapi();
    try {
      unfaithful.onNumber("+421915000001", Script.answered().ringMs(10).talkMs(10).endedReason("hangup"));
      JsonObject b = body("+421915000001");
      String id = new JsonObject(Http.post(unfaithful.url() + "/call", unfaithful.apiKey(), b.encode()).body()).getString("id");

      await().atMost(WAIT).until(() -> !unfaithful.faults().isEmpty());
      assertThat(unfaithful.faults().get(0)).contains("status-update:ended").contains("hangup");
      assertThat(unfaithful.deliveries(id, "status-update:ended")).isEmpty();
    } finally {
      assertThatThrownBy(unfaithful::close).isInstanceOf(AssertionError.class).hasMessageContaining("hangup");
    }
  }
}
