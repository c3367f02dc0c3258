package dev.parley.persistence;

import dev.parley.bus.Bus;
import dev.parley.client.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.db.DatabaseHealth;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;
import java.util.function.Function;

/** Shared plumbing of the stores: serving an address, and reading common values. */
abstract class Store {
  protected final Vertx vertx;
  /** Transactions and writes: the node's shared pool. */
  protected final Pool pool;
  /** Single-statement reads: this instance's pipelining client, on its own event loop. */
  protected final SqlClient reads;

  /** Where "the database is not there" is told, and turned into UNAVAILABLE. */
  protected final DatabaseHealth health;

  Store(Vertx vertx, Pool pool, SqlClient reads) {
    this.vertx = vertx;
    this.pool = pool;
    this.reads = reads;
    this.health = DatabaseHealth.of(vertx);
  }

  abstract void register();

  /**
   * Serves one address: the handler's result is the reply (a {@link Bus.Binary} goes as bytes with
   * their media type), its failure a coded bus failure.
   */
  protected void serve(String address, Function<JsonObject, Future<?>> handler) {
    Bus.<JsonObject>internal(vertx, address, message -> {
      Future<?> result;
      try {
        result = handler.apply(message.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(ar -> {
        if (ar.failed()) Bus.fail(message, health.translateDatabaseFailure(translate(ar.cause())));
        else if (ar.result() instanceof Bus.Binary binary) Bus.reply(message, binary);
        else message.reply(ar.result());
      });
    });
  }

  /**
   * A read: served as {@link #serve} does, and run once more when its connection went away under
   * it ({@link DatabaseHealth#connectionLost}: a terminated backend, a failover). A read changes
   * nothing, so running it twice is safe; a second loss, or a database that cannot be reached at
   * all, is answered 503 as any other failure of the database.
   *
   * <p>The second run waits {@link #READ_RETRY_DELAY_MS}: the failure reaches this code before the
   * pool has taken the dead connection out (its close is handled on a later turn of the event
   * loop), and a retry at once went onto the same connection and failed with it.
   */
  @SuppressWarnings("unchecked")
  protected void serveRead(String address, Function<JsonObject, Future<?>> handler) {
    serve(address, q -> ((Future<Object>) handler.apply(q)).recover(e -> {
      if (!DatabaseHealth.connectionLost(e)) return Future.failedFuture(e);
      Promise<Object> again = Promise.promise();
      vertx.setTimer(READ_RETRY_DELAY_MS, id -> ((Future<Object>) handler.apply(q)).onComplete(again));
      return again.future();
    }));
  }

  static final long READ_RETRY_DELAY_MS = 20;

  /** Database errors a client can cause are turned into API errors; the rest stay INTERNAL. */
  protected static Throwable translate(Throwable e) {
    if (e instanceof PgException pg && "23505".equals(pg.getSqlState())) {
      return new ParleyException(ErrorCode.CONFLICT, "A resource with the same identity already exists");
    }
    return e;
  }

  protected static UUID uuid(JsonObject body, String field) {
    String v = body.getString(field);
    return v == null ? null : UUID.fromString(v);
  }

  protected static String str(Row row, int i) {
    Object v = row.getValue(i);
    return v == null ? null : v.toString();
  }

  protected static int page(JsonObject q) {
    return q.getInteger("page", 1);
  }

  protected static int limit(JsonObject q) {
    return q.getInteger("limit", 20);
  }

  /**
   * A read by ID with a statement that returns (company_id, json text): 404 when there is none,
   * then 403 when it is another company's.
   */
  protected Future<String> getOwned(String sql, String resourceType, JsonObject q) {
    UUID id = uuid(q, "id");
    return reads.preparedQuery(sql).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) throw ParleyException.notFound(resourceType, id.toString());
      Row r = rows.iterator().next();
      if (!str(r, 0).equals(q.getString("companyId"))) throw ParleyException.forbiddenCompany(resourceType);
      return r.getString(1);
    });
  }

  /**
   * One transaction in as few round trips as its statements allow: BEGIN goes out at once, the
   * statements follow on the same connection without waiting for each other's answers (the pg
   * client pipelines them, and PostgreSQL runs them in order), and COMMIT goes out as soon as the
   * last statement has been sent. {@code statements} answers a future that completes once its
   * last statement is sent (after any reads it had to wait for), holding the future of the result.
   *
   * <p>A failed statement commits nothing: PostgreSQL answers the COMMIT of a transaction in which
   * a statement failed with a rollback. The result is then the first failure; the statements after
   * it only report that the transaction was aborted. A check made in Java must therefore fail
   * before the last statement is sent (the transaction is then rolled back), never after.
   */
  static <T> Future<T> pipelinedTransaction(Pool pool, Function<SqlConnection, Future<Future<T>>> statements) {
    return pool.withConnection(c -> {
      Future<RowSet<Row>> begin = c.query("BEGIN").execute();
      Future<Future<T>> sent;
      try {
        sent = statements.apply(c);
      } catch (RuntimeException e) {
        sent = Future.failedFuture(e);
      }
      return sent.transform(s -> {
        if (s.failed()) return c.query("ROLLBACK").execute().transform(x -> Future.<T>failedFuture(s.cause()));
        Future<T> result = s.result();
        Future<RowSet<Row>> commit = c.query("COMMIT").execute();
        return Future.join(begin, result, commit).transform(x -> {
          if (begin.failed()) return Future.failedFuture(begin.cause());
          if (result.failed()) return Future.failedFuture(result.cause());
          if (commit.failed()) return Future.failedFuture(commit.cause());
          return Future.succeededFuture(result.result());
        });
      });
    });
  }

  /** Tells this node's dispatcher, after commit, that an attempt falls due at {@code at}. */
  static void dueAt(Vertx vertx, java.time.OffsetDateTime at) {
    Bus.send(vertx, Bus.DISPATCH_DUE, new JsonObject()
      .put("dueInMillis", at.toInstant().toEpochMilli() - System.currentTimeMillis()));
  }

  private static final String JOB_IN_COMPANY = "SELECT 1 FROM jobs WHERE id = $1 AND company_id = $2";

  /** A job referenced in a body must be one of the company's: otherwise 404, whether or not it exists. */
  static Future<Void> jobOfCompany(SqlClient c, UUID jobId, UUID companyId) {
    return c.preparedQuery(JOB_IN_COMPANY).execute(Tuple.of(jobId, companyId)).compose(rows -> rows.size() == 1
      ? Future.succeededFuture() : Future.failedFuture(ParleyException.notFound("Job", jobId.toString())));
  }

  /**
   * Locks a row by ID in a transaction, with a statement that returns its company_id first: 404 when
   * there is none, 403 when it is another company's; otherwise the locked row.
   */
  static Future<Row> lockOwned(SqlClient c, String sql, String resourceType, JsonObject q) {
    UUID id = uuid(q, "id");
    return c.preparedQuery(sql).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) return Future.failedFuture(ParleyException.notFound(resourceType, id.toString()));
      Row r = rows.iterator().next();
      if (!str(r, 0).equals(q.getString("companyId"))) return Future.failedFuture(ParleyException.forbiddenCompany(resourceType));
      return Future.succeededFuture(r);
    });
  }

  /** Where a list starts: {@code page} and {@code limit}, or a {@code cursor} (which wins). */
  protected record Paging(Integer page, int limit, long offset, Cursor cursor) {
    static Paging of(JsonObject q) {
      int page = Store.page(q), limit = Store.limit(q);
      Cursor cursor = q.getString("cursor") == null ? null : Cursor.decode(q.getString("cursor"));
      return new Paging(cursor == null ? page : null, limit, cursor == null ? (long) (page - 1) * limit : 0, cursor);
    }
  }

  /**
   * A company's resources, newest first: the statement takes (company, offset, limit, cursor time,
   * cursor ID) and has the shape {@link #list(String, Tuple, Integer, int, boolean)} reads.
   */
  protected Future<String> listOwned(String sql, JsonObject q) {
    Paging p = Paging.of(q);
    return list(sql, Tuple.of(uuid(q, "companyId"), p.offset(), p.limit(),
      p.cursor() == null ? null : p.cursor().createdAt(), p.cursor() == null ? null : p.cursor().id()),
      p.page(), p.limit(), p.cursor() != null);
  }

  /**
   * Runs a list query shaped as {@code SELECT total, item_json, created_at_utc, id} (one row with
   * null items when the page is empty) that fetched {@code limit + 1} items, and builds the list data.
   * A null total is passed on as null.
   */
  protected Future<String> list(String sql, Tuple params, Integer page, int limit, boolean byCursor) {
    return reads.preparedQuery(sql).execute(params).map(rows -> {
      Long total = 0L;
      int n = 0;
      Row last = null;
      boolean more = false;
      StringBuilder items = new StringBuilder("[");
      for (Row r : rows) {
        total = r.getLong(0);
        if (r.getValue(1) == null) continue;
        if (n == limit) {
          more = true;
          break;
        }
        if (n++ > 0) items.append(',');
        items.append(r.getString(1));
        last = r;
      }
      items.append(']');
      String next = more ? new Cursor(last.getLocalDateTime(2), last.getUUID(3)).encode() : null;
      boolean hasPrevious = byCursor || (page != null && page > 1);
      return listData(items.toString(), total, page, limit, more, hasPrevious, next);
    });
  }

  /** The data of a list response, with the InstaView pagination block. */
  protected static String listData(String itemsJson, Long total, Integer page, int limit, boolean hasNext,
                                   boolean hasPrevious, String nextCursor) {
    // a total the list could not count cheaply is null, and so are its pages (docs/api.md, "Lists")
    Long totalPages = total == null ? null : (total + limit - 1) / limit;
    // "page" is null when the client paged by cursor
    JsonObject pagination = new JsonObject()
      .put("total", total).put("page", page).put("limit", limit).put("totalPages", totalPages)
      .put("hasNextPage", hasNext).put("hasPreviousPage", hasPrevious).put("nextCursor", nextCursor);
    return "{\"items\":" + (itemsJson == null ? "[]" : itemsJson) + ",\"pagination\":" + pagination.encode() + "}";
  }
}
