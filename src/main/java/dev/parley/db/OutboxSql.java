package dev.parley.db;

/** Statements that queue work in the outbox, shared by the verticles that queue it. */
public final class OutboxSql {
  private OutboxSql() {}

  /**
   * A webhook event about an interview: {@code $1} interview, {@code $2} event type, {@code $3} call
   * attempt (nullable), {@code $4} extra payload fields as JSON text. The payload carries the
   * InstaView fields interviewId, callAttemptId, candidateId, jobId and status.
   */
  public static final String WEBHOOK_EVENT = """
    INSERT INTO outbox (kind, company_id, interview_id, event_type, payload)
    SELECT 'webhook', i.company_id, i.id, $2,
           jsonb_build_object('interviewId', i.id, 'callAttemptId', $3::uuid, 'candidateId', i.candidate_id,
                              'jobId', i.job_id, 'status', i.status) || $4::text::jsonb
      FROM interviews i WHERE i.id = $1""";

  /** Post-call work for an interview: {@code $1} company, {@code $2} interview, {@code $3} job as JSON text. */
  public static final String POST_CALL_JOB = """
    INSERT INTO outbox (kind, company_id, interview_id, payload) VALUES ('post_call', $1, $2, $3::text::jsonb)""";
}
