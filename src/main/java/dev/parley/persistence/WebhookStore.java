package dev.parley.persistence;

import dev.parley.bus.Bus;
import dev.parley.bus.ParleyException;
import dev.parley.common.RandomSecrets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * Webhook subscriptions and their delivery log. A subscription belongs to the company of a company
 * key or to the partner of an ATS key; requests carry the caller as {companyId} or {partnerId}.
 */
final class WebhookStore extends Store {
  private static final String INSERT = """
    INSERT INTO webhooks (id, owner_company_id, partner_id, company_id, api_key_id, url, name, description, events,
                          headers, signing_secret)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE($10, '[]'::jsonb), $11)
    RETURNING webhook_json(webhooks)::text""";
  private static final String OWNER = "SELECT owner_company_id, partner_id FROM webhooks WHERE id = $1";
  private static final String GET = "SELECT webhook_json(w)::text FROM webhooks w WHERE w.id = $1";
  private static final String LIST = """
    SELECT t.total, p.j::text, p.cts, p.id
      FROM (SELECT count(*) AS total FROM webhooks w
             WHERE (w.owner_company_id = $1 OR w.partner_id = $2) AND ($3::uuid IS NULL OR w.company_id = $3)) t
      LEFT JOIN LATERAL (
        SELECT webhook_json(w) AS j, w.created_at AT TIME ZONE 'UTC' AS cts, w.id FROM webhooks w
         WHERE (w.owner_company_id = $1 OR w.partner_id = $2) AND ($3::uuid IS NULL OR w.company_id = $3)
         ORDER BY w.created_at DESC, w.id DESC OFFSET $4 LIMIT $5 + 1) p ON true
     ORDER BY p.cts DESC, p.id DESC""";
  private static final String UPDATE = """
    UPDATE webhooks SET url = COALESCE($2, url), name = COALESCE($3, name), description = COALESCE($4, description),
           events = COALESCE($5, events), headers = COALESCE($6, headers), is_active = COALESCE($7, is_active),
           company_id = CASE WHEN $8 THEN $9 ELSE company_id END, updated_at = now()
     WHERE id = $1 RETURNING webhook_json(webhooks)::text""";
  private static final String DELETE = "DELETE FROM webhooks WHERE id = $1";
  private static final String RESET = """
    UPDATE webhooks SET consecutive_failures = 0, circuit_opened_at = NULL, is_active = true, updated_at = now()
     WHERE id = $1 RETURNING webhook_json(webhooks)::text""";
  private static final String DELIVERIES = """
    SELECT t.total, p.j::text, p.cts, p.id
      FROM (SELECT count(*) AS total FROM webhook_deliveries d WHERE d.webhook_id = $1) t
      LEFT JOIN LATERAL (
        SELECT webhook_delivery_json(d) AS j, d.created_at AT TIME ZONE 'UTC' AS cts, d.id FROM webhook_deliveries d
         WHERE d.webhook_id = $1 ORDER BY d.seq DESC OFFSET $2 LIMIT $3 + 1) p ON true
     ORDER BY p.cts DESC, p.id DESC""";
  private static final String PARTNER_OF = "SELECT partner_id FROM companies WHERE id = $1";

  WebhookStore(Vertx vertx, Pool pool, SqlClient reads) {
    super(vertx, pool, reads);
  }

  @Override
  void register() {
    serve(Bus.WEBHOOK_CREATE, this::create);
    serveRead(Bus.WEBHOOK_LIST, this::list);
    serveRead(Bus.WEBHOOK_GET, q -> access(pool, q).compose(v -> one(GET, uuid(q, "id"))));
    serve(Bus.WEBHOOK_UPDATE, this::update);
    serve(Bus.WEBHOOK_DELETE, q -> access(pool, q).compose(v -> pool.preparedQuery(DELETE).execute(Tuple.of(uuid(q, "id")))).map(true));
    serve(Bus.WEBHOOK_RESET, q -> access(pool, q).compose(v -> one(RESET, uuid(q, "id"))));
    serveRead(Bus.WEBHOOK_DELIVERIES, this::deliveries);
  }

