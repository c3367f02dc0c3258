package dev.parley.calls;

import dev.parley.fakes.FakePlatform;
import dev.parley.fakes.FakeVapi;
import dev.parley.fakes.Received;
import dev.parley.fakes.Script;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** PARLEY_PROVIDER=vapi against a fake Vapi ({@link FakeVapi}): the cases of {@link PlatformCallsIT}, and Vapi's own. */
class VapiCallsIT extends PlatformCallsIT {
  static final String PHONE_NUMBER_ID = "0b8c6f2e-vapi-phone-number";
  FakeVapi vapi;

  @Override
  FakePlatform platform() {
    return vapi;
  }

  @Override
  FakePlatform startPlatform() {
    vapi = new FakeVapi();
    // Vapi's retries, as Parley's backoff plan asks for them, in milliseconds rather than seconds
    vapi.setBackoffTimeScale(0.05);
    return vapi;
  }

  @Override
  Map<String, String> providerSettings() {
    return Map.of("PARLEY_PROVIDER", "vapi", "PARLEY_VAPI_API_KEY", vapi.apiKey(), "PARLEY_VAPI_BASE_URL", vapi.url());
  }

  @Override
  String[] callerNumberOptions() {
    return new String[] {"--provider-ref", PHONE_NUMBER_ID};
  }

  @Override
  String platformName() {
    return "vapi";
  }

  @Override
  List<Received> creates() {
    return vapi.creates();
  }

  @Override
  String callIdOf(Received create) {
    return create.json().getString("name");
  }

  @Override
  String toNumber(Received create) {
    return create.json().getJsonObject("customer").getString("number");
  }

  @Override
  List<Received> cancels() {
    return vapi.controls();
  }

  @Override
  int searches() {
    return vapi.listQueries().size();
  }

  @Override
  String rawReason(Script.Outcome outcome) {
    return switch (outcome) {
      case ANSWERED -> "customer-ended-call";
      case NO_ANSWER -> "customer-did-not-answer";
      case BUSY -> "customer-busy";
      case VOICEMAIL -> "voicemail";
      case FAILED -> "twilio-failed-to-connect-call";
      default -> throw new IllegalArgumentException(outcome.name());
    };
  }

  @Override
  void assertCallerId(Received create, String number, String providerRef) {
    assertThat(create.json().getString("phoneNumberId")).isEqualTo(providerRef);
  }

  /** The server messages' endpoint, and the headers Parley asked Vapi to send with the call's messages. */
  String eventsUrl() {
    return server.baseUrl() + "/v1/provider/vapi/events";
  }

  Map<String, String> headersOf(String callId) {
    Received create = creates().stream().filter(c -> callId.equals(callIdOf(c))).findFirst().orElseThrow();
    Map<String, String> headers = new java.util.HashMap<>();
    create.json().getJsonObject("assistant").getJsonObject("server").getJsonObject("headers")
      .forEach(e -> headers.put(e.getKey(), String.valueOf(e.getValue())));
    return headers;
  }

  /** An end-of-call-report of the call as Vapi shapes it (the call's name is Parley's callId). */
  JsonObject report(String callId, String endedReason) {
    JsonObject call = vapi.call(platformCallIdOf(callId));
    return new JsonObject().put("message", new JsonObject().put("type", "end-of-call-report").put("endedReason", endedReason)
      .put("timestamp", System.currentTimeMillis()).put("call", call)
      .put("startedAt", Instant.now().minusSeconds(30).toString()).put("endedAt", Instant.now().toString())
      .put("artifact", new JsonObject().put("messages", new JsonArray()).put("transcript", ""))
      .put("analysis", new JsonObject()));
  }

  @Override
  void endCall(String callId, String rawReason) {
    HttpResponse<String> answer = vapi.sendMessage(eventsUrl(), headersOf(callId), report(callId, rawReason));
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
  }

  @Override
  void forgedEndsChangeNothing(Tenant t, String interviewId, String callId) {
    JsonObject report = report(callId, "customer-ended-call");
    String secretHeader = "X-Parley-Call-Secret";
    String secret = headersOf(callId).get(secretHeader);
    assertThat(secret).matches("[0-9a-f]{64}");
    // no secret, a wrong one, one letter changed
    for (Map<String, String> headers : List.of(Map.<String, String>of(), Map.of(secretHeader, "0".repeat(64)),
      Map.of(secretHeader, (secret.charAt(0) == 'a' ? "b" : "a") + secret.substring(1)))) {
      HttpResponse<String> refused = vapi.sendMessage(eventsUrl(), headers, report);
      assertThat(refused.statusCode()).as(headers.toString()).isEqualTo(401);
      assertThat(refused.body()).contains("INVALID_SIGNATURE");
    }
    // this call's secret on a message about another call: it is not that call's
    JsonObject another = report.copy();
    another.getJsonObject("message").getJsonObject("call").put("name", java.util.UUID.randomUUID().toString());
    assertThat(vapi.sendMessage(eventsUrl(), Map.of(secretHeader, secret), another).statusCode()).isEqualTo(401);
    // the right secret on a message that names no call of Parley's: nothing to check it against
    JsonObject nameless = report.copy();
    nameless.getJsonObject("message").getJsonObject("call").remove("name");
    assertThat(vapi.sendMessage(eventsUrl(), Map.of(secretHeader, secret), nameless).statusCode()).isEqualTo(401);
  }

