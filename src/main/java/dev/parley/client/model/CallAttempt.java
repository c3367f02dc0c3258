package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * One call of an interview. {@code direction}: OUTBOUND, INBOUND; {@code status}: SCHEDULED,
 * IN_PROGRESS, COMPLETED, FAILED; {@code reasonCode} (FAILED only): NO_ANSWER, BUSY, VOICEMAIL,
 * PROVIDER_ERROR; {@code provider}: simulator, http, vapi, retell; {@code duration} in seconds.
 */
public record CallAttempt(String id, String direction, String status, String reasonCode, String notes,
                          Integer retryNumber, String recordingUrl, Integer duration, Instant scheduledAt,
                          Instant calledAt, String provider, String providerCallId, String providerReason,
                          JsonObject providerAnalysis) {
  public static CallAttempt fromJson(JsonObject json) {
    return new CallAttempt(json.getString("id"), json.getString("direction"), json.getString("status"),
      json.getString("reasonCode"), json.getString("notes"), json.getInteger("retryNumber"),
      json.getString("recordingUrl"), json.getInteger("duration"), ModelJson.instant(json, "scheduledAt"),
      ModelJson.instant(json, "calledAt"), json.getString("provider"), json.getString("providerCallId"),
      json.getString("providerReason"), ModelJson.object(json, "providerAnalysis"));
  }
}
