package dev.parley.lifecycle;

import dev.parley.support.BusClient;
import dev.parley.support.Sql;
import dev.parley.support.TestCluster;
import dev.parley.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Requests under way when a node shuts down are answered (docs/operations.md, "Shutdown"): an HTTP
 * DELETE and an event-bus DELETE from a client inside the cluster, both held on the interview's row
 * lock by the test until the node has closed its listener. Released then, both get their answer,
 * and the node's stop ends within its bound.
 */
class InFlightAtShutdownIT {
  TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) cluster.close();
  }

  @Test
  void anHttpRequestAndABusRequestUnderWayAtShutdownAreAnswered() throws Exception {
    cluster = TestCluster.start("inflight", 1, Map.of("PARLEY_SHUTDOWN_TIMEOUT_SECONDS", "30"));
    TestServer node = cluster.nodes.get(0);
    Vertx client = cluster.client(Map.of());
    String company = node.admin("company", "create", "--name", "InFlight").getString("id");
    String key = node.admin("key", "create", "--company", company, "--name", "inflight",
      "--scopes", "read:interviews,write:interviews,delete:interviews").getString("key");
    String overHttp = create(node, key);
    String overBus = create(node, key);

    try (Connection held = cluster.database.connect()) {
      held.setAutoCommit(false);
      Sql.lock(held, "SELECT id FROM interviews WHERE id = ANY(?) FOR UPDATE", (Object) new java.util.UUID[] {
        java.util.UUID.fromString(overHttp), java.util.UUID.fromString(overBus)});
      CompletableFuture<HttpResponse<String>> httpDelete = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        .sendAsync(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/interviews/" + overHttp)).timeout(Duration.ofSeconds(60))
          .header("Authorization", "Bearer " + key).DELETE().build(), HttpResponse.BodyHandlers.ofString());
      CompletableFuture<Message<Object>> busDelete = BusClient.request(client, "parley.api.v1.interviews.delete",
        new JsonObject().put("id", overBus), key).toCompletionStage().toCompletableFuture();
      await().atMost(Duration.ofSeconds(10)).until(() ->
        Sql.count(cluster.database, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
          + " AND wait_event_type = 'Lock' AND query LIKE '%delete_interview%'") == 2);

      Instant stopAt = Instant.now();
      CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> node.node().stop());
      int port = URI.create(node.baseUrl()).getPort();
      await().atMost(Duration.ofSeconds(10)).until(() -> !accepts(port));
      assertThat(httpDelete).as("the HTTP delete waits on the row lock").isNotDone();
      assertThat(busDelete).as("the bus delete waits on the row lock").isNotDone();
      assertThat(stopped).as("the node waits for them").isNotDone();
      held.commit();

      HttpResponse<String> answer = httpDelete.get(20, TimeUnit.SECONDS);
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(answer.body()).getBoolean("data")).isTrue();
      assertThat(busDelete.get(20, TimeUnit.SECONDS).body()).isEqualTo(true);
      assertThat(stopped.get(30, TimeUnit.SECONDS)).as("the stop ended within its bound").isTrue();
      assertThat(Duration.between(stopAt, Instant.now())).isLessThan(Duration.ofSeconds(30));
    }
    assertThat(Sql.count(cluster.database, "SELECT count(*) FROM interviews")).isZero();
    assertThat(Sql.count(cluster.database, "SELECT count(*) FROM interview_deletions")).isEqualTo(2);
  }

  private static String create(TestServer node, String key) {
    JsonObject body = new JsonObject()
      .put("candidate", new JsonObject().put("firstName", "In").put("lastName", "Flight").put("phoneNumber", "+421915123456"))
      .put("agent", new JsonObject().put("name", "Screening"))
      .put("scheduledAt", Instant.now().plus(Duration.ofDays(1)).toString());
    TestServer.Response made = node.post("/v1/interviews", key, body.encode());
    assertThat(made.status()).isEqualTo(201);
    return made.body().getJsonObject("data").getString("id");
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