  /**
   * The create is a transient assistant made from the interview's agent, named by the callId,
   * from the caller number's phoneNumberId, reporting to Parley with the call's own secret.
   */
  @Test
  void theCreateIsAnAssistantMadeFromTheAgent() {
    String number = newNumber();
    vapi.onNumber(number, Script.answered().ringMs(50).talkMs(100));
    Tenant t = company("Vapi create", 1);
    String id = create(t, number);
    await().atMost(WAIT).until(() -> createsTo(number).size() == 1);
    JsonObject body = createsTo(number).get(0).json();
    String callId = body.getString("name");
    assertThat(callId).hasSize(36);
    assertThat(body.getString("phoneNumberId")).isEqualTo(PHONE_NUMBER_ID);
    assertThat(body.getJsonObject("customer").getString("number")).isEqualTo(number);
    assertThat(body.getJsonObject("customer").getString("name")).isEqualTo("Ada Lovelace");
    JsonObject assistant = body.getJsonObject("assistant");
    assertThat(assistant.getInteger("maxDurationSeconds")).isEqualTo(5 * 60);
    assertThat(assistant.getJsonArray("serverMessages")).containsExactly("status-update", "end-of-call-report");
    assertThat(assistant.getJsonObject("server").getString("url")).isEqualTo(eventsUrl());
    assertThat(assistant.getJsonObject("server").getJsonObject("headers").getString("X-Parley-Call-Secret")).matches("[0-9a-f]{64}");
    assertThat(assistant.getJsonObject("transcriber").getString("language")).isEqualTo("sk");
    assertThat(assistant.getJsonObject("voice").getString("voiceId")).isEqualTo("sk-SK-ViktoriaNeural"); // VIERA: a female voice
    String prompt = assistant.getJsonObject("model").getJsonArray("messages").getJsonObject(0).getString("content");
    assertThat(prompt).contains("Slovak", "1. Why this role?", "2. Tell me about a project you led.", "Ada Lovelace", "5 minutes");
    assertThat(assistant.getString("firstMessage")).startsWith("Dobrý deň Ada");
    assertThat(assistant.getJsonObject("metadata").getString("parleyInterviewId")).isEqualTo(id);
    // the secrets of two calls differ
    String other = newNumber();
    create(t, other);
    await().atMost(WAIT).until(() -> createsTo(other).size() == 1);
    assertThat(createsTo(other).get(0).json().getJsonObject("assistant").getJsonObject("server").getJsonObject("headers")
      .getString("X-Parley-Call-Secret")).isNotEqualTo(headersOf(callId).get("X-Parley-Call-Secret"));
    assertNoViolations();
  }

  /** Vapi's recording is fetched with the private key from its API, then from where its 302 points, without the key. */
  @Test
  void theRecordingComesFromMonoRecordingThroughRedirects() {
    String number = newNumber();
    byte[] wav = dev.parley.calls.provider.Synthetic.wav(1).getBytes();
    vapi.onNumber(number, Script.answered().ringMs(50).talkMs(100).recording(wav, "audio/wav"));
    vapi.setRecordingRedirects(2); // a chain of three 302s in all, each checked, within the 3 allowed
    try {
      Tenant t = company("Vapi recording", 1);
      String id = create(t, number);
      await().atMost(WAIT).until(() -> interview(t, id).getValue("analysis") != null);
      assertThat(server.download("/v1/interviews/" + id + "/recording", t.key()).body()).isEqualTo(wav);
      String platformId = platformCallIdOf(callIdOf(createsTo(number).get(0)));
      assertThat(vapi.monoRecordingRequests()).filteredOn(r -> platformId.equals(r.callId()))
        .singleElement().satisfies(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer " + vapi.apiKey()));
      assertThat(vapi.recordingHostRequests()).allSatisfy(r -> assertThat(r.header("Authorization")).isNull());
    } finally {
      vapi.setRecordingRedirects(0);
    }
    assertNoViolations();
  }
}
