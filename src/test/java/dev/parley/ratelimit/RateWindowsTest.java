package dev.parley.ratelimit;

import dev.parley.common.RateLimit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** The window arithmetic with explicit clock values: nothing waits. */
class RateWindowsTest {
  /** A clock reading on a whole second, so the expected reset values are easy to read. */
  private static final long T0 = 1_700_000_000_000L;
  private static final long S0 = T0 / 1000;

  private final long[] state = RateWindows.newState();

  private RateDecision take(String limit, long now) {
    return RateWindows.apply(state, RateLimit.parse(limit), now);
  }

  @Test
  void theFirstRequestStartsBothWindowsAndResetsRoundUp() {
    RateDecision first = take("3/10", T0 + 250);

    assertThat(first).isEqualTo(new RateDecision(true, 3, 2, S0 + 61, 10, 9, S0 + 3601, 0));
    assertThat(take("3/10", T0 + 40_000)).isEqualTo(new RateDecision(true, 3, 1, S0 + 61, 10, 8, S0 + 3601, 0));
  }

  @Test
  void theMinuteWindowIsAnchoredAtTheFirstRequestNotAtTheClockMinute() {
    assertThat(take("2/0", T0 + 30_000).allowed()).isTrue();
    assertThat(take("2/0", T0 + 50_000).allowed()).isTrue();

    // the clock minute turned at T0 + 60 s; the key's window runs until T0 + 90 s
    RateDecision refused = take("2/0", T0 + 70_000);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.minuteResetSeconds()).isEqualTo(S0 + 90);
    assertThat(refused.retryAfterSeconds()).isEqualTo(20);
    assertThat(take("2/0", T0 + 89_999).retryAfterSeconds()).isEqualTo(1);

