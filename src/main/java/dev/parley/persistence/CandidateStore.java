package dev.parley.persistence;

import dev.parley.bus.Bus;
import dev.parley.client.ErrorCode;
import dev.parley.bus.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.LocalDate;
import java.util.UUID;

/** Candidates, the people interviewed. */
final class CandidateStore extends Store {
  /** A candidate; {@link #INSERT} answers its JSON, {@link #INSERT_INLINE} (a create's inline candidate) nothing. */
  private static final String INSERT_INLINE = """
    INSERT INTO candidates (id, company_id, job_id, first_name, last_name, email, phone_number, gdpr_expiry_date, metadata)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE($9, '{}'::jsonb))""";
  private static final String INSERT = INSERT_INLINE + "\nRETURNING candidate_json(candidates)::text";
  private static final String GET = "SELECT company_id, candidate_json(c)::text FROM candidates c WHERE c.id = $1";
  private static final String LIST = """
    SELECT t.total, p.j::text, p.cts, p.id
      FROM (SELECT count(*) AS total FROM candidates c WHERE c.company_id = $1) t
      LEFT JOIN LATERAL (
        SELECT candidate_json(c) AS j, c.created_at AT TIME ZONE 'UTC' AS cts, c.id FROM candidates c
         WHERE c.company_id = $1
           AND ($4::timestamp IS NULL OR (c.created_at, c.id) < ($4::timestamp AT TIME ZONE 'UTC', $5::uuid))
         ORDER BY c.created_at DESC, c.id DESC OFFSET $2 LIMIT $3 + 1) p ON true
     ORDER BY p.cts DESC, p.id DESC""";
  private static final String LOCK = "SELECT company_id FROM candidates WHERE id = $1 FOR UPDATE";
  private static final String HAS_INTERVIEWS = "SELECT EXISTS (SELECT 1 FROM interviews WHERE candidate_id = $1)";
  private static final String DELETE = "DELETE FROM candidates WHERE id = $1";

  CandidateStore(Vertx vertx, Pool pool, SqlClient reads) {
    super(vertx, pool, reads);
  }

  @Override
  void register() {
    serve(Bus.CANDIDATE_CREATE, q -> pool.withTransaction(c -> {
      UUID companyId = uuid(q, "companyId");
      JsonObject b = q.getJsonObject("body");
      UUID jobId = b.getString("jobId") == null ? null : UUID.fromString(b.getString("jobId"));
      return (jobId == null ? Future.<Void>succeededFuture() : jobOfCompany(c, jobId, companyId))
        .compose(v -> insert(c, UUID.randomUUID(), companyId, b, jobId));
    }));
    serveRead(Bus.CANDIDATE_GET, q -> getOwned(GET, "Candidate", q));
    serveRead(Bus.CANDIDATE_LIST, q -> listOwned(LIST, q));
    serve(Bus.CANDIDATE_DELETE, this::delete);
  }

  /**
   * Inserts a candidate (also inline, inside an interview create) with its job, which the caller
   * has checked to be one of the company's.
   */
  static Future<String> insert(SqlClient c, UUID id, UUID companyId, JsonObject b, UUID jobId) {
    return c.preparedQuery(INSERT).execute(values(id, companyId, b, jobId)).map(rows -> rows.iterator().next().getString(0));
  }

  /** The inline candidate of an interview's create: nobody reads its JSON, so none is rendered. */
  static Future<Void> insertInline(SqlClient c, UUID id, UUID companyId, JsonObject b, UUID jobId) {
    return c.preparedQuery(INSERT_INLINE).execute(values(id, companyId, b, jobId)).mapEmpty();
  }

  private static Tuple values(UUID id, UUID companyId, JsonObject b, UUID jobId) {
    String gdpr = b.getString("gdprExpiryDate");
    return Tuple.from(new Object[] {
      id, companyId, jobId, b.getString("firstName"), b.getString("lastName"), b.getString("email"),
      b.getString("phoneNumber"), gdpr == null ? null : LocalDate.parse(gdpr), b.getJsonObject("metadata")});
  }

  /**
   * Deletes a candidate and their personal data. A candidate who still has interviews cannot be
   * deleted (409): delete the interviews first, each through its own delete rules.
   */
  private Future<Boolean> delete(JsonObject q) {
    UUID id = uuid(q, "id");
    return pool.withTransaction(c -> lockOwned(c, LOCK, "Candidate", q).compose(row -> {
      return c.preparedQuery(HAS_INTERVIEWS).execute(Tuple.of(id)).compose(ex -> {
        if (ex.iterator().next().getBoolean(0)) {
          return Future.failedFuture(new ParleyException(ErrorCode.CONFLICT,
            "Candidate still has interviews; delete them first"));
        }
        return c.preparedQuery(DELETE).execute(Tuple.of(id)).map(true);
      });
    }));
  }
}
