package dev.parley.api;

import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.parley.api.ApiChecks.assertOk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * GET /interviews at the edges of its pagination (docs/api.md, "Lists"): a cursor walk while the
 * list changes under it, status filters with a cursor, OFFSET pages, and pagination.total kept
 * exact by the counters through every way an interview is created, removed or changes status.
 */
class InterviewListIT {
  static TestServer server;
  static final String SCOPES = "read:interviews,write:interviews,delete:interviews";
  static final Duration WAIT = Duration.ofSeconds(30);
  static final List<String> STATUSES = List.of("SCHEDULED", "IN_PROGRESS", "COMPLETED", "FAILED", "CANCELLED");

  @BeforeAll
  static void start() {
    server = TestServer.start("lists", Map.of(
      "PARLEY_SIMULATOR_RING_MS", "100",
      "PARLEY_SIMULATOR_TALK_MS", "500",
      "PARLEY_RETRY_DELAY_SECONDS", "0",
      "PARLEY_DISPATCH_POLL_MS", "200"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Tenant company(String name) {
    return server.company(name, SCOPES, "--call-window", "00:00-24:00", "--max-concurrent-calls", "4");
  }

  /** An interview two days ahead (never dialled here), or due now when {@code due} is set. */
  static String create(Tenant t, String phone, boolean due) {
    String at = due ? "" : ",\"scheduledAt\":\"" + OffsetDateTime.now().plusDays(2) + "\"";
    Response r = server.post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"" + phone + "\"},\"agent\":{\"name\":\"Screening\",\"questions\":[\"Why us?\"]}" + at + "}");
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.data().getString("id");
  }

  static String create(Tenant t) {
    return create(t, "+421915123456", false);
  }

  static void delete(Tenant t, String id) {
    assertOk(server.delete("/interviews/" + id, t.key()), 200);
  }

  /** Removes the interview's only scheduled attempt: the interview becomes CANCELLED. */
  static void cancel(Tenant t, String id) {
    Response got = server.get("/interviews/" + id, t.key());
    assertOk(got, 200);
    String attempt = got.data().getJsonArray("callAttempts").getJsonObject(0).getString("id");
    assertThat(server.delete("/interviews/" + id + "/call-attempts/" + attempt, t.key()).status()).isEqualTo(204);
    assertThat(server.get("/interviews/" + id, t.key()).data().getString("status")).isEqualTo("CANCELLED");
  }

  static String status(Tenant t, String id) {
    return server.get("/interviews/" + id, t.key()).data().getString("status");
  }

  /** The company's interview IDs in list order, from the database. */
  static List<String> inDatabase(Tenant t, String status) {
    List<String> ids = new ArrayList<>();
    String sql = "SELECT id::text AS id FROM interviews WHERE company_id = ?" + (status == null ? "" : " AND status = ?")
      + " ORDER BY created_at DESC, id DESC";
    List<Map<String, Object>> rows = status == null ? Sql.rows(server.database, sql, t.companyId())
      : Sql.rows(server.database, sql, t.companyId(), status);
    rows.forEach(r -> ids.add((String) r.get("id")));
    return ids;
  }

  static JsonObject page(Tenant t, String query) {
    Response r = server.get("/interviews?" + query, t.key());
    assertOk(r, 200);
    return r.data();
  }

  static List<String> ids(JsonObject page) {
    List<String> ids = new ArrayList<>();
    page.getJsonArray("items").forEach(o -> ids.add(((JsonObject) o).getString("id")));
    return ids;
  }

  @Test
  void aCursorWalkSeesEveryInterviewOnceWhileOthersAreCreatedAndDeleted() {
    Tenant t = company("Walk");
    for (int i = 0; i < 30; i++) create(t);
    // Ten interviews created in the same microsecond: only the ID orders them, and page
    // boundaries fall inside the group.
    Sql.execute(server.database, """
      WITH grp AS (SELECT id, created_at FROM interviews WHERE company_id = ? ORDER BY created_at DESC, id DESC OFFSET 9 LIMIT 10)
      UPDATE interviews SET created_at = (SELECT max(created_at) FROM grp) WHERE id IN (SELECT id FROM grp)""", t.companyId());
    List<String> initial = inDatabase(t, null);
    assertThat(initial).hasSize(30);

    List<String> expected = new ArrayList<>(initial);
    List<String> walked = new ArrayList<>();
    Set<String> created = new HashSet<>();
    long count = 30;
    String cursor = null;
    int pages = 0;
    do {
      JsonObject p = page(t, "limit=4" + (cursor == null ? "" : "&cursor=" + cursor));
      JsonObject pagination = p.getJsonObject("pagination");
      assertThat(pagination.getLong("total")).as("total on page %d", pages + 1).isEqualTo(count);
      assertThat(pagination.getValue("page")).isEqualTo(cursor == null ? 1 : null);
      List<String> got = ids(p);
      walked.addAll(got);
      cursor = pagination.getString("nextCursor");
      assertThat(pagination.getBoolean("hasNextPage")).isEqualTo(cursor != null);
      pages++;
      if (cursor == null) break;
      // Between pages: one new interview (newer than all, so before the cursor: not in this walk),
      // the interview the cursor points at goes (the cursor holds values, not a row), and so does
      // the next one the walk would have returned.
      created.add(create(t));
      delete(t, got.get(got.size() - 1)); // one in, one out: the count stays
      int seen = expected.indexOf(got.get(got.size() - 1));
      String next = seen + 1 < expected.size() ? expected.get(seen + 1) : null;
      if (next != null) {
        delete(t, next);
        expected.remove(next);
        count--;
      }
    } while (pages < 100);

    assertThat(walked).as("every interview that existed when the walk began and was not deleted before it was reached, once, in order")
      .containsExactlyElementsOf(expected);
    assertThat(walked).doesNotContainAnyElementsOf(created);
    assertThat(new HashSet<>(walked)).hasSize(walked.size());
    assertThat(pages).isGreaterThan(5);
  }

  @Test
  void aStatusFilterPagesByCursorAndCountsItsStatus() {
    Tenant t = company("Statuses");
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 12; i++) all.add(create(t));
    for (int i = 0; i < 12; i += 3) cancel(t, all.get(i));
    cancel(t, all.get(1));
    List<String> scheduled = inDatabase(t, "SCHEDULED");
    List<String> cancelled = inDatabase(t, "CANCELLED");
    assertThat(scheduled).hasSize(7);
    assertThat(cancelled).hasSize(5);

    assertThat(walk(t, "status=SCHEDULED&limit=2", 7)).containsExactlyElementsOf(scheduled);
    // CANCELED is accepted for CANCELLED
    assertThat(walk(t, "status=CANCELED&limit=2", 5)).containsExactlyElementsOf(cancelled);
    assertThat(walk(t, "status=COMPLETED&limit=2", 0)).isEmpty();
    assertThat(walk(t, "limit=5", 12)).containsExactlyElementsOf(inDatabase(t, null));

    // A status page by OFFSET agrees with the cursor walk.
    JsonObject second = page(t, "status=SCHEDULED&limit=3&page=2");
    assertThat(ids(second)).containsExactlyElementsOf(scheduled.subList(3, 6));
    assertThat(second.getJsonObject("pagination").getLong("totalPages")).isEqualTo(3);
    assertThat(second.getJsonObject("pagination").getBoolean("hasNextPage")).isTrue();
  }

  /**
   * A cursor page scans a fixed number of index entries, the largest limit + 1, and cuts to its
   * limit after: at that largest limit, every page but the last is full and says there is more.
   */
  @Test
  void aCursorWalkAtTheLargestLimitHasFullPagesAndEndsExactly() {
    Tenant t = company("Largest");
    for (int i = 0; i < 202; i++) create(t);
    List<String> all = inDatabase(t, null);
    List<Integer> sizes = new ArrayList<>();
    List<String> walked = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject p = page(t, "limit=100" + (cursor == null ? "" : "&cursor=" + cursor));
      sizes.add(p.getJsonArray("items").size());
      walked.addAll(ids(p));
      cursor = p.getJsonObject("pagination").getString("nextCursor");
      assertThat(p.getJsonObject("pagination").getBoolean("hasNextPage")).isEqualTo(cursor != null);
    } while (cursor != null && sizes.size() < 10);
    assertThat(sizes).containsExactly(100, 100, 2);
    assertThat(walked).containsExactlyElementsOf(all);
    // and the largest limit is the API's: one more is refused
    assertThat(server.get("/interviews?limit=101", t.key()).errorCode()).isEqualTo("VALIDATION_FAILED");
  }

