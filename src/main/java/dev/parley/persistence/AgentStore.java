package dev.parley.persistence;

import dev.parley.bus.Bus;
import dev.parley.bus.ParleyException;
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
 * Agents, the interview templates. A delete hides an agent (404 from then on, unusable for new
 * interviews) while the interviews that used it keep their agentId.
 */
final class AgentStore extends Store {
  /**
   * Inserts an agent, unless its caller number ({@code $12}) is not one of the company's, or it
   * names none while one is required ({@code $14}: a PHONE agent for live interviews that a real
   * provider dials) and the company has no default: then no row comes back.
   */
  private static final String INSERT_INLINE = """
    INSERT INTO agents (id, company_id, name, type, focus, language, duration, questions, instructions, voice_id,
                        cefr_level, company_phone_number_id, metadata)
    SELECT $1, $2, $3, COALESCE($4, 'PHONE'), COALESCE($5, 'GENERIC'), COALESCE($6, 'EN'), COALESCE($7, 15),
           COALESCE($8, '[]'::jsonb), $9, $10, $11, $12::uuid, COALESCE($13, '{}'::jsonb)
     WHERE ($12::uuid IS NULL OR EXISTS (SELECT 1 FROM company_phone_numbers n WHERE n.id = $12::uuid AND n.company_id = $2))
       AND ($12::uuid IS NOT NULL OR NOT $14 OR COALESCE($4, 'PHONE') <> 'PHONE'
            OR EXISTS (SELECT 1 FROM company_phone_numbers d WHERE d.company_id = $2 AND d.is_default))
    RETURNING id""";
  /** {@link #INSERT_INLINE} answering the agent's JSON too (a create's inline agent needs none rendered). */
  private static final String INSERT = INSERT_INLINE + ", agent_json(agents)::text";
  private static final String GET = "SELECT company_id, agent_json(a)::text FROM agents a WHERE a.id = $1 AND a.deleted_at IS NULL";
  private static final String LIST = """
    SELECT t.total, p.j::text, p.cts, p.id
      FROM (SELECT count(*) AS total FROM agents a WHERE a.company_id = $1 AND a.deleted_at IS NULL) t
      LEFT JOIN LATERAL (
        SELECT agent_json(a) AS j, a.created_at AT TIME ZONE 'UTC' AS cts, a.id FROM agents a
         WHERE a.company_id = $1 AND a.deleted_at IS NULL
           AND ($4::timestamp IS NULL OR (a.created_at, a.id) < ($4::timestamp AT TIME ZONE 'UTC', $5::uuid))
         ORDER BY a.created_at DESC, a.id DESC OFFSET $2 LIMIT $3 + 1) p ON true
     ORDER BY p.cts DESC, p.id DESC""";
  private static final String SOFT_DELETE = """
    UPDATE agents SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL
    RETURNING company_id""";
  private static final String OWNER = "SELECT company_id FROM agents WHERE id = $1 AND deleted_at IS NULL FOR UPDATE";

  AgentStore(Vertx vertx, Pool pool, SqlClient reads) {
    super(vertx, pool, reads);
  }

  @Override
  void register() {
    serve(Bus.AGENT_CREATE, q -> insert(pool, UUID.randomUUID(), uuid(q, "companyId"), q.getJsonObject("body"),
      q.getBoolean("callerRequired", false), "").map(r -> r.getString(1)));
    serveRead(Bus.AGENT_GET, q -> getOwned(GET, "Agent", q));
    serveRead(Bus.AGENT_LIST, q -> listOwned(LIST, q));
    serve(Bus.AGENT_DELETE, this::delete);
  }

  /**
   * Inserts an agent (also inline, inside an interview create, where {@code fieldPrefix} is
   * "agent."); the row holds id and json. Fails with VALIDATION_FAILED when its caller number
   * is another company's (or no number at all), or when it needs one and has none.
   */
  static Future<Row> insert(SqlClient c, UUID id, UUID companyId, JsonObject b, boolean callerRequired, String fieldPrefix) {
    return insert(INSERT, c, id, companyId, b, callerRequired, fieldPrefix);
  }

  /** The inline agent of an interview's create: its row (its ID only) when it went in. */
  static Future<Row> insertInline(SqlClient c, UUID id, UUID companyId, JsonObject b, String fieldPrefix) {
    return insert(INSERT_INLINE, c, id, companyId, b, false, fieldPrefix);
  }

  private static Future<Row> insert(String sql, SqlClient c, UUID id, UUID companyId, JsonObject b, boolean callerRequired,
                                    String fieldPrefix) {
    JsonArray questions = b.getJsonArray("questions");
    String number = b.getString("companyPhoneNumberId");
    return c.preparedQuery(sql).execute(Tuple.from(new Object[] {
        id, companyId, b.getString("name"), b.getString("type"), b.getString("focus"),
        b.getString("language"), b.getInteger("duration"), questions, b.getString("instructions"),
        b.getString("voiceId"), b.getString("cefrLevel"), number == null ? null : UUID.fromString(number),
        b.getJsonObject("metadata"), callerRequired}))
      .map(rows -> {
        if (rows.size() == 1) return rows.iterator().next();
        throw number != null ? notACallerNumber(fieldPrefix + "companyPhoneNumberId") : callerNeeded(fieldPrefix + "companyPhoneNumberId");
      });
  }

  static ParleyException notACallerNumber(String field) {
    return ParleyException.validation(field, "not a caller number of this company (GET /v1/company/{id}/phone-numbers lists them)");
  }

  static ParleyException callerNeeded(String field) {
    return ParleyException.validation(field, "a PHONE agent needs a caller number when calls reach a real provider: name one "
      + "of the company's numbers, or give the company a default (admin phone-number create --default)");
  }

  private Future<Boolean> delete(JsonObject q) {
    UUID id = uuid(q, "id");
    return pool.withTransaction(c -> lockOwned(c, OWNER, "Agent", q)
      .compose(row -> c.preparedQuery(SOFT_DELETE).execute(Tuple.of(id))).map(true));
  }
}
