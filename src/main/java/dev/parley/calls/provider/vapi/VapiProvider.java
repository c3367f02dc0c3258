package dev.parley.calls.provider.vapi;

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

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Vapi (PARLEY_PROVIDER=vapi; docs/providers.md, "Vapi"), through its public REST API:
 * <ul>
 *   <li>a dial is {@code POST /call} with a transient assistant made from the interview's agent
 *   ({@link #createCall}), named by the callId, from the caller number's phoneNumberId;</li>
 *   <li>Vapi takes no idempotency key: a create whose answer was lost is looked for with
 *   {@code GET /call?createdAtGe=...} and matched on {@code name} ({@link #reconcile});</li>
 *   <li>a cancel posts {@code {"type": "end-call"}} to the call's {@code monitor.controlUrl};</li>
 *   <li>a call's end, when its report did not come, is read from {@code GET /call/{id}};</li>
 *   <li>its recording is {@code GET /call/{id}/mono-recording} with the private key, a 302 to a
 *   short-lived URL (fetched by the post-call work).</li>
 * </ul>
 */
public final class VapiProvider implements VoiceProvider {
  /** Vapi's bounds of assistant.maxDurationSeconds. */
  static final int MIN_SECONDS = 10, MAX_SECONDS = 43_200;
  /** The calls a reconcile reads at most: a page of calls created around the first create. */
  static final int RECONCILE_PAGE = 100;

  private final PlatformHttp http;
  private final ParleyConfig config;
  private final VoiceTable voices;
  private final CallSecrets secrets;

  public VapiProvider(Vertx vertx, ParleyConfig config) {
    this.config = config;
    this.http = new PlatformHttp(PlatformHttp.client(vertx, config), config, config.vapiBaseUrl(), config.vapiApiKey());
    this.voices = VoiceTable.load(config.vapiVoices());
    this.secrets = new CallSecrets(config.vapiApiKey());
  }

  @Override
  public String name() {
    return "vapi";
  }

  @Override
  public double callsPerSecond() {
    return config.providerCallsPerSecond();
  }

  @Override
  public Future<PlacedCall> placeCall(CallRequest request) {
    if (request.fromProviderRef() == null) {
      // its number was deleted since the interview was created: nothing to call from
      return Future.failedFuture(new ProviderRefusedException("no caller number: Vapi dials from the caller number's providerRef (its phoneNumberId)"));
    }
    return http.api(HttpMethod.POST, "/call", createCall(request)).map(answer -> {
      if (answer.ok()) return placed(answer.object());
      throw answer.createFailure("Vapi");
    });
  }

  private static PlacedCall placed(JsonObject call) {
    JsonObject monitor = call.getValue("monitor") instanceof JsonObject m ? m : new JsonObject();
    return new PlacedCall(call.getString("id"), monitor.getValue("controlUrl") instanceof String u ? u : null);
  }

  /** The body of {@code POST /call}. */
  JsonObject createCall(CallRequest call) {
    String language = call.language();
    JsonObject model = voices.model()
      .put("messages", new JsonArray().add(new JsonObject().put("role", "system")
        .put("content", InterviewScript.systemPrompt(call, voices.languageName(language)))))
      // lets the assistant hang up once it has said goodbye
      .put("tools", new JsonArray().add(new JsonObject().put("type", "endCall")));
    JsonObject assistant = new JsonObject()
      .put("name", "Parley interview")
      .put("model", model)
      .put("voice", voices.voice(language, call.agent().getString("voiceId")))
      .put("transcriber", voices.transcriber(language))
      .put("maxDurationSeconds", Math.max(MIN_SECONDS, Math.min(MAX_SECONDS, call.maxDurationSeconds())))
      // the control URL a cancel posts to (its schema says it must be enabled)
      .put("monitorPlan", new JsonObject().put("controlEnabled", true))
      // off by default at Vapi: without it a voicemail greeting would be interviewed
      .put("voicemailDetection", new JsonObject().put("provider", "vapi"))
      .put("serverMessages", new JsonArray().add("status-update").add("end-of-call-report"))
      .put("server", new JsonObject()
        .put("url", config.publicUrl().replaceAll("/+$", "") + "/v1/provider/vapi/events")
        .put("headers", new JsonObject().put(CallSecrets.HEADER, secrets.of(call.callId())))
        .put("timeoutSeconds", 20)
        // without a backoff plan Vapi never sends a message again: Parley answers 503 while its database is away
        .put("backoffPlan", new JsonObject().put("type", "exponential").put("maxRetries", 5).put("baseDelaySeconds", 2)))
      .put("metadata", new JsonObject().put("parleyCallId", call.callId()).put("parleyInterviewId", call.interviewId()));
    String first = voices.firstMessage(language, call.candidateFirstName(), call.companyName());
    if (first != null) assistant.put("firstMessage", first);
    else assistant.put("firstMessageMode", "assistant-speaks-first-with-model-generated-message");
    JsonObject customer = new JsonObject().put("number", call.to());
    String name = InterviewScript.candidateName(call);
    if (!name.isEmpty()) customer.put("name", name.length() > 40 ? name.substring(0, 40) : name);
    JsonObject body = new JsonObject().put("name", call.callId()).put("assistant", assistant).put("customer", customer);
    if (call.fromProviderRef() != null) body.put("phoneNumberId", call.fromProviderRef());
    return body;
  }

  /**
   * The call a create with this callId made: Vapi's list of calls cannot be filtered by name, so
   * the calls created from {@code since} (on the caller number, when there is one) are read and
   * matched on {@code name}.
   */
  @Override
  public Future<PlacedCall> reconcile(CallRequest request, Instant since) {
    String query = "?limit=" + RECONCILE_PAGE + "&createdAtGe=" + URLEncoder.encode(since.toString(), StandardCharsets.UTF_8)
      + (request.fromProviderRef() == null ? "" : "&phoneNumberId=" + URLEncoder.encode(request.fromProviderRef(), StandardCharsets.UTF_8));
    return http.api(HttpMethod.GET, "/call" + query, null).map(answer -> {
      JsonArray calls = answer.array();
      if (!answer.ok() || calls == null) throw new IllegalStateException("Vapi answered " + answer.status() + " to GET /call");
      for (Object o : calls) {
        if (o instanceof JsonObject call && request.callId().equals(call.getString("name"))) return placed(call);
      }
      return null;
    });
  }

  @Override
  public Future<Void> cancelCall(LiveCall call) {
    if (call.controlUrl() != null) return endCall(call.controlUrl());
    if (call.platformCallId() == null) return Future.failedFuture("the call's Vapi id is not known yet");
    return http.api(HttpMethod.GET, "/call/" + call.platformCallId(), null).compose(answer -> {
      PlacedCall placed = answer.ok() ? placed(answer.object()) : null;
      if (placed == null || placed.controlUrl() == null) return Future.failedFuture("Vapi gave no control URL for " + call.platformCallId());
      return endCall(placed.controlUrl());
    });
  }

  private Future<Void> endCall(String controlUrl) {
    return http.supplied(HttpMethod.POST, controlUrl, new JsonObject().put("type", "end-call")).compose(answer ->
      answer.ok() ? Future.succeededFuture() : Future.failedFuture("Vapi's control URL answered " + answer.status()));
  }

  @Override
  public Future<ProviderEvent> lookupEnd(LiveCall live) {
    return http.api(HttpMethod.GET, "/call/" + live.platformCallId(), null).map(answer -> {
      if (!answer.ok()) throw new IllegalStateException("Vapi answered " + answer.status() + " to GET /call/" + live.platformCallId());
      JsonObject call = answer.object();
      if (!"ended".equals(call.getString("status"))) return null;
      JsonObject artifact = call.getValue("artifact") instanceof JsonObject a ? a : null;
      return VapiCalls.ended(live.callId(), live.platformCallId(), call.getString("endedReason"), call.getString("startedAt"),
        call.getString("endedAt"), artifact, config.vapiBaseUrl());
    });
  }
}
