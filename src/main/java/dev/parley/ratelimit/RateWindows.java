package dev.parley.ratelimit;

import dev.parley.common.RateLimit;

import java.time.Duration;

/**
 * The rate-limit arithmetic, written once for every limiter. A key's state is a {@code long[4]}:
 * {@code {minuteStart, minuteCount, hourStart, hourCount}}, starts in epoch milliseconds.
 *
 * <p>Windows are fixed but anchored at the key's own traffic, not at the clock minute: a window
 * starts at the first request counted after the previous one ended and lasts its full length, so
 * the reset a client is shown is exactly when its budget comes back. A window with count 0 has not
 * started. A request passes only if every limited window has room; it then counts in both windows
 * (unlimited ones too, so a limit set later applies to the traffic already seen). A refused request
 * changes nothing, which also spares the cluster a write and a backup for every refusal.
 *
 * <p>The clock is an argument: the local limiter reads its own, the cluster limiter the partition
 * owner's, and tests pass fixed values.
 */
final class RateWindows {
  private RateWindows() {}

  static final int STATE_LENGTH = 4;

  /**
   * How long an idle key's state is kept. Past its last counted request plus an hour no window of
   * it can be live (the hour is the longest); the margin absorbs clock skew between cluster nodes.
   */
  static final Duration IDLE_EXPIRY = Duration.ofMinutes(65);

  private enum Window {
    MINUTE(0, 60_000L),
    HOUR(2, 3_600_000L);

    private final int start; // index of the start; the count follows it
    private final long millis;

    Window(int start, long millis) {
      this.start = start;
      this.millis = millis;
    }

    int limit(RateLimit limit) {
      return this == MINUTE ? limit.perMinute() : limit.perHour();
    }

    /** Started and not yet over. A start after {@code now} (a node whose clock is behind) counts as live. */
    boolean live(long[] state, long now) {
      return state[start + 1] > 0 && now - state[start] < millis;
    }

    boolean exhausted(long[] state, int limit, long now) {
      return limit > 0 && live(state, now) && state[start + 1] >= limit;
    }

    void count(long[] state, long now) {
      if (!live(state, now)) {
        state[start] = now;
        state[start + 1] = 0;
      }
      state[start + 1]++;
    }

    int remaining(long[] state, int limit, long now) {
      if (limit == 0) return 0;
      return live(state, now) ? (int) Math.max(0, limit - state[start + 1]) : limit;
    }

    /** A window that has not started would start now, so it resets one length from now. */
    long resetSeconds(long[] state, int limit, long now) {
      if (limit == 0) return 0;
      return ceilSeconds((live(state, now) ? state[start] : now) + millis);
    }

    long retryAfterSeconds(long[] state, int limit, long now) {
      return exhausted(state, limit, now) ? ceilSeconds(state[start] + millis - now) : 0;
    }
  }

  static long[] newState() {
    return new long[STATE_LENGTH];
  }

  /** Counts one request in {@code state} and returns true, or returns false and leaves it as it was. */
  static boolean take(long[] state, RateLimit limit, long now) {
    if (Window.MINUTE.exhausted(state, limit.perMinute(), now) || Window.HOUR.exhausted(state, limit.perHour(), now)) {
      return false;
    }
    Window.MINUTE.count(state, now);
    Window.HOUR.count(state, now);
    return true;
  }

  /** The figures of a request that {@link #take} has just decided, read from the state it left. */
  static RateDecision decision(long[] state, RateLimit limit, long now, boolean allowed) {
    int perMinute = limit.perMinute(), perHour = limit.perHour();
    long retryAfter = 0;
    if (!allowed) {
      // the request passes only once every exhausted window has reset
      retryAfter = Math.max(1, Math.max(Window.MINUTE.retryAfterSeconds(state, perMinute, now),
        Window.HOUR.retryAfterSeconds(state, perHour, now)));
    }
    return new RateDecision(allowed,
      perMinute, Window.MINUTE.remaining(state, perMinute, now), Window.MINUTE.resetSeconds(state, perMinute, now),
      perHour, Window.HOUR.remaining(state, perHour, now), Window.HOUR.resetSeconds(state, perHour, now),
      (int) retryAfter);
  }

  /** {@link #take} and {@link #decision} in one step, for a caller that holds the state's lock. */
  static RateDecision apply(long[] state, RateLimit limit, long now) {
    return decision(state, limit, now, take(state, limit, now));
  }

  private static long ceilSeconds(long millis) {
    return Math.floorDiv(millis + 999, 1000);
  }
}
