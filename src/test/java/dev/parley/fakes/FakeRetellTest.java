package dev.parley.fakes;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

/** FakeRetell driven like a Retell client would drive Retell, with a Sentinel as the webhook receiver. */
class FakeRetellTest {
  private static final String FROM = "+14157774444";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private FakeRetell retell;
  private Sentinel receiver;

  @BeforeEach
  void start() {
    retell = new FakeRetell();
    receiver = new Sentinel();
  }

  @AfterEach
  void stop() {
    receiver.close();
    retell.close(); // throws if the fake caught itself sending something Retell's schema rejects
  }

  private String hook() {
    return receiver.url() + "/retell/webhook";
  }

  private JsonObject body(String to) {
    return new JsonObject()
      .put("from_number", FROM)
      .put("to_number", to)
      .put("override_agent_id", "agent_parley_interviewer")
      .put("metadata", new JsonObject().put("parley_call_id", UUID.randomUUID().toString()).put("interview_id", "i-1"))
      .put("retell_llm_dynamic_variables", new JsonObject().put("questions", "1. Prečo práve my?").put("candidate_name", "Ján"))
      .put("agent_override", new JsonObject()
        .put("agent", new JsonObject().put("webhook_url", hook()).put("language", "sk-SK").put("max_call_duration_ms", 600_000))
        .put("retell_llm", new JsonObject().put("begin_message", "Dobrý deň")));
  }

  private HttpResponse<String> create(JsonObject body) {
    return Http.post(retell.url() + "/v2/create-phone-call", retell.apiKey(), body.encode());
  }

