package dev.parley.repository;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * The call lifecycle's rows: the claim of due attempts, the live call from dial to end, and the end
 * of a call (its attempt, a retry or the interview's end, the post-call job). Locks are taken in the
 * order of {@link Locks}; a transaction that changes what an interview's document shows renders it
 * last ({@link Documents}).
 */
public final class CallRows {
  private CallRows() {}

  /**
   * What a dial needs to know of an attempt: its columns, in the order {@link Dispatcher} reads them.
   * The caller number is the agent's, else the company's default (none for a company that has no
   * numbers: only the simulator dials without one).
   */
  private static final String CALL_DETAILS = """
    SELECT a.id, a.interview_id, a.company_id, i.duration_minutes, cand.phone_number, ag.name, ag.questions,
           ag.instructions, ag.voice_id, ag.language, a.scheduled_at, i.is_test, ag.focus, ag.cefr_level,
           cand.first_name, cand.last_name, co.name, pn.number, pn.provider_ref,
           i.schedule_offset, i.call_zone, co.timezone, co.call_window
      FROM call_attempts a
      JOIN interviews i ON i.id = a.interview_id
      JOIN candidates cand ON cand.id = i.candidate_id
      JOIN agents ag ON ag.id = i.agent_id
      JOIN companies co ON co.id = a.company_id
      LEFT JOIN company_phone_numbers pn ON pn.id = COALESCE(ag.company_phone_number_id,
        (SELECT d.id FROM company_phone_numbers d WHERE d.company_id = a.company_id AND d.is_default))
    """;

  /**
   * Up to {@code $1} callable attempts, locked with their interviews: of companies with free slots,
   * up to {@code $1} of each company in the order they became callable. Fair across companies:
   * every company's first attempt comes before any company's second, and among equals the company
   * that waited longest comes first. Driven by the companies with free slots and the index on
   * (company, callable_at): attempts waiting for their window ({@code callable_at} ahead) or for a
   * company at its limit are not read at all. Whether each is inside its calling window is decided
   * by the dispatcher ({@link dev.parley.schedule.CallWindow}), which moves those outside to their
   * window's next opening. Rows another node or a delete holds are skipped, never waited for.
   */
  static final String CLAIM_DUE = CALL_DETAILS + """
     WHERE a.status = 'SCHEDULED'
       AND a.id IN (
         SELECT d.id FROM companies c
          CROSS JOIN LATERAL (
            SELECT a2.id, a2.callable_at, row_number() OVER (ORDER BY a2.callable_at, a2.id) AS rank
              FROM call_attempts a2
             WHERE a2.company_id = c.id AND a2.status = 'SCHEDULED' AND a2.callable_at <= now()
             ORDER BY a2.callable_at, a2.id
             LIMIT $1) d
          WHERE c.active_calls < c.max_concurrent_calls
          ORDER BY d.rank, c.last_claim_at NULLS FIRST, d.callable_at, d.id
          LIMIT $1)
     ORDER BY a.callable_at, a.id
     FOR UPDATE OF a, i SKIP LOCKED""";

  /** Claimed attempts ({@code $1}) found outside their calling window wait for its next opening ({@code $2}). */
  static final String WAIT_FOR_WINDOW = """
    UPDATE call_attempts a SET callable_at = x.opening
      FROM unnest($1::uuid[], $2::timestamptz[]) AS x(id, opening) WHERE a.id = x.id""";

  /** Takes {@code $2[k]} slots of company {@code $1[k]} (never more than {@link #LOCK_SLOTS} found free). */
  static final String TAKE_SLOTS = """
    UPDATE companies c SET active_calls = c.active_calls + x.n, last_claim_at = now()
      FROM unnest($1::uuid[], $2::int[]) AS x(id, n) WHERE c.id = x.id""";
  static final String FREE_SLOT = "UPDATE companies SET active_calls = active_calls - 1 WHERE id = $1";

  /** The claimed attempts ({@code $1}) are IN_PROGRESS, each with the callId ({@code $2}) and provider ({@code $3}) of its call. */
  static final String START_ATTEMPTS = """
    UPDATE call_attempts a SET status = 'IN_PROGRESS', called_at = now(), updated_at = now(), call_id = x.call_id,
           provider = x.provider
      FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS x(id, call_id, provider) WHERE a.id = x.id""";
  static final String START_INTERVIEWS = "UPDATE interviews SET status = 'IN_PROGRESS', updated_at = now() WHERE id = ANY($1)";
  /**
   * The live calls of a claim: ({@code $1} call, {@code $2} attempt, {@code $3} interview,
   * {@code $4} company, {@code $6} provider, {@code $7} lease seconds) per element; placed by node
   * {@code $5}; each may be dialled by another node once {@code $8} seconds have passed without the
   * dial being confirmed. The row is the callId's durable record before any create is sent.
   */
  static final String INSERT_LIVE_CALLS = """
    INSERT INTO live_calls (call_id, attempt_id, interview_id, company_id, node_id, provider, lease_expires_at, dial_due_at)
    SELECT x.call_id, x.attempt_id, x.interview_id, x.company_id, $5, x.provider, now() + make_interval(secs => x.lease),
           now() + make_interval(secs => $8)
      FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $6::text[], $7::int[])
           AS x(call_id, attempt_id, interview_id, company_id, provider, lease)""";

  /**
   * The provider took these calls ({@code $1}), which it knows as {@code $2} (its call ID) with
   * {@code $3} (Vapi's control URL); for each, whether a delete asked meanwhile for it to be
   * cancelled. A call with no row is over, or was confirmed already.
   */
  static final String DIALLED = """
    UPDATE live_calls l SET dialled_at = now(), platform_call_id = x.platform_call_id, platform_control_url = x.control_url
      FROM unnest($1::uuid[], $2::text[], $3::text[]) AS x(call_id, platform_call_id, control_url)
     WHERE l.call_id = x.call_id AND l.dialled_at IS NULL
    RETURNING l.call_id, l.cancel_requested_at IS NOT NULL AND l.cancel_sent_at IS NULL""";
  /**
   * Before a create goes out again (a retry, or one the pacer held back): the dial is still this
   * node's ({@code $2}) and still undialled, and stays so for {@code $3} more seconds; whether a
   * delete asked for it to be cancelled meanwhile. No row: another node took the dial over, or the
   * call is over, and nothing may be sent.
   */
  static final String RENEW_DIAL = """
    UPDATE live_calls SET dial_due_at = now() + make_interval(secs => $3)
     WHERE call_id = $1 AND node_id = $2 AND dialled_at IS NULL
    RETURNING cancel_requested_at IS NOT NULL""";
  /**
   * Takes over the dials whose lease ran out unconfirmed (their node died or lost its way): this node
   * ({@code $1}) dials them again, with the same callId, and holds them for {@code $2} seconds.
   */
  static final String TAKE_OVER_DIALS = """
    UPDATE live_calls l SET node_id = $1, dial_due_at = now() + make_interval(secs => $2), dial_tries = l.dial_tries + 1
     WHERE l.call_id IN (SELECT call_id FROM live_calls WHERE dialled_at IS NULL AND dial_due_at < now()
                          ORDER BY dial_due_at LIMIT 20 FOR UPDATE SKIP LOCKED)
    RETURNING l.call_id, l.attempt_id, l.dial_tries, l.provider, l.started_at""";
  static final String DETAILS_OF_ATTEMPTS = CALL_DETAILS + " WHERE a.id = ANY($1)";

  /** Cancels asked for by a delete and not yet sent, of calls this node ({@code $1}) can cancel. */
  static final String PENDING_CANCELS = """
    SELECT call_id FROM live_calls
     WHERE cancel_requested_at IS NOT NULL AND cancel_sent_at IS NULL AND dialled_at IS NOT NULL
       AND (provider <> 'simulator' OR node_id = $1) LIMIT 50""";
  /** Takes a pending cancel, once: no row means there is none, or another node sends it. */
  static final String TAKE_CANCEL = """
    UPDATE live_calls SET cancel_sent_at = now()
     WHERE call_id = $1 AND cancel_requested_at IS NOT NULL AND cancel_sent_at IS NULL
    RETURNING provider, platform_call_id, platform_control_url""";
  static final String CANCEL_NOT_SENT = "UPDATE live_calls SET cancel_sent_at = NULL WHERE call_id = $1";
  /** The call was answered; no row for a repeat (the first answer's time stays) or a call that is over. */
  static final String ANSWERED = "UPDATE live_calls SET answered_at = now() WHERE call_id = $1 AND answered_at IS NULL";
  /** The platform says the call is over; its end-of-call report, which ends it here, is still to come. */
  static final String PLATFORM_ENDED = """
    UPDATE live_calls SET platform_ended_at = now() WHERE call_id = $1 AND platform_ended_at IS NULL""";
  /**
   * Calls the platform said were over {@code $1} seconds ago or more with no end-of-call report
   * since: taken for a lookup at the platform, once per wait across the cluster (the mark moves on).
   */
  static final String TAKE_UNREPORTED_ENDS = """
    UPDATE live_calls l SET platform_ended_at = now()
     WHERE l.call_id IN (SELECT call_id FROM live_calls WHERE platform_ended_at < now() - make_interval(secs => $1)
                          ORDER BY platform_ended_at LIMIT 20 FOR UPDATE SKIP LOCKED)
    RETURNING l.call_id, l.provider, l.platform_call_id, l.platform_control_url""";
  /** The platform's analysis of call {@code $1}, kept with its attempt. */
  static final String ATTEMPT_ANALYSIS = """
    UPDATE call_attempts SET provider_analysis = $2::text::jsonb, updated_at = now() WHERE call_id = $1""";

  /**
   * How long until the next attempt becomes callable (due, or its window opens), in milliseconds,
   * by the database's clock; no row when none is waiting. ORDER BY and LIMIT 1, not min(): with
   * statistics from before a backlog was moved into the future (autovacuum off, no analyze since),
   * the planner read min() as an aggregate over every entry of the index, 1,000,000 of them and
   * 122 ms on each of the dispatcher's polls; this form reads the one entry it needs.
   */
  static final String NEXT_DUE_IN = """
    SELECT (extract(epoch FROM callable_at - now()) * 1000)::bigint FROM call_attempts
     WHERE status = 'SCHEDULED' AND callable_at > now() ORDER BY callable_at LIMIT 1""";

  static final String LIVE_CALL = "SELECT interview_id, company_id FROM live_calls WHERE call_id = $1";
  /** Which of these calls are still live. */
  static final String STILL_LIVE = "SELECT call_id FROM live_calls WHERE call_id = ANY($1)";
  /** The live calls of an interview that a delete has flagged, and whether each has a cancel to send. */
  static final String SKIPPED_CALLS_OF_INTERVIEW = """
    SELECT call_id, cancel_requested_at IS NOT NULL AND cancel_sent_at IS NULL AND dialled_at IS NOT NULL
      FROM live_calls WHERE interview_id = $1 AND post_call_skipped""";
  static final String END_LIVE_CALL = """
    DELETE FROM live_calls WHERE call_id = $1 RETURNING attempt_id, post_call_skipped, provider, platform_call_id""";
  static final String ATTEMPT = "SELECT retry_number, interview_id, company_id FROM call_attempts WHERE id = $1";
  static final String COMPLETE_ATTEMPT = """
    UPDATE call_attempts SET status = 'COMPLETED', ended_at = now(), duration = $2, provider_call_id = $3,
           provider_reason = $4, updated_at = now() WHERE id = $1""";
  static final String FAIL_ATTEMPT = """
    UPDATE call_attempts SET status = 'FAILED', reason_code = $2, notes = $3, ended_at = now(), duration = $4,
           provider_call_id = $5, provider_reason = $6, updated_at = now() WHERE id = $1""";
  /**
   * The provider refused the call for its concurrency or rate limit: not a failed attempt, but the
   * same attempt queued again {@code $2} seconds from now (a new call, with a new callId, when it
   * is claimed), with what the platform said.
   */
  static final String REQUEUE_ATTEMPT = """
    UPDATE call_attempts SET status = 'SCHEDULED', scheduled_at = now() + make_interval(secs => $2),
           callable_at = now() + make_interval(secs => $2), called_at = NULL,
           notes = $3, provider_reason = $4, call_id = NULL, provider = NULL, provider_call_id = NULL, updated_at = now()
     WHERE id = $1""";
  static final String RETRY = """
    INSERT INTO call_attempts (id, interview_id, company_id, status, retry_number, scheduled_at, callable_at)
    VALUES ($1, $2, $3, 'SCHEDULED', $4, now() + make_interval(secs => $5), now() + make_interval(secs => $5))""";
  static final String INTERVIEW_SCHEDULED = "UPDATE interviews SET status = 'SCHEDULED', updated_at = now() WHERE id = $1";
  static final String INTERVIEW_FAILED = """
    UPDATE interviews SET status = 'FAILED', finished_at = now(), updated_at = now() WHERE id = $1""";

  /**
   * The slots of all companies, for the metrics: in use, the sum of the limits, and how many
   * companies are at their limit (their due attempts wait for a call to end).
   */
  public static final String SLOT_TOTALS = """
    SELECT coalesce(sum(active_calls), 0)::bigint, coalesce(sum(max_concurrent_calls), 0)::bigint,
           count(*) FILTER (WHERE active_calls >= max_concurrent_calls)
      FROM companies""";

  static final String EXPIRED_LEASES = """
    SELECT call_id, provider, platform_call_id, platform_control_url FROM live_calls WHERE lease_expires_at < now() LIMIT 100""";

  // ---------------------------------------------------------------- the claim

  /** Locks up to {@code batch} callable attempts with their interviews (see {@link #CLAIM_DUE}); rows in {@link #CALL_DETAILS}' order. */
  public static Future<RowSet<Row>> claimDue(SqlClient c, int batch) {
    return c.preparedQuery(CLAIM_DUE).execute(Tuple.of(batch));
  }

  /** Claimed attempts found outside their window wait for its opening. Not in the document: nothing is rendered. */
  public static Future<Void> waitForWindow(SqlClient c, UUID[] attemptIds, OffsetDateTime[] openings) {
    return c.preparedQuery(WAIT_FOR_WINDOW).execute(Tuple.tuple().addArrayOfUUID(attemptIds).addArrayOfOffsetDateTime(openings))
      .mapEmpty();
  }

  /** The dial details of these attempts, in {@link #CALL_DETAILS}' order. */
  public static Future<RowSet<Row>> detailsOfAttempts(SqlClient c, UUID[] attemptIds) {
    return c.preparedQuery(DETAILS_OF_ATTEMPTS).execute(Tuple.tuple().addArrayOfUUID(attemptIds));
  }

  /**
   * The calls a claim starts, one per index of the arrays, placed by node {@code nodeId}; the slots
   * they take, per company. {@code leaseSeconds}: how long each call may run before it is reaped;
   * {@code dialLeaseSeconds}: how long the dial stays this node's unconfirmed.
   */
  public record Start(UUID[] callIds, UUID[] attemptIds, UUID[] interviewIds, UUID[] companyIds, String[] providers,
                      Integer[] leaseSeconds, UUID[] slotCompanies, Integer[] slotsTaken, String nodeId,
                      int dialLeaseSeconds) {}

  /**
   * The claim's writes, after {@link #claimDue} locked the attempts and interviews and
   * {@link Locks#slots} the companies: each one statement for the whole batch, sent together (one
   * round trip), the documents rendered last. If one fails, those after it fail too (the
   * transaction is aborted) and the claim rolls back.
   */
  public static Future<Void> start(SqlClient c, Start s) {
    return Future.all(List.of(
      c.preparedQuery(TAKE_SLOTS).execute(Tuple.tuple().addArrayOfUUID(s.slotCompanies()).addArrayOfInteger(s.slotsTaken())),
      c.preparedQuery(START_ATTEMPTS).execute(Tuple.tuple().addArrayOfUUID(s.attemptIds()).addArrayOfUUID(s.callIds())
        .addArrayOfString(s.providers())),
      c.preparedQuery(START_INTERVIEWS).execute(Tuple.tuple().addArrayOfUUID(s.interviewIds())),
      c.preparedQuery(INSERT_LIVE_CALLS).execute(Tuple.tuple().addArrayOfUUID(s.callIds())
        .addArrayOfUUID(s.attemptIds()).addArrayOfUUID(s.interviewIds()).addArrayOfUUID(s.companyIds()).addString(s.nodeId())
        .addArrayOfString(s.providers()).addArrayOfInteger(s.leaseSeconds()).addInteger(s.dialLeaseSeconds())),
      Outbox.webhookEvents(c, s.interviewIds(), "interview.started", s.attemptIds(), "{}"),
      Documents.render(c, s.interviewIds()))).mapEmpty();
  }

  /** Removes the dead versions of attempts (claimed, set aside) and their index entries; skipped while another vacuum runs. */
  static final String VACUUM_ATTEMPTS = "VACUUM (SKIP_LOCKED) call_attempts";

  public static Future<Void> vacuumAttempts(SqlClient c) {
    return c.query(VACUUM_ATTEMPTS).execute().mapEmpty();
  }

  /** How long until the next attempt becomes callable, in milliseconds by the database's clock; null when none waits. */
  public static Future<Long> nextDueInMillis(SqlClient c) {
    return c.query(NEXT_DUE_IN).execute().map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong(0));
  }

  // ---------------------------------------------------------------- the live call

  /** See {@link #DIALLED}: (call, whether a cancel is to be sent) per call confirmed. */
  public static Future<RowSet<Row>> dialled(SqlClient c, UUID[] callIds, String[] platformCallIds, String[] controlUrls) {
    return c.preparedQuery(DIALLED).execute(Tuple.tuple().addArrayOfUUID(callIds).addArrayOfString(platformCallIds)
      .addArrayOfString(controlUrls));
  }

  /** See {@link #RENEW_DIAL}: no row when the dial is no longer this node's; else whether a cancel was asked. */
  public static Future<RowSet<Row>> renewDial(SqlClient c, UUID callId, String nodeId, int seconds) {
    return c.preparedQuery(RENEW_DIAL).execute(Tuple.of(callId, nodeId, seconds));
  }

  /** See {@link #TAKE_OVER_DIALS}. */
  public static Future<RowSet<Row>> takeOverDials(SqlClient c, String nodeId, int seconds) {
    return c.preparedQuery(TAKE_OVER_DIALS).execute(Tuple.of(nodeId, seconds));
  }

  /** See {@link #PENDING_CANCELS}. */
  public static Future<RowSet<Row>> pendingCancels(SqlClient c, String nodeId) {
    return c.preparedQuery(PENDING_CANCELS).execute(Tuple.of(nodeId));
  }

  /** See {@link #TAKE_CANCEL}: (provider, platform call, control URL), or no row. */
  public static Future<RowSet<Row>> takeCancel(SqlClient c, UUID callId) {
    return c.preparedQuery(TAKE_CANCEL).execute(Tuple.of(callId));
  }

  public static Future<Void> cancelNotSent(SqlClient c, UUID callId) {
    return c.preparedQuery(CANCEL_NOT_SENT).execute(Tuple.of(callId)).mapEmpty();
  }

  /** The call was answered: true the first time. */
  public static Future<Boolean> answered(SqlClient c, UUID callId) {
    return c.preparedQuery(ANSWERED).execute(Tuple.of(callId)).map(r -> r.rowCount() == 1);
  }

  /** The platform says the call is over: true the first time. */
  public static Future<Boolean> platformEnded(SqlClient c, UUID callId) {
    return c.preparedQuery(PLATFORM_ENDED).execute(Tuple.of(callId)).map(r -> r.rowCount() == 1);
  }

  /** See {@link #TAKE_UNREPORTED_ENDS}: (call, provider, platform call, control URL) per call. */
  public static Future<RowSet<Row>> takeUnreportedEnds(SqlClient c, int waitSeconds) {
    return c.preparedQuery(TAKE_UNREPORTED_ENDS).execute(Tuple.of(waitSeconds));
  }

  /** Calls whose lease ran out: (call, provider, platform call, control URL). */
  public static Future<RowSet<Row>> expiredLeases(SqlClient c) {
    return c.query(EXPIRED_LEASES).execute();
  }

  /** Whether the call is still live. */
  public static Future<Boolean> isLive(SqlClient c, UUID callId) {
    return c.preparedQuery(LIVE_CALL).execute(Tuple.of(callId)).map(rows -> rows.size() > 0);
  }

  /** Which of these calls are still live. */
  public static Future<RowSet<Row>> stillLive(SqlClient c, UUID[] callIds) {
    return c.preparedQuery(STILL_LIVE).execute(Tuple.tuple().addArrayOfUUID(callIds));
  }

  /** See {@link #SKIPPED_CALLS_OF_INTERVIEW}: (call, cancel to send) per flagged call of the interview. */
  public static Future<RowSet<Row>> skippedCallsOfInterview(SqlClient c, UUID interviewId) {
    return c.preparedQuery(SKIPPED_CALLS_OF_INTERVIEW).execute(Tuple.of(interviewId));
  }

  /**
   * The platform's analysis of an ended call, kept with the attempt that placed it; false when its
   * interview was deleted (the attempt went with it).
   */
  public static Future<Boolean> keepAnalysis(Pool pool, UUID callId, JsonObject analysis) {
    return pool.withTransaction(c -> c.preparedQuery(Locks.INTERVIEW_OF_CALL).execute(Tuple.of(callId)).compose(locked -> {
      if (locked.size() == 0) return Future.succeededFuture(false);
      UUID interviewId = locked.iterator().next().getUUID(0);
      Future<RowSet<Row>> kept = c.preparedQuery(ATTEMPT_ANALYSIS).execute(Tuple.of(callId, analysis.encode()));
      return Future.all(kept, Documents.render(c, interviewId)).map(v -> kept.result().rowCount() == 1);
    }));
  }

  // ---------------------------------------------------------------- the end of a call

  /** How a call ended, for {@link #end}. */
  public enum Outcome {
    /** The candidate was interviewed: post-call work follows. */
    COMPLETED,
    /** The provider refused the call at its limit: the same attempt is queued again. */
    PROVIDER_BUSY,
    /** Anything else: the attempt failed, with its reason code. */
    FAILED
  }

  /**
   * The end of a live call as its provider reported it.
   *
   * @param reasonCode the attempt's reason code when it {@link Outcome#FAILED}
   * @param postCallJob the post-call job, when it {@link Outcome#COMPLETED}; its attemptId and
   *                    provider are filled in from the live call
   */
  public record CallEnd(UUID callId, Outcome outcome, String reasonCode, String notes, Integer durationSeconds,
                        String platformCallId, String providerReason, JsonObject postCallJob) {}

  /** How many retries an attempt gets and after how long; how long a provider at its limit is waited for. */
  public record RetryRules(int retryCount, int retryDelaySeconds, int providerBusyRetrySeconds) {}

  /** What {@link #end} did. */
  public enum Ended {
    /** The call was not live (a duplicate or late event, or another node ended it): nothing changed. */
    NOT_LIVE,
    /** Ended and its slot freed; its interview was deleted meanwhile, so nothing follows. */
    SKIPPED,
    /** Ended; the attempt is COMPLETED and the post-call job queued. */
    COMPLETED,
    /** Ended; the same attempt is queued again (the provider was at its limit). */
    REQUEUED,
    /** Ended; the attempt FAILED and a retry is queued. */
    RETRIED,
    /** Ended; the attempt FAILED and so did the interview (no retry left). */
    FAILED
  }

  /**
   * Ends a live call in one transaction: frees its slot and, unless its interview was deleted
   * (the live call's flag, or {@code skippedHere}: a node's own record of such a delete), completes
   * its attempt and queues the post-call work, queues the same attempt again, or fails it and queues
   * a retry or fails the interview. The interview's document is rendered last.
   */
  public static Future<Ended> end(Pool pool, CallEnd end, RetryRules rules, BooleanSupplier skippedHere) {
    UUID call = end.callId();
    return pool.withTransaction(c -> c.preparedQuery(LIVE_CALL).execute(Tuple.of(call)).compose(live -> {
      if (live.size() == 0) return Future.succeededFuture(Ended.NOT_LIVE);
      UUID interviewId = live.iterator().next().getUUID(0), companyId = live.iterator().next().getUUID(1);
      return Locks.interview(c, interviewId).compose(interview ->
        c.preparedQuery(END_LIVE_CALL).execute(Tuple.of(call)).compose(ended -> {
          if (ended.size() == 0) return Future.succeededFuture(Ended.NOT_LIVE); // another node ended it first
          Row endedRow = ended.iterator().next();
          UUID attemptId = endedRow.getUUID(0);
          String provider = endedRow.getString(2);
          // the row knows it once the create answered; an end that came first names it itself
          String platformCallId = endedRow.getString(3) != null ? endedRow.getString(3) : end.platformCallId();
          // the live_calls flag is the truth; a node's own flag was confirmed against it (invariant 3)
          boolean skipped = endedRow.getBoolean(1) || interview.size() == 0 || skippedHere.getAsBoolean();
          Future<?> freed = c.preparedQuery(FREE_SLOT).execute(Tuple.of(companyId));
          if (skipped) return freed.map(Ended.SKIPPED); // deleted while live: nothing follows (invariant 3)
          return switch (end.outcome()) {
            case COMPLETED -> {
              JsonObject job = end.postCallJob().copy().put("attemptId", attemptId.toString()).put("provider", provider)
                // the simulator's recording is made where the post-call work runs, not fetched
                .put("synthetic", "simulator".equals(provider));
              yield Future.all(freed,
                  c.preparedQuery(COMPLETE_ATTEMPT).execute(Tuple.of(attemptId, end.durationSeconds(), platformCallId,
                    end.providerReason())),
                  Outbox.postCallJob(c, companyId, interviewId, job.encode()),
                  Documents.render(c, interviewId))
                .map(Ended.COMPLETED);
            }
            case PROVIDER_BUSY -> Future.all(freed,
                c.preparedQuery(REQUEUE_ATTEMPT).execute(Tuple.of(attemptId, rules.providerBusyRetrySeconds(), end.notes(),
                  end.providerReason())),
                c.preparedQuery(INTERVIEW_SCHEDULED).execute(Tuple.of(interviewId)),
                Documents.render(c, interviewId))
              .map(Ended.REQUEUED);
            case FAILED -> freed.compose(v -> failAttempt(c, attemptId, interviewId, companyId, end, platformCallId, rules));
          };
        }));
    }));
  }

  /** Fails an attempt, then queues a retry or, when none is left, fails the interview; renders it. */
  private static Future<Ended> failAttempt(SqlClient c, UUID attemptId, UUID interviewId, UUID companyId, CallEnd end,
                                           String platformCallId, RetryRules rules) {
    String reason = end.reasonCode();
    Future<?> failed = c.preparedQuery(FAIL_ATTEMPT).execute(Tuple.from(new Object[] {attemptId, reason, end.notes(),
      end.durationSeconds(), platformCallId, end.providerReason()}));
    return Future.all(failed, c.preparedQuery(ATTEMPT).execute(Tuple.of(attemptId))).compose(v -> {
      RowSet<Row> rows = v.resultAt(1);
      int retryNumber = rows.iterator().next().getInteger(0);
      if (retryNumber < rules.retryCount()) {
        return Future.all(
            c.preparedQuery(RETRY).execute(Tuple.of(UUID.randomUUID(), interviewId, companyId, retryNumber + 1,
              rules.retryDelaySeconds())),
            c.preparedQuery(INTERVIEW_SCHEDULED).execute(Tuple.of(interviewId)),
            Documents.render(c, interviewId))
          .map(Ended.RETRIED);
      }
      return Future.all(
          c.preparedQuery(INTERVIEW_FAILED).execute(Tuple.of(interviewId)),
          Outbox.webhookEvent(c, interviewId, "interview.failed", attemptId, new JsonObject().put("reasonCode", reason)
            .put("error", "no call attempt succeeded; last: " + reason).encode()),
          Documents.render(c, interviewId))
        .map(Ended.FAILED);
    });
  }
}
