package dev.parley.auth;

import dev.parley.support.Receiver;
import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import dev.parley.support.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.parley.api.ApiChecks.assertError;
import static dev.parley.api.ApiChecks.assertOk;
import static org.assertj.core.api.Assertions.assertThat;

/** JWTs act for writes as keys do: create, call attempts, webhooks, delete; the audit names the token's subject. */
class JwtWritesIT {
  static TestServer server;
  static Tenant acme;
  static Receiver receiver;
  static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    receiver = new Receiver();
    vertx = Vertx.vertx();
    server = TestServer.start("jwtwrites", Map.of("PARLEY_WEBHOOKS_ALLOW_PRIVATE", "true"));
    acme = server.company("Acme", "read:interviews");
  }

  @AfterAll
  static void stop() {
    server.close();
    receiver.close();
    vertx.close();
  }

  static String token(String subject) {
    JsonObject t = server.admin("token", "create", "--company", acme.companyId(), "--scopes",
      "read:interviews,write:interviews,delete:interviews,write:webhooks,read:webhooks", "--ttl", "600", "--subject", subject);
    assertThat(t.getInteger("_exit")).as(t.encode()).isZero();
    return t.getString("token");
  }

  @Test
  void aTokenCreatesInvokesSubscribesAndDeletesAndTheAuditNamesItsSubject() {
    String token = token("ops:alice");
    String in2days = Instant.now().plusSeconds(2 * 86_400).toString();
    Response created = server.post("/v1/interviews", token, "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"+421915123456\"},\"agent\":{\"name\":\"Screening\"},\"scheduledAt\":\"" + Instant.now().plusSeconds(86_400) + "\"}");
    assertOk(created, 201);
    String id = created.data().getString("id");
    assertOk(server.get("/v1/interviews/" + id, token), 200);

    Response invoked = server.post("/v1/interviews/" + id + "/call-attempts", token, "{\"scheduledAt\":\"" + in2days + "\"}");
    assertOk(invoked, 201);
    String attempt = invoked.data().getJsonArray("callAttempts").getJsonObject(0).getString("id");
    assertThat(server.send("PATCH", "/v1/interviews/" + id + "/call-attempts/" + attempt, token,
      "{\"scheduledAt\":\"" + Instant.now().plusSeconds(3 * 86_400) + "\"}", Map.of()).status()).isEqualTo(204);

    Response hook = server.post("/v1/webhooks", token, "{\"url\":\"" + receiver.url() + "\",\"events\":[\"ping\"]}");
    assertOk(hook, 201);
    assertThat(hook.data().getValue("apiKeyId")).as("no API key made it").isNull();

    assertOk(server.delete("/v1/interviews/" + id, token), 200);
    List<Map<String, Object>> audit = Sql.rows(server.database,
      "SELECT company_id::text AS company, api_key_id, token_subject, status_at_delete FROM interview_deletions WHERE interview_id = ?", id);
    assertThat(audit).hasSize(1);
    assertThat(audit.get(0).get("company")).isEqualTo(acme.companyId());
    assertThat(audit.get(0).get("api_key_id")).isNull();
    assertThat(audit.get(0).get("token_subject")).isEqualTo("ops:alice");
    assertThat(audit.get(0).get("status_at_delete")).isEqualTo("SCHEDULED");
  }

  @Test
  void aTokenWithoutASubjectOrWithABadCompanyIsRefused() {
    String secret = dev.parley.support.TestSecrets.JWT_SECRET, kid = dev.parley.support.TestSecrets.JWT_KID;
    long exp = Instant.now().getEpochSecond() + 600;
    JsonObject noSubject = Tokens.companyClaims(acme.companyId(), exp);
    noSubject.remove("sub");
    assertError(server.get("/interviews", Tokens.signed(vertx, secret, kid, noSubject)), 401, "INVALID_API_KEY");
    JsonObject badCompany = Tokens.companyClaims(acme.companyId(), exp).put("companyId", "acme");
    assertError(server.get("/interviews", Tokens.signed(vertx, secret, kid, badCompany)), 401, "INVALID_API_KEY");
    assertOk(server.get("/interviews", Tokens.signed(vertx, secret, kid, Tokens.companyClaims(acme.companyId(), exp))), 200);
  }
}
