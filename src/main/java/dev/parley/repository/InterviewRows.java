package dev.parley.repository;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The API's writes of interviews and call attempts: the create, the delete of SPEC section 3, the
 * call-attempt endpoints, and a company's window change. Each method that changes an interview
 * expects its interview locked first ({@link Locks#interviewOfRequest}) and renders its document
 * last ({@link Documents}); the create renders in its own INSERT.
 */
public final class InterviewRows {
  private InterviewRows() {}

  /**
   * The interview, last of the create's writes, its document rendered from the values it inserts
   * (V15) with the call attempt already in place; RETURNING hands that document back (the create's
   * answer). The agent's duration is read here, so that a create need not wait for the agent's row.
   */
  static final String INSERT = """
    INSERT INTO interviews (id, company_id, candidate_id, agent_id, job_id, status, scheduled_at, schedule_offset,
                            duration_minutes, metadata, is_test, created_by_key, call_zone, doc)
    SELECT $1, $2, $3, $4, $5, 'SCHEDULED', $6, $7, a.duration, COALESCE($8, '{}'::jsonb), $9, $10, $11,
           interview_doc($1, $2, $3, $4, $5, 'SCHEDULED', $6, a.duration, NULL, COALESCE($8, '{}'::jsonb), $9,
                         NULL, NULL, now(), now())::text
      FROM agents a WHERE a.id = $4
    RETURNING doc""";
  /**
   * A new attempt of an interview, callable from its scheduled time (the dispatcher checks the window
   * then). Its reference to the interview is checked at commit (V18), so the create's first attempt
   * goes in before its interview, whose render in {@link #INSERT} then already sees it.
   */
  static final String INSERT_ATTEMPT = """
    INSERT INTO call_attempts (id, interview_id, company_id, status, scheduled_at, callable_at)
    VALUES ($1, $2, $3, 'SCHEDULED', $4, $4)""";

  /** The delete (DESIGN "Deleting a live call", step 1): one statement, the function of migration V11. */
  static final String DELETE = "SELECT outcome, status_at_delete FROM delete_interview($1, $2, $3, $4)";

  static final String CANCEL_SCHEDULED = "DELETE FROM call_attempts WHERE interview_id = $1 AND status = 'SCHEDULED'";
  static final String RESCHEDULED = """
    UPDATE interviews SET status = 'SCHEDULED', finished_at = NULL, updated_at = now() WHERE id = $1""";
  static final String MOVE = """
    UPDATE call_attempts SET scheduled_at = $2, callable_at = $2, updated_at = now() WHERE id = $1""";
  static final String REMOVE = "DELETE FROM call_attempts WHERE id = $1";
  /** A scheduled interview left without any scheduled attempt is cancelled. */
  static final String CANCEL_IF_EMPTY = """
    UPDATE interviews SET status = 'CANCELLED', updated_at = now()
     WHERE id = $1 AND status = 'SCHEDULED'
       AND NOT EXISTS (SELECT 1 FROM call_attempts WHERE interview_id = $1 AND status = 'SCHEDULED')""";

  /**
   * The company's zone or window changed: its attempts waiting for the old window's opening are
   * callable again from their scheduled time, and the dispatcher checks them against the new one.
   * One row per waiting attempt of the company, once per change. callable_at is not in the
   * document: nothing is rendered.
   */
  static final String WINDOW_CHANGED = """
    UPDATE call_attempts SET callable_at = scheduled_at
     WHERE company_id = $1 AND status = 'SCHEDULED' AND callable_at > scheduled_at""";

  /** What a create inserts. {@code dialled}: false for an ONLINE agent's interview, which has no call attempts. */
  public record NewInterview(UUID id, UUID companyId, UUID candidateId, UUID agentId, UUID jobId,
                             OffsetDateTime scheduledAt, Integer scheduleOffset, JsonObject metadata, boolean isTest,
                             UUID keyId, String callZone, boolean dialled) {}

  /**
   * Sends the create's interview and first attempt on {@code c} (in a transaction, after the
   * resources it references) without waiting; the future holds the interview's document.
   */
  public static Future<String> create(SqlClient c, NewInterview n) {
    List<Future<?>> writes = new ArrayList<>(2);
    if (n.dialled()) {
      writes.add(c.preparedQuery(INSERT_ATTEMPT).execute(Tuple.of(UUID.randomUUID(), n.id(), n.companyId(), n.scheduledAt())));
    }
    Future<String> document = c.preparedQuery(INSERT).execute(Tuple.from(new Object[] {
        n.id(), n.companyId(), n.candidateId(), n.agentId(), n.jobId(), n.scheduledAt(), n.scheduleOffset(),
        n.metadata(), n.isTest(), n.keyId(), n.callZone()}))
      .map(rows -> rows.iterator().next().getString(0));
    writes.add(document);
    // the first failure in the pipeline is the one that counts (the later ones only say the transaction is aborted)
    return Future.all(writes).map(v -> document.result());
  }

  /** What {@link #delete} found: {@code deleted} with the status the interview had, or why not. */
  public record Deletion(Outcome outcome, String statusAtDelete) {
    public enum Outcome { DELETED, NOT_FOUND, OTHER_COMPANY }
  }

  /**
   * Deletes an interview in any status (SPEC section 3) in one statement and its own transaction:
   * {@code delete_interview} locks the row, writes the audit row, flags a live call and removes
   * everything else. Another company's interview is left as it was.
   */
  public static Future<Deletion> delete(SqlClient c, UUID id, UUID companyId, UUID keyId, String tokenSubject) {
    return c.preparedQuery(DELETE).execute(Tuple.of(id, companyId, keyId, tokenSubject)).map(rows -> {
      Row r = rows.iterator().next();
      Deletion.Outcome outcome = switch (r.getString(0)) {
        case "not_found" -> Deletion.Outcome.NOT_FOUND;
        case "other_company" -> Deletion.Outcome.OTHER_COMPANY;
        default -> Deletion.Outcome.DELETED;
      };
      return new Deletion(outcome, r.getString(1));
    });
  }

  /**
   * The interview (locked) is called again at {@code at}: its scheduled attempts give way to one new
   * attempt and it is SCHEDULED again. The future holds its document.
   */
  public static Future<String> callAgain(SqlClient c, UUID interviewId, UUID companyId, OffsetDateTime at) {
    Future<?> cancel = c.preparedQuery(CANCEL_SCHEDULED).execute(Tuple.of(interviewId));
    Future<?> insert = c.preparedQuery(INSERT_ATTEMPT).execute(Tuple.of(UUID.randomUUID(), interviewId, companyId, at));
    Future<?> rescheduled = c.preparedQuery(RESCHEDULED).execute(Tuple.of(interviewId));
    Future<String> document = Documents.render(c, interviewId);
    // the first failure is the one that counts (the later ones only say the transaction is aborted)
    return Future.all(cancel, insert, rescheduled, document).map(v -> document.result());
  }

  /** A scheduled attempt of the interview (locked) moves to {@code at}. */
  public static Future<Void> moveAttempt(SqlClient c, UUID interviewId, UUID attemptId, OffsetDateTime at) {
    return Future.all(c.preparedQuery(MOVE).execute(Tuple.of(attemptId, at)), Documents.render(c, interviewId)).mapEmpty();
  }

  /** An attempt of the interview (locked) goes; an interview left with no scheduled attempt is CANCELLED. */
  public static Future<Void> removeAttempt(SqlClient c, UUID interviewId, UUID attemptId) {
    return Future.all(c.preparedQuery(REMOVE).execute(Tuple.of(attemptId)),
      c.preparedQuery(CANCEL_IF_EMPTY).execute(Tuple.of(interviewId)), Documents.render(c, interviewId)).mapEmpty();
  }

  /** The company's calling window or zone changed: its waiting attempts are looked at again. */
  public static Future<Void> windowChanged(SqlClient c, UUID companyId) {
    return c.preparedQuery(WINDOW_CHANGED).execute(Tuple.of(companyId)).mapEmpty();
  }
}
