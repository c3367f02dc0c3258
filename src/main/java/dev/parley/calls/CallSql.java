package dev.parley.calls;

/**
 * The SQL of the call lifecycle. Lock order, the same everywhere so that claims, call ends and
 * deletes never deadlock: the interview row first, then its attempts and live call, then the
 * company row.
 */
final class CallSql {
  private CallSql() {}

  /** What a dial needs to know of an attempt: its columns, in the order {@link Dispatcher} reads them. */
  private static final String CALL_DETAILS = """
    SELECT a.id, a.interview_id, a.company_id, i.duration_minutes, cand.phone_number, ag.name, ag.questions,
           ag.instructions, ag.voice_id, ag.language, a.scheduled_at
      FROM call_attempts a
      JOIN interviews i ON i.id = a.interview_id
      JOIN candidates cand ON cand.id = i.candidate_id
      JOIN agents ag ON ag.id = i.agent_id
    """;

  /**
   * Up to {@code $1} due attempts, locked with their interviews: inside their calling window, of
   * companies with free slots, and no more of a company than it has free slots. Fair across
   * companies: every company's first attempt comes before any company's second, and among equals
   * the company that waited longest comes first. Rows another node or a delete holds are skipped,
   * never waited for.
   */
  static final String CLAIM_DUE = CALL_DETAILS + """
     WHERE a.status = 'SCHEDULED'
       AND a.id IN (
         SELECT d.id FROM (
           SELECT a2.id, a2.scheduled_at, c.last_claim_at, c.max_concurrent_calls - c.active_calls AS free,
                  row_number() OVER (PARTITION BY a2.company_id ORDER BY a2.scheduled_at, a2.id) AS rank
             FROM call_attempts a2
             JOIN interviews i2 ON i2.id = a2.interview_id
             JOIN companies c ON c.id = a2.company_id
            WHERE a2.status = 'SCHEDULED' AND a2.scheduled_at <= now()
              AND c.active_calls < c.max_concurrent_calls
              AND in_call_window(call_local_time(now(), i2.schedule_offset, i2.call_zone, c.timezone), c.call_window)) d
          WHERE d.rank <= d.free
          ORDER BY d.rank, d.last_claim_at NULLS FIRST, d.scheduled_at, d.id
          LIMIT $1)
     ORDER BY a.scheduled_at, a.id
     FOR UPDATE OF a, i SKIP LOCKED""";

  /** The free slots of these companies, locked (in one order everywhere, so claims never deadlock). */
  static final String LOCK_SLOTS = """
    SELECT id, max_concurrent_calls - active_calls FROM companies WHERE id = ANY($1) ORDER BY id FOR UPDATE""";
  /** Takes {@code $2[k]} slots of company {@code $1[k]} (never more than {@link #LOCK_SLOTS} found free). */
  static final String TAKE_SLOTS = """
    UPDATE companies c SET active_calls = c.active_calls + x.n, last_claim_at = now()
      FROM unnest($1::uuid[], $2::int[]) AS x(id, n) WHERE c.id = x.id""";
  static final String FREE_SLOT = "UPDATE companies SET active_calls = active_calls - 1 WHERE id = $1";

  static final String START_ATTEMPTS = """
    UPDATE call_attempts SET status = 'IN_PROGRESS', called_at = now(), updated_at = now() WHERE id = ANY($1)""";
  static final String START_INTERVIEWS = "UPDATE interviews SET status = 'IN_PROGRESS', updated_at = now() WHERE id = ANY($1)";
  /**
   * The live calls of a claim: ({@code $1} call, {@code $2} attempt, {@code $3} interview,
   * {@code $4} company, {@code $7} lease seconds) per element; placed by node {@code $5} with
   * provider {@code $6}; each may be dialled by another node once {@code $8} seconds have passed
   * without the dial being confirmed.
   */
  static final String INSERT_LIVE_CALLS = """
    INSERT INTO live_calls (call_id, attempt_id, interview_id, company_id, node_id, provider, lease_expires_at, dial_due_at)
    SELECT x.call_id, x.attempt_id, x.interview_id, x.company_id, $5, $6, now() + make_interval(secs => x.lease),
           now() + make_interval(secs => $8)
      FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $7::int[]) AS x(call_id, attempt_id, interview_id, company_id, lease)""";

