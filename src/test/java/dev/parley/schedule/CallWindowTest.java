package dev.parley.schedule;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallWindowTest {
  private static final ZoneId BRATISLAVA = ZoneId.of("Europe/Bratislava");

  @Test
  void aWindowIsOpenFromItsStartUntilJustBeforeItsEnd() {
    CallWindow w = CallWindow.parse("09:00-20:00");
    assertThat(w.contains(LocalTime.of(8, 59, 59))).isFalse();
    assertThat(w.contains(LocalTime.of(9, 0))).isTrue();
    assertThat(w.contains(LocalTime.of(19, 59, 59))).isTrue();
    assertThat(w.contains(LocalTime.of(20, 0))).isFalse();
  }

  @Test
  void aWindowEndingBeforeItsStartRunsPastMidnight() {
    CallWindow w = CallWindow.parse("20:00-08:00");
    assertThat(w.contains(LocalTime.of(23, 0))).isTrue();
    assertThat(w.contains(LocalTime.of(3, 0))).isTrue();
    assertThat(w.contains(LocalTime.of(8, 0))).isFalse();
    assertThat(w.contains(LocalTime.of(12, 0))).isFalse();
  }

  @Test
  void allDayAndEqualEndsAreOpenAlways() {
    assertThat(CallWindow.parse("00:00-24:00").allDay()).isTrue();
    assertThat(CallWindow.parse("09:00-09:00").allDay()).isTrue();
    assertThat(CallWindow.parse("09:00-24:00").contains(LocalTime.of(23, 59, 59))).isTrue();
    Instant any = Instant.parse("2026-12-05T03:00:00Z");
    assertThat(CallWindow.ALL_DAY.nextOpening(any, BRATISLAVA)).isEqualTo(any);
  }

  @Test
  void malformedWindowsAreRefused() {
    for (String bad : new String[] {"9:00-20:00", "09:00-24:01", "25:00-26:00", "09:00", "", "09:00-20:00 "}) {
      assertThatThrownBy(() -> CallWindow.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("09:00-20:00");
    }
  }

  @Test
  void theNextOpeningIsTodaysWhenAheadElseTomorrows() {
    CallWindow w = CallWindow.parse("09:00-20:00");
    // 06:00 in Bratislava (UTC+1 in December): opens at 08:00 UTC the same day
    assertThat(w.nextOpening(Instant.parse("2026-12-05T05:00:00Z"), BRATISLAVA)).isEqualTo(Instant.parse("2026-12-05T08:00:00Z"));
    // 21:00 there: opens the next morning
    assertThat(w.nextOpening(Instant.parse("2026-12-05T20:00:00Z"), BRATISLAVA)).isEqualTo(Instant.parse("2026-12-06T08:00:00Z"));
    // open now: now
    Instant noon = Instant.parse("2026-12-05T11:00:00Z");
    assertThat(w.nextOpening(noon, BRATISLAVA)).isEqualTo(noon);
  }

  @Test
  void offsetsCountEastOfUtc() {
    // the bug this engine replaces: PostgreSQL read '+05:00' as UTC-5. At 08:32 UTC it is 13:32 at +05:00.
    CallWindow afternoon = CallWindow.parse("13:00-14:00");
    Instant at = Instant.parse("2026-12-05T08:32:00Z");
    assertThat(afternoon.nextOpening(at, ZoneOffset.of("+05:00"))).isEqualTo(at);
    assertThat(afternoon.nextOpening(at, ZoneOffset.of("-05:00"))).isEqualTo(Instant.parse("2026-12-05T18:00:00Z"));
  }

  @Test
  void anOpeningInADaylightSavingGapMovesForwardLikeTheClocks() {
    // 2026-03-29 02:00 does not exist in Bratislava: clocks jump to 03:00 (01:00 UTC)
    CallWindow w = CallWindow.parse("02:30-05:00");
    assertThat(w.nextOpening(Instant.parse("2026-03-28T23:00:00Z"), BRATISLAVA)).isEqualTo(Instant.parse("2026-03-29T01:30:00Z"));
  }

  @Test
  void aWindowRoundTripsToItsText() {
    assertThat(CallWindow.parse("08:30-17:00").toString()).isEqualTo("08:30-17:00");
    assertThat(CallWindow.parse("00:00-24:00").toString()).isEqualTo("00:00-24:00");
  }
}
