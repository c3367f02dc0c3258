package dev.parley.api;

import dev.parley.support.ChaosProxy;
import dev.parley.support.Receiver;
import dev.parley.support.Sql;
import dev.parley.support.TestDatabase;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.parley.api.ApiChecks.assertError;
import static dev.parley.api.ApiChecks.assertOk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL going away under a running server, through a proxy that cuts or stalls it: requests
 * answer 503 UNAVAILABLE with Retry-After and readiness turns 503; once the database is back
 * everything works again without a restart, no acknowledged write is lost, and background work
 * carried on where it stopped, nothing done twice.
 */
@ExtendWith(VertxExtension.class)
class DatabaseOutageIT {
  static final Duration WAIT = Duration.ofSeconds(40);
  static TestDatabase database;
  static ChaosProxy proxy;
  static TestServer server;
  static Receiver receiver;
  static Tenant acme;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    database = TestDatabase.create("outage");
    proxy = ChaosProxy.start(vertx, database.serverHost(), database.serverPort());
    receiver = new Receiver();
    // A cut can land between a commit and its answer: the claim, or the take of a post-call job,
    // committed while the node saw its connection close. Their leases are how such work comes back
    // (another take once the lease runs out); shortened here so that it comes back within WAIT.
    server = TestServer.node(database, Map.of("DATABASE_URL", database.urlThrough("127.0.0.1", proxy.port()),
      "PARLEY_WEBHOOKS_ALLOW_PRIVATE", "true", "PARLEY_WEBHOOK_POLL_MS", "100",
      "PARLEY_SIMULATOR_RING_MS", "100", "PARLEY_SIMULATOR_TALK_MS", "300",
      "PARLEY_DIAL_LEASE_SECONDS", "5", "PARLEY_POSTCALL_LEASE_SECONDS", "10"));
    // the test interviews are called as soon as they are created, whatever the time of day
    acme = server.company("Acme", ApiChecks.ALL + ",write:webhooks", "--call-window", "00:00-24:00");
    Response hook = server.post("/webhooks", acme.key(), "{\"url\":\"" + receiver.url() + "\",\"events\":[\"interview.started\","
      + "\"interview.completed\",\"analysis.completed\"]}");
    receiver.secret = hook.data().getString("signingSecret");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    proxy.close();
    receiver.close();
    database.close();
  }

  static boolean unavailable(Response r) {
    return r.status() == 503;
  }

  static void assertUnavailable(Response r) {
    assertError(r, 503, "UNAVAILABLE");
    assertThat(r.raw().headers().firstValue("Retry-After")).hasValue("5");
  }

  /**
   * What was acknowledged before the outage is there, and the test interview's post-call work ran
   * once: one event of each kind, each delivered (a delivery whose outcome could not be recorded
   * may arrive again, with its deliveryId: at least once).
   */
  static void assertNothingLostOrDoneTwice(List<String> acknowledged, String testInterview) {
    for (String id : acknowledged) assertOk(server.get("/interviews/" + id, acme.key()), 200);
    try {
      await().atMost(WAIT).until(() -> receiver.eventsOf(testInterview).contains("analysis.completed"));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("no analysis.completed within " + WAIT + "; events " + receiver.eventsOf(testInterview)
        + "; the interview's rows now: " + rowsOfTheCall(testInterview), e);
    }
    assertThat(Sql.rows(database, "SELECT event_type, count(*) AS n FROM webhook_deliveries WHERE interview_id = ? GROUP BY 1 ORDER BY 1",
      testInterview)).extracting(r -> r.get("event_type") + "=" + r.get("n"))
      .containsExactly("analysis.completed=1", "interview.completed=1", "interview.started=1");
    assertThat(receiver.delivered().stream().filter(h -> testInterview.equals(h.interviewId())).map(Receiver.Hit::deliveryId).distinct())
      .hasSize(3);
  }

  /** Where the test interview's call and post-call work stand, for a failure's message. */
  static String rowsOfTheCall(String interviewId) {
    return Map.of(
      "interview", Sql.rows(database, "SELECT status, updated_at FROM interviews WHERE id = ?", interviewId),
      "attempts", Sql.rows(database, "SELECT status, reason_code, call_id, called_at, ended_at FROM call_attempts"
        + " WHERE interview_id = ?", interviewId),
      "liveCalls", Sql.rows(database, "SELECT node_id, started_at, dialled_at, dial_due_at, dial_tries, answered_at,"
        + " lease_expires_at, platform_ended_at FROM live_calls WHERE interview_id = ?", interviewId),
      "outbox", Sql.rows(database, "SELECT kind, event_type, payload->>'stage' AS stage, attempts, available_at, now() AS db_now"
        + " FROM outbox WHERE interview_id = ?", interviewId)).toString();
  }

  @Test
  void whenPostgresqlIsCutRequestsAre503AndEverythingComesBackByItself() {
    List<String> acknowledged = new ArrayList<>();
    for (int i = 0; i < 3; i++) acknowledged.add(server.post("/interviews", acme.key(), ApiChecks.interview()).data().getString("id"));
    String testInterview = server.post("/interviews", acme.key(), ApiChecks.testInterviewDueNow()).data().getString("id");
    long before = Sql.count(database, "SELECT count(*) FROM interviews WHERE company_id = ?", acme.companyId());

    proxy.cut();
    // every kind of request: 503 in the envelope, never a 500 nor a hang
    Response read = ApiChecks.poll(WAIT, () -> server.get("/interviews/" + acknowledged.get(0), acme.key()), DatabaseOutageIT::unavailable);
    assertUnavailable(read);
    assertUnavailable(server.post("/interviews", acme.key(), ApiChecks.interview()));
    assertUnavailable(server.delete("/interviews/" + acknowledged.get(1), acme.key()));
    assertUnavailable(server.get("/interviews", acme.key()));
    Response ready = ApiChecks.poll(WAIT, () -> server.get("/health/ready", null), r -> r.status() == 503);
    assertError(ready, 503, "UNAVAILABLE");

    proxy.restore();
    Response back = ApiChecks.poll(WAIT, () -> server.get("/interviews/" + acknowledged.get(0), acme.key()), r -> r.status() == 200);
    assertOk(back, 200);
    assertThat(ApiChecks.poll(WAIT, () -> server.get("/health/ready", null), r -> r.status() == 200).status()).isEqualTo(200);
    assertOk(server.delete("/interviews/" + acknowledged.get(1), acme.key()), 200);
    acknowledged.remove(1);
    assertNothingLostOrDoneTwice(acknowledged, testInterview);
    assertThat(Sql.count(database, "SELECT count(*) FROM interviews WHERE company_id = ?", acme.companyId()))
      .as("the create answered 503 created nothing; the delete after the outage removed one").isEqualTo(before - 1);
  }

  @Test
  void whenPostgresqlStallsRequestsAre503WithinTheBusTimeoutAndThenRecover() {
    String id = server.post("/interviews", acme.key(), ApiChecks.interview()).data().getString("id");
    String testInterview = server.post("/interviews", acme.key(), ApiChecks.testInterviewDueNow()).data().getString("id");

    proxy.stall();
    try {
      // no answer from PostgreSQL: the request gives up at the bus timeout (10 s) with 503
      assertUnavailable(server.get("/interviews/" + id, acme.key()));
      Response ready = ApiChecks.poll(WAIT, () -> server.get("/health/ready", null), r -> r.status() == 503);
      assertError(ready, 503, "UNAVAILABLE");
    } finally {
      proxy.restore();
    }
    Response back = ApiChecks.poll(WAIT, () -> server.get("/interviews/" + id, acme.key()), r -> r.status() == 200);
    assertOk(back, 200);
    assertNothingLostOrDoneTwice(List.of(id), testInterview);
  }
}
