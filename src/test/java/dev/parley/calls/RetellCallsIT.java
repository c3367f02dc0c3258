package dev.parley.calls;

import dev.parley.fakes.Delivery;
import dev.parley.fakes.FakePlatform;
import dev.parley.fakes.FakeRetell;
import dev.parley.fakes.Received;
import dev.parley.fakes.Script;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PARLEY_PROVIDER=retell against a fake Retell ({@link FakeRetell}), which takes one outbound call
 * per second as Retell does by default (a faster create gets 429): the cases of
 * {@link PlatformCallsIT}, and Retell's own.
 */
class RetellCallsIT extends PlatformCallsIT {
  static final String AGENT_ID = "agent_template_parley_interviews";
  FakeRetell retell;

  @Override
  FakePlatform platform() {
    return retell;
  }

  @Override
  FakePlatform startPlatform() {
    retell = new FakeRetell();
    retell.setWebhookRetryDelayMs(100);
    return retell;
  }

  @Override
  Map<String, String> providerSettings() {
    return Map.of("PARLEY_PROVIDER", "retell", "PARLEY_RETELL_API_KEY", retell.apiKey(), "PARLEY_RETELL_BASE_URL", retell.url(),
      "PARLEY_RETELL_AGENT_ID", AGENT_ID);
  }

  @Override
  String[] callerNumberOptions() {
    return new String[0];
  }

  @Override
  String platformName() {
    return "retell";
  }

  @Override
  List<Received> creates() {
    return retell.creates();
  }

  @Override
  String callIdOf(Received create) {
    return create.json().getJsonObject("metadata").getString("parley_call_id");
  }

  @Override
  String toNumber(Received create) {
    return create.json().getString("to_number");
  }

  @Override
  List<Received> cancels() {
    return retell.stops();
  }

  @Override
  int searches() {
    return retell.listQueries().size();
  }

  @Override
  String rawReason(Script.Outcome outcome) {
    return switch (outcome) {
      case ANSWERED -> "user_hangup";
      case NO_ANSWER -> "dial_no_answer";
      case BUSY -> "dial_busy";
      case VOICEMAIL -> "voicemail_reached";
      case FAILED -> "dial_failed";
      default -> throw new IllegalArgumentException(outcome.name());
    };
  }

  @Override
  void assertCallerId(Received create, String number, String providerRef) {
    assertThat(create.json().getString("from_number")).isEqualTo(number);
  }

  String eventsUrl() {
    return server.baseUrl() + "/v1/provider/retell/events";
  }

  /** A call_ended webhook of the call as Retell shapes it. */
  String ended(String callId, String reason) {
    JsonObject call = retell.call(platformCallIdOf(callId)).copy().put("call_status", "ended").put("disconnection_reason", reason)
      .put("end_timestamp", System.currentTimeMillis());
    return new JsonObject().put("event", "call_ended").put("call", call).encode();
  }

  @Override
  void endCall(String callId, String rawReason) {
    HttpResponse<String> answer = retell.sendSigned(eventsUrl(), ended(callId, rawReason));
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
  }

