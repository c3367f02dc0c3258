package dev.parley.persistence;

import dev.parley.bus.Bus;
import dev.parley.bus.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.calls.PhoneZones;
import dev.parley.calls.provider.Synthetic;
import dev.parley.db.OutboxSql;
import io.vertx.core.json.JsonArray;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.UUID;

/** Interviews: create, read, list, and the delete of SPEC section 3. */
final class InterviewStore extends Store {
  /** The read path: one prepared statement, and the JSON text goes out as PostgreSQL built it. */
  static final String GET = "SELECT company_id, interview_json(i)::text FROM interviews i WHERE i.id = $1";

  /**
   * How one listed row is rendered: the only place the list names it, applied to the rows of the
   * page only ({@code i} is the interview row there).
   */
  static final String LIST_ROW_JSON = "interview_json(i)";

  /** A filtered total is counted up to this many matches; beyond it the total is null (docs/api.md). */
  static final int COUNT_CAP = 10_000;

  /** One statement per combination of filters present: see {@link #listSql}. */
  private static final String[] LIST_SQL = new String[1 << 6];

  static {
    for (int shape = 0; shape < LIST_SQL.length; shape++) LIST_SQL[shape] = listSql(shape);
  }

  private static final String INSERT_JOB = """
    INSERT INTO jobs (id, company_id, title, description, details) VALUES ($1, $2, $3, $4, $5) RETURNING id""";
  private static final String CANDIDATE = "SELECT company_id, job_id, phone_number FROM candidates WHERE id = $1";
  private static final String AGENT = "SELECT company_id, duration, questions FROM agents WHERE id = $1 AND deleted_at IS NULL";
  private static final String INSERT = """
    INSERT INTO interviews (id, company_id, candidate_id, agent_id, job_id, status, scheduled_at, schedule_offset,
                            duration_minutes, metadata, is_test, created_by_key, call_zone)
    VALUES ($1, $2, $3, $4, $5, 'SCHEDULED', $6, $7, $8, COALESCE($9, '{}'::jsonb), $10, $11, $12)""";
  private static final String INSERT_ATTEMPT = """
    INSERT INTO call_attempts (id, interview_id, company_id, status, scheduled_at) VALUES ($1, $2, $3, 'SCHEDULED', $4)""";
  /** Wakes the dispatchers when the transaction commits. */
  private static final String NOTIFY_DUE = "SELECT pg_notify('parley_attempt_due', $1)";
  /**
   * Takes an Idempotency-Key for this create, first thing in its transaction. A key in use by a
   * create that has not committed yet makes this statement wait for it (the primary key's unique
   * index): a concurrent repeat, on any node, then finds the first one's answer instead of creating
   * a second interview. A row comes back when the key is ours (new, or expired and taken over).
   */
  private static final String IDEMPOTENCY_TAKE = """
    INSERT INTO idempotency_keys (company_id, key, request_hash, response) VALUES ($1, $2, $3, 'null'::jsonb)
    ON CONFLICT (company_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, response = EXCLUDED.response,
       interview_id = NULL, created_at = now()
    WHERE idempotency_keys.created_at <= now() - interval '24 hours'
    RETURNING key""";
  /** The answer of the create that holds the key (committed, since {@link #IDEMPOTENCY_TAKE} waited for it). */
  private static final String IDEMPOTENCY_ANSWER = """
    SELECT request_hash, response::text FROM idempotency_keys WHERE company_id = $1 AND key = $2""";
  private static final String IDEMPOTENCY_DONE = """
    UPDATE idempotency_keys SET response = $3::text::jsonb, interview_id = $4 WHERE company_id = $1 AND key = $2""";

