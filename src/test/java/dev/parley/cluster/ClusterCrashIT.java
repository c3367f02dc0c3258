package dev.parley.cluster;

import dev.parley.support.JarProcess;
import dev.parley.support.Sql;
import dev.parley.support.TestCluster;
import dev.parley.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node process killed with {@code kill -9} while it holds live calls: the surviving node reaps
 * the calls when their leases expire, frees the slots, and then dials the company's next
 * interview. The killed node is the real jar in a process of its own.
 */
class ClusterCrashIT {
  static final int LEASE_SECONDS = 20;
  static final String LONG_CALL = "+421915120004";
  final HttpClient http = HttpClient.newHttpClient();
  TestCluster cluster;
  JarProcess doomed;
  Path dataDir;

  @AfterEach
  void stop() throws IOException {
    if (doomed != null) doomed.close();
    if (cluster != null) cluster.close();
    if (dataDir != null) {
      try (var files = Files.walk(dataDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  String create(String baseUrl, String key) throws Exception {
    String body = "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"phoneNumber\":\"" + LONG_CALL + "\"},"
      + "\"agent\":{\"name\":\"Screening\"}}";
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/interviews"))
      .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return new JsonObject(r.body()).getJsonObject("data").getString("id");
  }

  long count(String sql, Object... params) {
    return Sql.count(cluster.database, sql, params);
  }

  @Test
  void aKilledNodesCallsComeBackByLeaseAndTheCompanyIsDialledAgain() throws Exception {
    cluster = TestCluster.start("crash", 0, Map.of());
    String companyId = TestServer.admin(cluster.database, "company", "create", "--name", "Crash", "--call-window", "00:00-24:00",
      "--max-concurrent-calls", "2").getString("id");
    String key = TestServer.admin(cluster.database, "key", "create", "--company", companyId, "--name", "crash",
      "--scopes", "read:interviews,write:interviews").getString("key");

    // 1. the node that will die: alone, it dials both of the company's slots full
    dataDir = Files.createTempDirectory("parley-crash");
    Map<String, String> env = new HashMap<>(cluster.clusterEnv());
    env.putAll(Map.of("DATABASE_URL", cluster.database.url(), "PARLEY_DATA_DIR", dataDir.toString(),
      "PARLEY_CLUSTER_PORT", String.valueOf(cluster.sparePort()),
      "PARLEY_LEASE_SECONDS", String.valueOf(LEASE_SECONDS), "PARLEY_SIMULATOR_RING_MS", "100",
      "PARLEY_SIMULATOR_LONG_CALL_MS", "3600000"));
    doomed = JarProcess.start(env, dataDir.resolve("node.log"));
    String base = doomed.baseUrl();
    List<String> held = new ArrayList<>(List.of(create(base, key), create(base, key)));
    await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM live_calls WHERE company_id = ?", companyId) == 2);

    // 2. a second node joins; the company has no free slot, so its next interview waits
    TestServer survivor = cluster.addNode(TestServer.freePort(), Map.of("PARLEY_LEASE_CHECK_MS", "500",
      "PARLEY_SIMULATOR_RING_MS", "100", "PARLEY_SIMULATOR_LONG_CALL_MS", "3600000", "PARLEY_DISPATCH_POLL_MS", "200"));
    String next = create(survivor.baseUrl(), key);
    assertThat(count("SELECT count(*) FROM interviews WHERE id = ? AND status = 'SCHEDULED'", next)).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM live_calls WHERE company_id = ? AND lease_expires_at > now()", companyId))
      .as("the calls are live and their leases running when the node dies").isEqualTo(2);

    // 3. kill -9: no shutdown hook, no goodbye to the cluster
    doomed.kill9();

    // 4. the survivor reaps the calls when their leases run out, frees the slots, dials the next one
    await().atMost(Duration.ofSeconds(LEASE_SECONDS + 60)).until(() ->
      held.stream().allMatch(id -> count("SELECT count(*) FROM live_calls WHERE interview_id = ?", id) == 0));
    for (String id : held) {
      assertThat(Sql.rows(cluster.database, "SELECT status, reason_code FROM call_attempts WHERE interview_id = ? AND status <> 'SCHEDULED'", id))
        .as("the dead node's attempt of %s", id).containsExactly(Map.of("status", "FAILED", "reason_code", "PROVIDER_ERROR"));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM live_calls WHERE interview_id = ?", next) == 1);
    assertThat(Sql.rows(cluster.database, "SELECT node_id FROM live_calls WHERE interview_id = ?", next).get(0).get("node_id"))
      .as("dialled by the survivor").isEqualTo(survivor.node().nodeId());
    assertThat(count("SELECT active_calls FROM companies WHERE id = ?", companyId)).as("slots in use")
      .isEqualTo(count("SELECT count(*) FROM live_calls WHERE company_id = ?", companyId)).isLessThanOrEqualTo(2);
  }
}
