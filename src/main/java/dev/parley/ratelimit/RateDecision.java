package dev.parley.ratelimit;

import dev.parley.common.RateLimit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer to one request: whether it may pass, and for each limited window (limit above 0) its
 * limit, what remains after this request (never negative) and when it resets (Unix seconds).
 * A window with limit 0 is unlimited: its figures are 0 and it gives no headers.
 * {@code retryAfterSeconds} is 0 for an allowed request; for a refused one it is the time until
 * every exhausted window has reset, at least 1.
 */
public record RateDecision(
  boolean allowed,
  int minuteLimit, int minuteRemaining, long minuteResetSeconds,
  int hourLimit, int hourRemaining, long hourResetSeconds,
  int retryAfterSeconds) {

  public static final String LIMIT_MINUTE = "X-RateLimit-Limit-Minute";
  public static final String REMAINING_MINUTE = "X-RateLimit-Remaining-Minute";
  public static final String RESET_MINUTE = "X-RateLimit-Reset-Minute";
  public static final String LIMIT_HOUR = "X-RateLimit-Limit-Hour";
  public static final String REMAINING_HOUR = "X-RateLimit-Remaining-Hour";
  public static final String RESET_HOUR = "X-RateLimit-Reset-Hour";
  public static final String RETRY_AFTER = "Retry-After";

  /** What a 0/0 limit gets without touching any state. */
  static final RateDecision UNLIMITED = new RateDecision(true, 0, 0, 0, 0, 0, 0, 0);

  /** The response headers in a stable order: minute, hour, then Retry-After when refused. */
  public Map<String, String> headers() {
    Map<String, String> headers = new LinkedHashMap<>(8);
    window(headers, minuteLimit, minuteRemaining, minuteResetSeconds, LIMIT_MINUTE, REMAINING_MINUTE, RESET_MINUTE);
    window(headers, hourLimit, hourRemaining, hourResetSeconds, LIMIT_HOUR, REMAINING_HOUR, RESET_HOUR);
    if (!allowed) headers.put(RETRY_AFTER, Integer.toString(retryAfterSeconds));
    return headers;
  }

  private static void window(Map<String, String> headers, int limit, int remaining, long reset,
                             String limitName, String remainingName, String resetName) {
    if (limit == 0) return;
    headers.put(limitName, Integer.toString(limit));
    headers.put(remainingName, Integer.toString(remaining));
    headers.put(resetName, Long.toString(reset));
  }
}
