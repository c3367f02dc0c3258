package dev.parley.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.parley.common.RateLimit;
import dev.parley.ratelimit.RateDecision;
import dev.parley.ratelimit.RateLimiter;
import io.vertx.core.Future;

import java.time.Duration;

/**
 * Failed authentications per client address (docs/api.md, "Rate limits"): each failure takes one
 * from the address's budget (PARLEY_AUTH_FAILURE_LIMIT), counted across the cluster like the
 * credentials' budgets. An address whose budget is spent is remembered on this node until the
 * budget's window lets it try again; meanwhile its requests are checked without database lookups
 * ({@link dev.parley.auth.Authenticator#authenticate(String, boolean)}), so a flood of bogus keys
 * costs PostgreSQL nothing. One per node.
 */
public final class AuthFailures {
  private final RateLimiter limiter;
  private final RateLimit limit;
  /** Addresses past their budget, with when (epoch ms) they may try again. */
  private final Cache<String, Long> blocked = Caffeine.newBuilder()
    .expireAfterWrite(Duration.ofHours(1)).maximumSize(100_000).build();

  public AuthFailures(RateLimiter limiter, RateLimit limit) {
    this.limiter = limiter;
    this.limit = limit;
  }

  /** Seconds until the address may authenticate with lookups again; 0 when it may now. */
  long blockedSeconds(String address) {
    if (address == null) return 0;
    Long until = blocked.getIfPresent(address);
    long left = until == null ? 0 : until - System.currentTimeMillis();
    if (left <= 0) {
      if (until != null) blocked.invalidate(address);
      return 0;
    }
    return (left + 999) / 1000;
  }

  /**
   * Counts a failed authentication of the address; the decision (null when nothing is counted: no
   * address, no limit). A refused one blocks the address until it may try again.
   */
  Future<RateDecision> failed(String address) {
    if (address == null || limit.isUnlimited()) return Future.succeededFuture(null);
    return limiter.take("authfail:" + address, limit).map(decision -> {
      if (!decision.allowed()) {
        blocked.put(address, System.currentTimeMillis() + Math.max(1, decision.retryAfterSeconds()) * 1000L);
      }
      return decision;
    });
  }
}
