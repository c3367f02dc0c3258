package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * The filters of the interview list. {@code status}: SCHEDULED, IN_PROGRESS, COMPLETED, FAILED,
 * CANCELLED; {@code scheduledFrom} is inclusive, {@code scheduledTo} exclusive.
 */
public record InterviewFilter(String status, String candidateId, String agentId, Instant scheduledFrom,
                              Instant scheduledTo) {
  public static InterviewFilter none() {
    return new InterviewFilter(null, null, null, null, null);
  }

  public InterviewFilter withStatus(String status) {
    return new InterviewFilter(status, candidateId, agentId, scheduledFrom, scheduledTo);
  }

  public InterviewFilter withCandidateId(String candidateId) {
    return new InterviewFilter(status, candidateId, agentId, scheduledFrom, scheduledTo);
  }

  public InterviewFilter withAgentId(String agentId) {
    return new InterviewFilter(status, candidateId, agentId, scheduledFrom, scheduledTo);
  }

  public InterviewFilter withScheduledFrom(Instant scheduledFrom) {
    return new InterviewFilter(status, candidateId, agentId, scheduledFrom, scheduledTo);
  }

  public InterviewFilter withScheduledTo(Instant scheduledTo) {
    return new InterviewFilter(status, candidateId, agentId, scheduledFrom, scheduledTo);
  }

  /** Puts each filter that is set into {@code message} as a top-level field. */
  public void putInto(JsonObject message) {
    ModelJson.put(message, "status", status);
    ModelJson.put(message, "candidateId", candidateId);
    ModelJson.put(message, "agentId", agentId);
    ModelJson.put(message, "scheduledFrom", scheduledFrom);
    ModelJson.put(message, "scheduledTo", scheduledTo);
  }
}