  @Override
  void forgedEndsChangeNothing(Tenant t, String interviewId, String callId) {
    String body = ended(callId, "user_hangup");
    long now = System.currentTimeMillis();
    List<HttpResponse<String>> refused = new ArrayList<>();
    refused.add(retell.sendUnsigned(eventsUrl(), body));
    // signed with another key
    refused.add(retell.sendWithSignature(eventsUrl(), body, dev.parley.fakes.RetellSignature.sign("not-the-api-key",
      body.getBytes(java.nio.charset.StandardCharsets.UTF_8), now)));
    // a genuine signature of another body
    String other = ended(callId, "agent_hangup");
    refused.add(retell.sendWithSignature(eventsUrl(), body, dev.parley.fakes.RetellSignature.sign(retell.apiKey(),
      other.getBytes(java.nio.charset.StandardCharsets.UTF_8), now)));
    // stale: signed just over 5 minutes ago (a replay of an old webhook), and as far in the future
    refused.add(retell.sendSigned(eventsUrl(), body, now - 300_001 - 2_000));
    refused.add(retell.sendSigned(eventsUrl(), body, now + 300_001 + 2_000));
    refused.add(retell.sendWithSignature(eventsUrl(), body, "v=" + now + ",d=zz"));
    assertThat(refused).allSatisfy(r -> {
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.body()).contains("INVALID_SIGNATURE");
    });
    // a genuine webhook sent again within the 5 minutes (Retell's own retries look the same): it changes nothing twice
    Delivery started = retell.deliveries(platformCallIdOf(callId), "call_started").get(0);
    HttpResponse<String> again = retell.sendWithSignature(eventsUrl(), started.body(), started.headers().get("x-retell-signature"));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(again.body()).getJsonObject("data").getBoolean("applied")).isFalse();
  }

  /** The create overrides the template agent with the interview: dynamic variables, all strings, and the call's settings. */
  @Test
  void theCreateFillsTheTemplateAgent() {
    String number = newNumber();
    retell.onNumber(number, Script.answered().ringMs(50).talkMs(100));
    Tenant t = company("Retell create", 1);
    String id = create(t, number);
    await().atMost(WAIT).until(() -> createsTo(number).size() == 1);
    JsonObject body = createsTo(number).get(0).json();
    assertThat(body.getString("override_agent_id")).isEqualTo(AGENT_ID);
    assertThat(body.getString("from_number")).isEqualTo(dev.parley.support.TestServer.CALLER_NUMBER);
    assertThat(body.getString("to_number")).isEqualTo(number);
    assertThat(body.getJsonObject("metadata").getString("parley_interview_id")).isEqualTo(id);
    assertThat(body.getJsonObject("retell_llm_dynamic_variables").getMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
      "candidate_first_name", "Ada", "candidate_last_name", "Lovelace", "questions", "1. Why this role?\n2. Tell me about a project you led.",
      "instructions", "", "language", "SK", "duration_minutes", "5", "company_name", "Retell create"));
    JsonObject agent = body.getJsonObject("agent_override").getJsonObject("agent");
    assertThat(agent.getString("webhook_url")).isEqualTo(eventsUrl());
    assertThat(agent.getLong("max_call_duration_ms")).isEqualTo(5 * 60_000L);
    assertThat(agent.getString("language")).isEqualTo("sk-SK");
    assertNoViolations();
  }

  /** Retell's call_analyzed is kept with the attempt, after the call completed. */
  @Test
  void callAnalyzedIsKeptWithTheAttempt() {
    String number = newNumber();
    retell.onNumber(number, Script.answered().ringMs(50).talkMs(100).summary("The candidate answered both questions.")
      .userSentiment("Positive").callSuccessful(true));
    Tenant t = company("Retell analysis", 1);
    String id = create(t, number);
    await().atMost(WAIT).until(() -> attempt(t, id).getValue("providerAnalysis") != null
      && interview(t, id).getValue("analysis") != null);
    JsonObject analysis = attempt(t, id).getJsonObject("providerAnalysis");
    assertThat(analysis.getString("call_summary")).isEqualTo("The candidate answered both questions.");
    assertThat(analysis.getString("user_sentiment")).isEqualTo("Positive");
    assertThat(interview(t, id).getString("status")).isEqualTo("COMPLETED");
    assertNoViolations();
  }

  /**
   * Creates go out at Retell's rate (one a second, PARLEY_PROVIDER_CALLS_PER_SECOND's default for
   * Retell) however many fall due at once: the fake refuses a faster one with 429, and refuses none.
   */
  @Test
  void createsArePacedToRetellsRate() {
    Tenant t = company("Retell pace", 4);
    List<String> numbers = new ArrayList<>(), ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String number = newNumber();
      retell.onNumber(number, Script.answered().ringMs(50).talkMs(100));
      numbers.add(number);
      ids.add(create(t, number));
    }
    await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> "COMPLETED".equals(interview(t, id).getString("status"))));
    List<Received> creates = numbers.stream().map(n -> createsTo(n)).peek(c -> assertThat(c).hasSize(1)).map(c -> c.get(0))
      .sorted(java.util.Comparator.comparing(Received::at)).toList();
    for (int i = 1; i < creates.size(); i++) {
      assertThat(Duration.between(creates.get(i - 1).at(), creates.get(i).at())).as("gap before create %d", i)
        .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }
    assertThat(retell.rateLimited()).filteredOn(r -> numbers.contains(toNumber(r))).isEmpty();
    assertNoViolations();
  }
}
