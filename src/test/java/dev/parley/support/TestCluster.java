package dev.parley.support;

import com.hazelcast.config.Config;
import dev.parley.cluster.ClusterSettings;
import dev.parley.config.ParleyConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Real clustered Parley nodes in this JVM: each its own Vert.x with the Hazelcast cluster manager,
 * joined over TCP-IP on 127.0.0.1 (no multicast), on one shared test database. The cluster has a
 * name of its own, so clusters of test classes running at the same time never merge.
 */
public final class TestCluster implements AutoCloseable {
  public final TestDatabase database;
  public final List<TestServer> nodes = new ArrayList<>();
  private final List<Vertx> clients = new ArrayList<>();
  private final Map<String, String> clusterEnv = new HashMap<>();

  private TestCluster(TestDatabase database) {
    this.database = database;
  }

  /**
   * Starts {@code size} nodes one after another, each with {@code env} on top of the cluster
   * settings.
   */
  public static TestCluster start(String label, int size, Map<String, String> env) {
    TestCluster cluster = new TestCluster(TestDatabase.create(label));
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < size + 1; i++) ports.add(TestServer.freePort());
      cluster.clusterEnv.put("CLUSTER", "true");
      cluster.clusterEnv.put("PARLEY_CLUSTER_NAME", "parley-test-" + label + "-" + UUID.randomUUID().toString().substring(0, 8));
      cluster.clusterEnv.put("PARLEY_CLUSTER_HOST", "127.0.0.1");
      // the last port is for a node a test starts later (a client, or a process)
      cluster.clusterEnv.put("PARLEY_CLUSTER_MEMBERS", ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
      for (int i = 0; i < size; i++) cluster.addNode(ports.get(i), env);
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** Starts one more node with the cluster settings, on the given Hazelcast port. */
  public TestServer addNode(int hazelcastPort, Map<String, String> env) {
    Map<String, String> all = new HashMap<>(clusterEnv);
    all.put("PARLEY_CLUSTER_PORT", String.valueOf(hazelcastPort));
    // several nodes per test: one event loop and a small pool each keep the JVM's threads and the
    // test PostgreSQL's connections (max_connections) within bounds
    all.put("PARLEY_EVENT_LOOPS", "1");
    all.put("PARLEY_DB_POOL_SIZE", "4");
    all.putAll(env);
    TestServer node = TestServer.node(database, all);
    nodes.add(node);
    return node;
  }

  /** The settings a process must have to join this cluster (CLUSTER, its name, host and members). */
  public Map<String, String> clusterEnv() {
    return Map.copyOf(clusterEnv);
  }

  /** The first port of the member list that no node took: for a node started later. */
  public int sparePort() {
    String[] members = clusterEnv.get("PARLEY_CLUSTER_MEMBERS").split(",");
    return Integer.parseInt(members[members.length - 1].substring("127.0.0.1:".length()));
  }

  /**
   * A client inside the cluster: a clustered Vert.x (a Hazelcast lite member, so it holds no
   * cluster data) that runs no Parley verticle. {@code env} may add event-bus TLS settings.
   */
  public Vertx client(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(clusterEnv);
    all.put("PARLEY_CLUSTER_PORT", String.valueOf(TestServer.freePort()));
    all.putAll(env);
    ParleyConfig config = ParleyConfig.load(all);
    Config hz = ClusterSettings.hazelcast(config, c -> c.setLiteMember(true));
    try {
      Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(ClusterSettings.eventBus(config)))
        .withClusterManager(new HazelcastClusterManager(hz))
        .buildClustered().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      clients.add(vertx);
      return vertx;
    } catch (Exception e) {
      throw new IllegalStateException("client did not join: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    for (Vertx client : clients) {
      try {
        client.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // closing what is left of a failed test
      }
    }
    for (TestServer node : nodes) {
      try {
        node.close();
      } catch (RuntimeException e) {
        // a node a test stopped itself
      }
    }
    database.close();
  }
}