  // The delete, in one transaction (DESIGN "Deleting a live call", step 1).
  private static final String LOCK = "SELECT company_id, status FROM interviews WHERE id = $1 FOR UPDATE";
  private static final String AUDIT = """
    INSERT INTO interview_deletions (interview_id, company_id, api_key_id, token_subject, status_at_delete)
    VALUES ($1, $2, $3, $4, $5)""";
  private static final String CANCEL_QUEUED = """
    UPDATE call_attempts SET status = 'CANCELLED', reason_code = 'DELETED', updated_at = now()
     WHERE interview_id = $1 AND status = 'SCHEDULED'""";
  private static final String DROP_ATTEMPTS = "DELETE FROM call_attempts WHERE interview_id = $1";
  /**
   * A live call goes on but produces nothing; one not answered yet (claimed, dialling or ringing) is
   * also to be cancelled at the provider (SPEC section 3), by the call-session verticle after commit.
   */
  private static final String FLAG_LIVE_CALL = """
    UPDATE live_calls SET post_call_skipped = true,
           cancel_requested_at = CASE WHEN answered_at IS NULL THEN coalesce(cancel_requested_at, now()) END
     WHERE interview_id = $1""";
  private static final String DROP_PENDING_OUTBOX =
    "DELETE FROM outbox WHERE interview_id = $1 AND kind IN ('webhook', 'post_call')";
  private static final String DROP_IDEMPOTENCY = "DELETE FROM idempotency_keys WHERE interview_id = $1";
  /** Pending deliveries are never sent, and the log of sent ones goes too (invariants 4 and 6). */
  private static final String DROP_DELIVERIES = "DELETE FROM webhook_deliveries WHERE interview_id = $1";
  /** The recording goes with the interview row (ON DELETE CASCADE), in this transaction. */
  private static final String DELETE = "DELETE FROM interviews WHERE id = $1";

  InterviewStore(Vertx vertx, Pool pool, SqlClient reads) {
    super(vertx, pool, reads);
  }

  @Override
  void register() {
    serve(Bus.INTERVIEW_GET, q -> getOwned(GET, "Interview", q));
    serve(Bus.INTERVIEW_LIST, this::list);
    serve(Bus.INTERVIEW_CREATE, this::create);
    serve(Bus.INTERVIEW_DELETE, this::delete);
  }

  private Future<String> list(JsonObject q) {
    Paging p = Paging.of(q);
    String status = q.getString("status");
    UUID candidateId = uuid(q, "candidateId"), agentId = uuid(q, "agentId");
    OffsetDateTime from = time(q, "scheduledFrom"), to = time(q, "scheduledTo");
    int shape = (status != null ? 1 : 0) | (candidateId != null ? 2 : 0) | (agentId != null ? 4 : 0)
      | (from != null ? 8 : 0) | (to != null ? 16 : 0) | (p.cursor() != null ? 32 : 0);
    String sql = LIST_SQL[shape];
    Tuple params = Tuple.of(uuid(q, "companyId"), p.offset(), p.limit());
    if (status != null) params.addString(status);
    if (candidateId != null) params.addUUID(candidateId);
    if (agentId != null) params.addUUID(agentId);
    if (from != null) params.addOffsetDateTime(from);
    if (to != null) params.addOffsetDateTime(to);
    if (p.cursor() != null) params.addLocalDateTime(p.cursor().createdAt()).addUUID(p.cursor().id());
    return list(sql, params, p.page(), p.limit(), p.cursor() != null);
  }

