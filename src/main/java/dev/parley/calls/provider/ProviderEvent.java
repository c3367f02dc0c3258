package dev.parley.calls.provider;

import dev.parley.bus.ParleyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.UUID;

/**
 * One provider event (SPEC section 7). The {@code http} provider sends the three public types as
 * JSON ({@link #fromJson} checks them); the platform adapters translate their webhooks into the same
 * events, plus two of their own that only travel inside a node ({@link #PLATFORM_ENDED},
 * {@link #ANALYZED}).
 *
 * @param providerReason the platform's own outcome value, as it sent it (kept on the attempt)
 * @param analysis       with {@link #ANALYZED}: the platform's post-call analysis
 * @param platformCallId the platform's own ID of the call, when the event says it (an end may come
 *                       before the create's answer that would have told it)
 */
public record ProviderEvent(String type, String callId, String at, String endedReason, Integer durationSeconds,
                            String recordingUrl, JsonArray transcript, String providerReason, JsonObject analysis,
                            String platformCallId) {
  public static final String RINGING = "call.ringing";
  public static final String ANSWERED = "call.answered";
  public static final String ENDED = "call.ended";
  /** Vapi's status-update "ended": the call is over, its end-of-call report (with the transcript) is still to come. */
  public static final String PLATFORM_ENDED = "call.platform-ended";
  /** Retell's call_analyzed: the platform's analysis of a call that has ended, kept with its attempt. */
  public static final String ANALYZED = "call.analyzed";
  private static final Set<String> TYPES = Set.of(RINGING, ANSWERED, ENDED);
  public static final Set<String> ENDED_REASONS = Set.of("completed", "no-answer", "busy", "voicemail", "failed", "canceled");
  /**
   * An end reason of the adapters alone: the platform refused the call for its concurrency or rate
   * limit, so the attempt is not failed but queued again ({@link ProviderBusyException}).
   */
  public static final String PROVIDER_BUSY = "provider-busy";

  public static ProviderEvent ended(String callId, String at, String endedReason, Integer durationSeconds, String recordingUrl,
                                    JsonArray transcript, String providerReason) {
    return new ProviderEvent(ENDED, callId, at, endedReason, durationSeconds, recordingUrl, transcript, providerReason, null, null);
  }

  public static ProviderEvent of(String type, String callId, String at) {
    return new ProviderEvent(type, callId, at, null, null, null, null, null, null, null);
  }

  /** The same event, naming the platform's own ID of the call. */
  public ProviderEvent withPlatformCallId(String id) {
    return new ProviderEvent(type, callId, at, endedReason, durationSeconds, recordingUrl, transcript, providerReason, analysis, id);
  }

  /** An event of the {@code http} provider, checked against its contract (400 VALIDATION_FAILED when it is not one). */
  public static ProviderEvent fromJson(JsonObject json) {
    String type = json.getValue("type") instanceof String s ? s : null;
    if (type == null || !TYPES.contains(type)) throw ParleyException.validation("type", "must be one of " + TYPES);
    String callId = json.getValue("callId") instanceof String s ? s : null;
    try {
      UUID.fromString(callId);
    } catch (RuntimeException e) {
      throw ParleyException.validation("callId", "must be the callId Parley sent");
    }
    String at = json.getValue("at") instanceof String s ? s : null;
    if (!ENDED.equals(type)) return of(type, callId, at);
    String reason = json.getValue("endedReason") instanceof String s ? s : null;
    if (reason == null || !ENDED_REASONS.contains(reason)) {
      throw ParleyException.validation("endedReason", "must be one of " + ENDED_REASONS);
    }
    Object d = json.getValue("durationSeconds");
    if (d != null && !(d instanceof Number)) throw ParleyException.validation("durationSeconds", "must be a number");
    Integer duration = d == null ? null : Math.max(0, ((Number) d).intValue());
    Object r = json.getValue("recordingUrl");
    if (r != null && !(r instanceof String rs && (rs.startsWith("http://") || rs.startsWith("https://")))) {
      throw ParleyException.validation("recordingUrl", "must be an http(s) URL");
    }
    Object t = json.getValue("transcript");
    if (t != null && !(t instanceof JsonArray)) throw ParleyException.validation("transcript", "must be an array");
    JsonArray transcript = (JsonArray) t;
    if (transcript != null) {
      for (int i = 0; i < transcript.size(); i++) {
        if (!(transcript.getValue(i) instanceof JsonObject line) || !(line.getValue("text") instanceof String)
          || !("agent".equals(line.getValue("role")) || "candidate".equals(line.getValue("role")))) {
          throw ParleyException.validation("transcript[" + i + "]", "must be {role: agent|candidate, text, startMs}");
        }
      }
    }
    Object raw = json.getValue("providerReason");
    if (raw != null && !(raw instanceof String)) throw ParleyException.validation("providerReason", "must be a string");
    return ended(callId, at, reason, duration, (String) r, transcript, raw == null ? reason : (String) raw);
  }

  /** An event as {@link #toJson} put it on the node's internal bus (already checked or made by an adapter). */
  public static ProviderEvent fromBus(JsonObject json) {
    return new ProviderEvent(json.getString("type"), json.getString("callId"), json.getString("at"),
      json.getString("endedReason"), json.getInteger("durationSeconds"), json.getString("recordingUrl"),
      json.getJsonArray("transcript"), json.getString("providerReason"), json.getJsonObject("analysis"),
      json.getString("platformCallId"));
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("type", type).put("callId", callId).put("at", at);
    if (endedReason != null) j.put("endedReason", endedReason);
    if (durationSeconds != null) j.put("durationSeconds", durationSeconds);
    if (recordingUrl != null) j.put("recordingUrl", recordingUrl);
    if (transcript != null) j.put("transcript", transcript);
    if (providerReason != null) j.put("providerReason", providerReason);
    if (analysis != null) j.put("analysis", analysis);
    if (platformCallId != null) j.put("platformCallId", platformCallId);
    return j;
  }
}
