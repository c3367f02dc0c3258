package dev.parley;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Timestamps as the API shows them: ISO 8601, UTC, milliseconds, "Z" (like api_ts() in SQL). */
public final class ApiTime {
  private ApiTime() {}

  private static final DateTimeFormatter FORMAT =
    DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  public static String format(Instant instant) {
    return FORMAT.format(instant);
  }

  public static String now() {
    return format(Instant.now());
  }
}
