package dev.parley.schedule;

import org.junit.jupiter.api.Test;

import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallZonesTest {
  @Test
  void regionIdsAreKeptAsGiven() {
    assertThat(CallZones.canonical("Europe/Bratislava")).isEqualTo("Europe/Bratislava");
    assertThat(CallZones.canonical("America/Argentina/Buenos_Aires")).isEqualTo("America/Argentina/Buenos_Aires");
    assertThat(CallZones.canonical("EST5EDT")).isEqualTo("EST5EDT");
    // a region that is a fixed offset keeps its name, whose sign is POSIX's: Etc/GMT+5 is UTC-5 in Java too
    assertThat(CallZones.canonical("Etc/GMT+5")).isEqualTo("Etc/GMT+5");
    assertThat(CallZones.of(null, null, "Etc/GMT+5").getRules().getOffset(java.time.Instant.EPOCH)).isEqualTo(ZoneOffset.ofHours(-5));
  }

  @Test
  void everySpellingOfUtcIsUtc() {
    for (String utc : new String[] {"UTC", "Z", "GMT", "Etc/UTC", "UTC+00:00", "+00:00"}) {
      assertThat(CallZones.canonical(utc)).as(utc).isEqualTo("UTC");
    }
  }

  @Test
  void offsetsAreStoredInIsoFormEastPositive() {
    assertThat(CallZones.canonical("+05:00")).isEqualTo("+05:00");
    assertThat(CallZones.canonical("UTC+5")).isEqualTo("+05:00");
    assertThat(CallZones.canonical("GMT-03:30")).isEqualTo("-03:30");
    assertThat(CallZones.canonical("+05:30")).isEqualTo("+05:30");
    assertThat(CallZones.of(null, null, "+05:00")).isEqualTo(ZoneOffset.ofHours(5));
  }

  @Test
  void anythingElseIsRefusedWithAReadableMessage() {
    for (String bad : new String[] {"Mars/Olympus", "", " ", "+25:00", "CEST", "x".repeat(65), "Europe/"}) {
      assertThatThrownBy(() -> CallZones.canonical(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Europe/Bratislava");
    }
  }

  @Test
  void theCallsZoneIsTheScheduleOffsetThenThePhoneThenTheCompany() {
    assertThat(CallZones.of(3600, "America/New_York", "Europe/Bratislava")).isEqualTo(ZoneOffset.ofHours(1));
    assertThat(CallZones.of(null, "America/New_York", "Europe/Bratislava")).isEqualTo(ZoneId.of("America/New_York"));
    assertThat(CallZones.of(null, null, "Europe/Bratislava")).isEqualTo(ZoneId.of("Europe/Bratislava"));
    // unreadable stored zones never stop a claim: UTC
    assertThat(CallZones.of(null, "Nowhere/Land", "Mars/Olympus")).isEqualTo(ZoneOffset.UTC);
  }
}
