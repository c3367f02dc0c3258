package dev.parley.db;

import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/** Statements that queue work in the outbox, shared by the verticles that queue it. */
public final class OutboxSql {
  private OutboxSql() {}

  /**
   * Webhook events about interviews, one per element of the arrays: {@code $1} interviews,
   * {@code $2} event type, {@code $3} their call attempts (elements may be null), {@code $4} extra
   * payload fields as JSON text. The payload carries the InstaView fields interviewId,
   * callAttemptId, candidateId, jobId and status (the interview's, as this transaction sees it),
   * and livemode (false for a test interview).
   * Queued in the order of the arrays. {@link #event} makes the parameters of one event.
   */
  public static final String WEBHOOK_EVENTS = """
    INSERT INTO outbox (kind, company_id, interview_id, event_type, payload)
    SELECT 'webhook', i.company_id, i.id, $2,
           jsonb_build_object('interviewId', i.id, 'callAttemptId', x.attempt_id, 'candidateId', i.candidate_id,
                              'jobId', i.job_id, 'status', i.status, 'livemode', NOT i.is_test) || $4::text::jsonb
      FROM unnest($1::uuid[], $3::uuid[]) WITH ORDINALITY AS x(interview_id, attempt_id, n)
      JOIN interviews i ON i.id = x.interview_id
     ORDER BY x.n""";

  /** The parameters of {@link #WEBHOOK_EVENTS} for one event. */
  public static Tuple event(UUID interviewId, String type, UUID attemptId, String payload) {
    return Tuple.tuple().addArrayOfUUID(new UUID[] {interviewId}).addString(type).addArrayOfUUID(new UUID[] {attemptId})
      .addString(payload);
  }

  /** Post-call work for an interview: {@code $1} company, {@code $2} interview, {@code $3} job as JSON text. */
  public static final String POST_CALL_JOB = """
    INSERT INTO outbox (kind, company_id, interview_id, payload) VALUES ('post_call', $1, $2, $3::text::jsonb)""";
}
