package dev.parley.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.parley.common.RateLimit;
import io.vertx.core.Future;

import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;

/**
 * The budgets of a single node (CLUSTER=false), in memory. Every event loop calls it, so each take
 * runs inside the map's {@code compute} for its key: atomic per key, no lock shared between keys.
 * A key idle longer than {@link RateWindows#IDLE_EXPIRY} has no live window and is dropped, so
 * memory follows the keys in use. It answers at once with a completed future.
 */
public final class LocalRateLimiter implements RateLimiter {
  private final Cache<String, long[]> cache;
  private final ConcurrentMap<String, long[]> budgets;
  private final LongSupplier clock;

  public LocalRateLimiter() {
    this(System::currentTimeMillis);
  }

  /** With the given clock (epoch milliseconds) for both the windows and the idle expiry. */
  LocalRateLimiter(LongSupplier clock) {
    this.clock = clock;
    this.cache = Caffeine.newBuilder()
      .expireAfterAccess(RateWindows.IDLE_EXPIRY)
      .ticker(() -> clock.getAsLong() * 1_000_000L)
      // every take is a write; upkeep inline (under a try-lock, amortised) costs less than waking
      // a pool thread for it, which on two cores competes with the event loops
      .executor(Runnable::run)
      .build();
    this.budgets = cache.asMap();
  }

  @Override
  public Future<RateDecision> take(String budgetKey, RateLimit limit) {
    return Future.succeededFuture(decide(budgetKey, limit));
  }

  RateDecision decide(String budgetKey, RateLimit limit) {
    if (limit.isUnlimited()) return RateDecision.UNLIMITED;
    Take take = new Take(limit);
    budgets.compute(budgetKey, take);
    return take.decision;
  }

  /** How many keys are held, after dropping the expired ones. */
  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  /**
   * The remapping function and its result in one object: with the decision and its future, all a
   * take allocates for a known key. The state array is updated in place. The clock is read under
   * the key's lock, so a key's takes read it in the order they are counted.
   */
  private final class Take implements BiFunction<String, long[], long[]> {
    private final RateLimit limit;
    private RateDecision decision;

    Take(RateLimit limit) {
      this.limit = limit;
    }

    @Override
    public long[] apply(String key, long[] state) {
      long[] current = state == null ? RateWindows.newState() : state;
      decision = RateWindows.apply(current, limit, clock.getAsLong());
      return current;
    }
  }
}
