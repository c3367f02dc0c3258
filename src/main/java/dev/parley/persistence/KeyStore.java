package dev.parley.persistence;

import dev.parley.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.HexFormat;

/** API-key lookups for the authenticator, and the owner of a company for ATS keys. */
final class KeyStore extends Store {
  private static final String LOOKUP = """
    SELECT id, company_id, partner_id, scopes, (extract(epoch FROM expires_at) * 1000)::bigint,
           api_ts(revoked_at), api_ts(suspended_at), suspended_reason, rate_limit_minute, rate_limit_hour,
           encode(key_hash, 'hex')
      FROM api_keys WHERE key_hash = ANY($1)""";
  /** A key found under an older pepper version takes its hash under the current one (pepper rotation). */
  private static final String REHASH = "UPDATE api_keys SET key_hash = $2, pepper_version = $3 WHERE key_hash = $1";
  private static final String OWNER = "SELECT partner_id FROM companies WHERE id = $1";

  KeyStore(Vertx vertx, Pool pool, SqlClient reads) {
    super(vertx, pool, reads);
  }

  @Override
  void register() {
    serveRead(Bus.API_KEY_LOOKUP, this::lookup);
    serve(Bus.API_KEY_REHASH, this::rehash);
    serveRead(Bus.COMPANY_OWNER, this::owner);
  }

  private Future<JsonObject> lookup(JsonObject q) {
    JsonArray hexes = q.getJsonArray("keyHashes");
    Buffer[] hashes = new Buffer[hexes.size()];
    for (int i = 0; i < hashes.length; i++) hashes[i] = Buffer.buffer(HexFormat.of().parseHex(hexes.getString(i)));
    return reads.preparedQuery(LOOKUP).execute(Tuple.of(hashes)).map(rows -> {
      if (rows.size() == 0) return new JsonObject().putNull("key");
      Row r = rows.iterator().next();
      JsonArray scopes = new JsonArray();
      for (String s : r.getArrayOfStrings(3)) scopes.add(s);
      return new JsonObject().put("key", new JsonObject()
        .put("id", str(r, 0)).put("companyId", str(r, 1)).put("partnerId", str(r, 2)).put("scopes", scopes)
        .put("expiresAtMillis", r.getLong(4)).put("revokedAt", r.getString(5)).put("suspendedAt", r.getString(6))
        .put("suspendedReason", r.getString(7)).put("rateLimitMinute", r.getInteger(8))
        .put("rateLimitHour", r.getInteger(9)).put("keyHash", r.getString(10)));
    });
  }

  private Future<JsonObject> rehash(JsonObject q) {
    Tuple args = Tuple.of(Buffer.buffer(HexFormat.of().parseHex(q.getString("from"))),
      Buffer.buffer(HexFormat.of().parseHex(q.getString("to"))), q.getString("version"));
    return pool.preparedQuery(REHASH).execute(args).map(rows -> new JsonObject().put("rehashed", rows.rowCount() == 1));
  }

  private Future<JsonObject> owner(JsonObject q) {
    return reads.preparedQuery(OWNER).execute(Tuple.of(uuid(q, "companyId"))).map(rows -> {
      JsonObject reply = new JsonObject().put("exists", rows.size() > 0);
      if (rows.size() > 0) reply.put("partnerId", str(rows.iterator().next(), 0));
      return reply;
    });
  }
}
