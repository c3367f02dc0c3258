package dev.parley.client.model;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The timestamp reader's fast path gives what the general parser gives, and leaves it everything else. */
class ModelJsonTest {
  @Test
  void theServersFormIsReadAsTheGeneralParserReadsIt() {
    for (String s : new String[] {"2026-12-06T20:23:17.122Z", "2024-02-29T23:59:59.999Z", "1970-01-01T00:00:00.000Z",
      "2027-01-01T00:00:00.001Z", "1999-12-31T12:30:45.500Z"}) {
      assertThat(ModelJson.instant(s)).as(s).isEqualTo(OffsetDateTime.parse(s).toInstant());
    }
  }

  @Test
  void otherFormsAndBadValuesGoToTheGeneralParser() {
    assertThat(ModelJson.instant("2026-12-06T21:23:17.122+01:00")).isEqualTo(Instant.parse("2026-12-06T20:23:17.122Z"));
    assertThat(ModelJson.instant("2026-12-06T20:23:17Z")).isEqualTo(Instant.parse("2026-12-06T20:23:17Z"));
    assertThat(ModelJson.instant(null)).isNull();
    assertThatThrownBy(() -> ModelJson.instant("2026-02-30T20:23:17.122Z")).isInstanceOf(java.time.DateTimeException.class);
    assertThatThrownBy(() -> ModelJson.instant("2026-12-06T24:23:17.122Z")).isInstanceOf(java.time.DateTimeException.class);
    assertThatThrownBy(() -> ModelJson.instant("2026-12-0xT20:23:17.122Z")).isInstanceOf(java.time.DateTimeException.class);
  }
}
