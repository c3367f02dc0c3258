package dev.parley.common;

/**
 * A key's budget: at most {@code perMinute} requests in its minute window and {@code perHour} in its
 * hour window. 0 makes that window unlimited; 0/0 is no limit at all, and callers then skip the
 * limiter entirely.
 *
 * <p>Shared because it is a value that several layers hold, not the limiter's machinery: config
 * checks {@code PARLEY_DEFAULT_RATE_LIMIT} with {@link #parse}, auth carries a key's budget on its
 * principal, the admin CLI stores one, and {@code ratelimit} enforces it. Config sits below
 * {@code ratelimit} and must not reach up for it.
 */
public record RateLimit(int perMinute, int perHour) {
  private static final RateLimit UNLIMITED = new RateLimit(0, 0);

  public RateLimit {
    if (perMinute < 0 || perHour < 0) {
      throw new IllegalArgumentException("rate limit " + perMinute + "/" + perHour + " has a negative part");
    }
  }

  public static RateLimit unlimited() {
    return UNLIMITED;
  }

  /**
   * Reads the {@code MINUTE/HOUR} notation of {@code PARLEY_DEFAULT_RATE_LIMIT} and {@code --rate-limit}:
   * two whole numbers from 0 up, nothing else (no signs, spaces or units), so a typo in a setting
   * fails at startup instead of becoming an unexpected budget.
   */
  public static RateLimit parse(String text) {
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash < 0 || text.indexOf('/', slash + 1) >= 0) {
      throw new IllegalArgumentException("rate limit '" + text + "' must be written MINUTE/HOUR, e.g. 60/2000 (0/0 for none)");
    }
    return new RateLimit(part(text, 0, slash, "per-minute"), part(text, slash + 1, text.length(), "per-hour"));
  }

  private static int part(String text, int from, int to, String name) {
    String value = text.substring(from, to);
    boolean digits = !value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9');
    try {
      if (digits) return Integer.parseInt(value);
    } catch (NumberFormatException tooLarge) {
      // falls through to the message below
    }
    throw new IllegalArgumentException("rate limit '" + text + "': the " + name + " limit '" + value
      + "' must be a whole number from 0 to " + Integer.MAX_VALUE);
  }

  /** True for 0/0, which callers treat as "do not rate-limit this key". */
  public boolean isUnlimited() {
    return perMinute == 0 && perHour == 0;
  }

  /** The {@code MINUTE/HOUR} notation, so a limit round-trips through {@link #parse}. */
  @Override
  public String toString() {
    return perMinute + "/" + perHour;
  }
}