  private String createOk(JsonObject body) {
    HttpResponse<String> r = create(body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return new JsonObject(r.body()).getString("call_id");
  }

  private List<String> events(String callId) {
    return retell.deliveries(callId).stream().map(Delivery::event).toList();
  }

  private JsonObject call(String callId, String event) {
    return retell.deliveries(callId, event).get(0).json().getJsonObject("call");
  }

  private void awaitEvent(String callId, String event) {
    await().atMost(WAIT).until(() -> !retell.deliveries(callId, event).isEmpty());
  }

  @Test
  void anAnsweredCallIsCreatedAndSendsSignedStartedEndedAnalyzed() {
    byte[] audio = "RIFF-retell-audio".getBytes(StandardCharsets.UTF_8);
    retell.onNumber("+421915123456", Script.answered().ringMs(50).talkMs(200).endedByUser()
      .transcript(Script.Line.agent("Dobrý deň, Ján."), Script.Line.user("Dobrý deň, počujem vás."))
      .recording(audio, "audio/wav"));
    JsonObject body = body("+421915123456");

    HttpResponse<String> r = create(body);

    assertThat(r.statusCode()).isEqualTo(201);
    JsonObject call = new JsonObject(r.body());
    String id = call.getString("call_id");
    assertThat(id).matches("[A-Za-z0-9]{32}");
    assertThat(call.getString("call_status")).isEqualTo("registered");
    assertThat(call.getString("agent_id")).isEqualTo("agent_parley_interviewer");
    assertThat(call.getInteger("agent_version")).isEqualTo(1);
    assertThat(call.getString("direction")).isEqualTo("outbound");
    assertThat(call.getString("call_type")).isEqualTo("phone_call");
    assertThat(call.getString("from_number")).isEqualTo(FROM);
    assertThat(call.getString("to_number")).isEqualTo("+421915123456");
    assertThat(call.getJsonObject("metadata")).isEqualTo(body.getJsonObject("metadata"));

    awaitEvent(id, "call_analyzed");
    assertThat(events(id)).containsExactly("call_started", "call_ended", "call_analyzed");
    List<Received> got = receiver.requests("/retell/webhook");
    assertThat(got).hasSize(3).allSatisfy(req -> {
      assertThat(req.header("Content-Type")).isEqualTo("application/json");
      assertThat(RetellSignature.verify(retell.apiKey(), req.bodyBytes(), req.header("x-retell-signature"), System.currentTimeMillis())).isTrue();
      assertThat(RetellSignature.verify("another-key", req.bodyBytes(), req.header("x-retell-signature"), System.currentTimeMillis())).isFalse();
    });
    JsonObject started = call(id, "call_started");
    assertThat(started.getString("call_status")).isEqualTo("ongoing");
    assertThat(started.getLong("start_timestamp")).isPositive();
    assertThat(started.getJsonObject("metadata")).isEqualTo(body.getJsonObject("metadata"));
    JsonObject ended = call(id, "call_ended");
    assertThat(ended.getString("call_status")).isEqualTo("ended");
    assertThat(ended.getString("disconnection_reason")).isEqualTo("user_hangup");
    assertThat(ended.getLong("duration_ms")).isEqualTo(ended.getLong("end_timestamp") - ended.getLong("start_timestamp")).isGreaterThanOrEqualTo(200);
    assertThat(ended.getString("transcript")).isEqualTo("Agent: Dobrý deň, Ján.\nUser: Dobrý deň, počujem vás.\n");
    JsonArray utterances = ended.getJsonArray("transcript_object");
    assertThat(utterances).hasSize(2);
    assertThat(utterances.getJsonObject(0).getString("role")).isEqualTo("agent");
    assertThat(utterances.getJsonObject(1).getString("role")).isEqualTo("user");
    assertThat(utterances.getJsonObject(1).getJsonArray("words").getJsonObject(0).getString("word")).isEqualTo("Dobrý");
    assertThat(utterances.getJsonObject(1).getJsonArray("words").getJsonObject(0).getDouble("start")).isPositive();
    assertThat(ended.containsKey("call_analysis")).isFalse();
    JsonObject analyzed = call(id, "call_analyzed").getJsonObject("call_analysis");
    assertThat(analyzed.getBoolean("in_voicemail")).isFalse();
    assertThat(analyzed.getBoolean("call_successful")).isTrue();
    assertThat(analyzed.getString("call_summary")).isNotBlank();

    HttpResponse<byte[]> media = Http.getBytes(ended.getString("recording_url"), null);
    assertThat(media.statusCode()).isEqualTo(200);
    assertThat(media.body()).isEqualTo(audio);
    assertThat(media.headers().firstValue("Content-Type")).hasValue("audio/wav");
    assertThat(retell.recordingHostRequests()).singleElement().satisfies(req -> assertThat(req.header("Authorization")).isNull());

    JsonObject fetched = new JsonObject(Http.get(retell.url() + "/v2/get-call/" + id, retell.apiKey()).body());
    assertThat(fetched.getJsonObject("call_analysis")).isEqualTo(analyzed);
    assertThat(fetched.getString("disconnection_reason")).isEqualTo("user_hangup");
    assertThat(retell.deliveries()).allMatch(Delivery::ok);
    assertThat(retell.violations()).isEmpty();
  }

  @Test
  void invalidCreatesAreAnswered400WithAnErrorMessageAndRecorded() {
    retell.setCallsPerSecond(1000);
    JsonObject numberVariable = body("+421915000001");
    numberVariable.getJsonObject("retell_llm_dynamic_variables").put("question_count", 5);
    JsonObject misspeltTop = body("+421915000001").put("metdata", new JsonObject());
    JsonObject misspeltAgent = body("+421915000001");
    misspeltAgent.getJsonObject("agent_override").getJsonObject("agent").put("webhok_url", hook());
    JsonObject noTo = body("+421915000001");
    noTo.remove("to_number");
    JsonObject notE164 = body("0915000001");
    JsonObject tooShort = body("+421915000001");
    tooShort.getJsonObject("agent_override").getJsonObject("agent").put("max_call_duration_ms", 30_000);

    List<JsonObject> bad = List.of(numberVariable, misspeltTop, misspeltAgent, noTo, notE164, tooShort);
    for (JsonObject b : bad) {
      HttpResponse<String> r = create(b);
      assertThat(r.statusCode()).as(b.encode()).isEqualTo(400);
      assertThat(new JsonObject(r.body()).getString("error_message")).isNotBlank();
    }

    assertThat(retell.violations()).hasSize(bad.size()).allMatch(v -> v.operation().equals("POST /v2/create-phone-call"));
    assertThat(retell.violations().get(0).errors()).contains("retell_llm_dynamic_variables.question_count must be a string, got Integer");
    assertThat(retell.violations().get(1).errors()).contains("unknown field metdata");
    assertThat(retell.violations().get(2).errors()).contains("unknown field agent_override.agent.webhok_url");
    assertThat(retell.violations().get(3).errors()).anyMatch(e -> e.contains("to_number"));
    assertThat(retell.violations().get(4).errors()).contains("to_number must be in E.164 format");
    assertThat(retell.violations().get(5).errors()).anyMatch(e -> e.contains("max_call_duration_ms"));
    assertThat(retell.callIds()).isEmpty();
    assertThat(retell.rateLimited()).isEmpty();
  }

  @Test
  void theSignatureMatchesTheSdkTestVectorsByteForByte() {
    String body1 = "{\"event\":\"call_ended\",\"call\":{\"call_id\":\"Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6\",\"call_type\":\"phone_call\",\"agent_id\":\"oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD\",\"agent_version\":1,\"call_status\":\"ended\",\"metadata\":{\"parley_call_id\":\"0b5c2a4e-8d1f-4c59-9a61-3f3c7d2e9b10\"},\"start_timestamp\":1764410100000,\"end_timestamp\":1764410390000,\"disconnection_reason\":\"agent_hangup\",\"direction\":\"outbound\",\"from_number\":\"+14157774444\",\"to_number\":\"+421900123456\"}}";
    String header1 = "v=1764410400000,d=e08d42039dfc585eea891263c03758313e36fbb6fe6bb5b5007614d4b80f558e";
    byte[] body2 = HexFormat.of().parseHex("7b226576656e74223a2263616c6c5f616e616c797a6564222c2263616c6c223a7b2263616c6c5f6964223a226332222c227472616e736372697074223a224167656e743a20446f6272c3bd206465c5882c20c48f616b756a656d20f09f918b5c6e557365723a204772c3bcc39f20476f747420e2809320c3a7612076613f227d7d0a");
    String key2 = "key_\u00fcn\u00efcode-\u00dfecret";
    String header2 = "v=1764410700123,d=a3fcfa661aa80196be0886bb02c08da5d52b03accea52294515cafbfa475e943";
    byte[] bytes1 = body1.getBytes(StandardCharsets.UTF_8);

    assertThat(bytes1).hasSize(436);
    assertThat(RetellSignature.sign("key_parley_test_0123456789abcdef", bytes1, 1764410400000L)).isEqualTo(header1);
    assertThat(RetellSignature.sign(key2, body2, 1764410700123L)).isEqualTo(header2);
    // SIGNATURE.md's behaviour table
    String key1 = "key_parley_test_0123456789abcdef";
    assertThat(RetellSignature.verify(key1, bytes1, header1, 1764410400000L + 1_000)).isTrue();
    assertThat(RetellSignature.verify(key1, bytes1, header1, 1764410400000L + 300_000)).isTrue();
    assertThat(RetellSignature.verify(key1, bytes1, header1, 1764410400000L - 300_001)).isFalse();
    assertThat(RetellSignature.verify(key1, bytes1, header1.toUpperCase().replace("V=", "v=").replace(",D=", ",d="), 1764410400000L)).isTrue();
    assertThat(RetellSignature.verify(key1, bytes1, header1.replace(",", ", "), 1764410400000L)).isFalse();
    assertThat(RetellSignature.verify(key1, (body1 + " ").getBytes(StandardCharsets.UTF_8), header1, 1764410400000L)).isFalse();
    assertThat(RetellSignature.verify(key1 + "x", bytes1, header1, 1764410400000L)).isFalse();
    assertThat(RetellSignature.verify(key1, bytes1, header1.substring(0, header1.length() - 2), 1764410400000L)).isFalse();
    assertThat(RetellSignature.verify(key1, bytes1, header1.replace("v=", "v=0"), 1764410400000L)).isTrue();

    // the helper sends exactly that header with exactly that body
    FakeRetell signer = new FakeRetell(key1);
    try {
      HttpResponse<String> sent = signer.sendSigned(hook(), body1, 1764410400000L);
      assertThat(sent.statusCode()).isEqualTo(200);
      Received got = receiver.requests("/retell/webhook").get(0);
      assertThat(got.header("x-retell-signature")).isEqualTo(header1);
      assertThat(got.bodyBytes()).isEqualTo(bytes1);
      signer.sendUnsigned(hook(), body1);
      signer.sendWithSignature(hook(), body1, "v=1,d=00");
      assertThat(receiver.requests().get(1).header("x-retell-signature")).isNull();
      assertThat(receiver.requests().get(2).header("x-retell-signature")).isEqualTo("v=1,d=00");
    } finally {
      signer.close();
    }
  }

  @Test
  void listCallsFiltersOnMetadataAndStatusAndLeavesTheTranscriptOut() {
    retell.setCallsPerSecond(1000);
    retell.defaultScript(Script.answered().ringMs(10).talkMs(30));
    JsonObject a = body("+421915000001");
    JsonObject b = body("+421915000002");
    String first = createOk(a);
    String second = createOk(b);
    awaitEvent(first, "call_analyzed");
    awaitEvent(second, "call_analyzed");

    JsonObject onlyA = list(new JsonObject().put("filter_criteria", new JsonObject().put("metadata", new JsonArray()
      .add(new JsonObject().put("key", "parley_call_id").put("type", "string").put("op", "eq").put("value", a.getJsonObject("metadata").getString("parley_call_id"))))));
    JsonObject ended = list(new JsonObject().put("filter_criteria", new JsonObject()
      .put("call_status", new JsonObject().put("type", "enum").put("op", "in").put("value", new JsonArray().add("ended")))));
    JsonObject ongoing = list(new JsonObject().put("filter_criteria", new JsonObject()
      .put("call_status", new JsonObject().put("type", "enum").put("op", "in").put("value", new JsonArray().add("ongoing")))));

    assertThat(onlyA.getJsonArray("items")).hasSize(1);
    JsonObject item = onlyA.getJsonArray("items").getJsonObject(0);
    assertThat(item.getString("call_id")).isEqualTo(first);
    assertThat(item.getString("disconnection_reason")).isEqualTo("agent_hangup");
    assertThat(item.containsKey("transcript")).isFalse();
    assertThat(item.containsKey("transcript_object")).isFalse();
    assertThat(onlyA.getBoolean("has_more")).isFalse();
    assertThat(ended.getJsonArray("items").stream().map(x -> ((JsonObject) x).getString("call_id")).toList()).containsExactly(second, first);
    assertThat(ongoing.getJsonArray("items")).isEmpty();
    assertThat(retell.listQueries()).hasSize(3);

    HttpResponse<String> noKey = Http.post(retell.url() + "/v3/list-calls", retell.apiKey(), new JsonObject().put("filter_criteria",
      new JsonObject().put("metadata", new JsonArray().add(new JsonObject().put("type", "string").put("op", "eq").put("value", "x")))).encode());
    assertThat(noKey.statusCode()).isEqualTo(400);
    assertThat(retell.violations()).singleElement().satisfies(v -> {
      assertThat(v.operation()).isEqualTo("POST /v3/list-calls");
      assertThat(v.errors()).anyMatch(e -> e.contains("key"));
    });
  }

  private JsonObject list(JsonObject query) {
    HttpResponse<String> r = Http.post(retell.url() + "/v3/list-calls", retell.apiKey(), query.encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  @Test
  void stopCallEndsARingingCallAsManualStoppedWithoutCallStarted() {
    retell.setCallsPerSecond(1000);
    retell.onNumber("+421915000001", Script.ringsUntilCancelled());
    retell.onNumber("+421915000002", Script.liveUntilCancelled().ringMs(10));
    String ringing = createOk(body("+421915000001"));
    String live = createOk(body("+421915000002"));
    awaitEvent(live, "call_started");

    HttpResponse<String> stopRinging = Http.post(retell.url() + "/v2/stop-call/" + ringing, retell.apiKey(), "");
    HttpResponse<String> stopLive = Http.post(retell.url() + "/v2/stop-call/" + live, retell.apiKey(), "");
    HttpResponse<String> stopUnknown = Http.post(retell.url() + "/v2/stop-call/nope", retell.apiKey(), "");

    assertThat(stopRinging.statusCode()).isEqualTo(204);
    assertThat(stopLive.statusCode()).isEqualTo(204);
    assertThat(stopUnknown.statusCode()).isEqualTo(404);
    awaitEvent(ringing, "call_analyzed");
    awaitEvent(live, "call_analyzed");
    assertThat(events(ringing)).containsExactly("call_ended", "call_analyzed");
    assertThat(call(ringing, "call_ended").getString("disconnection_reason")).isEqualTo("manual_stopped");
    assertThat(call(ringing, "call_ended").getString("call_status")).isEqualTo("not_connected");
    assertThat(events(live)).containsExactly("call_started", "call_ended", "call_analyzed");
    assertThat(call(live, "call_ended").getString("disconnection_reason")).isEqualTo("manual_stopped");
    assertThat(call(live, "call_ended").getString("call_status")).isEqualTo("ended");
    assertThat(retell.stops()).extracting(Received::callId, Received::status)
      .containsExactly(tuple(ringing, 204), tuple(live, 204), tuple("nope", 404));
  }

  @Test
  void theDefaultOneCallPerSecondRefusesASecondCreateWithin429() {
    HttpResponse<String> first = create(body("+421915000001"));
    HttpResponse<String> second = create(body("+421915000002"));

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(new JsonObject(second.body()).getString("error_message")).containsIgnoringCase("rate limit");
    assertThat(retell.rateLimited()).singleElement().satisfies(r -> assertThat(r.json().getString("to_number")).isEqualTo("+421915000002"));
    assertThat(retell.callIds()).hasSize(1);
    // a refused create does not count: a second later the next create goes through
    await().pollDelay(Duration.ofMillis(1_000)).atMost(WAIT).until(() -> create(body("+421915000003")).statusCode() == 201);
  }

  @Test
  void theConcurrencyLimitAndTheConcurrencyScriptAnswer429() {
    retell.setCallsPerSecond(1000);
    retell.setConcurrencyLimit(1);
    retell.defaultScript(Script.ringsUntilCancelled());
    retell.onNumber("+421915000003", Script.concurrencyRefusal());

    String first = createOk(body("+421915000001"));
    HttpResponse<String> beyond = create(body("+421915000002"));
    Http.post(retell.url() + "/v2/stop-call/" + first, retell.apiKey(), "");
    await().atMost(WAIT).until(() -> "not_connected".equals(retell.call(first).getString("call_status")));
    HttpResponse<String> scripted = create(body("+421915000003"));

    assertThat(beyond.statusCode()).isEqualTo(429);
    assertThat(new JsonObject(beyond.body()).getString("error_message")).containsIgnoringCase("concurrency");
    assertThat(scripted.statusCode()).isEqualTo(429);
    assertThat(retell.concurrencyRefused()).hasSize(2);
    assertThat(retell.callIds()).containsExactly(first);
  }

  @Test
  void aDelayedCreateAnswerStillCreatesTheCallAtOnce() throws Exception {
    retell.onNumber("+421915000001", Script.liveUntilCancelled().ringMs(10).answerCreateAfterMs(3_000));
    JsonObject body = body("+421915000001");
    String parleyCallId = body.getJsonObject("metadata").getString("parley_call_id");
    JsonObject query = new JsonObject().put("filter_criteria", new JsonObject().put("metadata", new JsonArray()
      .add(new JsonObject().put("key", "parley_call_id").put("type", "string").put("op", "eq").put("value", parleyCallId))));

    CompletableFuture<HttpResponse<String>> answer = Http.postAsync(retell.url() + "/v2/create-phone-call", retell.apiKey(), body.encode(), Duration.ofSeconds(10));

    await().atMost(WAIT).until(() -> list(query).getJsonArray("items").size() == 1);
    assertThat(answer).isNotDone();
    String listed = list(query).getJsonArray("items").getJsonObject(0).getString("call_id");
    // and the call plays meanwhile: it is answered before Parley hears of it
    awaitEvent(listed, "call_started");
    assertThat(answer).isNotDone();
    assertThat(answer.get().statusCode()).isEqualTo(201);
    assertThat(new JsonObject(answer.get().body()).getString("call_id")).isEqualTo(listed);
  }

  @Test
  void callsThatNeverConnectGetCallEndedAndCallAnalyzedButNoCallStarted() {
    retell.setCallsPerSecond(1000);
    retell.onNumber("+421915000001", Script.noAnswer().ringMs(20));
    retell.onNumber("+421915000002", Script.busy());
    retell.onNumber("+421915000003", Script.failed());
    String noAnswer = createOk(body("+421915000001"));
    String busy = createOk(body("+421915000002"));
    String failed = createOk(body("+421915000003"));

    for (String id : List.of(noAnswer, busy, failed)) {
      awaitEvent(id, "call_analyzed");
      assertThat(events(id)).containsExactly("call_ended", "call_analyzed");
      assertThat(call(id, "call_ended").getString("call_status")).isEqualTo("not_connected");
      assertThat(call(id, "call_ended").containsKey("start_timestamp")).isFalse();
      assertThat(call(id, "call_ended").containsKey("recording_url")).isFalse();
      assertThat(call(id, "call_analyzed").getJsonObject("call_analysis").getBoolean("call_successful")).isFalse();
    }
    assertThat(call(noAnswer, "call_ended").getString("disconnection_reason")).isEqualTo("dial_no_answer");
    assertThat(call(busy, "call_ended").getString("disconnection_reason")).isEqualTo("dial_busy");
    assertThat(call(failed, "call_ended").getString("disconnection_reason")).isEqualTo("dial_failed");
  }

  @Test
  void voicemailIsStartedEndedVoicemailReachedAndAnalyzedInVoicemail() {
    retell.onNumber("+421915000001", Script.voicemail().ringMs(10).talkMs(50));
    String id = createOk(body("+421915000001"));

    awaitEvent(id, "call_analyzed");

    assertThat(events(id)).containsExactly("call_started", "call_ended", "call_analyzed");
    assertThat(call(id, "call_ended").getString("disconnection_reason")).isEqualTo("voicemail_reached");
    assertThat(call(id, "call_analyzed").getJsonObject("call_analysis").getBoolean("in_voicemail")).isTrue();
  }

  @Test
  void aWebhookWithoutA2xxIsRetriedThreeTimes() {
    retell.setCallsPerSecond(1000);
    retell.setWebhookRetryDelayMs(20);
    receiver.respondWith(500);
    JsonObject b = body("+421915000001");
    b.getJsonObject("agent_override").getJsonObject("agent").put("webhook_events", new JsonArray().add("call_ended"));
    retell.onNumber("+421915000001", Script.answered().ringMs(10).talkMs(10));

    String failing = createOk(b);

    await().atMost(WAIT).until(() -> retell.deliveries(failing).size() == 4);
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> retell.deliveries(failing).size() == 4);
    assertThat(retell.deliveries(failing)).extracting(Delivery::event, Delivery::attempt, Delivery::status)
      .containsExactly(tuple("call_ended", 1, 500), tuple("call_ended", 2, 500), tuple("call_ended", 3, 500), tuple("call_ended", 4, 500));
    // each attempt is signed afresh, over the same body
    assertThat(retell.deliveries(failing)).allSatisfy(d -> assertThat(RetellSignature.verify(retell.apiKey(),
      d.body().getBytes(StandardCharsets.UTF_8), d.headers().get(RetellSignature.HEADER), System.currentTimeMillis())).isTrue());

    receiver.respondWith(204);
    retell.onNumber("+421915000002", Script.answered().ringMs(10).talkMs(10));
    JsonObject ok = body("+421915000002");
    ok.getJsonObject("agent_override").getJsonObject("agent").put("webhook_events", new JsonArray().add("call_ended"));
    String fine = createOk(ok);
    awaitEvent(fine, "call_ended");
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> retell.deliveries(fine).size() == 1);
  }

  @Test
  void eventQuirksReorderAndRepeat() {
    retell.setCallsPerSecond(1000);
    retell.onNumber("+421915000001", Script.answered().ringMs(10).talkMs(30).outOfOrder());
    retell.onNumber("+421915000002", Script.answered().ringMs(10).talkMs(30).repeatEvents());
    String swapped = createOk(body("+421915000001"));
    String repeated = createOk(body("+421915000002"));

    await().atMost(WAIT).until(() -> events(swapped).size() == 3 && retell.deliveries(repeated, "call_analyzed").size() == 2);

    assertThat(events(swapped)).containsExactly("call_ended", "call_started", "call_analyzed");
    assertThat(call(swapped, "call_started").getString("call_status")).isEqualTo("ongoing");
    assertThat(events(repeated)).containsExactly("call_started", "call_started", "call_ended", "call_ended", "call_analyzed", "call_analyzed");
  }

  @Test
  void withoutAnAgentWebhookUrlTheAccountWebhookGetsTheEvents() {
    retell.setAccountWebhookUrl(receiver.url() + "/account");
    retell.onNumber("+421915000001", Script.failed());
    JsonObject b = body("+421915000001");
    b.getJsonObject("agent_override").getJsonObject("agent").remove("webhook_url");

    String id = createOk(b);

    awaitEvent(id, "call_analyzed");
    assertThat(receiver.requests("/account")).hasSize(2);
  }

  @Test
  void theRestApiWantsTheKeyAndUnknownCallsAre404() {
    HttpResponse<String> noKey = Http.post(retell.url() + "/v2/create-phone-call", null, body("+421915000001").encode());
    HttpResponse<String> unknown = Http.get(retell.url() + "/v2/get-call/nope", retell.apiKey());

    assertThat(noKey.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(noKey.body()).getString("error_message")).isNotBlank();
    assertThat(retell.unauthorized()).isEqualTo(1);
    assertThat(retell.creates()).isEmpty();
    assertThat(unknown.statusCode()).isEqualTo(404);
  }

  @Test
  void theRecordingUrlCanGoThroughRedirectsOrPointElsewhere() {
    retell.setCallsPerSecond(1000);
    retell.defaultScript(Script.answered().ringMs(10).talkMs(20));
    retell.setRecordingRedirects(2);
    String chained = createOk(body("+421915000001"));
    awaitEvent(chained, "call_ended");
    String url = call(chained, "call_ended").getString("recording_url");

    assertThat(url).startsWith(retell.url() + "/hop/2/");
    HttpResponse<String> hop = Http.get(url, null);
    assertThat(hop.statusCode()).isEqualTo(302);
    String next = hop.headers().firstValue("Location").orElseThrow();
    String last = Http.get(next, null).headers().firstValue("Location").orElseThrow();
    assertThat(Http.getBytes(last, null).body()).isEqualTo(Script.defaultWav());

    try (Sentinel elsewhere = new Sentinel()) {
      retell.setRecordingRedirects(0);
      retell.setRecordingBase(elsewhere.url());
      String moved = createOk(body("+421915000002"));
      awaitEvent(moved, "call_ended");
      assertThat(call(moved, "call_ended").getString("recording_url")).startsWith(elsewhere.url() + "/recordings/" + moved);
      assertThat(elsewhere.count()).isZero();
    }
  }

  @Test
  void theFakeRefusesToSendAPayloadRetellWouldNotSend() {
    FakeRetell unfaithful = new FakeRetell();
    try {
      unfaithful.onNumber("+421915000001", Script.answered().ringMs(10).talkMs(10).disconnectionReason("hung_up"));
      String id = new JsonObject(Http.post(unfaithful.url() + "/v2/create-phone-call", unfaithful.apiKey(),
        body("+421915000001").encode()).body()).getString("call_id");

      await().atMost(WAIT).until(() -> !unfaithful.faults().isEmpty());
      assertThat(unfaithful.faults().get(0)).contains("call_ended").contains("hung_up");
      assertThat(unfaithful.deliveries(id, "call_ended")).isEmpty();
    } finally {
      assertThatThrownBy(unfaithful::close).isInstanceOf(AssertionError.class).hasMessageContaining("hung_up");
    }
  }
}
