package dev.parley.calls.provider.retell;

import dev.parley.calls.provider.ProviderEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/** A Retell call object (webhook or {@code GET /v2/get-call}) as Parley's events. */
final class RetellCalls {
  private RetellCalls() {}

  /** The callId Parley put in the call's metadata, or null for a call that is not Parley's. */
  static String callId(JsonObject call) {
    Object metadata = call == null ? null : call.getValue("metadata");
    if (!(metadata instanceof JsonObject m) || !(m.getValue("parley_call_id") instanceof String id)) return null;
    try {
      UUID.fromString(id);
      return id.length() == 36 ? id : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static ProviderEvent ended(String callId, JsonObject call) {
    String raw = call.getValue("disconnection_reason") instanceof String r ? r : null;
    String reason = RetellOutcomes.parleyReason(raw);
    boolean completed = "completed".equals(reason);
    String at = call.getValue("end_timestamp") instanceof Number end ? Instant.ofEpochMilli(end.longValue()).toString() : Instant.now().toString();
    String recording = completed && call.getValue("recording_url") instanceof String url ? url : null;
    return ProviderEvent.ended(callId, at, reason, seconds(call), recording,
      completed ? transcript(call.getJsonArray("transcript_object")) : null, raw)
      .withPlatformCallId(call.getValue("call_id") instanceof String id ? id : null);
  }

  /** duration_ms, else end minus start; 0 for a call that never connected. */
  static int seconds(JsonObject call) {
    if (call.getValue("duration_ms") instanceof Number d) return (int) (d.longValue() / 1000);
    if (call.getValue("start_timestamp") instanceof Number s && call.getValue("end_timestamp") instanceof Number e) {
      return (int) Math.max(0, (e.longValue() - s.longValue()) / 1000);
    }
    return 0;
  }

  /**
   * transcript_object as Parley's transcript: {@code agent} is the agent, {@code user} the candidate
   * (a transfer target is not part of the interview). An utterance has no start time of its own:
   * its first word's start stands in, else the one before it.
   */
  static JsonArray transcript(JsonArray utterances) {
    JsonArray lines = new JsonArray();
    if (utterances == null) return lines;
    long startMs = 0;
    for (Object o : utterances) {
      if (!(o instanceof JsonObject u) || !(u.getValue("content") instanceof String text) || text.isBlank()) continue;
      String role = switch (String.valueOf(u.getValue("role"))) {
        case "agent" -> "agent";
        case "user" -> "candidate";
        default -> null;
      };
      if (u.getValue("words") instanceof JsonArray words && !words.isEmpty()
        && words.getValue(0) instanceof JsonObject first && first.getValue("start") instanceof Number start) {
        startMs = Math.round(start.doubleValue() * 1000);
      }
      if (role != null) lines.add(new JsonObject().put("role", role).put("text", text).put("startMs", startMs));
    }
    return lines;
  }
}
