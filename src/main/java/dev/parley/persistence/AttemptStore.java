package dev.parley.persistence;

import dev.parley.bus.Bus;
import dev.parley.client.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.repository.InterviewRows;
import dev.parley.repository.Locks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * The call-attempt endpoints and the recording lookup. Each change locks the interview row first,
 * like the dispatcher and the delete, so they serialise.
 */
final class AttemptStore extends Store {
  private static final String ATTEMPT = "SELECT status FROM call_attempts WHERE id = $1 AND interview_id = $2";
  /** The interview's company, and its recording when there is one and it is the company's ($2). */
  private static final String RECORDING = """
    SELECT i.company_id, r.content_type,
           (SELECT string_agg(c.bytes, ''::bytea ORDER BY c.seq) FROM recording_chunks c WHERE c.recording_id = r.recording_id)
      FROM interviews i LEFT JOIN recordings r ON r.interview_id = i.id AND r.company_id = $2
     WHERE i.id = $1""";

  AttemptStore(Vertx vertx, Pool pool, SqlClient reads) {
    super(vertx, pool, reads);
  }

  @Override
  void register() {
    serve(Bus.ATTEMPT_INVOKE, this::invoke);
    serve(Bus.ATTEMPT_RESCHEDULE, this::reschedule);
    serve(Bus.ATTEMPT_DELETE, this::delete);
    serveRead(Bus.INTERVIEW_RECORDING, this::recording);
  }

  /** Locks the interview of the request and checks it is the caller's: 404, then 403. */
  private static Future<Row> lock(SqlConnection c, JsonObject q, UUID id) {
    return lockOwned(c, Locks.INTERVIEW_OF_REQUEST, "Interview", q);
  }

  // Each change is a pipelined transaction (Store.pipelinedTransaction): the lock and what it
  // decides on in one trip, then the writes with COMMIT in a second.

  private Future<String> invoke(JsonObject q) {
    UUID id = uuid(q, "id");
    OffsetDateTime at = OffsetDateTime.parse(q.getString("scheduledAt"));
    return pipelinedTransaction(pool, c -> lock(c, q, id).map(r -> {
      if ("IN_PROGRESS".equals(r.getString(1))) {
        throw new ParleyException(ErrorCode.CONFLICT, "A call is live for this interview");
      }
      if ("ONLINE".equals(r.getString(2))) {
        throw ParleyException.validation("id", "an ONLINE interview has no call attempts");
      }
      return InterviewRows.callAgain(c, id, r.getUUID(0), at);
    })).onSuccess(v -> dueAt(vertx, at));
  }

  /** The interview locked and its attempt's status, read in one trip: the attempt's 404 comes after the interview's. */
  private static Future<String> lockedAttempt(SqlConnection c, JsonObject q, UUID id, UUID attemptId) {
    Future<Row> interview = lock(c, q, id);
    Future<RowSet<Row>> attempt = c.preparedQuery(ATTEMPT).execute(Tuple.of(attemptId, id));
    return Future.all(interview, attempt).transform(v -> {
      if (interview.failed()) return Future.failedFuture(interview.cause());
      if (attempt.failed()) return Future.failedFuture(attempt.cause());
      if (attempt.result().size() == 0) return Future.failedFuture(ParleyException.notFound("CallAttempt", attemptId.toString()));
      return Future.succeededFuture(attempt.result().iterator().next().getString(0));
    });
  }

  private Future<Boolean> reschedule(JsonObject q) {
    UUID id = uuid(q, "id"), attemptId = uuid(q, "attemptId");
    OffsetDateTime at = OffsetDateTime.parse(q.getString("scheduledAt"));
    return pipelinedTransaction(pool, c -> lockedAttempt(c, q, id, attemptId).map(status -> {
      if (!"SCHEDULED".equals(status)) {
        throw ParleyException.validation("attemptId", "only a SCHEDULED attempt can move; this one is " + status);
      }
      return InterviewRows.moveAttempt(c, id, attemptId, at).map(true);
    })).onSuccess(v -> dueAt(vertx, at));
  }

  private Future<Boolean> delete(JsonObject q) {
    UUID id = uuid(q, "id"), attemptId = uuid(q, "attemptId");
    return pipelinedTransaction(pool, c -> lockedAttempt(c, q, id, attemptId).map(status -> {
      if ("IN_PROGRESS".equals(status)) throw new ParleyException(ErrorCode.CONFLICT, "The call of this attempt is live");
      return InterviewRows.removeAttempt(c, id, attemptId).map(true);
    }));
  }

  /** The recording's bytes and media type, after the interview's 404 and 403. */
  private Future<Bus.Binary> recording(JsonObject q) {
    UUID id = uuid(q, "id");
    return pool.preparedQuery(RECORDING).execute(Tuple.of(id, uuid(q, "companyId"))).map(rows -> {
      if (rows.size() == 0) throw ParleyException.notFound("Interview", id.toString());
      Row r = rows.iterator().next();
      if (!str(r, 0).equals(q.getString("companyId"))) throw ParleyException.forbiddenCompany("Interview");
      if (r.getString(1) == null) throw ParleyException.notFound("Recording", id.toString());
      return new Bus.Binary(r.getValue(2) == null ? io.vertx.core.buffer.Buffer.buffer() : r.getBuffer(2), r.getString(1));
    });
  }
}
