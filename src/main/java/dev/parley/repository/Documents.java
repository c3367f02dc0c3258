package dev.parley.repository;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * The stored interview document (V10) that a GET returns as it is: rendered explicitly, once, as
 * the last statement of each transaction that changes what it shows (V15). It runs under the
 * interview's row lock, which the transaction took first ({@link Locks}), and with a fresh snapshot
 * (its own statement), so the last transaction to commit a change has rendered after every earlier
 * committed one. A create renders in its own INSERT ({@link InterviewRows}). Changes that the
 * document does not show (an attempt's callable_at, the live call, the outbox) render nothing.
 */
public final class Documents {
  private Documents() {}

  /** Renders the stored documents of these interviews ({@code $1}) from their rows now; answers (id, document). */
  static final String RENDER = """
    UPDATE interviews i SET doc = interview_json(i)::text WHERE i.id = ANY($1) RETURNING i.id, i.doc""";

  /** Renders one interview's document; the future holds it, or null when the interview is gone. */
  static Future<String> render(SqlClient c, UUID interviewId) {
    return c.preparedQuery(RENDER).execute(Tuple.tuple().addArrayOfUUID(new UUID[] {interviewId}))
      .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(1));
  }

  /** Renders the documents of these interviews. */
  static Future<Void> render(SqlClient c, UUID[] interviewIds) {
    return c.preparedQuery(RENDER).execute(Tuple.tuple().addArrayOfUUID(interviewIds)).mapEmpty();
  }
}
