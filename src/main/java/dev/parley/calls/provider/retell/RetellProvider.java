package dev.parley.calls.provider.retell;

import dev.parley.calls.provider.CallRequest;
import dev.parley.calls.provider.InterviewScript;
import dev.parley.calls.provider.PlatformHttp;
import dev.parley.calls.provider.ProviderEvent;
import dev.parley.calls.provider.ProviderRefusedException;
import dev.parley.calls.provider.VoiceProvider;
import dev.parley.config.ParleyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Retell (PARLEY_PROVIDER=retell; docs/providers.md, "Retell"), through its public REST API:
 * <ul>
 *   <li>a dial is {@code POST /v2/create-phone-call} overriding the template agent
 *   (PARLEY_RETELL_AGENT_ID), whose prompt takes the interview as dynamic variables
 *   ({@link #createCall}); the callId goes in {@code metadata.parley_call_id}, and the call's
 *   webhooks come to Parley ({@code agent_override.agent.webhook_url});</li>
 *   <li>Retell takes no idempotency key: a create whose answer was lost is looked for with
 *   {@code POST /v3/list-calls} filtered on that metadata ({@link #reconcile});</li>
 *   <li>a cancel is {@code POST /v2/stop-call/{call_id}};</li>
 *   <li>a call's end, when its webhook did not come, is read from {@code GET /v2/get-call/{call_id}}.</li>
 * </ul>
 * Retell takes one outbound call per second unless the workspace says otherwise: the dispatcher
 * paces creates (PARLEY_PROVIDER_CALLS_PER_SECOND).
 */
public final class RetellProvider implements VoiceProvider {
  /** Retell's bounds of agent.max_call_duration_ms. */
  static final long MIN_DURATION_MS = 60_000, MAX_DURATION_MS = 7_200_000;
  /** Parley's agent languages as Retell's locales; any other is "multi". */
  static final Map<String, String> LOCALES = Map.ofEntries(Map.entry("EN", "en-US"), Map.entry("DE", "de-DE"),
    Map.entry("ES", "es-ES"), Map.entry("HI", "hi-IN"), Map.entry("FR", "fr-FR"), Map.entry("JA", "ja-JP"),
    Map.entry("PT", "pt-PT"), Map.entry("ZH", "zh-CN"), Map.entry("RU", "ru-RU"), Map.entry("IT", "it-IT"),
    Map.entry("KO", "ko-KR"), Map.entry("NL", "nl-NL"), Map.entry("PL", "pl-PL"), Map.entry("TR", "tr-TR"),
    Map.entry("VI", "vi-VN"), Map.entry("RO", "ro-RO"), Map.entry("BG", "bg-BG"), Map.entry("DA", "da-DK"),
    Map.entry("FI", "fi-FI"), Map.entry("EL", "el-GR"), Map.entry("HU", "hu-HU"), Map.entry("ID", "id-ID"),
    Map.entry("NO", "no-NO"), Map.entry("SK", "sk-SK"), Map.entry("SV", "sv-SE"), Map.entry("CS", "cs-CZ"),
    Map.entry("MS", "ms-MY"), Map.entry("AR", "ar-SA"), Map.entry("FIL", "fil-PH"), Map.entry("HR", "hr-HR"),
    Map.entry("TA", "ta-IN"), Map.entry("UK", "uk-UA"));
  /** A call in one of these states is over. */
  private static final Set<String> OVER = Set.of("ended", "not_connected", "error");

  private final PlatformHttp http;
  private final ParleyConfig config;

  public RetellProvider(Vertx vertx, ParleyConfig config) {
    this.config = config;
    this.http = new PlatformHttp(PlatformHttp.client(vertx, config), config, config.retellBaseUrl(), config.retellApiKey());
  }

  @Override
  public String name() {
    return "retell";
  }

  @Override
  public double callsPerSecond() {
    return config.providerCallsPerSecond();
  }

  @Override
  public Future<PlacedCall> placeCall(CallRequest request) {
    if (request.from() == null) {
      // its number was deleted since the interview was created: nothing to call from
      return Future.failedFuture(new ProviderRefusedException("no caller number: Retell dials from the caller number"));
    }
    return http.api(HttpMethod.POST, "/v2/create-phone-call", createCall(request)).map(answer -> {
      if (answer.ok()) return new PlacedCall(answer.object().getString("call_id"), null);
      throw answer.createFailure("Retell");
    });
  }

  /** The body of {@code POST /v2/create-phone-call}. */
  JsonObject createCall(CallRequest call) {
    String language = call.language() == null ? "EN" : call.language().toUpperCase(Locale.ROOT);
    // Retell's dynamic variables are strings, all of them set: an unset one stays in the prompt as {{name}}
    JsonObject variables = new JsonObject()
      .put("candidate_first_name", text(call.candidateFirstName()))
      .put("candidate_last_name", text(call.candidateLastName()))
      .put("questions", InterviewScript.numberedQuestions(call.questions()))
      .put("instructions", text(call.agent().getString("instructions")))
      .put("language", language)
      .put("duration_minutes", Integer.toString(Math.max(1, call.maxDurationSeconds() / 60)))
      .put("company_name", text(call.companyName()));
    JsonObject agent = new JsonObject()
      .put("webhook_url", config.publicUrl().replaceAll("/+$", "") + "/v1/provider/retell/events")
      .put("max_call_duration_ms", Math.max(MIN_DURATION_MS, Math.min(MAX_DURATION_MS, call.maxDurationSeconds() * 1000L)))
      .put("language", LOCALES.getOrDefault(language, "multi"));
    JsonObject body = new JsonObject()
      .put("from_number", call.from())
      .put("to_number", call.to())
      .put("override_agent_id", config.retellAgentId())
      .put("retell_llm_dynamic_variables", variables)
      .put("agent_override", new JsonObject().put("agent", agent))
      .put("metadata", new JsonObject().put("parley_call_id", call.callId()).put("parley_interview_id", call.interviewId()));
    return body;
  }

  private static String text(String value) {
    return value == null ? "" : value;
  }

  /** The call a create with this callId made, found by its {@code metadata.parley_call_id}. */
  @Override
  public Future<PlacedCall> reconcile(CallRequest request, Instant since) {
    JsonObject filter = new JsonObject().put("metadata", new JsonArray().add(new JsonObject()
      .put("key", "parley_call_id").put("type", "string").put("op", "eq").put("value", request.callId())));
    return http.api(HttpMethod.POST, "/v3/list-calls", new JsonObject().put("filter_criteria", filter).put("limit", 10)).map(answer -> {
      if (!answer.ok()) throw new IllegalStateException("Retell answered " + answer.status() + " to list-calls");
      JsonArray items = answer.object().getJsonArray("items");
      if (items == null) throw new IllegalStateException("Retell's list-calls answer has no items");
      for (Object o : items) {
        // the filter matched the metadata; an item that carries it must say the same
        if (o instanceof JsonObject call && call.getString("call_id") != null
          && (call.getValue("metadata") == null || request.callId().equals(RetellCalls.callId(call)))) {
          return new PlacedCall(call.getString("call_id"), null);
        }
      }
      return null;
    });
  }

  @Override
  public Future<Void> cancelCall(LiveCall call) {
    if (call.platformCallId() == null) return Future.failedFuture("the call's Retell id is not known yet");
    return http.api(HttpMethod.POST, "/v2/stop-call/" + call.platformCallId(), null).compose(answer ->
      // 404: Retell knows no such call (any more): nothing to stop
      answer.ok() || answer.status() == 404 ? Future.succeededFuture()
        : Future.failedFuture("Retell answered " + answer.status() + " to stop-call"));
  }

  @Override
  public Future<ProviderEvent> lookupEnd(LiveCall live) {
    return http.api(HttpMethod.GET, "/v2/get-call/" + live.platformCallId(), null).map(answer -> {
      if (!answer.ok()) throw new IllegalStateException("Retell answered " + answer.status() + " to get-call");
      JsonObject call = answer.object();
      return OVER.contains(call.getString("call_status")) ? RetellCalls.ended(live.callId(), call) : null;
    });
  }
}
