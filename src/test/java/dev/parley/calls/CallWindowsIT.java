package dev.parley.calls;

import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Calling windows and slots through the real dispatcher, with the poll at its default (every
 * 500 ms): an attempt that cannot be called now is read once, moved to the time it can be, not read
 * again before then, and dialled at that time; every zone string the API accepts is evaluated with
 * the right sign; and nothing a company stores stops another company's calls.
 */
class CallWindowsIT {
  static final String SCOPES = "read:interviews,write:interviews,read:companies,write:companies";
  /** An international freephone number: no time zone of its own, so the company's zone decides. */
  static final String ZONELESS_PHONE = "+80012345678";
  static final Duration WAIT = Duration.ofSeconds(30);
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("windows", Map.of("PARLEY_SIMULATOR_RING_MS", "100", "PARLEY_SIMULATOR_TALK_MS", "3000"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void anAttemptOutsideItsWindowIsReadOnceAndDialledWhenTheWindowOpens() {
    // the window opens at 10:00:00 local, five seconds from now: a company zone of an offset to the second
    Instant opens = Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.SECONDS);
    int offset = Math.floorMod(36_000 - opens.atOffset(ZoneOffset.UTC).toLocalTime().toSecondOfDay(), 86_400);
    if (offset > 43_200) offset -= 86_400;
    String zone = ZoneOffset.ofTotalSeconds(offset).getId();
    Tenant t = server.company("Opens soon", SCOPES, "--timezone", zone, "--call-window", "10:00-11:00");
    double readOutside = server.metric("parley_claim_reads_total", "outcome", "outside_window");

    String id = create(t, ZONELESS_PHONE);
    await().atMost(WAIT).until(() -> calledAt(id) != null);

    Instant called = calledAt(id);
    assertThat(called).as("dialled when the window opened, not before").isAfterOrEqualTo(opens);
    assertThat(Duration.between(opens, called)).as("dialled on time").isLessThan(Duration.ofMillis(1500));
    assertThat(attemptTime(id, "callable_at")).as("moved to the opening exactly").isEqualTo(opens);
    // about ten polls ran while it waited: it was read by one of them only
    assertThat(server.metric("parley_claim_reads_total", "outcome", "outside_window") - readOutside)
      .as("claims that read the attempt while its window was closed").isEqualTo(1.0);
  }

  @Test
  void anAttemptWaitingForASlotIsDialledWhenTheSlotFrees() {
    Tenant t = server.company("One slot", SCOPES, "--call-window", "00:00-24:00", "--max-concurrent-calls", "1");
    String first = create(t, "+421915000001");
    await().atMost(WAIT).until(() -> calledAt(first) != null);
    double readNoSlot = server.metric("parley_claim_reads_total", "outcome", "no_slot");
    String second = create(t, "+421915000002");

    await().atMost(WAIT).until(() -> calledAt(second) != null);
    Instant firstEnded = attemptTime(first, "ended_at");
    Instant secondCalled = calledAt(second);
    assertThat(secondCalled).as("not dialled while the only slot was taken").isAfterOrEqualTo(firstEnded);
    assertThat(Duration.between(firstEnded, secondCalled)).as("dialled as the slot freed").isLessThan(Duration.ofMillis(1000));
    // the company was at its limit for about three seconds of polls: no claim read its waiting attempt
    assertThat(server.metric("parley_claim_reads_total", "outcome", "no_slot") - readNoSlot)
      .as("claims that read the attempt while its company had no free slot").isEqualTo(0.0);
  }

  @Test
  void everyZoneTheApiAcceptsIsEvaluatedWithTheRightSignAndStopsNobody() {
    Instant now = Instant.now();
    // a window from an hour before the current hour of UTC+05:00 to two hours after it: at least an
    // hour from either end, so the test never runs across a boundary
    int hour = now.atOffset(ZoneOffset.ofHours(5)).getHour();
    int startHour = (hour + 23) % 24;
    String window = String.format("%02d:00-%02d:00", startHour, (hour + 2) % 24);
    Map<String, String> stored = new LinkedHashMap<>();
    stored.put("+05:00", "+05:00");
    stored.put("UTC+5", "+05:00");
    stored.put("GMT+05:00", "+05:00");
    stored.put("-05:00", "-05:00");
    stored.put("Etc/GMT+5", "Etc/GMT+5");
    stored.put("Asia/Tashkent", "Asia/Tashkent");
    stored.put("Z", "UTC");
    stored.put("EST5EDT", "EST5EDT");
    stored.put("-03:30", "-03:30");
    List<String> interviews = new ArrayList<>();
    List<Tenant> tenants = new ArrayList<>();
    for (Map.Entry<String, String> zone : stored.entrySet()) {
      Tenant t = server.company("Zone " + zone.getKey(), SCOPES);
      Response patched = server.send("PATCH", "/company/" + t.companyId(), t.key(),
        "{\"timezone\":\"" + zone.getKey() + "\",\"callWindow\":\"" + window + "\"}", Map.of());
      assertThat(patched.status()).as(patched.raw().body()).isEqualTo(200);
      assertThat(patched.data().getString("timezone")).as(zone.getKey()).isEqualTo(zone.getValue());
      tenants.add(t);
      interviews.add(create(t, ZONELESS_PHONE));
    }
    // a row written before these rules, which Java cannot read: it must not stop anyone either
    Tenant legacy = server.company("Legacy zone", SCOPES, "--call-window", "00:00-24:00");
    String legacyInterview = create(legacy, ZONELESS_PHONE);
    Sql.execute(server.database, "UPDATE companies SET timezone = 'Mars/Olympus', call_window = 'whenever' WHERE id = ?::uuid",
      legacy.companyId());

    Tenant other = server.company("Another company", SCOPES, "--call-window", "00:00-24:00");
    Instant asked = Instant.now();
    String otherInterview = create(other, "+421915000003");
    await().atMost(WAIT).until(() -> calledAt(otherInterview) != null);
    assertThat(Duration.between(asked, calledAt(otherInterview))).isLessThan(Duration.ofSeconds(2));

    // every zone company: dialled when UTC+5's hour is inside its window, else moved to its opening
    List<String> zones = new ArrayList<>(stored.values());
    for (int k = 0; k < zones.size(); k++) {
      String id = interviews.get(k);
      ZoneId zoneId = ZoneId.of(zones.get(k));
      int localHour = now.atZone(zoneId).getHour();
      boolean open = localHour == startHour || localHour == hour || localHour == (hour + 1) % 24;
      await().atMost(WAIT).until(() -> calledAt(id) != null
        || Sql.count(server.database, "SELECT count(*) FROM call_attempts WHERE interview_id = ?::uuid AND callable_at > now()", id) == 1);
      if (open) {
        assertThat(calledAt(id)).as(zones.get(k) + " is open now").isNotNull();
      } else {
        assertThat(calledAt(id)).as(zones.get(k) + " is closed now").isNull();
        ZonedDateTime local = now.atZone(zoneId);
        ZonedDateTime opening = local.with(LocalTime.of(startHour, 0));
        if (!opening.isAfter(local)) opening = opening.plusDays(1);
        Instant expected = opening.toInstant();
        Instant moved = attemptTime(id, "callable_at");
        assertThat(moved).as(zones.get(k) + " waits for its window's opening").isEqualTo(expected);
      }
    }
    assertThat(calledAt(interviews.get(0))).as("+05:00 is UTC+5, open now").isNotNull();
    assertThat(calledAt(interviews.get(3))).as("-05:00 is UTC-5, ten hours away").isNull();
    await().atMost(WAIT).until(() -> calledAt(legacyInterview) != null);
  }

  private static String create(Tenant t, String phone) {
    Response r = server.post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"" + phone + "\"},\"agent\":{\"name\":\"Screening\"}}");
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.data().getString("id");
  }

  private static Instant calledAt(String interviewId) {
    return attemptTime(interviewId, "called_at");
  }

  /** A time column of the interview's first attempt, to the microsecond; null when it has none. */
  private static Instant attemptTime(String interviewId, String column) {
    List<Map<String, Object>> rows = Sql.rows(server.database, "SELECT (extract(epoch FROM " + column
      + ") * 1000000)::bigint AS us FROM call_attempts WHERE interview_id = ?::uuid ORDER BY created_at LIMIT 1", interviewId);
    Object us = rows.isEmpty() ? null : rows.get(0).get("us");
    return us == null ? null : Instant.EPOCH.plus(((Number) us).longValue(), ChronoUnit.MICROS);
  }
}