  /** Follows nextCursor from the first page; every page's total is {@code total}. */
  static List<String> walk(Tenant t, String query, long total) {
    List<String> walked = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject p = page(t, query + (cursor == null ? "" : "&cursor=" + cursor));
      assertThat(p.getJsonObject("pagination").getLong("total")).as(query).isEqualTo(total);
      walked.addAll(ids(p));
      cursor = p.getJsonObject("pagination").getString("nextCursor");
    } while (cursor != null && ++pages < 100);
    assertThat(cursor).isNull();
    return walked;
  }

  @Test
  void totalsStayExactThroughCreatesDeletesAndStatusChanges() {
    Tenant t = company("Totals");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) ids.add(create(t));
    assertTotals(t, Map.of("SCHEDULED", 4L));

    delete(t, ids.get(0));
    assertTotals(t, Map.of("SCHEDULED", 3L));

    cancel(t, ids.get(1));
    assertTotals(t, Map.of("SCHEDULED", 2L, "CANCELLED", 1L));

    // A call that completes through the simulator: SCHEDULED -> IN_PROGRESS -> COMPLETED.
    String completed = create(t, "+421915123456", true);
    await().atMost(WAIT).until(() -> status(t, completed).equals("COMPLETED"));
    assertTotals(t, Map.of("SCHEDULED", 2L, "CANCELLED", 1L, "COMPLETED", 1L));

    // No answer, retried, then FAILED.
    String failed = create(t, "+421915120001", true);
    await().atMost(WAIT).until(() -> status(t, failed).equals("FAILED"));
    assertTotals(t, Map.of("SCHEDULED", 2L, "CANCELLED", 1L, "COMPLETED", 1L, "FAILED", 1L));

    delete(t, completed);
    delete(t, ids.get(1));
    assertTotals(t, Map.of("SCHEDULED", 2L, "FAILED", 1L));

    // The fold moves the deltas into one row per status and changes no total.
    await().atMost(WAIT).until(() -> Sql.count(server.database,
      "SELECT count(*) FROM interview_count_deltas WHERE company_id = ?", t.companyId()) == 0);
    assertTotals(t, Map.of("SCHEDULED", 2L, "FAILED", 1L));
    assertThat(Sql.count(server.database, "SELECT n FROM interview_counts WHERE company_id = ? AND status = 'SCHEDULED'",
      t.companyId())).isEqualTo(2);
  }

  /**
   * A list's total sums the company's delta rows through their index, and the fold deletes the
   * rows it moved: without a vacuum each deleted row would stay in that index, so a list would
   * walk the entries of every write ever folded. The node vacuums the table after each fold, so
   * reading a company's deltas stays a probe of a page or two with autovacuum off (as it is here,
   * and on this table for this test whatever the server's setting).
   */
  @Test
  void totalsDoNotWaitForAVacuum() {
    Tenant t = company("Churn");
    create(t);
    Sql.execute(server.database, "ALTER TABLE interview_count_deltas SET (autovacuum_enabled = false)");
    // Twenty thousand writes' worth of deltas that cancel out (a create and a delete each), as
    // many writes would leave them for the fold.
    Sql.execute(server.database, "INSERT INTO interview_count_deltas (company_id, status, n)"
      + " SELECT ?::uuid, 'SCHEDULED', CASE WHEN g % 2 = 0 THEN 1 ELSE -1 END FROM generate_series(1, 20000) g", t.companyId());
    await().atMost(WAIT).until(() -> Sql.count(server.database,
      "SELECT count(*) FROM interview_count_deltas WHERE company_id = ?", t.companyId()) == 0);
    assertTotals(t, Map.of("SCHEDULED", 1L));
    // The vacuum comes right after the fold's commit: give it the moment it takes.
    await().atMost(WAIT).untilAsserted(() -> assertThat(deltaPagesRead(t))
      .as("pages a total reads of the company's deltas, after 20,000 were folded").isLessThanOrEqualTo(3));
  }

  /**
   * Shared buffers that summing the company's SCHEDULED deltas touches through the deltas' index,
   * as the list's statement reads them (the planner is kept off a sequential scan, which would
   * read the table's pages instead).
   */
  static long deltaPagesRead(Tenant t) throws java.sql.SQLException {
    try (java.sql.Connection c = server.database.connect(); java.sql.Statement s = c.createStatement()) {
      s.execute("SET enable_seqscan = off");
      s.execute("SET enable_bitmapscan = off");
      try (java.sql.ResultSet r = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT coalesce(sum(n), 0)"
        + " FROM interview_count_deltas WHERE company_id = '" + t.companyId() + "' AND status = 'SCHEDULED'")) {
        r.next();
        JsonObject plan = new io.vertx.core.json.JsonArray(r.getString(1)).getJsonObject(0).getJsonObject("Plan");
        return plan.getLong("Shared Hit Blocks") + plan.getLong("Shared Read Blocks");
      }
    }
  }

  /** The unfiltered total and each status's total, as the API answers them, the database counts them, and as expected. */
  static void assertTotals(Tenant t, Map<String, Long> expected) {
    Map<String, Long> api = new LinkedHashMap<>();
    Map<String, Long> db = new LinkedHashMap<>();
    Map<String, Long> want = new LinkedHashMap<>();
    for (String s : STATUSES) {
      api.put(s, page(t, "limit=1&status=" + s).getJsonObject("pagination").getLong("total"));
      db.put(s, Sql.count(server.database, "SELECT count(*) FROM interviews WHERE company_id = ? AND status = ?", t.companyId(), s));
      want.put(s, expected.getOrDefault(s, 0L));
    }
    api.put("all", page(t, "limit=1").getJsonObject("pagination").getLong("total"));
    db.put("all", Sql.count(server.database, "SELECT count(*) FROM interviews WHERE company_id = ?", t.companyId()));
    want.put("all", expected.values().stream().mapToLong(Long::longValue).sum());
    assertThat(db).as("the database").isEqualTo(want);
    assertThat(api).as("pagination.total").isEqualTo(want);
  }

  @Test
  void offsetPagesStayRightToTheEnd() {
    Tenant t = company("Offsets");
    for (int i = 0; i < 23; i++) create(t);
    List<String> order = inDatabase(t, null);
    List<String> paged = new ArrayList<>();
    for (int n = 1; n <= 5; n++) {
      JsonObject p = page(t, "limit=5&page=" + n);
      JsonObject pagination = p.getJsonObject("pagination");
      assertThat(pagination.getLong("total")).isEqualTo(23);
      assertThat(pagination.getLong("totalPages")).isEqualTo(5);
      assertThat(pagination.getInteger("page")).isEqualTo(n);
      assertThat(pagination.getBoolean("hasNextPage")).isEqualTo(n < 5);
      assertThat(pagination.getBoolean("hasPreviousPage")).isEqualTo(n > 1);
      assertThat(ids(p)).hasSize(n < 5 ? 5 : 3);
      paged.addAll(ids(p));
    }
    assertThat(paged).containsExactlyElementsOf(order);
    JsonObject beyond = page(t, "limit=5&page=6");
    assertThat(beyond.getJsonArray("items")).isEmpty();
    assertThat(beyond.getJsonObject("pagination").getLong("total")).isEqualTo(23);
    assertThat(beyond.getJsonObject("pagination").getBoolean("hasNextPage")).isFalse();
    JsonObject last = page(t, "limit=100&page=10000");
    assertThat(last.getJsonArray("items")).isEmpty();
    assertThat(last.getJsonObject("pagination").getLong("total")).isEqualTo(23);
  }

  @Test
  void filteredTotalsAreExactUpToTheCapAndNullBeyond() {
    Tenant t = company("Capped");
    String first = create(t);
    JsonObject one = server.get("/interviews/" + first, t.key()).data();
    String agent = one.getString("agentId");
    // 10,001 more with the same agent and one candidate, straight into the table (the counters'
    // trigger sees them as any insert); their scheduled times are spread over ten days.
    Sql.execute(server.database, """
      INSERT INTO interviews (id, company_id, candidate_id, agent_id, status, scheduled_at, duration_minutes, created_at, doc)
      SELECT gen_random_uuid(), company_id, candidate_id, agent_id, 'SCHEDULED',
             now() + interval '3 days' + g * interval '1 minute', 15, created_at - g * interval '1 second', ''
        FROM interviews, generate_series(1, 10001) g WHERE id = ?""", first);
    Sql.execute(server.database, "UPDATE interviews i SET doc = interview_json(i)::text WHERE doc = ''");
    String second = create(t);

    JsonObject all = page(t, "limit=2").getJsonObject("pagination");
    assertThat(all.getLong("total")).isEqualTo(10_003);
    assertThat(all.getLong("totalPages")).isEqualTo(5_002);
    assertThat(page(t, "limit=2&status=SCHEDULED").getJsonObject("pagination").getLong("total")).isEqualTo(10_003);

    // 10,002 interviews of this agent: more than the cap, so no total, but the pages go on.
    JsonObject byAgent = page(t, "limit=2&agentId=" + agent);
    assertThat(byAgent.getJsonArray("items")).hasSize(2);
    assertThat(byAgent.getJsonObject("pagination").containsKey("total")).isTrue();
    assertThat(byAgent.getJsonObject("pagination").getValue("total")).isNull();
    assertThat(byAgent.getJsonObject("pagination").getValue("totalPages")).isNull();
    assertThat(byAgent.getJsonObject("pagination").getBoolean("hasNextPage")).isTrue();
    JsonObject next = page(t, "limit=2&agentId=" + agent + "&cursor=" + byAgent.getJsonObject("pagination").getString("nextCursor"));
    assertThat(ids(next)).doesNotContainAnyElementsOf(ids(byAgent)).hasSize(2);

    // Under the cap: counted, exact.
    String other = server.get("/interviews/" + second, t.key()).data().getString("candidateId");
    assertThat(page(t, "candidateId=" + other).getJsonObject("pagination").getLong("total")).isEqualTo(1);
    String from = OffsetDateTime.now().plusDays(3).plusMinutes(10_001 - 3).plusSeconds(30).toString();
    JsonObject late = page(t, "limit=2&scheduledFrom=" + java.net.URLEncoder.encode(from, java.nio.charset.StandardCharsets.UTF_8));
    assertThat(late.getJsonObject("pagination").getLong("total")).isEqualTo(3);
    assertThat(late.getJsonObject("pagination").getLong("totalPages")).isEqualTo(2);
    assertThat(late.getJsonArray("items")).hasSize(2);
  }
}