  /**
   * The list statement for one combination of filters (bit 0 status, 1 candidate, 2 agent,
   * 3 scheduledFrom, 4 scheduledTo, 5 cursor), with only the predicates present, so that each has a
   * plan of its own that uses the index in list order. Parameters: $1 company, $2 offset, $3 limit,
   * then one per filter present in that order, then the cursor's time and ID. It answers
   * (total, item json, created_at in UTC, id), newest first, limit + 1 items, and one row with null
   * items when the page is empty.
   *
   * <p>The page is found first by IDs alone (an index-only scan for the unfiltered and the status
   * lists, whose indexes hold (company_id[, status], created_at, id)), so an OFFSET page skips
   * index entries, not rendered rows; then only the page's rows are read and rendered.
   *
   * <p>The total: with no filter or only a status, the company's counters (V9__flat_lists.sql),
   * exact and independent of the company's size; with any other filter, count(*) of the matches up
   * to {@link #COUNT_CAP} and null beyond (more would cost a scan of all of them on every page).
   */
  static String listSql(int shape) {
    boolean status = (shape & 1) != 0, cursor = (shape & 32) != 0;
    boolean counted = (shape & 0b11110) == 0;
    StringBuilder where = new StringBuilder("i.company_id = $1");
    int n = 3;
    String statusParam = null;
    if (status) where.append(" AND i.status = ").append(statusParam = "$" + ++n);
    if ((shape & 2) != 0) where.append(" AND i.candidate_id = $").append(++n);
    if ((shape & 4) != 0) where.append(" AND i.agent_id = $").append(++n);
    if ((shape & 8) != 0) where.append(" AND i.scheduled_at >= $").append(++n);
    if ((shape & 16) != 0) where.append(" AND i.scheduled_at <= $").append(++n);
    String filters = where.toString();
    String page = cursor
      ? filters + " AND (i.created_at, i.id) < ($" + (n + 1) + "::timestamp AT TIME ZONE 'UTC', $" + (n + 2) + "::uuid)"
      : filters;
    String total;
    if (counted) {
      String byStatus = status ? " AND status = " + statusParam : "";
      total = "(SELECT coalesce(sum(n), 0) FROM interview_counts WHERE company_id = $1" + byStatus + ")::bigint"
        + " + (SELECT coalesce(sum(n), 0) FROM interview_count_deltas WHERE company_id = $1" + byStatus + ")::bigint";
    } else {
      total = "(SELECT CASE WHEN count(*) > " + COUNT_CAP + " THEN NULL ELSE count(*) END"
        + " FROM (SELECT 1 FROM interviews i WHERE " + filters + " LIMIT " + (COUNT_CAP + 1) + ") m)";
    }
    return "SELECT t.total, r.j::text, r.cts, r.id\n"
      + "  FROM (SELECT " + total + " AS total) t\n"
      + "  LEFT JOIN LATERAL (\n"
      + "    SELECT " + LIST_ROW_JSON + " AS j, p.created_at AT TIME ZONE 'UTC' AS cts, p.id\n"
      + "      FROM (SELECT i.id, i.created_at FROM interviews i WHERE " + page + "\n"
      + "             ORDER BY i.created_at DESC, i.id DESC OFFSET $2 LIMIT $3 + 1) p\n"
      + "      JOIN interviews i ON i.id = p.id) r ON true\n"
      + " ORDER BY r.cts DESC, r.id DESC";
  }

  private static OffsetDateTime time(JsonObject q, String field) {
    String v = q.getString(field);
    return v == null ? null : OffsetDateTime.parse(v);
  }

  /**
   * Creates an interview with its first call attempt on the queue. Inline candidate, agent and job
   * become permanent resources of the company, in the same transaction.
   */
  private Future<String> create(JsonObject q) {
    return createInTransaction(q).onSuccess(json -> {
      if (q.getJsonObject("body").getBoolean("isTest", false)) Bus.send(vertx, Bus.POSTCALL_WAKE, new JsonObject());
    });
  }

  private Future<String> createInTransaction(JsonObject q) {
    UUID companyId = uuid(q, "companyId");
    JsonObject b = q.getJsonObject("body");
    String idemKey = q.getString("idempotencyKey");
    return pool.withTransaction(c -> {
      Future<String> replay = idemKey == null ? Future.succeededFuture(null)
        : c.preparedQuery(IDEMPOTENCY_TAKE).execute(Tuple.of(companyId, idemKey, q.getString("requestHash"))).compose(taken ->
          taken.size() == 1 ? Future.succeededFuture(null)
            : c.preparedQuery(IDEMPOTENCY_ANSWER).execute(Tuple.of(companyId, idemKey)).map(rows -> {
              Row r = rows.iterator().next();
              if (!r.getString(0).equals(q.getString("requestHash"))) {
                throw new ParleyException(ErrorCode.CONFLICT, "Idempotency-Key was already used with a different request body");
              }
              return r.getString(1);
            }));
      return replay.compose(previous -> previous != null ? Future.succeededFuture(previous) : insert(c, q, companyId, b, idemKey));
    });
  }

