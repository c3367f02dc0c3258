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
  /**
   * The read path: one primary-key lookup of the stored document (V10: kept current by triggers on
   * every write), and the JSON text goes out as PostgreSQL stored it.
   */
  static final String GET = "SELECT company_id, doc FROM interviews WHERE id = $1";

  private static final String LIST = """
    SELECT t.total, p.j::text, p.cts, p.id
      FROM (SELECT count(*) AS total FROM interviews i
             WHERE i.company_id = $1
               AND ($2::text IS NULL OR i.status = $2) AND ($3::uuid IS NULL OR i.candidate_id = $3)
               AND ($4::uuid IS NULL OR i.agent_id = $4)
               AND ($5::timestamptz IS NULL OR i.scheduled_at >= $5) AND ($6::timestamptz IS NULL OR i.scheduled_at <= $6)) t
      LEFT JOIN LATERAL (
        SELECT interview_json(i) AS j, i.created_at AT TIME ZONE 'UTC' AS cts, i.id FROM interviews i
         WHERE i.company_id = $1
           AND ($2::text IS NULL OR i.status = $2) AND ($3::uuid IS NULL OR i.candidate_id = $3)
           AND ($4::uuid IS NULL OR i.agent_id = $4)
           AND ($5::timestamptz IS NULL OR i.scheduled_at >= $5) AND ($6::timestamptz IS NULL OR i.scheduled_at <= $6)
           AND ($9::timestamp IS NULL OR (i.created_at, i.id) < ($9::timestamp AT TIME ZONE 'UTC', $10::uuid))
         ORDER BY i.created_at DESC, i.id DESC OFFSET $7 LIMIT $8 + 1) p ON true
     ORDER BY p.cts DESC, p.id DESC""";

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

  /** The delete (DESIGN "Deleting a live call", step 1): one statement, the function of migration V11. */
  private static final String DELETE = "SELECT outcome, status_at_delete FROM delete_interview($1, $2, $3, $4)";

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
    Tuple params = Tuple.from(new Object[] {uuid(q, "companyId"), q.getString("status"), uuid(q, "candidateId"),
      uuid(q, "agentId"), time(q, "scheduledFrom"), time(q, "scheduledTo"), p.offset(), p.limit(),
      p.cursor() == null ? null : p.cursor().createdAt(), p.cursor() == null ? null : p.cursor().id()});
    return list(LIST, params, p.page(), p.limit(), p.cursor() != null);
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
   * Deletes an interview in any status (SPEC section 3), in one round trip: {@code delete_interview}
   * locks the row, writes the audit row, flags a live call and removes everything else in its own
   * transaction.
   */
  private Future<JsonObject> delete(JsonObject q) {
    UUID id = uuid(q, "id");
    UUID companyId = uuid(q, "companyId");
    return pool.preparedQuery(DELETE).execute(Tuple.of(id, companyId, uuid(q, "keyId"), q.getString("tokenSubject")))
      .map(rows -> {
        Row r = rows.iterator().next();
        String status = r.getString(1);
        switch (r.getString(0)) {
          case "not_found" -> throw ParleyException.notFound("Interview", id.toString());
          case "other_company" -> throw ParleyException.forbiddenCompany("Interview");
          default -> {
            return new JsonObject().put("interviewId", id.toString()).put("companyId", companyId.toString())
              .put("statusAtDelete", status).put("wasLive", "IN_PROGRESS".equals(status));
          }
        }
      }).onSuccess(result -> {
        if (result.getBoolean("wasLive")) {
          // After commit: every node's call-session verticle hears it; the one holding the call flags it.
          vertx.eventBus().publish(Bus.CLUSTER_INTERVIEW_DELETED, new JsonObject()
            .put("interviewId", result.getString("interviewId")));
        }
      });
  }
}
