package dev.parley.api;

import dev.parley.rules.Rules;
import dev.parley.schedule.CallWindow;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

import static dev.parley.api.ApiChecks.ALL;
import static dev.parley.api.ApiChecks.assertError;
import static dev.parley.api.ApiChecks.assertOk;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code parley admin ...}: one JSON object on stdout for every command (TestServer.admin checks
 * there is exactly one line), a zero exit status with the result, a non-zero one with an
 * {@code error} object for bad input.
 */
class AdminCliIT {
  static TestServer server;
  static String company;
  static String partner;

  static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

  @BeforeAll
  static void start() {
    server = TestServer.start("admincli");
    company = succeeds(server.admin("company", "create", "--name", "Acme")).getString("id");
    partner = succeeds(server.admin("ats-partner", "create", "--name", "Recruitly")).getString("id");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static JsonObject succeeds(JsonObject r) {
    assertThat(r.getInteger("_exit")).as(r.encode()).isZero();
    assertThat(r.containsKey("error")).as(r.encode()).isFalse();
    return r;
  }

  static JsonObject fails(JsonObject r) {
    assertThat(r.getInteger("_exit")).as(r.encode()).isNotZero();
    assertThat(r.getValue("error")).as(r.encode()).isInstanceOf(JsonObject.class);
    assertThat(r.getJsonObject("error").getString("code")).as(r.encode()).isNotBlank();
    assertThat(r.getJsonObject("error").getString("message")).as(r.encode()).isNotBlank();
    assertThat(r.fieldNames()).as(r.encode()).containsExactlyInAnyOrder("error", "_exit");
    return r;
  }

  static String message(JsonObject failed) {
    return failed.getJsonObject("error").getString("message");
  }

  static long count(String table) throws Exception {
    try (Connection c = server.database.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  // --- what works ---

  @Test
  void companyCreate() {
    JsonObject plain = succeeds(server.admin("company", "create", "--name", "Plain Co"));
    assertThat(plain.getString("id")).matches(UUID_PATTERN);

    String id = succeeds(server.admin("company", "create", "--name", "Configured Co", "--max-concurrent-calls", "4",
      "--timezone", "Europe/Bratislava", "--call-window", "08:30-17:00", "--partner", partner)).getString("id");
    assertThat(id).matches(UUID_PATTERN);
    String key = succeeds(server.admin("key", "create", "--company", id, "--name", "k", "--scopes", "read:companies")).getString("key");
    Response r = server.get("/company/" + id, key);
    assertOk(r, 200);
    assertThat(r.data().getString("name")).isEqualTo("Configured Co");
    assertThat(r.data().getInteger("maxConcurrentCalls")).isEqualTo(4);
    assertThat(r.data().getString("timezone")).isEqualTo("Europe/Bratislava");
    assertThat(r.data().getString("callWindow")).isEqualTo("08:30-17:00");
    assertThat(r.data().getString("partnerId")).isEqualTo(partner);
  }

  @Test
  void atsPartnerCreate() {
    JsonObject r = succeeds(server.admin("ats-partner", "create", "--name", "HireHub"));
    assertThat(r.getString("id")).matches(UUID_PATTERN).isNotEqualTo(partner);
  }

  @Test
  void companyKeyCreate() throws Exception {
    JsonObject r = succeeds(server.admin("key", "create", "--company", company, "--name", "Main", "--scopes",
      "read:interviews,write:interviews"));
    assertThat(r.getString("id")).matches(UUID_PATTERN);
    String key = r.getString("key");
    assertThat(key).matches("sk_live_[0-9A-Za-z]{20,}");
    assertOk(server.get("/interviews", key), 200);
    assertError(server.delete("/interviews/" + UUID.randomUUID(), key), 403, "INSUFFICIENT_PERMISSIONS");
    // only a keyed hash is stored: the key appears nowhere in the table
    try (Connection c = server.database.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT t::text FROM api_keys t")) {
      while (rs.next()) assertThat(rs.getString(1)).doesNotContain(key.substring(8)).doesNotContain(key.substring(8, 28));
    }
  }

  @Test
  void partnerKeyCreate() {
    String partnerCompany = succeeds(server.admin("company", "create", "--name", "Initech", "--partner", partner)).getString("id");
    JsonObject r = succeeds(server.admin("key", "create", "--partner", partner, "--name", "ATS", "--scopes", ALL));
    assertThat(r.getString("key")).startsWith("sk_live_");
    assertError(server.get("/interviews", r.getString("key")), 400, "COMPANY_ID_REQUIRED");
    assertOk(server.get("/interviews?companyId=" + partnerCompany, r.getString("key")), 200);
  }

  @Test
  void keyCreateWithExpiryAndRateLimit() {
    JsonObject r = succeeds(server.admin("key", "create", "--company", company, "--name", "Limited", "--scopes", "read:interviews",
      "--expires-at", ApiChecks.inFuture(Duration.ofDays(30)), "--rate-limit", "10/100"));
    assertOk(server.get("/interviews", r.getString("key")), 200);
    succeeds(server.admin("key", "create", "--company", company, "--name", "Unlimited", "--scopes", "read:interviews",
      "--expires-at", "2030-01-01T00:00:00+01:00", "--rate-limit", "0/0"));
  }

  @Test
  void keyRevokeAndSuspend() {
    String revokeMe = succeeds(server.admin("key", "create", "--company", company, "--name", "r", "--scopes", "read:interviews"))
      .getString("id");
    JsonObject revoked = succeeds(server.admin("key", "revoke", revokeMe));
    assertThat(revoked.getString("id")).isEqualTo(revokeMe);
    String suspendMe = succeeds(server.admin("key", "create", "--company", company, "--name", "s", "--scopes", "read:interviews"))
      .getString("id");
    JsonObject suspended = succeeds(server.admin("key", "suspend", suspendMe, "--reason", "chargeback"));
    assertThat(suspended.getString("id")).isEqualTo(suspendMe);
  }

  @Test
  void tokenCreate() {
    JsonObject r = succeeds(server.admin("token", "create", "--company", company, "--scopes", "read:interviews", "--ttl", "60"));
    assertThat(r.getString("token")).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    assertOk(server.get("/interviews", r.getString("token")), 200);
    JsonObject p = succeeds(server.admin("token", "create", "--partner", partner, "--scopes", "read:interviews", "--ttl", "60"));
    assertError(server.get("/interviews", p.getString("token")), 400, "COMPANY_ID_REQUIRED");
  }

  // --- bad input ---

  @Test
  void unknownScope() throws Exception {
    long keys = count("api_keys");
    fails(server.admin("key", "create", "--company", company, "--name", "k", "--scopes", "read:interviews,launch:missiles"));
    fails(server.admin("key", "create", "--company", company, "--name", "k", "--scopes", "READ:INTERVIEWS"));
    fails(server.admin("key", "create", "--company", company, "--name", "k", "--scopes", ","));
    fails(server.admin("token", "create", "--company", company, "--scopes", "admin", "--ttl", "60"));
    assertThat(count("api_keys")).isEqualTo(keys);
  }

  @Test
  void malformedUuid() throws Exception {
    long keys = count("api_keys"), companies = count("companies");
    fails(server.admin("key", "create", "--company", "not-a-uuid", "--name", "k", "--scopes", "read:interviews"));
    fails(server.admin("key", "create", "--partner", "12345", "--name", "k", "--scopes", "read:interviews"));
    fails(server.admin("company", "create", "--name", "X Co", "--partner", "nope"));
    fails(server.admin("key", "revoke", "not-a-uuid"));
    fails(server.admin("key", "suspend", "not-a-uuid", "--reason", "r"));
    fails(server.admin("token", "create", "--company", "not-a-uuid", "--scopes", "read:interviews", "--ttl", "60"));
    assertThat(count("api_keys")).isEqualTo(keys);
    assertThat(count("companies")).isEqualTo(companies);
  }

  @Test
  void unknownCompanyOrPartnerOrKey() throws Exception {
    long keys = count("api_keys"), companies = count("companies");
    String nobody = UUID.randomUUID().toString();
    fails(server.admin("key", "create", "--company", nobody, "--name", "k", "--scopes", "read:interviews"));
    fails(server.admin("key", "create", "--partner", nobody, "--name", "k", "--scopes", "read:interviews"));
    fails(server.admin("company", "create", "--name", "Orphan Co", "--partner", nobody));
    fails(server.admin("key", "revoke", nobody));
    fails(server.admin("key", "suspend", nobody, "--reason", "r"));
    assertThat(count("api_keys")).isEqualTo(keys);
    assertThat(count("companies")).isEqualTo(companies);
  }

  @Test
  void tokenForUnknownCompanyOrPartner() {
    String nobody = UUID.randomUUID().toString();
    fails(server.admin("token", "create", "--company", nobody, "--scopes", "read:interviews", "--ttl", "60"));
    fails(server.admin("token", "create", "--partner", nobody, "--scopes", "read:interviews", "--ttl", "60"));
  }

  @Test
  void badRateLimit() throws Exception {
    long keys = count("api_keys");
    for (String limit : new String[] {"abc", "60", "60/", "-1/100", "60/2000/3", "sixty/2000"}) {
      fails(server.admin("key", "create", "--company", company, "--name", "k", "--scopes", "read:interviews", "--rate-limit", limit));
    }
    assertThat(count("api_keys")).isEqualTo(keys);
  }

  @Test
  void badOtherValues() throws Exception {
    long keys = count("api_keys"), companies = count("companies");
    fails(server.admin("key", "create", "--company", company, "--name", "k", "--scopes", "read:interviews", "--expires-at", "soon"));
    fails(server.admin("company", "create", "--name", "Zone Co", "--timezone", "Mars/Olympus"));
    // the rules and messages of the API's fields (dev.parley.rules.Rules), after the option's name
    assertThat(message(fails(server.admin("company", "create", "--name", "Window Co", "--call-window", "9-5"))))
      .isEqualTo("--call-window: " + CallWindow.MALFORMED);
    assertThat(message(fails(server.admin("company", "create", "--name", "Slot Co", "--max-concurrent-calls", "0"))))
      .isEqualTo("--max-concurrent-calls: " + Rules.TOO_FEW_SLOTS);
    assertThat(message(fails(server.admin("phone-number", "create", "--company", company, "--number", "+421 915 123 456"))))
      .isEqualTo("--number: " + Rules.PHONE_FORM);
    fails(server.admin("token", "create", "--company", company, "--scopes", "read:interviews", "--ttl", "0"));
    assertThat(count("api_keys")).isEqualTo(keys);
    assertThat(count("companies")).isEqualTo(companies);
  }

  @Test
  void bothCompanyAndPartnerOnAKey() throws Exception {
    long keys = count("api_keys");
    fails(server.admin("key", "create", "--company", company, "--partner", partner, "--name", "k", "--scopes", "read:interviews"));
    assertThat(count("api_keys")).isEqualTo(keys);
  }

  @Test
  void bothCompanyAndPartnerOnAToken() {
    fails(server.admin("token", "create", "--company", company, "--partner", partner, "--scopes", "read:interviews", "--ttl", "60"));
  }

  @Test
  void neitherCompanyNorPartner() {
    fails(server.admin("key", "create", "--name", "k", "--scopes", "read:interviews"));
  }

  @Test
  void missingRequiredOptionOrBadNumber() {
    fails(server.admin("company", "create"));
    fails(server.admin("key", "create", "--company", company, "--name", "k"));
    fails(server.admin("company", "create", "--name", "Num Co", "--max-concurrent-calls", "many"));
  }
}
