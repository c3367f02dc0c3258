package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;

/**
 * An interview. {@code status}: SCHEDULED, IN_PROGRESS, COMPLETED, FAILED, CANCELLED;
 * {@code livemode} is false for a test interview; {@code analysis} is null until there is one.
 */
public record Interview(String id, String companyId, String candidateId, String agentId, String jobId,
                        String status, Instant scheduledAt, Integer durationMinutes, Instant finishedDate,
                        JsonObject metadata, Boolean isTest, Boolean livemode, List<CallAttempt> callAttempts,
                        Analysis analysis, List<TranscriptEntry> transcript, Instant createdAt,
                        Instant updatedAt) {
  public Interview {
    callAttempts = ModelJson.listOrEmpty(callAttempts);
    transcript = ModelJson.listOrEmpty(transcript);
  }

  public static Interview fromJson(JsonObject json) {
    return new Interview(json.getString("id"), json.getString("companyId"), json.getString("candidateId"),
      json.getString("agentId"), json.getString("jobId"), json.getString("status"),
      ModelJson.instant(json, "scheduledAt"), json.getInteger("durationMinutes"),
      ModelJson.instant(json, "finishedDate"), ModelJson.object(json, "metadata"), json.getBoolean("isTest"),
      json.getBoolean("livemode"), ModelJson.objects(json, "callAttempts", CallAttempt::fromJson),
      ModelJson.object(json, "analysis", Analysis::fromJson),
      ModelJson.objects(json, "transcript", TranscriptEntry::fromJson), ModelJson.instant(json, "createdAt"),
      ModelJson.instant(json, "updatedAt"));
  }
}
