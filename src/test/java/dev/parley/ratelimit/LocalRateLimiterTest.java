package dev.parley.ratelimit;

import dev.parley.common.RateLimit;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class LocalRateLimiterTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final int THREADS = 8;

  /** The clock stands still, so the window cannot roll over while the threads run, however slow. */
  private final AtomicLong clock = new AtomicLong(T0);
  private final LocalRateLimiter limiter = new LocalRateLimiter(clock::get);

  @Test
  void threadsHammeringOneKeyGetExactlyTheLimit() throws Exception {
    // long enough runs that the threads overlap on two cores, not one after the other
    int limit = 20_000;
    int each = 5_000;
    List<RateDecision> decisions = hammer(List.of("key:one"), new RateLimit(limit, 0), each);

    List<RateDecision> allowed = decisions.stream().filter(RateDecision::allowed).toList();
    assertThat(allowed).hasSize(limit);
    // each allowed request saw a count no other one saw: the take is atomic
    assertThat(allowed.stream().map(RateDecision::minuteRemaining).sorted().toList())
      .isEqualTo(IntStream.range(0, limit).boxed().toList());
    assertThat(decisions).filteredOn(d -> !d.allowed())
      .hasSize(THREADS * each - limit)
      .allSatisfy(d -> {
        assertThat(d.retryAfterSeconds()).isEqualTo(60);
        assertThat(d.minuteRemaining()).isZero();
      });
  }

  @Test
  void keysHaveSeparateBudgets() throws Exception {
    List<String> keys = List.of("key:a", "key:b", "jwt:a", "key:c");
    List<RateDecision> decisions = hammer(keys, new RateLimit(0, 300), 200);
    // 8 threads x 200 takes over 4 keys: 400 tries per key, 300 of them pass
    assertThat(decisions.stream().filter(RateDecision::allowed).count()).isEqualTo(4 * 300);

    LocalRateLimiter fresh = new LocalRateLimiter(clock::get);
    RateLimit two = new RateLimit(2, 0);
    assertThat(fresh.decide("key:x", two).minuteRemaining()).isEqualTo(1);
    assertThat(fresh.decide("key:x", two).minuteRemaining()).isZero();
    assertThat(fresh.decide("key:x", two).allowed()).isFalse();
    assertThat(fresh.decide("key:y", two).minuteRemaining()).isEqualTo(1);
  }

  @Test
  void answersAtOnceAndLeavesUnlimitedKeysAlone() {
    Future<RateDecision> future = limiter.take("key:z", new RateLimit(1, 0));
    assertThat(future.succeeded()).isTrue();
    assertThat(future.result().allowed()).isTrue();

    assertThat(limiter.take("key:free", RateLimit.unlimited()).result()).isSameAs(RateDecision.UNLIMITED);
    assertThat(limiter.size()).isEqualTo(1);
  }

  @Test
  void anIdleKeyIsDroppedOnlyOnceNoWindowOfItCanBeLive() {
    RateLimit onePerHour = new RateLimit(0, 1);
    assertThat(limiter.decide("key:idle", onePerHour).allowed()).isTrue();

    clock.addAndGet(TimeUnit.MINUTES.toMillis(59));
    assertThat(limiter.decide("key:idle", onePerHour).allowed()).as("still in its hour").isFalse();
    assertThat(limiter.size()).isEqualTo(1);

    clock.addAndGet(TimeUnit.MINUTES.toMillis(66));
    assertThat(limiter.size()).isZero();
    assertThat(limiter.decide("key:idle", onePerHour).allowed()).isTrue();
  }

  /** Every thread takes {@code each} times, round-robin over the keys, all starting together. */
  private List<RateDecision> hammer(List<String> keys, RateLimit limit, int each) throws Exception {
    ConcurrentLinkedQueue<RateDecision> decisions = new ConcurrentLinkedQueue<>();
    CyclicBarrier start = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int offset = t;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < each; i++) decisions.add(limiter.decide(keys.get((i + offset) % keys.size()), limit));
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : done) f.get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertThat(decisions).hasSize(THREADS * each);
    return new ArrayList<>(decisions);
  }
}
