package dev.parley.calls;

/**
 * The SQL of the call lifecycle. Lock order, the same everywhere so that claims, call ends and
 * deletes never deadlock: the interview row first, then its attempts and live call, then the
 * company row.
 */
final class CallSql {
  private CallSql() {}

  /**
   * The next due attempt: inside its calling window, of a company with a free slot, the company
   * that waited longest first (fair across companies). Locks the attempt and its interview; rows
   * another node or a delete holds are skipped, never waited for.
   */
  static final String NEXT_DUE = """
    SELECT a.id, a.interview_id, a.company_id, i.duration_minutes, cand.phone_number, ag.name, ag.questions,
           ag.instructions, ag.voice_id, ag.language, a.scheduled_at
      FROM call_attempts a
      JOIN interviews i ON i.id = a.interview_id
      JOIN companies c ON c.id = a.company_id
      JOIN candidates cand ON cand.id = i.candidate_id
      JOIN agents ag ON ag.id = i.agent_id
     WHERE a.status = 'SCHEDULED' AND a.scheduled_at <= now()
       AND c.active_calls < c.max_concurrent_calls
       AND in_call_window(call_local_time(now(), i.schedule_offset, i.call_zone, c.timezone), c.call_window)
     ORDER BY c.last_claim_at NULLS FIRST, a.scheduled_at, a.id
     LIMIT 1
     FOR UPDATE OF a, i SKIP LOCKED""";

  /** Claims a slot; no row when the company is full (another node won the race). */
  static final String TAKE_SLOT = """
    UPDATE companies SET active_calls = active_calls + 1, last_claim_at = now()
     WHERE id = $1 AND active_calls < max_concurrent_calls RETURNING active_calls""";
  static final String FREE_SLOT = "UPDATE companies SET active_calls = active_calls - 1 WHERE id = $1";

  static final String START_ATTEMPT = """
    UPDATE call_attempts SET status = 'IN_PROGRESS', called_at = now(), updated_at = now() WHERE id = $1""";
  static final String START_INTERVIEW = "UPDATE interviews SET status = 'IN_PROGRESS', updated_at = now() WHERE id = $1";
  static final String INSERT_LIVE_CALL = """
    INSERT INTO live_calls (call_id, attempt_id, interview_id, company_id, node_id, provider, lease_expires_at)
    VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))""";

  static final String LIVE_CALL = "SELECT interview_id, company_id FROM live_calls WHERE call_id = $1";
  /** Which of these calls are still live. */
  static final String STILL_LIVE = "SELECT call_id FROM live_calls WHERE call_id = ANY($1)";
  /** The live calls of an interview that a delete has flagged. */
  static final String SKIPPED_CALLS_OF_INTERVIEW =
    "SELECT call_id FROM live_calls WHERE interview_id = $1 AND post_call_skipped";
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

  static final String EXPIRED_LEASES = "SELECT call_id FROM live_calls WHERE lease_expires_at < now() LIMIT 100";
}
