package dev.parley.common;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Timestamps as the API shows them: ISO 8601, UTC, milliseconds, "Z" (like api_ts() in SQL).
 *
 * <p>Shared because every layer that writes a timestamp a client reads must write it the same way:
 * the HTTP envelope, post-call results and webhook bodies.
 */
public final class ApiTime {
  private ApiTime() {}

  private static final DateTimeFormatter FORMAT =
    DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  public static String format(Instant instant) {
    return FORMAT.format(instant);
  }

  /** The last timestamp made by {@link #now}: every answer carries one, and many share a millisecond. */
  private record Stamp(long millis, String text) {}
  private static volatile Stamp last = new Stamp(-1, "");

  public static String now() {
    long millis = System.currentTimeMillis();
    Stamp stamp = last;
    if (stamp.millis() != millis) {
      stamp = new Stamp(millis, format(Instant.ofEpochMilli(millis)));
      last = stamp;
    }
    return stamp.text();
  }
}
