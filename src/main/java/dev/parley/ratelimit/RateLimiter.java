package dev.parley.ratelimit;

import dev.parley.common.RateLimit;
import io.vertx.core.Future;

/**
 * Takes one request from a key's budget (SPEC section 4): {@link LocalRateLimiter} on a single node,
 * {@link HazelcastRateLimiter} for one budget across the cluster. Both apply {@link RateWindows}.
 */
public interface RateLimiter {
  /**
   * Decides one request for {@code budgetKey} (an opaque string such as {@code key:<id>} or
   * {@code jwt:<subject>}; keys of different kinds must not collide) under {@code limit}, and counts
   * it when it is allowed. A 0/0 limit is always allowed and touches no state. Called from a Vert.x
   * context, the future completes on that context. It fails only when the budget cannot be reached
   * (a cluster limiter's store); what a request gets then is the caller's policy.
   */
  Future<RateDecision> take(String budgetKey, RateLimit limit);
}
