package dev.parley.api;

import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Create, read, list and delete interviews over HTTP, and what a delete leaves in the database. */
class InterviewLifecycleIT {
  static TestServer server;
  static Tenant acme;

  static final String ALL = "read:interviews,write:interviews,delete:interviews,read:candidates,write:candidates,"
    + "delete:candidates,read:agents,write:agents,delete:agents";

  @BeforeAll
  static void start() {
    server = TestServer.start("lifecycle");
    acme = server.company("Acme", ALL);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String inlineInterview(String extra) {
    return "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"phoneNumber\":\"+421915123456\","
      + "\"email\":\"ada@example.com\"},\"agent\":{\"name\":\"Screening\",\"questions\":[\"Why us?\"]}"
      + (extra.isEmpty() ? "" : "," + extra) + "}";
  }

  @Test
  void createGetListDeleteOnBothPrefixes() {
    Response created = server.post("/v1/interviews", acme.key(), inlineInterview("\"metadata\":{\"externalInterviewId\":\"INT-1\"}"));
    assertThat(created.status()).isEqualTo(201);
    JsonObject interview = created.data();
    assertThat(interview.getString("status")).isEqualTo("SCHEDULED");
    assertThat(interview.getString("companyId")).isEqualTo(acme.companyId());
    assertThat(interview.getJsonObject("metadata").getString("externalInterviewId")).isEqualTo("INT-1");
    assertThat(interview.getJsonArray("callAttempts")).hasSize(1);
    assertThat(interview.getJsonArray("callAttempts").getJsonObject(0).getString("status")).isEqualTo("SCHEDULED");
    String id = interview.getString("id");

    Response got = server.get("/interviews/" + id, acme.key());
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.data().getString("id")).isEqualTo(id);
    assertThat(got.body().getBoolean("success")).isTrue();
    assertThat(got.body().getValue("error")).isNull();
    assertThat(got.body().getString("timestamp")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

    Response listed = server.get("/interviews?candidateId=" + interview.getString("candidateId"), acme.key());
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.data().getJsonArray("items")).hasSize(1);
    assertThat(listed.data().getJsonObject("pagination").getLong("total")).isEqualTo(1);

    Response deleted = server.delete("/v1/interviews/" + id, acme.key());
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.body().getBoolean("data")).isTrue();
    assertThat(server.get("/interviews/" + id, acme.key()).status()).isEqualTo(404);
    assertThat(server.delete("/interviews/" + id, acme.key()).errorCode()).isEqualTo("RESOURCE_NOT_FOUND");
  }

  @Test
  void deleteLeavesOnlyTheAuditRow() throws Exception {
    String id = server.post("/interviews", acme.key(), inlineInterview("\"metadata\":{\"k\":\"v\"},\"scheduledAt\":\"" + ApiChecks.inFuture(java.time.Duration.ofDays(1)) + "\"")).data().getString("id");
    assertThat(count("SELECT count(*) FROM call_attempts WHERE interview_id = ?", id)).isEqualTo(1);

    assertThat(server.delete("/interviews/" + id, acme.key()).status()).isEqualTo(200);

    assertThat(Sql.rowsAbout(server.database, id)).isEmpty();
    try (Connection c = server.database.connect();
         PreparedStatement s = c.prepareStatement(
           "SELECT company_id, api_key_id, status_at_delete FROM interview_deletions WHERE interview_id = ?")) {
      s.setObject(1, UUID.fromString(id));
      ResultSet rs = s.executeQuery();
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(acme.companyId());
      assertThat(rs.getString(2)).isEqualTo(acme.keyId());
      assertThat(rs.getString(3)).isEqualTo("SCHEDULED");
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void pagesAndCursorsWalkTheSameList() {
    Tenant paged = server.company("Paged", ALL);
    String candidate = server.post("/candidates", paged.key(),
      "{\"firstName\":\"Bo\",\"lastName\":\"Ek\",\"phoneNumber\":\"+14155550123\"}").data().getString("id");
    String agent = server.post("/agents", paged.key(), "{\"name\":\"Phone screen\"}").data().getString("id");
    for (int i = 0; i < 5; i++) {
      assertThat(server.post("/interviews", paged.key(),
        "{\"candidateId\":\"" + candidate + "\",\"agentId\":\"" + agent + "\"}").status()).isEqualTo(201);
    }
    Response page2 = server.get("/interviews?page=2&limit=2", paged.key());
    JsonObject p = page2.data().getJsonObject("pagination");
    assertThat(p.getLong("total")).isEqualTo(5);
    assertThat(p.getInteger("totalPages")).isEqualTo(3);
    assertThat(p.getBoolean("hasNextPage")).isTrue();
    assertThat(p.getBoolean("hasPreviousPage")).isTrue();

    java.util.List<String> byCursor = new java.util.ArrayList<>();
    String cursor = null;
    do {
      Response r = server.get("/interviews?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), paged.key());
      r.data().getJsonArray("items").forEach(o -> byCursor.add(((JsonObject) o).getString("id")));
      cursor = r.data().getJsonObject("pagination").getString("nextCursor");
    } while (cursor != null);
    java.util.List<String> all = new java.util.ArrayList<>();
    server.get("/interviews?limit=100", paged.key()).data().getJsonArray("items").forEach(o -> all.add(((JsonObject) o).getString("id")));
    assertThat(byCursor).hasSize(5).containsExactlyElementsOf(all);
  }

  static long count(String sql, String id) throws Exception {
    try (Connection c = server.database.connect(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setObject(1, UUID.fromString(id));
      ResultSet rs = s.executeQuery();
      rs.next();
      return rs.getLong(1);
    }
  }
}
