package dev.parley.calls.provider;

import dev.parley.bus.ParleyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.UUID;

/** One provider event (SPEC section 7), validated. */
public record ProviderEvent(String type, String callId, String at, String endedReason, Integer durationSeconds,
                            String recordingUrl, JsonArray transcript) {
  public static final String RINGING = "call.ringing";
  public static final String ANSWERED = "call.answered";
  public static final String ENDED = "call.ended";
  private static final Set<String> TYPES = Set.of(RINGING, ANSWERED, ENDED);
  public static final Set<String> ENDED_REASONS = Set.of("completed", "no-answer", "busy", "voicemail", "failed", "canceled");

  public static ProviderEvent fromJson(JsonObject json) {
    String type = json.getValue("type") instanceof String s ? s : null;
    if (type == null || !TYPES.contains(type)) throw ParleyException.validation("type", "must be one of " + TYPES);
    String callId = json.getValue("callId") instanceof String s ? s : null;
    try {
      UUID.fromString(callId);
    } catch (RuntimeException e) {
      throw ParleyException.validation("callId", "must be the callId Parley sent");
    }
    String reason = null;
    Integer duration = null;
    String recording = null;
    JsonArray transcript = null;
    if (ENDED.equals(type)) {
      reason = json.getValue("endedReason") instanceof String s ? s : null;
      if (reason == null || !ENDED_REASONS.contains(reason)) {
        throw ParleyException.validation("endedReason", "must be one of " + ENDED_REASONS);
      }
      Object d = json.getValue("durationSeconds");
      if (d != null && !(d instanceof Number)) throw ParleyException.validation("durationSeconds", "must be a number");
      duration = d == null ? null : Math.max(0, ((Number) d).intValue());
      Object r = json.getValue("recordingUrl");
      if (r != null && !(r instanceof String rs && (rs.startsWith("http://") || rs.startsWith("https://")))) {
        throw ParleyException.validation("recordingUrl", "must be an http(s) URL");
      }
      recording = (String) r;
      Object t = json.getValue("transcript");
      if (t != null && !(t instanceof JsonArray)) throw ParleyException.validation("transcript", "must be an array");
      transcript = (JsonArray) t;
      if (transcript != null) {
        for (int i = 0; i < transcript.size(); i++) {
          if (!(transcript.getValue(i) instanceof JsonObject line) || !(line.getValue("text") instanceof String)
            || !("agent".equals(line.getValue("role")) || "candidate".equals(line.getValue("role")))) {
            throw ParleyException.validation("transcript[" + i + "]", "must be {role: agent|candidate, text, startMs}");
          }
        }
      }
    }
    return new ProviderEvent(type, callId, json.getValue("at") instanceof String s ? s : null, reason, duration, recording, transcript);
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("type", type).put("callId", callId).put("at", at);
    if (ENDED.equals(type)) {
      j.put("endedReason", endedReason).put("durationSeconds", durationSeconds).put("recordingUrl", recordingUrl)
        .put("transcript", transcript);
    }
    return j;
  }
}
