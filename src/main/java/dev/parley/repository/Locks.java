package dev.parley.repository;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * Every lock a writer of an interview's rows takes, and the one order in which it takes them:
 *
 * <ol>
 *   <li>the interview row ({@code FOR UPDATE});</li>
 *   <li>then its call attempts and its live call (written after the interview is locked);</li>
 *   <li>then the company row (its slots: {@link #SLOTS}).</li>
 * </ol>
 *
 * Claims, call ends, deletes, post-call steps and the call-attempt endpoints all take them in this
 * order, so they serialise on the interview and never deadlock. The delete takes the interview's
 * lock first too, inside {@code delete_interview} (V11). A transaction that changes what the stored
 * document shows renders it last ({@link Documents#render}), under the interview's lock.
 */
public final class Locks {
  private Locks() {}

  /** The interview ({@code $1}), locked: its status, or no row once it is deleted. */
  static final String INTERVIEW = "SELECT status FROM interviews WHERE id = $1 FOR UPDATE";

  /**
   * The interview ({@code $1}) of an API request, locked: its company (first, for the 404/403
   * check), status and the type of its agent.
   */
  public static final String INTERVIEW_OF_REQUEST = """
    SELECT i.company_id, i.status, ag.type FROM interviews i JOIN agents ag ON ag.id = i.agent_id
     WHERE i.id = $1 FOR UPDATE OF i""";

  /** The interview of the attempt that placed call {@code $1}, locked, when it still exists. */
  static final String INTERVIEW_OF_CALL = """
    SELECT i.id FROM call_attempts a JOIN interviews i ON i.id = a.interview_id WHERE a.call_id = $1 FOR UPDATE OF i""";

  /**
   * The free slots of these companies ({@code $1}), locked, in one order everywhere. Last in the order.
   * NO KEY UPDATE, the lock the slots' own UPDATE takes: it serialises claims and call ends of a
   * company, and lets the company's other readers that lock its row for a key (KEY SHARE) go on.
   */
  static final String SLOTS = """
    SELECT id, max_concurrent_calls - active_calls FROM companies WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE""";

  /** Locks an interview: its status, or no row when it is gone. */
  public static Future<RowSet<Row>> interview(SqlClient c, UUID interviewId) {
    return c.preparedQuery(INTERVIEW).execute(Tuple.of(interviewId));
  }

  /** Locks the interview of an API request: (company_id, status, agent type), or no row. */
  public static Future<RowSet<Row>> interviewOfRequest(SqlClient c, UUID interviewId) {
    return c.preparedQuery(INTERVIEW_OF_REQUEST).execute(Tuple.of(interviewId));
  }

  /** Locks the free slots of these companies: (company, free slots) per row, by company ID. */
  public static Future<RowSet<Row>> slots(SqlClient c, UUID[] companies) {
    return c.preparedQuery(SLOTS).execute(Tuple.tuple().addArrayOfUUID(companies));
  }
}
