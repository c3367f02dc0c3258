package dev.parley.ratelimit;

import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.cluster.Member;
import dev.parley.common.RateLimit;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two real Hazelcast members in this JVM, on loopback with TCP-IP join, each with its own limiter:
 * one budget per key whichever member a request comes through, atomic under concurrent takes from
 * both, and kept through the crash of the key's owner.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HazelcastRateLimiterIT {
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");
  private static final String CLUSTER = "parley-ratelimit-it-" + UUID.randomUUID();

  private static HazelcastInstance a;
  private static HazelcastInstance b;
  private static Vertx vertx;
  private static RateLimiter throughA;
  private static RateLimiter throughB;

  @BeforeAll
  static void cluster() {
    HAZELCAST_LOG.setLevel(Level.WARNING);
    a = Hazelcast.newHazelcastInstance(config(null));
    b = Hazelcast.newHazelcastInstance(config(a));
    awaitMembers(2, a, b);
    vertx = Vertx.vertx();
    throughA = new HazelcastRateLimiter(vertx, a);
    throughB = new HazelcastRateLimiter(vertx, b);
  }

  @AfterAll
  static void shutdown() throws Exception {
    if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    // graceful: lets the migrations that follow the crash test finish instead of cutting them off
    if (b != null) b.shutdown();
    if (a != null) a.shutdown();
  }

  /** A member of this test's cluster; it joins {@code seed} (by its actual port) when given. */
  private static Config config(HazelcastInstance seed) {
    Config config = new Config().setClusterName(CLUSTER);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "jdk");
    // members join one at a time here; the default 5 s pause for others to gather only slows the test
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    NetworkConfig network = config.getNetworkConfig().setPort(5901).setPortAutoIncrement(true);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    network.getJoin().getMulticastConfig().setEnabled(false);
    // another build's members may hold the first ports: join the seed where it actually listens
    String member = seed == null ? "127.0.0.1" : "127.0.0.1:" + seed.getCluster().getLocalMember().getAddress().getPort();
    network.getJoin().getTcpIpConfig().setEnabled(true).addMember(member);
    HazelcastRateLimiter.configure(config);
    return config;
  }

  private static void awaitMembers(int count, HazelcastInstance... members) {
    await().atMost(Duration.ofSeconds(60)).until(() ->
      List.of(members).stream().allMatch(m -> m.getCluster().getMembers().size() == count));
  }

  private static <T> T result(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  @Order(1)
  void configureDeclaresTheBudgetsMap() {
    Config config = new Config();
    HazelcastRateLimiter.configure(config);
    MapConfig budgets = config.getMapConfig(HazelcastRateLimiter.MAP_NAME);
    assertThat(budgets.getBackupCount()).isEqualTo(1);
    assertThat(budgets.getAsyncBackupCount()).isZero();
    assertThat(budgets.getMaxIdleSeconds()).isEqualTo(65 * 60);
    assertThat(budgets.getTimeToLiveSeconds()).as("no time to live: a live window must not vanish").isZero();
    assertThat(budgets.getEvictionConfig().getEvictionPolicy()).isEqualTo(EvictionPolicy.NONE);
    assertThat(config.getSerializationConfig().getDataSerializableFactories()).containsKey(HazelcastRateLimiter.FACTORY_ID);
  }

  @Test
  @Order(2)
  void aRequestThroughOneMemberCountsForTheOther() throws Exception {
    String key = "key:" + UUID.randomUUID();
    RateLimit three = new RateLimit(3, 0);

    assertThat(result(throughA.take(key, three)).minuteRemaining()).isEqualTo(2);
    assertThat(result(throughB.take(key, three)).minuteRemaining()).isEqualTo(1);
    assertThat(result(throughA.take(key, three)).minuteRemaining()).isZero();
    RateDecision refused = result(throughB.take(key, three));
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterSeconds()).isBetween(1, 60);
    assertThat(refused.headers()).containsOnlyKeys(RateDecision.LIMIT_MINUTE, RateDecision.REMAINING_MINUTE,
      RateDecision.RESET_MINUTE, RateDecision.RETRY_AFTER);

    // another key, and a 0/0 limit, have nothing to do with this budget
    assertThat(result(throughB.take("jwt:" + key, three)).minuteRemaining()).isEqualTo(2);
    assertThat(result(throughA.take(key, RateLimit.unlimited())).allowed()).isTrue();
  }

  @Test
  @Order(3)
  void concurrentTakesFromBothMembersGetExactlyTheLimit() throws Exception {
    String key = "key:" + UUID.randomUUID();
    int limit = 150;
    int perContext = 100;
    RateLimit perMinute = new RateLimit(limit, 0);

    // four event-loop contexts, two on each member, all firing their takes at once
    ConcurrentLinkedQueue<RateDecision> decisions = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> wrongContext = new ConcurrentLinkedQueue<>();
    List<Future<Void>> all = new ArrayList<>();
    for (RateLimiter limiter : List.of(throughA, throughB, throughA, throughB)) {
      Context context = vertx.getOrCreateContext();
      all.add(Future.<Void>future(done -> context.runOnContext(v -> {
        List<Future<RateDecision>> takes = new ArrayList<>();
        for (int i = 0; i < perContext; i++) {
          takes.add(limiter.take(key, perMinute).onSuccess(d -> {
            if (Vertx.currentContext() != context) wrongContext.add(Thread.currentThread().getName());
            decisions.add(d);
          }));
        }
        Future.all(takes).<Void>mapEmpty().onComplete(done);
      })));
    }
    result(Future.all(all));

    assertThat(wrongContext).as("takes completed off their calling context").isEmpty();
    assertThat(decisions).hasSize(4 * perContext);
    List<RateDecision> allowed = decisions.stream().filter(RateDecision::allowed).toList();
    assertThat(allowed).hasSize(limit);
    // one window, and every allowed take saw its own count
    assertThat(decisions).extracting(RateDecision::minuteResetSeconds).containsOnly(allowed.get(0).minuteResetSeconds());
    assertThat(allowed).extracting(RateDecision::minuteRemaining)
      .containsExactlyInAnyOrderElementsOf(IntStream.range(0, limit).boxed().toList());
    assertThat(decisions).filteredOn(d -> !d.allowed()).hasSize(4 * perContext - limit).allSatisfy(d -> {
      assertThat(d.retryAfterSeconds()).isBetween(1, 60);
      assertThat(d.headers())
        .containsEntry(RateDecision.LIMIT_MINUTE, Integer.toString(limit))
        .containsEntry(RateDecision.REMAINING_MINUTE, "0")
        .containsEntry(RateDecision.RETRY_AFTER, Integer.toString(d.retryAfterSeconds()))
        .doesNotContainKey(RateDecision.LIMIT_HOUR);
    });
  }

  @Test
  @Order(4)
  void aBudgetOutlivesTheCrashOfItsOwner() throws Exception {
    HazelcastInstance c = Hazelcast.newHazelcastInstance(config(a));
    RateLimiter throughC = new HazelcastRateLimiter(vertx, c);
    try {
      awaitMembers(3, a, b, c);
      await().atMost(Duration.ofSeconds(60)).until(() -> a.getPartitionService().isClusterSafe());
      // a key whose partition the new member owns, so its crash leaves only the backup
      Member owner = c.getCluster().getLocalMember();
      String key = await().atMost(Duration.ofSeconds(60)).until(() -> IntStream.range(0, 10_000)
        .mapToObj(i -> "key:crash-" + i)
        .filter(k -> owner.equals(a.getPartitionService().getPartition(k).getOwner()))
        .findFirst().orElse(null), k -> k != null);
      RateLimit four = new RateLimit(0, 4);

      assertThat(result(throughA.take(key, four)).hourRemaining()).isEqualTo(3);
      assertThat(result(throughB.take(key, four)).hourRemaining()).isEqualTo(2);
      assertThat(a.getPartitionService().getPartition(key).getOwner()).isEqualTo(owner);
      c.getLifecycleService().terminate();
      awaitMembers(2, a, b);

      assertThat(result(throughA.take(key, four)).hourRemaining()).isEqualTo(1);
      assertThat(result(throughB.take(key, four)).hourRemaining()).isZero();
      RateDecision refused = result(throughA.take(key, four));
      assertThat(refused.allowed()).isFalse();
      assertThat(refused.retryAfterSeconds()).isBetween(3500, 3600);

      // the dead member's limiter answers with a failed future, not an exception
      Future<RateDecision> dead = throughC.take(key, four);
      assertThat(dead.failed()).isTrue();
      assertThat(dead.cause()).isInstanceOf(HazelcastInstanceNotActiveException.class);
    } finally {
      c.getLifecycleService().terminate();
    }
  }
}