  private Future<String> insert(SqlConnection c, JsonObject q, UUID companyId, JsonObject b, String idemKey) {
    UUID interviewId = UUID.randomUUID();
    OffsetDateTime scheduledAt = OffsetDateTime.parse(q.getString("scheduledAt"));
    boolean isTest = b.getBoolean("isTest", false);
    UUID[] jobId = new UUID[1];
    UUID[] candidateId = new UUID[1];
    UUID[] agentId = new UUID[1];
    String[] phone = new String[1];
    int[] duration = new int[1];
    JsonArray[] questions = new JsonArray[1];

    Future<Void> job;
    if (b.getJsonObject("job") != null) {
      JsonObject j = b.getJsonObject("job").copy();
      String title = (String) j.remove("title");
      String description = (String) j.remove("description");
      jobId[0] = UUID.randomUUID();
      job = c.preparedQuery(INSERT_JOB).execute(Tuple.of(jobId[0], companyId, title, description, j)).mapEmpty();
    } else if (b.getString("jobId") != null) {
      jobId[0] = UUID.fromString(b.getString("jobId"));
      job = jobOfCompany(c, jobId[0], companyId);
    } else {
      job = Future.succeededFuture();
    }

    Future<Void> candidate = job.compose(v -> {
      if (b.getJsonObject("candidate") != null) {
        return CandidateStore.insert(c, companyId, b.getJsonObject("candidate"), jobId[0]).map(json -> {
          JsonObject created = new JsonObject(json);
          candidateId[0] = UUID.fromString(created.getString("id"));
          phone[0] = created.getString("phoneNumber");
          if (jobId[0] == null && created.getString("jobId") != null) jobId[0] = UUID.fromString(created.getString("jobId"));
          return null;
        });
      }
      UUID id = UUID.fromString(b.getString("candidateId"));
      return c.preparedQuery(CANDIDATE).execute(Tuple.of(id)).compose(rows -> {
        // Someone else's candidate is reported exactly like a missing one: no existence leak.
        if (rows.size() == 0 || !companyId.equals(rows.iterator().next().getUUID(0))) {
          return Future.failedFuture(ParleyException.notFound("Candidate", id.toString()));
        }
        candidateId[0] = id;
        phone[0] = rows.iterator().next().getString(2);
        if (jobId[0] == null) jobId[0] = rows.iterator().next().getUUID(1);
        return Future.succeededFuture();
      });
    });

    Future<Void> agent = candidate.compose(v -> {
      if (b.getJsonObject("agent") != null) {
        return AgentStore.insert(c, companyId, b.getJsonObject("agent")).map(row -> {
          agentId[0] = row.getUUID(0);
          duration[0] = row.getInteger(1);
          questions[0] = new JsonObject(row.getString(2)).getJsonArray("questions");
          return null;
        });
      }
      UUID id = UUID.fromString(b.getString("agentId"));
      return c.preparedQuery(AGENT).execute(Tuple.of(id)).compose(rows -> {
        if (rows.size() == 0 || !companyId.equals(rows.iterator().next().getUUID(0))) {
          return Future.failedFuture(ParleyException.notFound("Agent", id.toString()));
        }
        agentId[0] = id;
        duration[0] = rows.iterator().next().getInteger(1);
        questions[0] = rows.iterator().next().getValue(2) instanceof JsonArray a ? a : new JsonArray();
        return Future.succeededFuture();
      });
    });

    return agent
      .compose(v -> c.preparedQuery(INSERT).execute(Tuple.from(new Object[] {
        interviewId, companyId, candidateId[0], agentId[0], jobId[0], scheduledAt, q.getInteger("scheduleOffset"),
        duration[0], b.getJsonObject("metadata"), isTest, uuid(q, "keyId"), PhoneZones.zoneOf(phone[0])})))
      // A test interview places no call and uses no slot: it goes straight to post-call work.
      .compose(v -> isTest ? testInterview(c, companyId, interviewId, questions[0]) : c.preparedQuery(INSERT_ATTEMPT)
        .execute(Tuple.of(UUID.randomUUID(), interviewId, companyId, scheduledAt))
        .compose(x -> c.preparedQuery(NOTIFY_DUE).execute(Tuple.of(interviewId.toString()))).mapEmpty())
      .compose(v -> c.preparedQuery(GET).execute(Tuple.of(interviewId)))
      .map(rows -> rows.iterator().next().getString(1))
      .compose(json -> idemKey == null ? Future.succeededFuture(json)
        : c.preparedQuery(IDEMPOTENCY_DONE).execute(Tuple.of(companyId, idemKey, json, interviewId))
          .map(json));
  }