  /**
   * The provider took these calls ({@code $1}); for each, whether a delete asked meanwhile for it to
   * be cancelled. A call with no row is over, or was confirmed already.
   */
  static final String DIALLED = """
    UPDATE live_calls SET dialled_at = now() WHERE call_id = ANY($1) AND dialled_at IS NULL
    RETURNING call_id, cancel_requested_at IS NOT NULL AND cancel_sent_at IS NULL""";
  /**
   * Takes over the dials whose lease ran out unconfirmed (their node died or lost its way): this node
   * ({@code $1}) dials them again, with the same callId, and holds them for {@code $2} seconds.
   */
  static final String TAKE_OVER_DIALS = """
    UPDATE live_calls l SET node_id = $1, dial_due_at = now() + make_interval(secs => $2), dial_tries = l.dial_tries + 1
     WHERE l.call_id IN (SELECT call_id FROM live_calls WHERE dialled_at IS NULL AND dial_due_at < now()
                          ORDER BY dial_due_at LIMIT 20 FOR UPDATE SKIP LOCKED)
    RETURNING l.call_id, l.attempt_id, l.dial_tries""";
  static final String DETAILS_OF_ATTEMPTS = CALL_DETAILS + " WHERE a.id = ANY($1)";

  /** Cancels asked for by a delete and not yet sent, of calls this node ({@code $1}) can cancel. */
  static final String PENDING_CANCELS = """
    SELECT call_id FROM live_calls
     WHERE cancel_requested_at IS NOT NULL AND cancel_sent_at IS NULL AND dialled_at IS NOT NULL
       AND (provider <> 'simulator' OR node_id = $1) LIMIT 50""";
  /** Takes a pending cancel, once: no row means there is none, or another node sends it. */
  static final String TAKE_CANCEL = """
    UPDATE live_calls SET cancel_sent_at = now()
     WHERE call_id = $1 AND cancel_requested_at IS NOT NULL AND cancel_sent_at IS NULL RETURNING call_id""";
  static final String CANCEL_NOT_SENT = "UPDATE live_calls SET cancel_sent_at = NULL WHERE call_id = $1";
  static final String ANSWERED = "UPDATE live_calls SET answered_at = coalesce(answered_at, now()) WHERE call_id = $1";

  /** How long until the next attempt falls due, in milliseconds, by the database's clock; null when none is waiting. */
  static final String NEXT_DUE_IN = """
    SELECT (extract(epoch FROM min(scheduled_at) - now()) * 1000)::bigint FROM call_attempts
     WHERE status = 'SCHEDULED' AND scheduled_at > now()""";

  static final String LIVE_CALL = "SELECT interview_id, company_id FROM live_calls WHERE call_id = $1";
  /** Which of these calls are still live. */
  static final String STILL_LIVE = "SELECT call_id FROM live_calls WHERE call_id = ANY($1)";
  /** The live calls of an interview that a delete has flagged, and whether each has a cancel to send. */
  static final String SKIPPED_CALLS_OF_INTERVIEW = """
    SELECT call_id, cancel_requested_at IS NOT NULL AND cancel_sent_at IS NULL AND dialled_at IS NOT NULL
      FROM live_calls WHERE interview_id = $1 AND post_call_skipped""";
  static final String LOCK_INTERVIEW = "SELECT status FROM interviews WHERE id = $1 FOR UPDATE";
  static final String END_LIVE_CALL = """
    DELETE FROM live_calls WHERE call_id = $1 RETURNING attempt_id, post_call_skipped, started_at""";
  static final String ATTEMPT = "SELECT retry_number, interview_id, company_id FROM call_attempts WHERE id = $1";
  static final String COMPLETE_ATTEMPT = """
    UPDATE call_attempts SET status = 'COMPLETED', ended_at = now(), duration = $2, updated_at = now() WHERE id = $1""";
  static final String FAIL_ATTEMPT = """
    UPDATE call_attempts SET status = 'FAILED', reason_code = $2, notes = $3, ended_at = now(), duration = $4,
           updated_at = now() WHERE id = $1""";
  static final String RETRY = """
    INSERT INTO call_attempts (id, interview_id, company_id, status, retry_number, scheduled_at)
    VALUES ($1, $2, $3, 'SCHEDULED', $4, now() + make_interval(secs => $5))""";
  static final String INTERVIEW_SCHEDULED = "UPDATE interviews SET status = 'SCHEDULED', updated_at = now() WHERE id = $1";
  static final String INTERVIEW_FAILED = """
    UPDATE interviews SET status = 'FAILED', finished_at = now(), updated_at = now() WHERE id = $1""";

  /**
   * The slots of all companies, for the metrics: in use, the sum of the limits, and how many
   * companies are at their limit (their due attempts wait for a call to end).
   */
  static final String SLOT_TOTALS = """
    SELECT coalesce(sum(active_calls), 0)::bigint, coalesce(sum(max_concurrent_calls), 0)::bigint,
           count(*) FILTER (WHERE active_calls >= max_concurrent_calls)
      FROM companies""";

  static final String EXPIRED_LEASES = "SELECT call_id FROM live_calls WHERE lease_expires_at < now() LIMIT 100";
}