    // the next window starts at the first request after the old one ended, not at its end
    RateDecision next = take("2/0", T0 + 95_500);
    assertThat(next).isEqualTo(new RateDecision(true, 2, 1, S0 + 156, 0, 0, 0, 0));
    assertThat(take("2/0", T0 + 155_000).allowed()).isTrue();
    assertThat(take("2/0", T0 + 155_499).allowed()).isFalse();
    assertThat(take("2/0", T0 + 155_500).allowed()).isTrue();
  }

  @Test
  void theHourWindowIsAnchoredTheSameWay() {
    long start = T0 + 1_234_000; // 20 min 34 s past the clock hour
    assertThat(take("0/2", start).hourResetSeconds()).isEqualTo(S0 + 1234 + 3600);
    assertThat(take("0/2", start + 1_000).allowed()).isTrue();
    assertThat(take("0/2", start + 3_599_999).allowed()).isFalse();
    assertThat(take("0/2", start + 3_600_000)).isEqualTo(new RateDecision(true, 0, 0, 0, 2, 1, S0 + 1234 + 7200, 0));
  }

  @Test
  void aRequestPassesOnlyWhenBothWindowsHaveRoom() {
    assertThat(take("2/3", T0).allowed()).isTrue();
    assertThat(take("2/3", T0 + 1_000).allowed()).isTrue();
    RateDecision minuteFull = take("2/3", T0 + 2_000);
    assertThat(minuteFull.allowed()).isFalse();
    assertThat(minuteFull.hourRemaining()).isEqualTo(1);
    assertThat(minuteFull.retryAfterSeconds()).isEqualTo(58);

    // a new minute window, and the hour's last request
    assertThat(take("2/3", T0 + 60_000)).isEqualTo(new RateDecision(true, 2, 1, S0 + 120, 3, 0, S0 + 3600, 0));

    // the minute has room, the hour does not: refused until the hour resets
    RateDecision hourFull = take("2/3", T0 + 61_000);
    assertThat(hourFull).isEqualTo(new RateDecision(false, 2, 1, S0 + 120, 3, 0, S0 + 3600, 3539));
  }

  @Test
  void aRefusedRequestCountsInNeitherWindowAndChangesNothing() {
    assertThat(take("1/2", T0).allowed()).isTrue();
    long[] before = state.clone();
    for (int i = 1; i <= 50; i++) {
      assertThat(take("1/2", T0 + i * 1_000L).allowed()).as("refusal %d", i).isFalse();
    }
    assertThat(state).containsExactly(before);

    // had the refusals counted, the hour (limit 2) would be spent
    assertThat(take("1/2", T0 + 60_000)).isEqualTo(new RateDecision(true, 1, 0, S0 + 120, 2, 0, S0 + 3600, 0));
  }

  @Test
  void retryAfterWaitsForEveryExhaustedWindow() {
    assertThat(take("1/1", T0).allowed()).isTrue();
    RateDecision both = take("1/1", T0 + 10_500);
    assertThat(both.allowed()).isFalse();
    // the minute frees in 49.5 s, but the request can pass only when the hour frees as well
    assertThat(both.retryAfterSeconds()).isEqualTo(3590);

    // after the minute window ended, only the hour is exhausted; the unstarted minute would start now
    RateDecision hourOnly = take("1/1", T0 + 600_000);
    assertThat(hourOnly).isEqualTo(new RateDecision(false, 1, 1, S0 + 660, 1, 0, S0 + 3600, 3000));
  }

  @Test
  void zeroMakesAWindowUnlimited() {
    List<Boolean> minuteUnlimited = new ArrayList<>();
    for (int i = 0; i < 5; i++) minuteUnlimited.add(take("0/4", T0 + i).allowed());
    assertThat(minuteUnlimited).containsExactly(true, true, true, true, false);

    long[] hourUnlimited = RateWindows.newState();
    int allowed = 0;
    for (int minute = 0; minute < 120; minute++) {
      for (int i = 0; i < 3; i++) {
        if (RateWindows.apply(hourUnlimited, new RateLimit(2, 0), T0 + minute * 60_000L + i).allowed()) allowed++;
      }
    }
    assertThat(allowed).isEqualTo(240);
  }

  @Test
  void remainingIsNeverNegativeWhenALimitIsLowered() {
    for (int i = 0; i < 5; i++) take("10/100", T0 + i);
    RateDecision lowered = take("3/100", T0 + 10);
    assertThat(lowered.allowed()).isFalse();
    assertThat(lowered.minuteRemaining()).isZero();
    assertThat(lowered.hourRemaining()).isEqualTo(95);
  }

  @Test
  void aClockBehindTheWindowStartKeepsTheWindow() {
    // the partition moved to a node whose clock is 5 s behind the one that started the window
    assertThat(take("1/0", T0).allowed()).isTrue();
    RateDecision behind = take("1/0", T0 - 5_000);
    assertThat(behind.allowed()).isFalse();
    assertThat(behind.retryAfterSeconds()).isEqualTo(65);
  }

  @Test
  void headersNameTheLimitedWindowsInOrderAndRetryAfterOnlyWhenRefused() {
    assertThat(take("2/100", T0 + 1).headers()).containsExactly(
      entry("X-RateLimit-Limit-Minute", "2"), entry("X-RateLimit-Remaining-Minute", "1"),
      entry("X-RateLimit-Reset-Minute", Long.toString(S0 + 61)),
      entry("X-RateLimit-Limit-Hour", "100"), entry("X-RateLimit-Remaining-Hour", "99"),
      entry("X-RateLimit-Reset-Hour", Long.toString(S0 + 3601)));
    take("2/100", T0 + 2);
    assertThat(take("2/100", T0 + 30_000).headers()).containsExactly(
      entry("X-RateLimit-Limit-Minute", "2"), entry("X-RateLimit-Remaining-Minute", "0"),
      entry("X-RateLimit-Reset-Minute", Long.toString(S0 + 61)),
      entry("X-RateLimit-Limit-Hour", "100"), entry("X-RateLimit-Remaining-Hour", "98"),
      entry("X-RateLimit-Reset-Hour", Long.toString(S0 + 3601)),
      entry("Retry-After", "31"));
  }

  @Test
  void anUnlimitedWindowGivesNoHeaders() {
    Map<String, String> minuteOnly = RateWindows.apply(RateWindows.newState(), new RateLimit(5, 0), T0).headers();
    assertThat(minuteOnly).containsOnlyKeys(RateDecision.LIMIT_MINUTE, RateDecision.REMAINING_MINUTE, RateDecision.RESET_MINUTE);
    Map<String, String> hourOnly = RateWindows.apply(RateWindows.newState(), new RateLimit(0, 5), T0).headers();
    assertThat(hourOnly).containsOnlyKeys(RateDecision.LIMIT_HOUR, RateDecision.REMAINING_HOUR, RateDecision.RESET_HOUR);
    assertThat(RateDecision.UNLIMITED.headers()).isEmpty();
  }

  @Test
  void limitsParseAndPrintAsMinuteSlashHour() {
    assertThat(RateLimit.parse("60/2000")).isEqualTo(new RateLimit(60, 2000));
    assertThat(RateLimit.parse("0/5")).isEqualTo(new RateLimit(0, 5));
    assertThat(RateLimit.parse("007/2147483647")).isEqualTo(new RateLimit(7, Integer.MAX_VALUE));
    assertThat(RateLimit.parse("0/0").isUnlimited()).isTrue();
    assertThat(RateLimit.parse("0/1").isUnlimited()).isFalse();
    assertThat(RateLimit.unlimited()).isEqualTo(new RateLimit(0, 0));
    assertThat(RateLimit.parse("60/2000")).hasToString("60/2000");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "60", "60-2000", "60/2000/5", "60,2000"})
  void aLimitWithoutOneSlashIsRefusedByName(String text) {
    assertThatThrownBy(() -> RateLimit.parse(text))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessage("rate limit '" + text + "' must be written MINUTE/HOUR, e.g. 60/2000 (0/0 for none)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/60", "-1/60", "+1/60", " 1/60", "1 /60", "1e3/60", "x/60", "2147483648/60", "99999999999/60"})
  void aBadPerMinuteValueIsNamed(String text) {
    String minute = text.substring(0, text.indexOf('/'));
    assertThatThrownBy(() -> RateLimit.parse(text))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessage("rate limit '" + text + "': the per-minute limit '" + minute
        + "' must be a whole number from 0 to 2147483647");
  }

  @ParameterizedTest
  @ValueSource(strings = {"60/", "60/-5", "60/2000 ", "60/2k", "60/0x10", "60/1.5"})
  void aBadPerHourValueIsNamed(String text) {
    String hour = text.substring(text.indexOf('/') + 1);
    assertThatThrownBy(() -> RateLimit.parse(text))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessage("rate limit '" + text + "': the per-hour limit '" + hour
        + "' must be a whole number from 0 to 2147483647");
  }

  @Test
  void nullAndNegativeLimitsAreRefused() {
    assertThatThrownBy(() -> RateLimit.parse(null)).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("'null'");
    assertThatThrownBy(() -> new RateLimit(-1, 5)).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("-1/5");
  }
}
