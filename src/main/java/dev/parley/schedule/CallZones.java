package dev.parley.schedule;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * The time zones of calling windows: which strings a company may store, in what form, and how a
 * call's zone is chosen. Every zone is evaluated by Java's time-zone rules, at validation and when
 * a call is due ({@link CallWindow#nextOpening}); none is handed to PostgreSQL, whose
 * {@code AT TIME ZONE '+05:00'} reads an offset with the opposite (POSIX) sign.
 */
public final class CallZones {
  private CallZones() {}

  /**
   * The stored form of a company's zone: an IANA region id as given ({@code Europe/Bratislava}),
   * {@code UTC} for any spelling of UTC, and a fixed offset in ISO form, east of Greenwich positive
   * ({@code +05:00}, also from {@code UTC+5} or {@code GMT+05:00}).
   *
   * @throws IllegalArgumentException with the message a client can read
   */
  public static String canonical(String zone) {
    if (zone == null || zone.isBlank() || zone.length() > 64) throw invalid();
    ZoneId id;
    try {
      id = ZoneId.of(zone.trim());
    } catch (DateTimeException e) {
      throw invalid();
    }
    ZoneId fixed = id.normalized();
    if (fixed instanceof ZoneOffset offset) {
      if (offset.getTotalSeconds() == 0) return "UTC";
      // region ids that are fixed offsets (Etc/GMT+5 is UTC-5: its name keeps the POSIX sign) stay as named
      return id instanceof ZoneOffset || isPrefixed(id) ? offset.getId() : id.getId();
    }
    return id.getId();
  }

  private static boolean isPrefixed(ZoneId id) {
    String s = id.getId().toUpperCase(Locale.ROOT);
    return s.startsWith("UT") || s.startsWith("GMT"); // UT, UTC and GMT, each with an offset
  }

  private static IllegalArgumentException invalid() {
    return new IllegalArgumentException("not a time zone: use an IANA name such as Europe/Bratislava, UTC, "
      + "or an offset east of UTC such as +05:30");
  }

  /**
   * The zone a call is placed in: the explicit offset of its schedule, else its phone number's zone,
   * else the company's. A stored zone Java cannot read (written before these rules) counts as UTC,
   * so that one company's row can never stop another's calls.
   */
  public static ZoneId of(Integer scheduleOffsetSeconds, String phoneZone, String companyZone) {
    if (scheduleOffsetSeconds != null) return ZoneOffset.ofTotalSeconds(scheduleOffsetSeconds);
    ZoneId phone = readable(phoneZone);
    if (phone != null) return phone;
    ZoneId company = readable(companyZone);
    return company != null ? company : ZoneOffset.UTC;
  }

  private static ZoneId readable(String zone) {
    if (zone == null) return null;
    try {
      return ZoneId.of(zone);
    } catch (DateTimeException e) {
      return null;
    }
  }
}
