package dev.parley.calls.provider.vapi;

import dev.parley.calls.provider.ProviderEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * A Vapi call's end, as Parley's {@code call.ended}: from an {@code end-of-call-report} server
 * message, or from the {@code Call} that {@code GET /call/{id}} returns (same fields).
 */
final class VapiCalls {
  private VapiCalls() {}

  /**
   * @param vapiCallId the call's ID at Vapi: its recording is {@code GET {base}/call/{id}/mono-recording}
   * @param artifact   what the call left: messages (the transcript) and its recording, when it has one
   */
  static ProviderEvent ended(String callId, String vapiCallId, String vapiReason, String startedAt, String endedAt,
                             JsonObject artifact, String baseUrl) {
    String reason = VapiOutcomes.parleyReason(vapiReason);
    boolean completed = "completed".equals(reason);
    JsonObject a = artifact == null ? new JsonObject() : artifact;
    String recording = completed && vapiCallId != null && hasRecording(a) ? baseUrl + "/call/" + vapiCallId + "/mono-recording" : null;
    return ProviderEvent.ended(callId, endedAt != null ? endedAt : Instant.now().toString(), reason, seconds(startedAt, endedAt),
      recording, completed ? transcript(a.getJsonArray("messages")) : null, vapiReason).withPlatformCallId(vapiCallId);
  }

  /** Whether the call was recorded (Vapi records by default; the artifact then names its recording). */
  static boolean hasRecording(JsonObject artifact) {
    return artifact.getValue("recordingUrl") != null || artifact.getValue("recording") != null
      || artifact.getValue("stereoRecordingUrl") != null || artifact.getValue("presignedMonoUrl") != null;
  }

  /** From startedAt to endedAt, in whole seconds; 0 for a call that never connected. */
  static int seconds(String startedAt, String endedAt) {
    if (startedAt == null || endedAt == null) return 0;
    try {
      return (int) Math.max(0, Duration.between(Instant.parse(startedAt), Instant.parse(endedAt)).toSeconds());
    } catch (DateTimeParseException e) {
      return 0;
    }
  }

  /**
   * artifact.messages as Parley's transcript: what the assistant said ({@code bot}, or
   * {@code assistant} in some of Vapi's examples) is the agent's, what the user said the
   * candidate's; system prompts and tool calls are not part of it. startMs from secondsFromStart.
   */
  static JsonArray transcript(JsonArray messages) {
    JsonArray lines = new JsonArray();
    if (messages == null) return lines;
    for (Object o : messages) {
      if (!(o instanceof JsonObject m) || !(m.getValue("message") instanceof String text) || text.isBlank()) continue;
      String role = switch (String.valueOf(m.getValue("role"))) {
        case "bot", "assistant" -> "agent";
        case "user" -> "candidate";
        default -> null;
      };
      if (role == null) continue;
      long startMs = m.getValue("secondsFromStart") instanceof Number n ? Math.round(n.doubleValue() * 1000) : 0;
      lines.add(new JsonObject().put("role", role).put("text", text).put("startMs", startMs));
    }
    return lines;
  }
}
