package dev.parley.lifecycle;

import dev.parley.calls.FakeProvider;
import dev.parley.support.JarProcess;
import dev.parley.support.Sql;
import dev.parley.support.TestDatabase;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rolling restart of one of two nodes under load (docs/operations.md, "Shutdown"): two real
 * server processes on one database, the {@code http} provider played by the test, and a load
 * balancer in the test that routes each request to a node whose readiness said 200 at its last
 * check (every 50 ms), as a Kubernetes Service or any health-checking balancer does.
 *
 * <p>Node A gets {@code TERM} while the load runs and while dials it claimed are still waiting on
 * the provider, which the test holds until A has closed its listener: A must still confirm them
 * before it exits. Then A starts again and takes traffic, and the load stops.
 */
class RollingRestartIT {
  private static final String NUMBER = "+421915123456";
  /** Dials the provider holds: those of the first interviews, created on node A. */
  private static final int HELD_DIALS = 6;
  private static final int CLIENTS = 6;

  TestDatabase database;
  FakeProvider provider;
  final List<JarProcess> nodes = new ArrayList<>();
  final List<Path> dirs = new ArrayList<>();

  @AfterEach
  void stop() throws IOException {
    nodes.forEach(JarProcess::close);
    if (provider != null) provider.close();
    if (database != null) database.close();
    for (Path dir : dirs) {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  JarProcess node(String name) throws IOException {
    Path dir = Files.createTempDirectory("parley-rolling-" + name);
    dirs.add(dir);
    JarProcess node = JarProcess.start(Map.of("DATABASE_URL", database.url(), "PARLEY_DATA_DIR", dir.toString(),
      "PARLEY_PROVIDER", "http", "PARLEY_PROVIDER_URL", provider.url(), "PARLEY_PROVIDER_SECRET", provider.secret,
      "PARLEY_DISPATCH_POLL_MS", "200", "PARLEY_PROVIDER_TIMEOUT_MS", "45000", "PARLEY_SHUTDOWN_DRAIN_SECONDS", "2", "PARLEY_SHUTDOWN_TIMEOUT_SECONDS", "20"),
      dir.resolve("server.log"));
    nodes.add(node);
    return node;
  }

  @Test
  void aRollingRestartOfOneOfTwoNodesUnderLoadLosesNoAcceptedRequestAndLeavesNoClaimedAttemptUndialled() throws Exception {
    database = TestDatabase.create("rolling");
    provider = new FakeProvider("provider-secret-rolling");
    CountDownLatch release = new CountDownLatch(1);
    Set<String> heldInterviews = ConcurrentHashMap.newKeySet();
    // the dials of the interviews created first are held until the test lets them go: in flight when A gets TERM
    provider.onCall = call -> {
      if (heldInterviews.contains(call.getString("interviewId"))) {
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };

    JarProcess a = node("a");
    JarProcess b = node("b");
    String nodeA = nodeId(0);
    String company = TestServer.admin(database, "company", "create", "--name", "Rolling", "--call-window", "00:00-24:00",
      "--max-concurrent-calls", "10000").getString("id");
    TestServer.callerNumber(database, company);
    String key = TestServer.admin(database, "key", "create", "--company", company, "--name", "rolling",
      "--scopes", "read:interviews,write:interviews,delete:interviews").getString("key");
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    // created on A, due now: A's own dispatcher is told at once, so A claims (nearly) all of them
    for (int i = 0; i < HELD_DIALS; i++) {
      HttpResponse<String> made = send(http, create(a.baseUrl(), key, true));
      assertThat(made.statusCode()).isEqualTo(201);
      heldInterviews.add(new JsonObject(made.body()).getJsonObject("data").getString("id"));
    }
    await().atMost(Duration.ofSeconds(20)).until(() ->
      provider.calls.stream().map(c -> c.getString("interviewId")).filter(heldInterviews::contains).distinct().count() == HELD_DIALS);
    long heldOnA = Sql.count(database, "SELECT count(*) FROM live_calls WHERE node_id::text = ?::text AND dialled_at IS NULL", nodeA);
    assertThat(heldOnA).as("dials A claimed and the provider holds").isPositive();

    Balancer balancer = new Balancer(List.of(a, b));
    balancer.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> balancer.ready().size() == 2);
    Load load = new Load(http, balancer, key);
    load.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> load.answeredBy(a) >= 20 && load.answeredBy(b) >= 20);

    // TERM to A: readiness turns 503 at once, the balancer takes A out, A serves what reaches it
    Instant term = Instant.now();
    a.term();
    await().atMost(Duration.ofSeconds(2)).until(() -> a.status("/health/ready") == 503);
    // once A has closed its listener and waits for its dials, they are still in flight: now the provider answers them
    await().atMost(Duration.ofSeconds(15)).until(() -> a.status("/health/live") == 0);
    await().atMost(Duration.ofSeconds(15)).until(() -> Files.readString(dirs.get(0).resolve("server.log")).contains("dials (and claims, cancels) under way"));
    assertThat(Sql.count(database, "SELECT count(*) FROM live_calls WHERE node_id::text = ?::text AND dialled_at IS NULL", nodeA))
      .as("A's held dials are unconfirmed while A shuts down").isEqualTo(heldOnA);
    release.countDown();
    assertThat(a.awaitExit(Duration.ofSeconds(30))).as("exit status after TERM").isZero();
    Duration shutdown = Duration.between(term, Instant.now());
    assertThat(Sql.count(database, "SELECT count(*) FROM live_calls WHERE node_id::text = ?::text AND dialled_at IS NULL", nodeA))
      .as("every dial A had claimed was confirmed before A exited").isZero();

    // B carried the load meanwhile; A starts again and takes traffic
    int answeredByBBefore = load.answeredBy(b);
    await().atMost(Duration.ofSeconds(30)).until(() -> load.answeredBy(b) >= answeredByBBefore + 20);
    int answeredByABefore = load.answeredBy(a);
    a.restart();
    await().atMost(Duration.ofSeconds(30)).until(() -> load.answeredBy(a) >= answeredByABefore + 20);
    load.stop();
    balancer.stop();

    assertThat(load.failures).as("requests that got no answer (reset, refused, closed) or a 5xx").isEmpty();
    assertThat(load.answered.get()).isGreaterThan(200);
    // nothing that was acknowledged is lost: every interview created and not deleted is there
    Set<String> expected = load.created.keySet();
    long stored = Sql.count(database, "SELECT count(*) FROM interviews WHERE id::text = ANY(?)", (Object) expected.toArray(String[]::new));
    assertThat(stored).isEqualTo(expected.size());
    assertThat(Sql.count(database, "SELECT count(*) FROM interviews WHERE id::text = ANY(?)",
      (Object) load.deleted.toArray(String[]::new))).isZero();
    // every claimed attempt was dialled, each call once by its callId
    await().atMost(Duration.ofSeconds(20)).until(() ->
      Sql.count(database, "SELECT count(*) FROM live_calls WHERE dialled_at IS NULL") == 0);
    Set<String> dialled = ConcurrentHashMap.newKeySet();
    provider.calls.forEach(c -> dialled.add(c.getString("callId")));
    List<Map<String, Object>> claimed = Sql.rows(database, "SELECT call_id::text AS call_id FROM live_calls");
    assertThat(claimed).allSatisfy(r -> assertThat(dialled).contains((String) r.get("call_id")));
    String logA = Files.readString(dirs.get(0).resolve("server.log"));
    String shutdownLog = logA.substring(logA.indexOf("Shutting down"), logA.indexOf("Parley stopped"));
    // Parley's own complaints: a claim or a probe that met a closing pool, work cut short
    assertThat(shutdownLog.lines().filter(l -> l.contains("dev.parley") && (l.contains("WARN") || l.contains("ERROR"))).toList())
      .as("A's log while it shut down (took %s)", shutdown).isEmpty();
  }

  /** The node ID the i-th node's log gives at start. */
  String nodeId(int i) throws IOException {
    Matcher m = Pattern.compile("listening on port \\d+ \\(node ([0-9a-f-]{36})\\)").matcher(Files.readString(dirs.get(i).resolve("server.log")));
    assertThat(m.find()).as("node %d's log names its node ID", i).isTrue();
    return m.group(1);
  }

  static HttpRequest create(String base, String key, boolean dueNow) {
    JsonObject body = new JsonObject()
      .put("candidate", new JsonObject().put("firstName", "Roll").put("lastName", "Ing").put("phoneNumber", NUMBER))
      .put("agent", new JsonObject().put("name", "Screening"));
    if (!dueNow) body.put("scheduledAt", Instant.now().plus(Duration.ofDays(1)).toString());
    return HttpRequest.newBuilder(URI.create(base + "/v1/interviews")).timeout(Duration.ofSeconds(30))
      .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
  }

  static HttpResponse<String> send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Routes to the nodes whose readiness answered 200 at the last check. */
  static final class Balancer {
    private final List<JarProcess> nodes;
    private final Set<JarProcess> ready = ConcurrentHashMap.newKeySet();
    private final AtomicInteger next = new AtomicInteger();
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor();

    Balancer(List<JarProcess> nodes) {
      this.nodes = nodes;
    }

    void start() {
      checker.scheduleWithFixedDelay(() -> {
        for (JarProcess node : nodes) {
          if (node.status("/health/ready") == 200) ready.add(node);
          else ready.remove(node);
        }
        synchronized (this) {
          notifyAll();
        }
      }, 0, 50, TimeUnit.MILLISECONDS);
    }

    Set<JarProcess> ready() {
      return ready;
    }

    /** The next node in rotation; while none is ready, waits for the next health check (at most 5 s). */
    JarProcess pick() throws InterruptedException {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      synchronized (this) {
        while (true) {
          List<JarProcess> in = nodes.stream().filter(ready::contains).toList();
          if (!in.isEmpty()) return in.get(Math.floorMod(next.getAndIncrement(), in.size()));
          long left = until - System.nanoTime();
          if (left <= 0) throw new AssertionError("no node was ready for 5 s");
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
      }
    }

    void stop() throws InterruptedException {
      checker.shutdown();
      assertThat(checker.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** Clients that create (due now and later), read and delete interviews through the balancer. */
  static final class Load {
    private final HttpClient http;
    private final Balancer balancer;
    private final String key;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    final Map<String, Boolean> created = new ConcurrentHashMap<>();
    final Set<String> deleted = ConcurrentHashMap.newKeySet();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final AtomicInteger answered = new AtomicInteger();
    private final Map<JarProcess, AtomicInteger> byNode = new ConcurrentHashMap<>();

    Load(HttpClient http, Balancer balancer, String key) {
      this.http = http;
      this.balancer = balancer;
      this.key = key;
    }

    void start() {
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        clients.submit(() -> {
          for (int i = 0; running.get(); i++) step(client, i);
        });
      }
    }

    int answeredBy(JarProcess node) {
      return byNode.computeIfAbsent(node, n -> new AtomicInteger()).get();
    }

    private void step(int client, int i) {
      try {
        JarProcess node = balancer.pick();
        String base = node.baseUrl();
        // every fourth create is due now, so the dispatchers claim and dial while the node goes
        HttpResponse<String> made = call(node, create(base, key, (client + i) % 4 == 0), 201);
        if (made == null) return;
        String id = new JsonObject(made.body()).getJsonObject("data").getString("id");
        created.put(id, true);
        JarProcess reader = balancer.pick();
        call(reader, HttpRequest.newBuilder(URI.create(reader.baseUrl() + "/v1/interviews/" + id)).timeout(Duration.ofSeconds(30))
          .header("Authorization", "Bearer " + key).GET().build(), 200);
        if (i % 3 == 0) {
          JarProcess deleter = balancer.pick();
          if (call(deleter, HttpRequest.newBuilder(URI.create(deleter.baseUrl() + "/v1/interviews/" + id)).timeout(Duration.ofSeconds(30))
              .header("Authorization", "Bearer " + key).DELETE().build(), 200) != null) {
            created.remove(id);
            deleted.add(id);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (AssertionError e) {
        failures.add(e.getMessage());
      }
    }

    /** One request; its answer if it had the expected status, else null and a failure noted. */
    private HttpResponse<String> call(JarProcess node, HttpRequest request, int expected) throws InterruptedException {
      try {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        answered.incrementAndGet();
        byNode.computeIfAbsent(node, n -> new AtomicInteger()).incrementAndGet();
        if (r.statusCode() != expected) {
          failures.add(request.method() + " " + request.uri() + " -> " + r.statusCode() + " " + r.body());
          return null;
        }
        return r;
      } catch (IOException e) {
        failures.add(request.method() + " " + request.uri() + " -> " + e);
        return null;
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      clients.shutdown();
      assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }
  }
}