  /** 404 for no such subscription, 403 for someone else's. */
  static Future<Void> access(SqlClient c, JsonObject q) {
    UUID id = uuid(q, "id");
    return c.preparedQuery(OWNER).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) return Future.failedFuture(ParleyException.notFound("Webhook", id.toString()));
      Row r = rows.iterator().next();
      boolean mine = q.getString("partnerId") != null ? q.getString("partnerId").equals(str(r, 1))
        : q.getString("companyId") != null && q.getString("companyId").equals(str(r, 0));
      return mine ? Future.succeededFuture() : Future.failedFuture(ParleyException.forbiddenCompany("Webhook"));
    });
  }

  private Future<String> one(String sql, UUID id) {
    return pool.preparedQuery(sql).execute(Tuple.of(id)).map(rows -> rows.iterator().next().getString(0));
  }

  /**
   * The company a subscription is for: a company key's own (another is a 403), or for an ATS key
   * one its partner created (or none: every company of the partner).
   */
  private Future<UUID> target(JsonObject q, String requested) {
    if (q.getString("partnerId") == null) {
      if (requested != null && !requested.equals(q.getString("companyId"))) {
        return Future.failedFuture(new ParleyException(dev.parley.client.ErrorCode.FORBIDDEN_COMPANY,
          "This key cannot reach company " + requested));
      }
      return Future.succeededFuture(UUID.fromString(q.getString("companyId")));
    }
    if (requested == null) return Future.succeededFuture(null);
    UUID company = UUID.fromString(requested);
    return pool.preparedQuery(PARTNER_OF).execute(Tuple.of(company)).compose(rows ->
      rows.size() == 1 && q.getString("partnerId").equals(str(rows.iterator().next(), 0))
        ? Future.succeededFuture(company)
        : Future.failedFuture(new ParleyException(dev.parley.client.ErrorCode.FORBIDDEN_COMPANY,
          "This key cannot reach company " + requested)));
  }

  private Future<String> create(JsonObject q) {
    JsonObject b = q.getJsonObject("body");
    String secret = RandomSecrets.newHex();
    return target(q, b.getString("companyId")).compose(company -> pool.preparedQuery(INSERT).execute(Tuple.from(new Object[] {
        UUID.randomUUID(), q.getString("partnerId") == null ? uuid(q, "companyId") : null, uuid(q, "partnerId"), company,
        uuid(q, "keyId"), b.getString("url"), b.getString("name"), b.getString("description"),
        b.getJsonArray("events").stream().map(String::valueOf).toArray(String[]::new), b.getJsonArray("headers"), secret})))
      // the signing secret is shown here and never again
      .map(rows -> new JsonObject(rows.iterator().next().getString(0)).put("signingSecret", secret).encode());
  }

  private Future<String> list(JsonObject q) {
    int page = page(q), limit = limit(q);
    return list(LIST, Tuple.of(uuid(q, "companyId"), uuid(q, "partnerId"), uuid(q, "filterCompanyId"),
      (long) (page - 1) * limit, limit), page, limit, false);
  }

  private Future<String> update(JsonObject q) {
    JsonObject b = q.getJsonObject("body");
    UUID id = uuid(q, "id");
    boolean companyChange = b.containsKey("companyId");
    JsonArray events = b.getJsonArray("events");
    return access(pool, q)
      .compose(v -> companyChange ? target(q, b.getString("companyId")) : Future.succeededFuture((UUID) null))
      .compose(company -> pool.preparedQuery(UPDATE).execute(Tuple.from(new Object[] {id, b.getString("url"),
        b.getString("name"), b.getString("description"),
        events == null ? null : events.stream().map(String::valueOf).toArray(String[]::new),
        b.getJsonArray("headers"), b.getBoolean("isActive"), companyChange, company})))
      .map(rows -> rows.iterator().next().getString(0));
  }

  private Future<String> deliveries(JsonObject q) {
    int page = page(q), limit = limit(q);
    return access(pool, q).compose(v -> list(DELIVERIES, Tuple.of(uuid(q, "id"), (long) (page - 1) * limit, limit),
      page, limit, false));
  }
}
