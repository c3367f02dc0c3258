package dev.parley.persistence;

import dev.parley.bus.Bus;
import dev.parley.bus.ParleyException;
import dev.parley.repository.InterviewRows;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * Companies. A company key sees its own company; an ATS key sees the companies its partner
 * created, and only an ATS key creates companies (the HTTP layer checks that).
 */
final class CompanyStore extends Store {
  private static final String INSERT = """
    INSERT INTO companies (id, partner_id, name, timezone, call_window, max_concurrent_calls, metadata)
    VALUES ($1, $2, $3, COALESCE($4, 'UTC'), COALESCE($5, '09:00-20:00'), COALESCE($6, 2), COALESCE($7, '{}'::jsonb))
    RETURNING company_json(companies)::text""";
  private static final String GET = "SELECT partner_id, company_json(c)::text FROM companies c WHERE c.id = $1";
  private static final String LIST = """
    SELECT t.total, p.j::text, p.cts, p.id
      FROM (SELECT count(*) AS total FROM companies c WHERE c.id = $1 OR c.partner_id = $2) t
      LEFT JOIN LATERAL (
        SELECT company_json(c) AS j, c.created_at AT TIME ZONE 'UTC' AS cts, c.id FROM companies c
         WHERE c.id = $1 OR c.partner_id = $2
         ORDER BY c.created_at DESC, c.id DESC OFFSET $3 LIMIT $4 + 1) p ON true
     ORDER BY p.cts DESC, p.id DESC""";
  private static final String UPDATE = """
    UPDATE companies SET name = COALESCE($2, name), timezone = COALESCE($3, timezone),
           call_window = COALESCE($4, call_window), max_concurrent_calls = COALESCE($5, max_concurrent_calls),
           metadata = COALESCE($6, metadata), updated_at = now()
     WHERE id = $1 RETURNING company_json(companies)::text""";
  /** A company's caller numbers, newest first, in the shape {@link #list} reads. */
  private static final String PHONE_NUMBERS = """
    SELECT t.total, p.j::text, p.cts, p.id
      FROM (SELECT count(*) AS total FROM company_phone_numbers n WHERE n.company_id = $1) t
      LEFT JOIN LATERAL (
        SELECT phone_number_json(n) AS j, n.created_at AT TIME ZONE 'UTC' AS cts, n.id FROM company_phone_numbers n
         WHERE n.company_id = $1
           AND ($4::timestamp IS NULL OR (n.created_at, n.id) < ($4::timestamp AT TIME ZONE 'UTC', $5::uuid))
         ORDER BY n.created_at DESC, n.id DESC OFFSET $2 LIMIT $3 + 1) p ON true
     ORDER BY p.cts DESC, p.id DESC""";

  CompanyStore(Vertx vertx, Pool pool, SqlClient reads) {
    super(vertx, pool, reads);
  }

  @Override
  void register() {
    serve(Bus.COMPANY_CREATE, this::create);
    serveRead(Bus.COMPANY_GET, this::get);
    serveRead(Bus.COMPANY_LIST, this::list);
    serve(Bus.COMPANY_UPDATE, this::update);
    serveRead(Bus.COMPANY_PHONE_NUMBERS, this::phoneNumbers);
  }

  /** The caller numbers of a company the caller may see. */
  private Future<String> phoneNumbers(JsonObject q) {
    UUID id = uuid(q, "id");
    return access(q, id).compose(v -> listOwned(PHONE_NUMBERS, q.copy().put("companyId", id.toString())));
  }

  private Future<String> create(JsonObject q) {
    JsonObject b = q.getJsonObject("body");
    return pool.preparedQuery(INSERT).execute(Tuple.of(UUID.randomUUID(), uuid(q, "partnerId"), b.getString("name"),
        b.getString("timezone"), b.getString("callWindow"), b.getInteger("maxConcurrentCalls"),
        b.getJsonObject("metadata")))
      .map(rows -> rows.iterator().next().getString(0));
  }

  /** Checks that the caller ({companyId} or {partnerId}) may see the company. */
  private Future<Void> access(JsonObject q, UUID id) {
    return pool.preparedQuery(GET).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) return Future.failedFuture(ParleyException.notFound("Company", id.toString()));
      Row r = rows.iterator().next();
      boolean allowed = q.getString("partnerId") != null
        ? q.getString("partnerId").equals(str(r, 0))
        : id.toString().equals(q.getString("companyId"));
      return allowed ? Future.succeededFuture() : Future.failedFuture(ParleyException.forbiddenCompany("Company"));
    });
  }

  private Future<String> get(JsonObject q) {
    UUID id = uuid(q, "id");
    return access(q, id).compose(v -> pool.preparedQuery(GET).execute(Tuple.of(id)))
      .map(rows -> rows.iterator().next().getString(1));
  }

  private Future<String> list(JsonObject q) {
    int page = page(q), limit = limit(q);
    return list(LIST, Tuple.of(uuid(q, "companyId"), uuid(q, "partnerId"), (long) (page - 1) * limit, limit),
      page, limit, false);
  }

  private Future<String> update(JsonObject q) {
    UUID id = uuid(q, "id");
    JsonObject b = q.getJsonObject("body");
    Tuple values = Tuple.of(id, b.getString("name"), b.getString("timezone"), b.getString("callWindow"),
      b.getInteger("maxConcurrentCalls"), b.getJsonObject("metadata"));
    if (b.getString("timezone") == null && b.getString("callWindow") == null) {
      return access(q, id).compose(v -> pool.preparedQuery(UPDATE).execute(values)).map(rows -> rows.iterator().next().getString(0));
    }
    return access(q, id).compose(v -> pool.withTransaction(c -> c.preparedQuery(UPDATE).execute(values)
        .compose(rows -> InterviewRows.windowChanged(c, id).map(rows.iterator().next().getString(0)))))
      .onSuccess(json -> dueAt(vertx, java.time.OffsetDateTime.now()));
  }
}
