package dev.parley.calls;

import dev.parley.support.Sql;
import dev.parley.support.TestCluster;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three clustered nodes dispatch a few hundred interviews that fall due at the same moment, from
 * one queue, through an {@code http} provider that answers each call and ends it a little later:
 * no attempt is dialled twice, every node dials, and a company's live calls never exceed its
 * slots, as PostgreSQL shows while it runs and as the provider sees it.
 */
class ClusterDispatchIT {
  static final String SECRET = "cluster-dispatch-provider-secret";
  static final int PER_COMPANY = 100;
  static final int[] SLOTS = {3, 5, 8};
  static FakeProvider provider;
  static TestCluster cluster;
  static final ScheduledExecutorService ender = Executors.newScheduledThreadPool(4);

  @BeforeAll
  static void start() throws Exception {
    provider = new FakeProvider(SECRET);
    cluster = TestCluster.start("dispatch", 3, Map.of(
      "PARLEY_PROVIDER", "http", "PARLEY_PROVIDER_URL", provider.url(), "PARLEY_PROVIDER_SECRET", SECRET,
      "PARLEY_DISPATCH_POLL_MS", "200"));
  }

  @AfterAll
  static void stop() {
    ender.shutdownNow();
    if (cluster != null) cluster.close();
    provider.close();
  }

  @Test
  void hundredsOfDueInterviewsAreDialledOnceEachWithinTheSlots() throws Exception {
    TestServer first = cluster.nodes.get(0);
    Map<String, Integer> slots = new HashMap<>();
    List<Tenant> companies = new ArrayList<>();
    for (int max : SLOTS) {
      Tenant t = first.company("Dispatch " + max, "read:interviews,write:interviews", "--call-window", "00:00-24:00",
        "--max-concurrent-calls", String.valueOf(max));
      TestServer.callerNumber(cluster.database, t.companyId());
      companies.add(t);
      slots.put(t.companyId(), max);
    }

    // The provider ends each call 20-200 ms after taking it, and counts the calls live per company.
    // (The claim commits before the dial, so even an end that comes at once finds its live call.)
    Map<String, String> companyOf = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> liveAtProvider = new ConcurrentHashMap<>();
    List<String> overProvider = new CopyOnWriteArrayList<>();
    provider.onCall = call -> {
      String company = companyOf.get(call.getString("interviewId"));
      AtomicInteger live = liveAtProvider.computeIfAbsent(String.valueOf(company), c -> new AtomicInteger());
      int now = live.incrementAndGet();
      if (company == null || now > slots.get(company)) overProvider.add(company + " had " + now + " calls at once");
      ender.schedule(() -> {
        live.decrementAndGet();
        provider.send(call.getString("eventsUrl"), new JsonObject().put("type", "call.ended").put("callId", call.getString("callId"))
          .put("at", Instant.now().toString()).put("endedReason", "completed").put("durationSeconds", 1)
          .put("transcript", new JsonArray().add(new JsonObject().put("role", "agent").put("text", "Hello").put("startMs", 0))));
      }, ThreadLocalRandom.current().nextInt(20, 200), TimeUnit.MILLISECONDS);
    };

    // every interview falls due at the same instant, a little after the last one is created
    String due = Instant.now().plusSeconds(25).truncatedTo(ChronoUnit.MILLIS).toString();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < PER_COMPANY; i++) {
      for (Tenant t : companies) {
        TestServer via = cluster.nodes.get(i % 3);
        Response r = via.post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
          + "\"phoneNumber\":\"+4219151" + String.format("%05d", ids.size()) + "\"},\"agent\":{\"name\":\"Screening\"},"
          + "\"scheduledAt\":\"" + due + "\"}");
        assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
        ids.add(r.data().getString("id"));
        companyOf.put(r.data().getString("id"), t.companyId());
      }
    }
    assertThat(Instant.now()).as("all created before they fall due").isBefore(Instant.parse(due));

    // PostgreSQL, sampled every 20 ms while the nodes dispatch: live calls and held slots within each company's limit
    List<String> overDatabase = new CopyOnWriteArrayList<>();
    AtomicInteger looks = new AtomicInteger();
    try (java.sql.Connection c = cluster.database.connect();
         java.sql.PreparedStatement s = c.prepareStatement("""
           SELECT c.id, c.max_concurrent_calls, c.active_calls, (SELECT count(*) FROM live_calls l WHERE l.company_id = c.id)
             FROM companies c""")) {
      ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
      sampler.scheduleAtFixedRate(() -> {
        try (java.sql.ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            int max = rs.getInt(2);
            if (rs.getInt(3) > max || rs.getLong(4) > max) {
              overDatabase.add(rs.getString(1) + ": " + rs.getInt(3) + " slots held, " + rs.getLong(4) + " live, max " + max);
            }
          }
          looks.incrementAndGet();
        } catch (java.sql.SQLException e) {
          overDatabase.add("sample failed: " + e.getMessage());
        }
      }, 0, 20, TimeUnit.MILLISECONDS);
      try {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250)).until(() ->
          Sql.count(cluster.database, "SELECT count(*) FROM interviews WHERE status = 'COMPLETED'") == ids.size());
      } finally {
        sampler.shutdown();
        assertThat(sampler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      }
    }

    List<String> dialled = provider.calls.stream().map(c -> c.getString("interviewId")).toList();
    assertThat(dialled).as("dials").hasSize(ids.size()).doesNotHaveDuplicates();
    assertThat(new HashSet<>(dialled)).isEqualTo(ids);
    assertThat(provider.calls.stream().map(c -> c.getString("callId")).distinct().count()).isEqualTo(ids.size());
    assertThat(provider.calls.stream().map(c -> c.getString("eventsUrl")).distinct().count()).as("nodes that dialled").isEqualTo(3);
    assertThat(overDatabase).as("over the limit in PostgreSQL, in %s looks", looks.get()).isEmpty();
    assertThat(looks.get()).isGreaterThan(10);
    assertThat(overProvider).as("over the limit at the provider").isEmpty();
    assertThat(Sql.count(cluster.database, "SELECT count(*) FROM call_attempts WHERE status = 'COMPLETED'")).isEqualTo(ids.size());
    assertThat(Sql.count(cluster.database, "SELECT count(*) FROM call_attempts")).isEqualTo(ids.size());
    assertThat(Sql.count(cluster.database, "SELECT coalesce(sum(active_calls), 0) FROM companies")).isZero();
  }
}
