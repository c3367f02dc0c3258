package dev.parley.api;

import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.parley.api.ApiChecks.ALL;
import static dev.parley.api.ApiChecks.assertError;
import static dev.parley.api.ApiChecks.assertOk;
import static dev.parley.api.ApiChecks.interview;
import static dev.parley.api.ApiChecks.poll;
import static org.assertj.core.api.Assertions.assertThat;

/** Every error of SPEC sections 3 and 4, in the envelope of section 6, and the order they are checked in. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthErrorsIT {
  static TestServer server;
  static Tenant acme;
  static Tenant globex;
  static String acmeInterview;
  static String globexInterview;

  static String partner;
  static String otherPartner;
  static String partnerCompany;
  static String partnerCompany2;
  static String otherPartnerCompany;
  static String atsKey;
  static JsonObject usedThenRevoked;
  static JsonObject usedThenSuspended;
  static Instant changedAt;

  static final String UNKNOWN_KEY = "sk_live_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v";

  @BeforeAll
  static void start() {
    // every test here fails authentications on purpose, far more than an address's budget
    // (AuthFloodIT tests that budget): none is counted here
    server = TestServer.start("autherrors", java.util.Map.of("PARLEY_AUTH_FAILURE_LIMIT", "0/0"));
    acme = server.company("Acme", ALL);
    globex = server.company("Globex", ALL);
    acmeInterview = created(acme.key(), "/interviews");
    globexInterview = created(globex.key(), "/interviews");

    partner = server.admin("ats-partner", "create", "--name", "Recruitly").getString("id");
    otherPartner = server.admin("ats-partner", "create", "--name", "HireHub").getString("id");
    partnerCompany = server.admin("company", "create", "--name", "Initech", "--partner", partner).getString("id");
    partnerCompany2 = server.admin("company", "create", "--name", "Umbrella", "--partner", partner).getString("id");
    otherPartnerCompany = server.admin("company", "create", "--name", "Hooli", "--partner", otherPartner).getString("id");
    atsKey = key("--partner", partner, ALL);

    usedThenRevoked = keyWithId(ALL);
    usedThenSuspended = keyWithId(ALL);
    assertOk(server.get("/interviews", usedThenRevoked.getString("key")), 200);
    assertOk(server.get("/interviews", usedThenSuspended.getString("key")), 200);
    assertThat(server.admin("key", "revoke", usedThenRevoked.getString("id")).getInteger("_exit")).isZero();
    assertThat(server.admin("key", "suspend", usedThenSuspended.getString("id"), "--reason", "abuse").getInteger("_exit")).isZero();
    changedAt = Instant.now();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String created(String key, String path) {
    Response r = server.post(path, key, interview());
    assertOk(r, 201);
    return r.data().getString("id");
  }

  static String key(String ownerOption, String owner, String scopes, String... extra) {
    List<String> args = new ArrayList<>(List.of("key", "create", ownerOption, owner, "--name", "k", "--scopes", scopes));
    args.addAll(List.of(extra));
    JsonObject k = server.admin(args.toArray(String[]::new));
    assertThat(k.getInteger("_exit")).as(k.encode()).isZero();
    return k.getString("key");
  }

  static JsonObject keyWithId(String scopes, String... extra) {
    List<String> args = new ArrayList<>(List.of("key", "create", "--company", acme.companyId(), "--name", "k", "--scopes", scopes));
    args.addAll(List.of(extra));
    JsonObject k = server.admin(args.toArray(String[]::new));
    assertThat(k.getInteger("_exit")).as(k.encode()).isZero();
    return k;
  }

  static Response withHeader(String method, String path, String authorization) {
    return server.send(method, path, null, null, Map.of("Authorization", authorization));
  }

  static void stillThere(Tenant owner, String interviewId) {
    assertOk(server.get("/interviews/" + interviewId, owner.key()), 200);
  }

  // --- 401 INVALID_API_KEY ---

  @Test
  void missingAuthorizationHeaderIs401() {
    assertError(server.get("/interviews", null), 401, "INVALID_API_KEY");
    assertError(server.get("/interviews/" + acmeInterview, null), 401, "INVALID_API_KEY");
    assertError(server.delete("/interviews/" + acmeInterview, null), 401, "INVALID_API_KEY");
    assertError(server.delete("/v1/interviews/" + acmeInterview, null), 401, "INVALID_API_KEY");
    stillThere(acme, acmeInterview);
  }

  @Test
  void malformedAuthorizationHeaderIs401() {
    assertError(withHeader("GET", "/interviews", "Basic xyz"), 401, "INVALID_API_KEY");
    assertError(withHeader("GET", "/interviews", "Bearer"), 401, "INVALID_API_KEY");
    assertError(withHeader("DELETE", "/interviews/" + acmeInterview, "Basic " + acme.key()), 401, "INVALID_API_KEY");
    assertError(withHeader("GET", "/interviews", acme.key()), 401, "INVALID_API_KEY");
    stillThere(acme, acmeInterview);
  }

  @Test
  void malformedKeyIs401() {
    assertError(server.get("/interviews", "sk_live_short"), 401, "INVALID_API_KEY");
    assertError(server.delete("/interviews/" + acmeInterview, "sk_live_short"), 401, "INVALID_API_KEY");
    assertError(server.get("/interviews", "sk_live_" + "-".repeat(43)), 401, "INVALID_API_KEY");
    assertError(server.get("/interviews", "not-a-key-at-all"), 401, "INVALID_API_KEY");
    assertError(server.get("/interviews", acme.key() + "x"), 401, "INVALID_API_KEY");
    stillThere(acme, acmeInterview);
  }

  @Test
  void wellFormedUnknownKeyIs401() {
    assertError(server.get("/interviews", UNKNOWN_KEY), 401, "INVALID_API_KEY");
    assertError(server.delete("/interviews/" + acmeInterview, UNKNOWN_KEY), 401, "INVALID_API_KEY");
    assertError(server.get("/interviews", UNKNOWN_KEY.replace("sk_live_", "sk_test_")), 401, "INVALID_API_KEY");
    stillThere(acme, acmeInterview);
  }

  @Test
  void revokedKeyIs401() {
    JsonObject k = keyWithId(ALL);
    JsonObject revoked = server.admin("key", "revoke", k.getString("id"));
    assertThat(revoked.getInteger("_exit")).as(revoked.encode()).isZero();
    assertError(server.get("/interviews", k.getString("key")), 401, "INVALID_API_KEY");
    assertError(server.delete("/interviews/" + acmeInterview, k.getString("key")), 401, "INVALID_API_KEY");
    stillThere(acme, acmeInterview);
  }

  /**
   * Keys are cached for up to 5 s: a key in use is refused within 10 s of its revocation or
   * suspension. The keys were used and then revoked or suspended in {@link #start()}, and this test
   * runs last, so the cache expires while the other tests run.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void keyRevokedOrSuspendedAfterUseIs401WithinTenSeconds() {
    Duration left = Duration.between(Instant.now(), changedAt.plusSeconds(10));
    Response[] last = new Response[2];
    poll(left, () -> {
      if (last[0] == null || last[0].status() == 200) last[0] = server.get("/interviews", usedThenRevoked.getString("key"));
      if (last[1] == null || last[1].status() == 200) last[1] = server.get("/interviews", usedThenSuspended.getString("key"));
      return last[1];
    }, x -> last[0].status() != 200 && last[1].status() != 200);
    assertError(last[0], 401, "INVALID_API_KEY");
    assertError(last[1], 401, "API_KEY_SUSPENDED");
    assertThat(last[1].body().getJsonObject("error").getJsonObject("details").getString("reason")).isEqualTo("abuse");
  }

  @Test
  void suspendedKeyIs401WithReason() {
    JsonObject k = keyWithId(ALL);
    JsonObject suspended = server.admin("key", "suspend", k.getString("id"), "--reason", "unpaid invoice");
    assertThat(suspended.getInteger("_exit")).as(suspended.encode()).isZero();
    Response r = server.get("/interviews", k.getString("key"));
    assertError(r, 401, "API_KEY_SUSPENDED");
    assertThat(r.body().getJsonObject("error").getJsonObject("details").getString("reason")).isEqualTo("unpaid invoice");
    assertError(server.delete("/interviews/" + acmeInterview, k.getString("key")), 401, "API_KEY_SUSPENDED");
    stillThere(acme, acmeInterview);
  }

  @Test
  void keyCreatedAlreadyExpiredIs401() {
    JsonObject k = keyWithId(ALL, "--expires-at", "2020-01-01T00:00:00Z");
    assertError(server.get("/interviews", k.getString("key")), 401, "INVALID_API_KEY");
    assertError(server.delete("/interviews/" + acmeInterview, k.getString("key")), 401, "INVALID_API_KEY");
    stillThere(acme, acmeInterview);
  }

  @Test
  void keyStopsWorkingWhenItExpires() {
    Instant expiry = Instant.now().plusMillis(1500);
    JsonObject k = keyWithId(ALL, "--expires-at", expiry.toString());
    List<Instant> accepted = new ArrayList<>();
    Response r = poll(Duration.ofSeconds(10), () -> server.get("/interviews", k.getString("key")), x -> {
      if (x.status() == 200) accepted.add(Instant.now());
      return x.status() != 200;
    });
    Instant rejectedAt = Instant.now();
    assertError(r, 401, "INVALID_API_KEY");
    assertThat(rejectedAt).as("rejected only once expired").isAfterOrEqualTo(expiry.minusMillis(1000));
    assertThat(accepted).allSatisfy(at -> assertThat(at).isBefore(expiry.plusMillis(1000)));
  }

  // --- 400 COMPANY_ID_REQUIRED ---

  @Test
  void atsKeyMustNameTheCompany() {
    assertError(server.get("/interviews", atsKey), 400, "COMPANY_ID_REQUIRED");
    assertError(server.get("/v1/interviews", atsKey), 400, "COMPANY_ID_REQUIRED");
    assertError(server.get("/interviews?companyId=", atsKey), 400, "COMPANY_ID_REQUIRED");
    assertError(server.post("/interviews", atsKey, interview()), 400, "COMPANY_ID_REQUIRED");
    assertError(server.get("/interviews/" + acmeInterview, atsKey), 400, "COMPANY_ID_REQUIRED");
    assertError(server.delete("/interviews/" + acmeInterview, atsKey), 400, "COMPANY_ID_REQUIRED");
    stillThere(acme, acmeInterview);

    assertOk(server.get("/interviews?companyId=" + partnerCompany, atsKey), 200);
    assertOk(server.get("/interviews?company_id=" + partnerCompany, atsKey), 200);
    assertOk(server.get("/v1/interviews?company_id=" + partnerCompany, atsKey), 200);
  }

  // --- 403 INSUFFICIENT_PERMISSIONS ---

  @Test
  void missingScopeIs403() {
    String readOnly = key("--company", acme.companyId(), "read:interviews");
    assertOk(server.get("/interviews/" + acmeInterview, readOnly), 200);
    Response r = server.delete("/interviews/" + acmeInterview, readOnly);
    assertError(r, 403, "INSUFFICIENT_PERMISSIONS");
    assertError(server.post("/interviews", readOnly, interview()), 403, "INSUFFICIENT_PERMISSIONS");
    stillThere(acme, acmeInterview);

    String deleteOnly = key("--company", acme.companyId(), "delete:interviews");
    assertError(server.get("/interviews", deleteOnly), 403, "INSUFFICIENT_PERMISSIONS");
    assertError(server.get("/interviews/" + acmeInterview, deleteOnly), 403, "INSUFFICIENT_PERMISSIONS");
    String candidatesOnly = key("--company", acme.companyId(), "read:candidates,write:candidates,delete:candidates");
    assertError(server.get("/interviews", candidatesOnly), 403, "INSUFFICIENT_PERMISSIONS");
    assertError(server.get("/agents", candidatesOnly), 403, "INSUFFICIENT_PERMISSIONS");
  }

  // --- 400 INVALID_ID, 404 RESOURCE_NOT_FOUND, 403 FORBIDDEN_COMPANY ---

  @Test
  void idThatIsNotAUuidIs400() {
    assertError(server.get("/interviews/not-a-uuid", acme.key()), 400, "INVALID_ID");
    assertError(server.delete("/interviews/not-a-uuid", acme.key()), 400, "INVALID_ID");
    assertError(server.delete("/v1/interviews/not-a-uuid", acme.key()), 400, "INVALID_ID");
    assertError(server.delete("/interviews/12345", acme.key()), 400, "INVALID_ID");
    assertError(server.delete("/interviews/" + acmeInterview + "0", acme.key()), 400, "INVALID_ID");
    stillThere(acme, acmeInterview);
  }

  @Test
  void unknownInterviewIs404AndSecondDeleteIs404() {
    String unknown = UUID.randomUUID().toString();
    assertError(server.get("/interviews/" + unknown, acme.key()), 404, "RESOURCE_NOT_FOUND");
    assertError(server.delete("/interviews/" + unknown, acme.key()), 404, "RESOURCE_NOT_FOUND");

    String id = created(acme.key(), "/interviews");
    Response first = server.delete("/interviews/" + id, acme.key());
    assertOk(first, 200);
    assertThat(first.body().getBoolean("data")).isTrue();
    assertError(server.delete("/interviews/" + id, acme.key()), 404, "RESOURCE_NOT_FOUND");
    assertError(server.delete("/v1/interviews/" + id, acme.key()), 404, "RESOURCE_NOT_FOUND");
    assertError(server.get("/interviews/" + id, acme.key()), 404, "RESOURCE_NOT_FOUND");
  }

  @Test
  void anotherCompanysInterviewIs403AndStays() {
    Response get = server.get("/interviews/" + globexInterview, acme.key());
    assertError(get, 403, "FORBIDDEN_COMPANY");
    assertThat(get.raw().body()).doesNotContain(globex.companyId());
    assertError(server.delete("/interviews/" + globexInterview, acme.key()), 403, "FORBIDDEN_COMPANY");
    assertError(server.delete("/v1/interviews/" + globexInterview, acme.key()), 403, "FORBIDDEN_COMPANY");
    stillThere(globex, globexInterview);
    JsonObject list = server.get("/interviews", acme.key()).data();
    assertThat(list.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("id"))).doesNotContain(globexInterview);
  }

  // --- the order of SPEC section 3 ---

  @Test
  void errorsComeInTheOrderOfTheSpec() {
    String unknownId = UUID.randomUUID().toString();
    String readOnly = key("--company", acme.companyId(), "read:interviews");
    String atsReadOnly = key("--partner", partner, "read:interviews");
    JsonObject revoked = keyWithId("read:interviews");
    assertThat(server.admin("key", "revoke", revoked.getString("id")).getInteger("_exit")).isZero();
    JsonObject suspended = keyWithId("read:interviews");
    assertThat(server.admin("key", "suspend", suspended.getString("id"), "--reason", "r").getInteger("_exit")).isZero();

    // 401 before everything
    assertError(server.delete("/interviews/not-a-uuid", UNKNOWN_KEY), 401, "INVALID_API_KEY");
    assertError(server.delete("/interviews/not-a-uuid", null), 401, "INVALID_API_KEY");
    assertError(server.delete("/interviews/" + globexInterview, revoked.getString("key")), 401, "INVALID_API_KEY");
    assertError(server.delete("/interviews/not-a-uuid", suspended.getString("key")), 401, "API_KEY_SUSPENDED");
    // 400 COMPANY_ID_REQUIRED before 403 scope and 400 INVALID_ID
    assertError(server.delete("/interviews/" + acmeInterview, atsReadOnly), 400, "COMPANY_ID_REQUIRED");
    assertError(server.delete("/interviews/not-a-uuid", atsReadOnly), 400, "COMPANY_ID_REQUIRED");
    // 403 scope before 400 INVALID_ID, 404 and 403 company
    assertError(server.delete("/interviews/not-a-uuid", readOnly), 403, "INSUFFICIENT_PERMISSIONS");
    assertError(server.delete("/interviews/" + unknownId, readOnly), 403, "INSUFFICIENT_PERMISSIONS");
    assertError(server.delete("/interviews/" + globexInterview, readOnly), 403, "INSUFFICIENT_PERMISSIONS");
    assertError(server.delete("/interviews/not-a-uuid?companyId=" + otherPartnerCompany, atsReadOnly), 403,
      "INSUFFICIENT_PERMISSIONS");
    // 400 INVALID_ID before 404 (and before the ATS key's company check)
    assertError(server.delete("/interviews/not-a-uuid", acme.key()), 400, "INVALID_ID");
    assertError(server.get("/interviews/not-a-uuid?companyId=" + otherPartnerCompany, atsKey), 400, "INVALID_ID");
    // 404 before 403 company
    assertError(server.delete("/interviews/" + unknownId, acme.key()), 404, "RESOURCE_NOT_FOUND");
    assertError(server.delete("/interviews/" + globexInterview, acme.key()), 403, "FORBIDDEN_COMPANY");
    stillThere(acme, acmeInterview);
    stillThere(globex, globexInterview);
  }

  // --- ATS keys and company keys ---

  @Test
  void atsKeyReachesOnlyItsPartnersCompanies() {
    Response made = server.post("/interviews?companyId=" + partnerCompany, atsKey, interview());
    assertOk(made, 201);
    assertThat(made.data().getString("companyId")).isEqualTo(partnerCompany);
    String id = made.data().getString("id");
    assertOk(server.get("/interviews/" + id + "?companyId=" + partnerCompany, atsKey), 200);
    assertOk(server.get("/interviews/" + id + "?company_id=" + partnerCompany, atsKey), 200);
    Response listed = server.get("/interviews?companyId=" + partnerCompany, atsKey);
    assertThat(listed.data().getJsonObject("pagination").getLong("total")).isEqualTo(1);
    // the same partner's other company: the interview belongs to another company
    assertError(server.get("/interviews/" + id + "?companyId=" + partnerCompany2, atsKey), 403, "FORBIDDEN_COMPANY");
    assertError(server.delete("/interviews/" + id + "?companyId=" + partnerCompany2, atsKey), 403, "FORBIDDEN_COMPANY");

    // another partner's company, a company without a partner, an unknown company
    for (String company : List.of(otherPartnerCompany, acme.companyId(), UUID.randomUUID().toString())) {
      assertError(server.get("/interviews?companyId=" + company, atsKey), 403, "FORBIDDEN_COMPANY");
      assertError(server.get("/interviews?company_id=" + company, atsKey), 403, "FORBIDDEN_COMPANY");
      assertError(server.post("/interviews?companyId=" + company, atsKey, interview()), 403, "FORBIDDEN_COMPANY");
    }
    assertError(server.get("/interviews/" + acmeInterview + "?companyId=" + acme.companyId(), atsKey), 403, "FORBIDDEN_COMPANY");
    assertError(server.delete("/interviews/" + acmeInterview + "?companyId=" + acme.companyId(), atsKey), 403,
      "FORBIDDEN_COMPANY");
    stillThere(acme, acmeInterview);
    assertError(server.get("/interviews?companyId=not-a-uuid", atsKey), 400, "INVALID_ID");

    assertOk(server.delete("/interviews/" + id + "?companyId=" + partnerCompany, atsKey), 200);
  }

  @Test
  void companyKeyIgnoresCompanyId() {
    for (String param : List.of("companyId=" + globex.companyId(), "company_id=" + globex.companyId(), "companyId=not-a-uuid",
      "companyId=" + partnerCompany)) {
      Response list = server.get("/interviews?" + param, acme.key());
      assertOk(list, 200);
      assertThat(list.data().getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("companyId")))
        .isNotEmpty().containsOnly(acme.companyId());
      assertOk(server.get("/interviews/" + acmeInterview + "?" + param, acme.key()), 200);
      assertError(server.get("/interviews/" + globexInterview + "?" + param, acme.key()), 403, "FORBIDDEN_COMPANY");
      assertError(server.delete("/interviews/" + globexInterview + "?" + param, acme.key()), 403, "FORBIDDEN_COMPANY");
    }
    Response made = server.post("/interviews?companyId=" + globex.companyId(), acme.key(), interview());
    assertOk(made, 201);
    assertThat(made.data().getString("companyId")).isEqualTo(acme.companyId());
    stillThere(globex, globexInterview);
  }

  // --- JWTs ---

  static String token(String ownerOption, String owner, String scopes, int ttl) {
    JsonObject t = server.admin("token", "create", ownerOption, owner, "--scopes", scopes, "--ttl", String.valueOf(ttl));
    assertThat(t.getInteger("_exit")).as(t.encode()).isZero();
    assertThat(t.getString("token")).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    return t.getString("token");
  }

  @Test
  void companyTokenWorksAsBearer() {
    String token = token("--company", acme.companyId(), "read:interviews", 60);
    Response list = server.get("/interviews", token);
    assertOk(list, 200);
    assertThat(list.data().getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("id"))).contains(acmeInterview);
    assertOk(server.get("/interviews/" + acmeInterview, token), 200);
    assertError(server.get("/interviews/" + globexInterview, token), 403, "FORBIDDEN_COMPANY");
    assertError(server.delete("/interviews/" + acmeInterview, token), 403, "INSUFFICIENT_PERMISSIONS");
    stillThere(acme, acmeInterview);
  }

  @Test
  void tamperedTokenIs401() {
    String token = token("--company", acme.companyId(), ALL, 60);
    int dot = token.lastIndexOf('.');
    char[] chars = token.toCharArray();
    int i = dot + 5; // inside the signature, away from its last (partly padding) character
    chars[i] = chars[i] == 'A' ? 'B' : 'A';
    String tampered = new String(chars);
    assertError(server.get("/interviews", tampered), 401, "INVALID_API_KEY");
    assertError(server.delete("/interviews/" + acmeInterview, tampered), 401, "INVALID_API_KEY");
    assertError(server.get("/interviews", token.substring(0, dot + 1)), 401, "INVALID_API_KEY");
    assertError(server.get("/interviews", "aaa.bbb.ccc"), 401, "INVALID_API_KEY");
    // a payload swapped for another company's, the signature kept
    String other = token("--company", globex.companyId(), ALL, 60);
    String[] mine = token.split("\\."), theirs = other.split("\\.");
    assertError(server.get("/interviews", mine[0] + "." + theirs[1] + "." + mine[2]), 401, "INVALID_API_KEY");
    stillThere(acme, acmeInterview);
  }

  @Test
  void partnerTokenNeedsCompanyIdLikeAnAtsKey() {
    String token = token("--partner", partner, "read:interviews", 60);
    assertError(server.get("/interviews", token), 400, "COMPANY_ID_REQUIRED");
    assertOk(server.get("/interviews?companyId=" + partnerCompany, token), 200);
    assertOk(server.get("/interviews?company_id=" + partnerCompany, token), 200);
    assertError(server.get("/interviews?companyId=" + otherPartnerCompany, token), 403, "FORBIDDEN_COMPANY");
    assertError(server.get("/interviews?companyId=" + acme.companyId(), token), 403, "FORBIDDEN_COMPANY");
  }

  @Test
  void expiredTokenIs401() {
    String token = token("--company", acme.companyId(), "read:interviews", 1);
    Response r = poll(Duration.ofSeconds(10), () -> server.get("/interviews", token), x -> x.status() != 200);
    assertError(r, 401, "INVALID_API_KEY");
  }
}
