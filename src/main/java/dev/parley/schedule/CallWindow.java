package dev.parley.schedule;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A company's calling window, {@code HH:MM-HH:MM} in the local time of the call: open from the
 * first time (included) to the second (excluded). A window whose end comes before its start runs
 * past midnight ({@code 20:00-08:00}); {@code 00:00-24:00}, and any window whose start equals its
 * end, is open all day. This class is the only place that decides whether a call may be placed at
 * a moment: PostgreSQL never evaluates a zone or a window (DESIGN: one time-zone engine).
 */
public record CallWindow(int startSecond, int endSecond) {
  private static final Pattern FORM = Pattern.compile("([01][0-9]|2[0-3]):([0-5][0-9])-(?:([01][0-9]|2[0-3]):([0-5][0-9])|(24):00)");
  private static final int DAY = 24 * 3600;
  public static final CallWindow ALL_DAY = new CallWindow(0, DAY);
  /** What {@link #parse} says of a string that is not a window. */
  public static final String MALFORMED = "must look like 09:00-20:00 (HH:MM-HH:MM, local time; 00:00-24:00 for all day)";

  /** The window a string describes. @throws IllegalArgumentException with the message a client can read */
  public static CallWindow parse(String text) {
    Matcher m = text == null ? null : FORM.matcher(text);
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException(MALFORMED);
    }
    int start = Integer.parseInt(m.group(1)) * 3600 + Integer.parseInt(m.group(2)) * 60;
    int end = m.group(5) != null ? DAY : Integer.parseInt(m.group(3)) * 3600 + Integer.parseInt(m.group(4)) * 60;
    return start == end || (start == 0 && end == DAY) ? ALL_DAY : new CallWindow(start, end);
  }

  public boolean allDay() {
    return startSecond == 0 && endSecond == DAY;
  }

  /** Whether a call may be placed at this local time of day. */
  public boolean contains(LocalTime local) {
    int s = local.toSecondOfDay();
    return startSecond < endSecond ? s >= startSecond && s < endSecond : s >= startSecond || s < endSecond;
  }

  /**
   * The first moment at or after {@code from} at which a call in {@code zone} may be placed:
   * {@code from} itself when the window is open then, else the next local opening. An opening that
   * falls into a daylight-saving gap moves forward by the gap's length, as clocks do.
   */
  public Instant nextOpening(Instant from, ZoneId zone) {
    if (allDay()) return from;
    ZonedDateTime at = from.atZone(zone);
    if (contains(at.toLocalTime())) return from;
    LocalTime opens = LocalTime.ofSecondOfDay(startSecond);
    LocalDate day = at.toLocalDate();
    // today's opening if it is still ahead, else tomorrow's (two more days cover any DST shift)
    for (int k = 0; k < 3; k++) {
      ZonedDateTime candidate = ZonedDateTime.of(LocalDateTime.of(day.plusDays(k), opens), zone);
      if (candidate.toInstant().isAfter(from) && contains(candidate.toLocalTime())) return candidate.toInstant();
    }
    // unreachable for a window of at least a minute; never leave an attempt without a time
    return from.plusSeconds(3600);
  }

  @Override
  public String toString() {
    if (allDay()) return "00:00-24:00";
    return hhmm(startSecond) + "-" + hhmm(endSecond);
  }

  private static String hhmm(int second) {
    return String.format("%02d:%02d", second / 3600, second / 60 % 60);
  }
}
