package dev.parley.persistence;

import dev.parley.bus.Bus;
import dev.parley.client.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.repository.InterviewRows;
import dev.parley.schedule.PhoneZones;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Interviews: create, read, list, and the delete of SPEC section 3. */
final class InterviewStore extends Store {
  /**
   * The read path: one primary-key lookup of the stored document (V10: rendered by every write,
   * {@link dev.parley.repository.Documents}), and the JSON text goes out as PostgreSQL stored it.
   */
  static final String GET = "SELECT company_id, doc FROM interviews WHERE id = $1";

  /**
   * What one listed row is: its stored document (V10), the same text a GET returns, read for the
   * rows of the page only ({@code i} is the interview row there).
   */
  static final String LIST_ROW_JSON = "i.doc";

  /** A filtered total is counted up to this many matches; beyond it the total is null (docs/api.md). */
  static final int COUNT_CAP = 10_000;
  /** The largest {@code limit} a list takes (openapi.json's maximum). */
  static final int MAX_LIMIT = 100;

  /** One statement per combination of filters present: see {@link #listSql}. */
  private static final String[] LIST_SQL = new String[1 << 6];

  static {
    for (int shape = 0; shape < LIST_SQL.length; shape++) LIST_SQL[shape] = listSql(shape);
  }

  private static final String INSERT_JOB = """
    INSERT INTO jobs (id, company_id, title, description, details) VALUES ($1, $2, $3, $4, $5) RETURNING id""";
  private static final String CANDIDATE = "SELECT company_id, job_id, phone_number FROM candidates WHERE id = $1";
  private static final String AGENT = "SELECT company_id, type FROM agents WHERE id = $1 AND deleted_at IS NULL";
  /**
   * The caller number a create's call would use, when it is one of the company's ({@code $1}): the
   * inline agent's ({@code $2}), else the referenced agent's ({@code $3}), else the company default.
   * Its provider reference too (Vapi dials from a phoneNumberId).
   */
  private static final String CALLER = """
    SELECT n.number, n.provider_ref FROM company_phone_numbers n
     WHERE n.company_id = $1
       AND n.id = COALESCE($2::uuid, (SELECT a.company_phone_number_id FROM agents a WHERE a.id = $3),
                           (SELECT d.id FROM company_phone_numbers d WHERE d.company_id = $1 AND d.is_default))""";
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
    WHERE\s""" + IdempotencyKeys.EXPIRED + """
    RETURNING key""";
  /** The answer of the create that holds the key (committed, since {@link #IDEMPOTENCY_TAKE} waited for it). */
  private static final String IDEMPOTENCY_ANSWER = """
    SELECT request_hash, response::text FROM idempotency_keys WHERE company_id = $1 AND key = $2""";
  /** The answer kept for repeats: the interview as created, read where it is (no wait for the GET's result). */
  private static final String IDEMPOTENCY_DONE = """
    UPDATE idempotency_keys SET response = (SELECT doc FROM interviews WHERE id = $3)::jsonb, interview_id = $3
     WHERE company_id = $1 AND key = $2""";

  InterviewStore(Vertx vertx, Pool pool, SqlClient reads) {
    super(vertx, pool, reads);
  }

  @Override
  void register() {
    serveRead(Bus.INTERVIEW_GET, q -> getOwned(GET, "Interview", q));
    serveRead(Bus.INTERVIEW_LIST, this::list);
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
   * <p>A cursor page scans with a constant bound, {@link #MAX_LIMIT} + 1 entries, and cuts to the
   * page's limit after. The statement is prepared and its limit is a parameter, for which the
   * planner's estimate is a tenth of all the matches: with {@code LIMIT $3 + 1} on the scan, that
   * estimate, and with it the cost of the cached generic plan, grew with the company: at ten
   * thousand interviews PostgreSQL ran the generic plan, at ten million it planned every execution
   * afresh, 0.3 ms more per page (bench/README.md). With the constant bound the generic plan costs the same at every
   * size and is the one used. An OFFSET page keeps its parameters on the scan: its offset is
   * unknown to the generic plan in the same way, and it is planned each time at every size.
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
      + (cursor
        ? "      FROM (SELECT k.id, k.created_at FROM (SELECT i.id, i.created_at FROM interviews i WHERE " + page + "\n"
          + "             ORDER BY i.created_at DESC, i.id DESC LIMIT " + (MAX_LIMIT + 1) + ") k\n"
          + "             ORDER BY k.created_at DESC, k.id DESC OFFSET $2 LIMIT $3 + 1) p\n"
        : "      FROM (SELECT i.id, i.created_at FROM interviews i WHERE " + page + "\n"
          + "             ORDER BY i.created_at DESC, i.id DESC OFFSET $2 LIMIT $3 + 1) p\n")
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
    return createInTransaction(q).onSuccess(json -> dueAt(vertx, OffsetDateTime.parse(q.getString("scheduledAt"))));
  }

  /**
   * The create as one pipelined transaction ({@link #pipelinedTransaction}): with an inline
   * candidate and agent, BEGIN, every insert (the interview last, answering its document) and
   * COMMIT reach PostgreSQL together. What must be read first (an Idempotency-Key's holder, a
   * referenced candidate, agent or job) is read in one trip before the writes go out.
   */
  private Future<String> createInTransaction(JsonObject q) {
    UUID companyId = uuid(q, "companyId");
    JsonObject b = q.getJsonObject("body");
    String idemKey = q.getString("idempotencyKey");
    return pipelinedTransaction(pool, c -> {
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
      Future<References> references = references(c, companyId, b, q.getBoolean("callerRequired", false),
        q.getBoolean("callerNeedsProviderRef", false));
      // A repeat gets the first answer even if what it referenced is gone by now.
      return replay.transform(r -> r.failed() ? Future.failedFuture(r.cause())
        : r.result() != null ? Future.succeededFuture(Future.succeededFuture(r.result()))
        : references.map(refs -> insert(c, q, companyId, b, idemKey, refs,
            !q.getBoolean("livemode", true) || b.getBoolean("isTest", false))));
    });
  }

  /**
   * What a create reads before it writes: the referenced candidate, agent and job, and the caller
   * number, all in one trip.
   *
   * @param online an agent of type ONLINE: its interview is never dialled and has no call attempts
   */
  private record References(UUID jobId, UUID candidateId, String phone, UUID agentId, boolean online) {}

  /**
   * @param callerRequired   the interview is live and a real provider dials it: a PHONE agent needs a caller number
   * @param needsProviderRef the provider (Vapi) dials from the number's reference, which it must have
   */
  private static Future<References> references(SqlConnection c, UUID companyId, JsonObject b, boolean callerRequired,
                                               boolean needsProviderRef) {
    JsonObject inlineCandidate = b.getJsonObject("candidate");
    JsonObject inlineAgent = b.getJsonObject("agent");
    // the job: inline (new), named at the top, or named by an inline candidate
    UUID namedJob = b.getJsonObject("job") != null ? null
      : b.getString("jobId") != null ? UUID.fromString(b.getString("jobId"))
      : inlineCandidate != null && inlineCandidate.getString("jobId") != null ? UUID.fromString(inlineCandidate.getString("jobId"))
      : null;
    Future<Void> job = namedJob == null ? Future.succeededFuture() : jobOfCompany(c, namedJob, companyId);

    Future<Row> candidate = inlineCandidate != null ? Future.succeededFuture() : lookup(c, CANDIDATE, companyId,
      UUID.fromString(b.getString("candidateId")), "Candidate");
    Future<Row> agent = inlineAgent != null ? Future.succeededFuture() : lookup(c, AGENT, companyId,
      UUID.fromString(b.getString("agentId")), "Agent");
    String inlineNumber = inlineAgent == null ? null : inlineAgent.getString("companyPhoneNumberId");
    Future<Row> caller = !callerRequired && inlineNumber == null ? Future.succeededFuture()
      : c.preparedQuery(CALLER).execute(Tuple.of(companyId, inlineNumber == null ? null : UUID.fromString(inlineNumber),
          inlineAgent != null ? null : UUID.fromString(b.getString("agentId"))))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    return Future.all(job, candidate, agent, caller).map(v -> {
      boolean online = "ONLINE".equals(inlineAgent != null ? inlineAgent.getString("type") : agent.result().getString(1));
      String callerField = inlineAgent != null ? "agent.companyPhoneNumberId" : "agentId";
      if (inlineNumber != null && caller.result() == null) throw AgentStore.notACallerNumber(callerField);
      if (callerRequired && !online) {
        if (caller.result() == null) throw AgentStore.callerNeeded(callerField);
        if (needsProviderRef && caller.result().getString(1) == null) {
          throw ParleyException.validation(callerField, "the caller number " + caller.result().getString(0)
            + " has no providerRef, which Vapi dials from (its phoneNumberId): admin phone-number create --provider-ref");
        }
      }
      UUID jobId = b.getJsonObject("job") != null ? UUID.randomUUID() : namedJob;
      UUID candidateId;
      String phone;
      if (inlineCandidate != null) {
        candidateId = UUID.randomUUID();
        phone = inlineCandidate.getString("phoneNumber");
      } else {
        candidateId = UUID.fromString(b.getString("candidateId"));
        phone = candidate.result().getString(2);
        if (jobId == null) jobId = candidate.result().getUUID(1);
      }
      UUID agentId = inlineAgent != null ? UUID.randomUUID() : UUID.fromString(b.getString("agentId"));
      return new References(jobId, candidateId, phone, agentId, online);
    });
  }

  /** A row of the company by ID (the statement returns company_id first): someone else's is reported as missing. */
  private static Future<Row> lookup(SqlConnection c, String sql, UUID companyId, UUID id, String resourceType) {
    return c.preparedQuery(sql).execute(Tuple.of(id)).compose(rows -> rows.size() == 0
      || !companyId.equals(rows.iterator().next().getUUID(0))
      ? Future.failedFuture(ParleyException.notFound(resourceType, id.toString()))
      : Future.succeededFuture(rows.iterator().next()));
  }

  /**
   * Sends every write of the create at once and answers the future of its document. Inline
   * candidate, agent and job become permanent resources of the company in the same transaction.
   */
  private static Future<String> insert(SqlConnection c, JsonObject q, UUID companyId, JsonObject b, String idemKey,
                                       References refs, boolean isTest) {
    UUID interviewId = UUID.randomUUID();
    OffsetDateTime scheduledAt = OffsetDateTime.parse(q.getString("scheduledAt"));
    List<Future<?>> writes = new ArrayList<>();
    if (b.getJsonObject("job") != null) {
      JsonObject j = b.getJsonObject("job").copy();
      String title = (String) j.remove("title");
      String description = (String) j.remove("description");
      writes.add(c.preparedQuery(INSERT_JOB).execute(Tuple.of(refs.jobId(), companyId, title, description, j)));
    }
    if (b.getJsonObject("candidate") != null) {
      writes.add(CandidateStore.insertInline(c, refs.candidateId(), companyId, b.getJsonObject("candidate"), refs.jobId()));
    }
    if (b.getJsonObject("agent") != null) {
      // its caller number was checked with the references; the insert checks it again, as for any agent
      writes.add(AgentStore.insertInline(c, refs.agentId(), companyId, b.getJsonObject("agent"), "agent."));
    }
    // A test interview is dialled like any other, by the simulator; an ONLINE one is never dialled.
    Future<String> document = InterviewRows.create(c, new InterviewRows.NewInterview(interviewId, companyId,
      refs.candidateId(), refs.agentId(), refs.jobId(), scheduledAt, q.getInteger("scheduleOffset"),
      b.getJsonObject("metadata"), isTest, uuid(q, "keyId"), PhoneZones.zoneOf(refs.phone()), !refs.online()));
    writes.add(document);
    if (idemKey != null) writes.add(c.preparedQuery(IDEMPOTENCY_DONE).execute(Tuple.of(companyId, idemKey, interviewId)));
    // the first failure in the pipeline is the one that counts (the later ones only say the transaction is aborted)
    return Future.all(writes).map(v -> document.result());
  }

  /**
   * Deletes an interview in any status (SPEC section 3), in one round trip: {@code delete_interview}
   * locks the row, writes the audit row, flags a live call and removes everything else in its own
   * transaction.
   */
  private Future<JsonObject> delete(JsonObject q) {
    UUID id = uuid(q, "id");
    UUID companyId = uuid(q, "companyId");
    return InterviewRows.delete(pool, id, companyId, uuid(q, "keyId"), q.getString("tokenSubject"))
      .map(deletion -> {
        String status = deletion.statusAtDelete();
        switch (deletion.outcome()) {
          case NOT_FOUND -> throw ParleyException.notFound("Interview", id.toString());
          case OTHER_COMPANY -> throw ParleyException.forbiddenCompany("Interview");
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