  /** A test interview: started at once, then completed by post-call work with synthetic data. */
  private static Future<Void> testInterview(SqlConnection c, UUID companyId, UUID interviewId, JsonArray questions) {
    JsonObject job = new JsonObject().put("synthetic", true).put("durationSeconds", 5)
      .put("transcript", Synthetic.transcript(questions, interviewId.hashCode()));
    return c.preparedQuery(OutboxSql.WEBHOOK_EVENTS).execute(OutboxSql.event(interviewId, "interview.started", null, "{\"isTest\":true}"))
      .compose(v -> c.preparedQuery(OutboxSql.POST_CALL_JOB).execute(Tuple.of(companyId, interviewId, job.encode())))
      .mapEmpty();
  }

  /**
   * Deletes an interview in any status (SPEC section 3). The interview row lock serialises this
   * with the dispatcher's claim, so a SCHEDULED interview is either claimed before (and is then
   * IN_PROGRESS here) or never dialled.
   */
  private Future<JsonObject> delete(JsonObject q) {
    UUID id = uuid(q, "id");
    return pool.withTransaction(c -> lockOwned(c, LOCK, "Interview", q).compose(r -> {
      UUID companyId = r.getUUID(0);
      String status = r.getString(1);
      boolean live = "IN_PROGRESS".equals(status);
      return c.preparedQuery(AUDIT).execute(Tuple.of(id, companyId, uuid(q, "keyId"), q.getString("tokenSubject"), status))
        .compose(v -> c.preparedQuery(CANCEL_QUEUED).execute(Tuple.of(id)))
        .compose(v -> c.preparedQuery(DROP_ATTEMPTS).execute(Tuple.of(id)))
        .compose(v -> live ? c.preparedQuery(FLAG_LIVE_CALL).execute(Tuple.of(id)).mapEmpty() : Future.succeededFuture())
        .compose(v -> c.preparedQuery(DROP_PENDING_OUTBOX).execute(Tuple.of(id)))
        .compose(v -> c.preparedQuery(DROP_IDEMPOTENCY).execute(Tuple.of(id)))
        .compose(v -> c.preparedQuery(DROP_DELIVERIES).execute(Tuple.of(id)))
        .compose(v -> c.preparedQuery(DELETE).execute(Tuple.of(id)))
        .map(v -> new JsonObject().put("interviewId", id.toString()).put("companyId", companyId.toString())
          .put("statusAtDelete", status).put("wasLive", live));
    })).onSuccess(result -> {
      if (result.getBoolean("wasLive")) {
        // After commit: every node's call-session verticle hears it; the one holding the call flags it.
        vertx.eventBus().publish(Bus.CLUSTER_INTERVIEW_DELETED, new JsonObject()
          .put("interviewId", result.getString("interviewId")));
      }
    });
  }
}
