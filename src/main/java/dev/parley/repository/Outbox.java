package dev.parley.repository;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * The outbox: work queued in the transaction that makes it due, and taken from there by the
 * webhook and post-call verticles. Webhook events become deliveries ({@link #fanOutWebhookEvents});
 * post-call jobs are leased one at a time ({@link #takePostCallJob}).
 */
public final class Outbox {
  private Outbox() {}

  /**
   * Webhook events about interviews, one per element of the arrays: {@code $1} interviews,
   * {@code $2} event type, {@code $3} their call attempts (elements may be null), {@code $4} extra
   * payload fields as JSON text. The payload carries the InstaView fields interviewId,
   * callAttemptId, candidateId, jobId and status (the interview's, as this transaction sees it),
   * and livemode (false for a test interview). Queued in the order of the arrays.
   */
  static final String WEBHOOK_EVENTS = """
    INSERT INTO outbox (kind, company_id, interview_id, event_type, payload)
    SELECT 'webhook', i.company_id, i.id, $2,
           jsonb_build_object('interviewId', i.id, 'callAttemptId', x.attempt_id, 'candidateId', i.candidate_id,
                              'jobId', i.job_id, 'status', i.status, 'livemode', NOT i.is_test) || $4::text::jsonb
      FROM unnest($1::uuid[], $3::uuid[]) WITH ORDINALITY AS x(interview_id, attempt_id, n)
      JOIN interviews i ON i.id = x.interview_id
     ORDER BY x.n""";

  /** Post-call work for an interview: {@code $1} company, {@code $2} interview, {@code $3} job as JSON text. */
  static final String POST_CALL_JOB = """
    INSERT INTO outbox (kind, company_id, interview_id, payload) VALUES ('post_call', $1, $2, $3::text::jsonb)""";

  /**
   * Up to 200 webhook events become one delivery per matching subscription, in event order, and
   * leave the outbox, in one statement. The number of events taken is the answer.
   */
  static final String FAN_OUT = """
    WITH ev AS (
      SELECT id, company_id, interview_id, event_type, payload, created_at FROM outbox
       WHERE kind = 'webhook' AND available_at <= now() ORDER BY id LIMIT 200 FOR UPDATE SKIP LOCKED
    ), ins AS (
      INSERT INTO webhook_deliveries (id, webhook_id, company_id, interview_id, event_type, body)
      SELECT x.did, x.wid, x.company_id, x.interview_id, x.event_type,
             json_build_object('event', x.event_type, 'timestamp', api_ts(x.created_at), 'deliveryId', x.did,
                               'data', x.payload)::text
        FROM (SELECT gen_random_uuid() AS did, w.id AS wid, ev.*
                FROM ev JOIN companies c ON c.id = ev.company_id
                JOIN webhooks w ON (w.is_active OR w.circuit_opened_at IS NOT NULL) AND ev.event_type = ANY (w.events)
                 AND (w.company_id = ev.company_id
                      OR (w.company_id IS NULL AND (w.owner_company_id = ev.company_id OR w.partner_id = c.partner_id)))
               ORDER BY ev.id) x
       ORDER BY x.id
    ), gone AS (
      DELETE FROM outbox WHERE id IN (SELECT id FROM ev)
    )
    SELECT count(*) FROM ev""";

  /** Leases the oldest available post-call job for {@code $1} seconds. */
  static final String TAKE_POST_CALL_JOB = """
    UPDATE outbox SET available_at = now() + make_interval(secs => $1), attempts = attempts + 1
     WHERE id = (SELECT id FROM outbox WHERE kind = 'post_call' AND available_at <= now()
                  ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING id, kind, company_id, interview_id, payload::text, attempts""";
  /**
   * Moves the job to its analysis step, once: a second worker that took the same job (its lease ran
   * out) finds no row and stores nothing twice. The lease is kept while this worker goes on.
   */
  static final String NEXT_STAGE = """
    UPDATE outbox SET payload = payload || '{"stage": "analysis"}'::jsonb, attempts = 0
     WHERE id = $1 AND payload->>'stage' IS NULL RETURNING id""";
  /** Removes a job; with RETURNING, a row says this worker finished it and no other did. */
  static final String DONE = "DELETE FROM outbox WHERE id = $1 RETURNING id";
  static final String RELEASE = "UPDATE outbox SET available_at = now() WHERE id = ANY($1)";
  static final String RETRY_LATER = "UPDATE outbox SET available_at = now() + make_interval(secs => $2) WHERE id = $1";

  /** Queues one webhook event about an interview (its attempt may be null; {@code payload} is extra JSON fields). */
  static Future<RowSet<Row>> webhookEvent(SqlClient c, UUID interviewId, String type, UUID attemptId, String payload) {
    return c.preparedQuery(WEBHOOK_EVENTS).execute(Tuple.tuple().addArrayOfUUID(new UUID[] {interviewId}).addString(type)
      .addArrayOfUUID(new UUID[] {attemptId}).addString(payload));
  }

  /** Queues one webhook event per interview of the array, each about the attempt at the same index. */
  static Future<RowSet<Row>> webhookEvents(SqlClient c, UUID[] interviewIds, String type, UUID[] attemptIds, String payload) {
    return c.preparedQuery(WEBHOOK_EVENTS).execute(Tuple.tuple().addArrayOfUUID(interviewIds).addString(type)
      .addArrayOfUUID(attemptIds).addString(payload));
  }

  static Future<RowSet<Row>> postCallJob(SqlClient c, UUID companyId, UUID interviewId, String job) {
    return c.preparedQuery(POST_CALL_JOB).execute(Tuple.of(companyId, interviewId, job));
  }

  /** Turns waiting webhook events into deliveries; the number of events taken. */
  public static Future<Long> fanOutWebhookEvents(SqlClient c) {
    return c.query(FAN_OUT).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  /** Leases a post-call job: (id, kind, company, interview, payload text, attempts), or no row. */
  public static Future<RowSet<Row>> takePostCallJob(SqlClient c, int leaseSeconds) {
    return c.preparedQuery(TAKE_POST_CALL_JOB).execute(Tuple.of(leaseSeconds));
  }

  /** Moves a job on to its analysis step: true when this worker did, false when another did first. */
  public static Future<Boolean> nextStage(SqlClient c, long jobId) {
    return c.preparedQuery(NEXT_STAGE).execute(Tuple.of(jobId)).map(rows -> rows.size() > 0);
  }

  /** Removes a job: true when this call removed it, false when it was gone. */
  public static Future<Boolean> done(SqlClient c, long jobId) {
    return c.preparedQuery(DONE).execute(Tuple.of(jobId)).map(rows -> rows.size() > 0);
  }

  /** Jobs whose lease this node holds but cannot use (the database went away mid-job): available again now. */
  public static Future<Void> release(SqlClient c, Long[] jobIds) {
    return c.preparedQuery(RELEASE).execute(Tuple.tuple().addArrayOfLong(jobIds)).mapEmpty();
  }

  public static Future<Void> retryLater(SqlClient c, long jobId, int seconds) {
    return c.preparedQuery(RETRY_LATER).execute(Tuple.of(jobId, seconds)).mapEmpty();
  }
}
