package dev.parley.api;

import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

import static dev.parley.api.ApiChecks.assertError;
import static dev.parley.api.ApiChecks.assertOk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A candidate whose gdprExpiryDate has passed is erased with their interviews, each delete audited. */
class GdprExpiryIT {
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start("gdpr", Map.of("PARLEY_GDPR_SWEEP_SECONDS", "1"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String candidate(Tenant t, LocalDate expiry) {
    Response r = server.post("/candidates", t.key(), "{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"phoneNumber\":\"+421915123456\""
      + ",\"gdprExpiryDate\":\"" + expiry + "\"}");
    assertOk(r, 201);
    return r.data().getString("id");
  }

  static String interview(Tenant t, String candidateId) {
    Response r = server.post("/interviews", t.key(), "{\"candidateId\":\"" + candidateId + "\",\"agent\":{\"name\":\"Screening\"},"
      + "\"scheduledAt\":\"" + OffsetDateTime.now().plusDays(3) + "\"}");
    assertOk(r, 201);
    return r.data().getString("id");
  }

  @Test
  void anExpiredCandidateIsErasedWithTheirInterviews() {
    Tenant t = server.company("Forgetful", ApiChecks.ALL + ",read:candidates,write:candidates,delete:candidates");
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    String expiring = candidate(t, today.plusDays(1)), kept = candidate(t, today.plusDays(1)), lastDay = candidate(t, today.plusDays(1));
    String first = interview(t, expiring), second = interview(t, expiring), theirs = interview(t, kept), onTheDay = interview(t, lastDay);

    // the dates pass: yesterday for one, today (still its last day) for another
    Sql.execute(server.database, "UPDATE candidates SET gdpr_expiry_date = ?::date WHERE id = ?::uuid", today.minusDays(1).toString(), expiring);
    Sql.execute(server.database, "UPDATE candidates SET gdpr_expiry_date = ?::date WHERE id = ?::uuid", today.toString(), lastDay);

    await().atMost(Duration.ofSeconds(20)).until(() -> server.get("/candidates/" + expiring, t.key()).status() == 404);
    assertError(server.get("/interviews/" + first, t.key()), 404, "RESOURCE_NOT_FOUND");
    assertError(server.get("/interviews/" + second, t.key()), 404, "RESOURCE_NOT_FOUND");
    assertThat(Sql.rows(server.database, "SELECT interview_id::text AS id, token_subject, api_key_id, status_at_delete"
      + " FROM interview_deletions WHERE company_id = ?::uuid ORDER BY interview_id", t.companyId()))
      .extracting(r -> r.get("id") + " " + r.get("token_subject") + " " + r.get("api_key_id") + " " + r.get("status_at_delete"))
      .containsExactlyInAnyOrder(first + " gdpr-expiry null SCHEDULED", second + " gdpr-expiry null SCHEDULED");
    // the others are kept: a date still ahead, and one whose last day is today
    assertOk(server.get("/candidates/" + kept, t.key()), 200);
    assertOk(server.get("/interviews/" + theirs, t.key()), 200);
    assertOk(server.get("/candidates/" + lastDay, t.key()), 200);
    assertOk(server.get("/interviews/" + onTheDay, t.key()), 200);
    assertThat(Sql.count(server.database, "SELECT count(*) FROM candidates WHERE id = ?::uuid", expiring)).isZero();
  }
}
