package dev.parley.persistence;

import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The stored interview document (V10) that GET returns: whatever changes an interview or its call
 * attempts, the stored text is what {@code interview_json} renders from the rows right now.
 */
class StoredDocumentIT {
  static TestServer server;
  static final String SCOPES = "read:interviews,write:interviews,delete:interviews";
  static final Duration WAIT = Duration.ofSeconds(20);
  /** Interviews whose stored document differs from a render of their rows now. */
  static final String STALE = "SELECT count(*) FROM interviews i WHERE i.doc IS DISTINCT FROM interview_json(i)::text";

  @BeforeAll
  static void start() {
    server = TestServer.start("storeddoc", Map.of(
      "PARLEY_SIMULATOR_RING_MS", "100",
      "PARLEY_SIMULATOR_TALK_MS", "500",
      "PARLEY_RETRY_DELAY_SECONDS", "0",
      "PARLEY_DISPATCH_POLL_MS", "200"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String create(Tenant t, String phone, String extra) {
    return created(t, phone, extra).getString("id");
  }

  /** The create's answer (its document). */
  static JsonObject created(Tenant t, String phone, String extra) {
    Response r = server.post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"" + phone + "\"},\"agent\":{\"name\":\"Screening\",\"questions\":[\"Why us?\"]}" + extra + "}");
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.data();
  }

  /** The API's answer is the stored text, and the stored text is a fresh render of the rows. */
  static void assertCurrent(Tenant t, String id) {
    assertThat(Sql.count(server.database, STALE)).isZero();
    String rendered = (String) Sql.rows(server.database,
      "SELECT interview_json(i)::text AS j FROM interviews i WHERE id = ?", id).get(0).get("j");
    assertThat(server.get("/interviews/" + id, t.key()).data()).isEqualTo(new JsonObject(rendered));
  }

  @Test
  void everyWritePathKeepsTheDocumentCurrent() {
    Tenant t = server.company("Docs", SCOPES, "--call-window", "00:00-24:00", "--max-concurrent-calls", "5");
    String later = OffsetDateTime.now().plusDays(2).toString();

    // created: the interview and its first attempt, in the create's answer as in the stored text
    JsonObject answer = created(t, "+421915123456", ",\"scheduledAt\":\"" + later + "\"");
    String id = answer.getString("id");
    assertCurrent(t, id);
    assertThat(answer.getJsonArray("callAttempts")).hasSize(1);
    assertThat(answer).isEqualTo(server.get("/interviews/" + id, t.key()).data());
    String attempt = answer.getJsonArray("callAttempts").getJsonObject(0).getString("id");

    // an attempt moved, then cancelled (the interview's status changes with it)
    Response moved = server.send("PATCH", "/interviews/" + id + "/call-attempts/" + attempt, t.key(),
      "{\"scheduledAt\":\"" + OffsetDateTime.now().plusDays(3) + "\"}", Map.of());
    assertThat(moved.status()).isEqualTo(204);
    assertCurrent(t, id);
    assertThat(server.delete("/interviews/" + id + "/call-attempts/" + attempt, t.key()).status()).isEqualTo(204);
    assertCurrent(t, id);
    assertThat(server.get("/interviews/" + id, t.key()).data().getString("status")).isEqualTo("CANCELLED");

    // a new attempt, dialled by the dispatcher, answered, completed, transcript and analysis stored
    assertThat(server.post("/interviews/" + id + "/call-attempts", t.key(), "{}").status()).isEqualTo(201);
    // due now, so the dispatcher may claim it between any two reads: only the one-statement check here
    assertThat(Sql.count(server.database, STALE)).isZero();
    await().atMost(WAIT).until(() -> server.get("/interviews/" + id, t.key()).data().getValue("analysis") != null);
    JsonObject done = server.get("/interviews/" + id, t.key()).data();
    assertThat(done.getString("status")).isEqualTo("COMPLETED");
    assertThat(done.getJsonArray("transcript")).isNotEmpty();
    assertThat(done.getJsonArray("callAttempts").getJsonObject(0).getString("recordingUrl")).isNotNull();
    assertCurrent(t, id);

    // no answer: three attempts, each retry a new row, then FAILED
    String unanswered = create(t, "+421915120001", "");
    await().atMost(WAIT).until(() -> "FAILED".equals(server.get("/interviews/" + unanswered, t.key()).data().getString("status")));
    assertThat(server.get("/interviews/" + unanswered, t.key()).data().getJsonArray("callAttempts")).hasSize(3);
    assertCurrent(t, unanswered);

    // a test interview: a simulated call, then post-call work
    String test = create(t, "+421915123456", ",\"isTest\":true");
    await().atMost(WAIT).until(() -> server.get("/interviews/" + test, t.key()).data().getValue("analysis") != null);
    assertCurrent(t, test);
  }

  /**
   * Two transactions change different attempts of one interview at once: another writer (here a
   * JDBC transaction that does what the repository does: lock the interview, add an attempt, render)
   * holds the interview, and the API moves the other attempt meanwhile. The API's transaction must
   * wait for the interview's lock before it changes anything, so that its render, the last
   * statement, sees the other's committed attempt and its own move; a path that changed its attempt
   * and rendered without locking the interview first would render from a snapshot without the
   * other attempt, and the stored document would lose it for good.
   */
  @Test
  void concurrentAttemptChangesBothReachTheDocument() throws Exception {
    Tenant t = server.company("DocsRace", SCOPES, "--call-window", "00:00-24:00");
    String id = create(t, "+421915123456", ",\"scheduledAt\":\"" + OffsetDateTime.now().plusDays(2) + "\"");
    String attempt = server.get("/interviews/" + id, t.key()).data().getJsonArray("callAttempts").getJsonObject(0).getString("id");
    OffsetDateTime movedTo = OffsetDateTime.now().plusDays(3).withNano(0);
    CompletableFuture<Response> move;

    try (Connection other = server.database.connect()) {
      other.setAutoCommit(false);
      try (PreparedStatement lock = other.prepareStatement("SELECT 1 FROM interviews WHERE id = ? FOR UPDATE");
           PreparedStatement insert = other.prepareStatement("""
             INSERT INTO call_attempts (id, interview_id, company_id, status, scheduled_at, callable_at, notes)
             VALUES (?, ?, ?, 'SCHEDULED', now() + interval '5 days', now() + interval '5 days', 'second')""");
           PreparedStatement render = other.prepareStatement("UPDATE interviews i SET doc = interview_json(i)::text WHERE id = ?")) {
        lock.setObject(1, UUID.fromString(id));
        lock.executeQuery().close();
        insert.setObject(1, UUID.randomUUID());
        insert.setObject(2, UUID.fromString(id));
        insert.setObject(3, UUID.fromString(t.companyId()));
        insert.executeUpdate();
        render.setObject(1, UUID.fromString(id));
        render.executeUpdate();
      }
      move = CompletableFuture.supplyAsync(() -> server.send("PATCH", "/interviews/" + id + "/call-attempts/" + attempt,
        t.key(), "{\"scheduledAt\":\"" + movedTo + "\"}", Map.of()));
      // the API's transaction is queued behind the other one's lock on the interview row
      await().atMost(WAIT).until(() -> Sql.count(server.database,
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM interviews i JOIN agents%'") == 1);
      assertThat(move).isNotDone();
      other.commit();
    }
    assertThat(move.get().status()).isEqualTo(204);

    JsonObject doc = server.get("/interviews/" + id, t.key()).data();
    assertThat(doc.getJsonArray("callAttempts")).hasSize(2);
    assertThat(OffsetDateTime.parse(doc.getJsonArray("callAttempts").getJsonObject(0).getString("scheduledAt")))
      .isEqualTo(movedTo);
    assertThat(doc.getJsonArray("callAttempts").getJsonObject(1).getString("notes")).isEqualTo("second");
    assertCurrent(t, id);
  }
}
