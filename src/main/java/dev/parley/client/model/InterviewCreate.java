package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A new interview: exactly one of {@code candidateId}/{@code candidate}, exactly one of
 * {@code agentId}/{@code agent}, at most one of {@code jobId}/{@code job}; {@code scheduleTime} is an
 * alias of {@code scheduledAt} (absent means now).
 */
public record InterviewCreate(String candidateId, CandidateInput candidate, String agentId, AgentInput agent,
                              String jobId, JobInput job, Instant scheduledAt, Instant scheduleTime,
                              JsonObject metadata, Boolean isTest) {
  public static InterviewCreate of(CandidateInput candidate, AgentInput agent) {
    return new InterviewCreate(null, candidate, null, agent, null, null, null, null, null, null);
  }

  public static InterviewCreate forIds(String candidateId, String agentId) {
    return new InterviewCreate(candidateId, null, agentId, null, null, null, null, null, null, null);
  }

  public InterviewCreate withCandidateId(String candidateId) {
    return new InterviewCreate(candidateId, candidate, agentId, agent, jobId, job, scheduledAt, scheduleTime,
      metadata, isTest);
  }

  public InterviewCreate withCandidate(CandidateInput candidate) {
    return new InterviewCreate(candidateId, candidate, agentId, agent, jobId, job, scheduledAt, scheduleTime,
      metadata, isTest);
  }

  public InterviewCreate withAgentId(String agentId) {
    return new InterviewCreate(candidateId, candidate, agentId, agent, jobId, job, scheduledAt, scheduleTime,
      metadata, isTest);
  }

  public InterviewCreate withAgent(AgentInput agent) {
    return new InterviewCreate(candidateId, candidate, agentId, agent, jobId, job, scheduledAt, scheduleTime,
      metadata, isTest);
  }

  public InterviewCreate withJobId(String jobId) {
    return new InterviewCreate(candidateId, candidate, agentId, agent, jobId, job, scheduledAt, scheduleTime,
      metadata, isTest);
  }

  public InterviewCreate withJob(JobInput job) {
    return new InterviewCreate(candidateId, candidate, agentId, agent, jobId, job, scheduledAt, scheduleTime,
      metadata, isTest);
  }

  public InterviewCreate withScheduledAt(Instant scheduledAt) {
    return new InterviewCreate(candidateId, candidate, agentId, agent, jobId, job, scheduledAt, scheduleTime,
      metadata, isTest);
  }

  public InterviewCreate withScheduleTime(Instant scheduleTime) {
    return new InterviewCreate(candidateId, candidate, agentId, agent, jobId, job, scheduledAt, scheduleTime,
      metadata, isTest);
  }

  public InterviewCreate withMetadata(JsonObject metadata) {
    return new InterviewCreate(candidateId, candidate, agentId, agent, jobId, job, scheduledAt, scheduleTime,
      metadata, isTest);
  }

  public InterviewCreate withIsTest(Boolean isTest) {
    return new InterviewCreate(candidateId, candidate, agentId, agent, jobId, job, scheduledAt, scheduleTime,
      metadata, isTest);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    ModelJson.put(json, "candidateId", candidateId);
    ModelJson.put(json, "candidate", candidate == null ? null : candidate.toJson());
    ModelJson.put(json, "agentId", agentId);
    ModelJson.put(json, "agent", agent == null ? null : agent.toJson());
    ModelJson.put(json, "jobId", jobId);
    ModelJson.put(json, "job", job == null ? null : job.toJson());
    ModelJson.put(json, "scheduledAt", scheduledAt);
    ModelJson.put(json, "scheduleTime", scheduleTime);
    ModelJson.put(json, "metadata", metadata);
    return ModelJson.put(json, "isTest", isTest);
  }
}
