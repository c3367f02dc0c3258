package dev.parley.api;

import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.parley.api.ApiChecks.ALL;
import static dev.parley.api.ApiChecks.assertError;
import static dev.parley.api.ApiChecks.assertOk;
import static org.assertj.core.api.Assertions.assertThat;

/** Health, metrics, the OpenAPI document, unknown paths, and idempotent creates. */
class OperationsIT {
  static TestServer server;
  static Tenant acme;

  static final List<String> PREFIXES = List.of("", "/v1");

  @BeforeAll
  static void start() {
    server = TestServer.start("operations");
    acme = server.company("Acme", ALL);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void liveness() {
    for (String prefix : PREFIXES) {
      Response r = server.get(prefix + "/health/live", null);
      assertOk(r, 200);
      assertThat(r.data().getString("status")).isEqualTo("UP");
    }
  }

  @Test
  void readinessReportsTheDatabaseUp() {
    for (String prefix : PREFIXES) {
      Response r = server.get(prefix + "/health/ready", null);
      assertOk(r, 200);
      assertThat(r.data().getString("status")).isEqualTo("UP");
      JsonObject checks = r.data().getJsonObject("checks");
      assertThat(checks).as(r.raw().body()).isNotNull();
      assertThat(String.valueOf(checks.getValue("database"))).as(r.raw().body()).contains("UP");
    }
  }

  @Test
  void metricsArePrometheusText() {
    assertOk(server.get("/interviews", acme.key()), 200); // so there are HTTP server metrics too
    for (String prefix : PREFIXES) {
      Response r = server.get(prefix + "/metrics", null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.raw().headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/plain"));
      String text = r.raw().body();
      assertThat(text).contains("# TYPE ").containsPattern("(?m)^vertx_\\w+(\\{[^}]*\\})? [-+0-9.eE]+");
      assertThat(text).doesNotContain(acme.key());
    }
  }

  /** Several nodes may share a JVM (tests, embedded use): each one's /metrics has its own Vert.x metrics. */
  @Test
  void metricsOfAnotherNodeInTheSameJvm() {
    try (TestServer second = TestServer.start("operations2")) {
      assertThat(second.get("/health/live", null).status()).isEqualTo(200);
      Response r = second.get("/metrics", null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.raw().body()).containsPattern("(?m)^vertx_\\w+(\\{[^}]*\\})? [-+0-9.eE]+");
    }
  }

  @Test
  void openApiDocument() {
    for (String prefix : PREFIXES) {
      Response r = server.get(prefix + "/openapi.json", null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.raw().headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
      JsonObject doc = r.body();
      assertThat(doc.getString("openapi")).startsWith("3.1");
      assertThat(doc.getJsonObject("paths").fieldNames()).contains("/interviews", "/interviews/{id}", "/candidates", "/agents",
        "/company", "/health/live", "/health/ready", "/metrics", "/openapi.json");
      assertThat(doc.getJsonObject("paths").getJsonObject("/interviews/{id}").fieldNames()).contains("get", "delete");
    }
  }

  @Test
  void unknownPathIs404Envelope() {
    assertError(server.get("/no-such-thing", null), 404, "RESOURCE_NOT_FOUND");
    assertError(server.get("/v1/no-such-thing", acme.key()), 404, "RESOURCE_NOT_FOUND");
    assertError(server.get("/v2/interviews", acme.key()), 404, "RESOURCE_NOT_FOUND");
    assertError(server.post("/interviews/extra/segments", acme.key(), "{}"), 404, "RESOURCE_NOT_FOUND");
  }

  @Test
  void apiServedBareAndUnderV1() {
    Response made = server.post("/v1/interviews", acme.key(), ApiChecks.interview());
    assertOk(made, 201);
    String id = made.data().getString("id");
    assertOk(server.get("/interviews/" + id, acme.key()), 200);
    assertOk(server.get("/v1/interviews/" + id, acme.key()), 200);
    assertOk(server.get("/v1/interviews", acme.key()), 200);
    assertOk(server.get("/v1/candidates", acme.key()), 200);
    assertOk(server.get("/v1/agents", acme.key()), 200);
    assertOk(server.delete("/v1/interviews/" + id, acme.key()), 200);
  }

  static long total(Tenant t) {
    return server.get("/interviews", t.key()).data().getJsonObject("pagination").getLong("total");
  }

  @Test
  void idempotencyKeyReturnsTheFirstResult() {
    Tenant t = server.company("Idempotent", ALL);
    String body = ApiChecks.interview("\"metadata\":{\"n\":1}");
    Map<String, String> key = Map.of("Idempotency-Key", "create-ada-1");

    Response first = server.send("POST", "/interviews", t.key(), body, key);
    assertOk(first, 201);
    Response again = server.send("POST", "/interviews", t.key(), body, key);
    assertThat(again.status()).as(again.raw().body()).isEqualTo(201);
    assertThat(again.data().getString("id")).isEqualTo(first.data().getString("id"));
    assertThat(again.data().getString("candidateId")).isEqualTo(first.data().getString("candidateId"));
    Response onV1 = server.send("POST", "/v1/interviews", t.key(), body, key);
    assertThat(onV1.data().getString("id")).isEqualTo(first.data().getString("id"));
    assertThat(total(t)).isEqualTo(1);

    Response different = server.send("POST", "/interviews", t.key(), ApiChecks.interview("\"metadata\":{\"n\":2}"), key);
    assertError(different, 409, "CONFLICT");
    assertThat(total(t)).isEqualTo(1);

    Response otherKey = server.send("POST", "/interviews", t.key(), body, Map.of("Idempotency-Key", "create-ada-2"));
    assertOk(otherKey, 201);
    assertThat(otherKey.data().getString("id")).isNotEqualTo(first.data().getString("id"));
    assertThat(total(t)).isEqualTo(2);
  }

  /** Concurrent repeats of one create (released together, five rounds of eight): one interview each round, the same answer to all. */
  @Test
  void concurrentRepeatsOfAnIdempotentCreateMakeOneInterview() throws Exception {
    Tenant t = server.company("IdemRace", ALL);
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 5; round++) {
        String body = ApiChecks.interview("\"metadata\":{\"round\":" + round + "}");
        Map<String, String> key = Map.of("Idempotency-Key", "race-" + round);
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(8);
        List<java.util.concurrent.Future<Response>> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
          sent.add(threads.submit(() -> {
            start.await();
            return server.send("POST", "/interviews", t.key(), body, key);
          }));
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (var f : sent) {
          Response r = f.get();
          assertOk(r, 201);
          ids.add(r.data().getString("id"));
        }
        assertThat(ids).as("round %s", round).hasSize(1);
        assertThat(total(t)).isEqualTo(round + 1);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  /** After 24 hours a key is free: the same key creates again, with the same body or another. */
  @Test
  void anExpiredIdempotencyKeyLetsTheSameKeyCreateAgain() {
    Tenant t = server.company("IdemExpired", ALL);
    Map<String, String> key = Map.of("Idempotency-Key", "expires");
    String body = ApiChecks.interview("\"metadata\":{\"n\":1}");
    Response first = server.send("POST", "/interviews", t.key(), body, key);
    assertOk(first, 201);
    // a day and a second old: expired
    Sql.execute(server.database, "UPDATE idempotency_keys SET created_at = now() - interval '24 hours 1 second' WHERE key = 'expires'");
    Response again = server.send("POST", "/interviews", t.key(), body, key);
    assertOk(again, 201);
    assertThat(again.data().getString("id")).as("a new interview").isNotEqualTo(first.data().getString("id"));
    // the key is held again, for the new interview: a different body within the day is a conflict
    assertError(server.send("POST", "/interviews", t.key(), ApiChecks.interview("\"metadata\":{\"n\":2}"), key), 409, "CONFLICT");
    Sql.execute(server.database, "UPDATE idempotency_keys SET created_at = now() - interval '24 hours 1 second' WHERE key = 'expires'");
    Response other = server.send("POST", "/interviews", t.key(), ApiChecks.interview("\"metadata\":{\"n\":2}"), key);
    assertOk(other, 201);
    assertThat(total(t)).isEqualTo(3);
  }

  /** Expired keys leave the table; keys within their day stay, and so do their interviews. */
  @Test
  void expiredIdempotencyKeysArePurged() {
    Tenant t = server.company("IdemPurge", ALL);
    for (String k : List.of("old-1", "old-2", "young")) {
      assertOk(server.send("POST", "/interviews", t.key(), ApiChecks.interview(), Map.of("Idempotency-Key", k)), 201);
    }
    Sql.execute(server.database, "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE company_id = ?::uuid "
      + "AND key LIKE 'old-%'", t.companyId());
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
      Sql.count(server.database, "SELECT count(*) FROM idempotency_keys WHERE company_id = ?::uuid AND key LIKE 'old-%'", t.companyId()) == 0);
    assertThat(Sql.count(server.database, "SELECT count(*) FROM idempotency_keys WHERE company_id = ?::uuid AND key = 'young'",
      t.companyId())).isEqualTo(1);
    assertThat(total(t)).isEqualTo(3);
  }

  /** A delete finds its interview's key by index, whatever the size of the table (the statement of delete_interview). */
  @Test
  void theKeyOfAnInterviewIsFoundByIndex() {
    assertThat(Sql.rows(server.database, "SELECT indexdef FROM pg_indexes WHERE tablename = 'idempotency_keys'").stream()
      .map(r -> String.valueOf(r.get("indexdef"))))
      .anyMatch(def -> def.contains("(interview_id)"));
  }

  @Test
  void idempotencyKeysBelongToOneCompany() {
    Tenant a = server.company("IdemA", ALL), b = server.company("IdemB", ALL);
    String body = ApiChecks.interview();
    Map<String, String> key = Map.of("Idempotency-Key", "shared-key");
    Response first = server.send("POST", "/interviews", a.key(), body, key);
    assertOk(first, 201);
    Response second = server.send("POST", "/interviews", b.key(), body, key);
    assertOk(second, 201);
    assertThat(second.data().getString("id")).isNotEqualTo(first.data().getString("id"));
    assertThat(second.data().getString("companyId")).isEqualTo(b.companyId());
    assertThat(second.raw().body()).doesNotContain(a.companyId());
    // and a different body under the same key in another company is not a conflict
    assertOk(server.send("POST", "/interviews", server.company("IdemC", ALL).key(), ApiChecks.interview("\"metadata\":{\"x\":1}"), key), 201);
  }

  @Test
  void withoutIdempotencyKeyEachPostCreates() {
    Tenant t = server.company("Plain", ALL);
    String body = ApiChecks.interview();
    Response first = server.post("/interviews", t.key(), body);
    Response second = server.post("/interviews", t.key(), body);
    assertOk(first, 201);
    assertOk(second, 201);
    assertThat(second.data().getString("id")).isNotEqualTo(first.data().getString("id"));
    assertThat(total(t)).isEqualTo(2);
  }
}
