package dev.parley.api;

import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.parley.api.ApiChecks.ALL;
import static dev.parley.api.ApiChecks.assertError;
import static dev.parley.api.ApiChecks.assertInvalid;
import static dev.parley.api.ApiChecks.assertOk;
import static org.assertj.core.api.Assertions.assertThat;

/** Candidates, agents and companies over HTTP. */
class ResourcesIT {
  static TestServer server;
  static Tenant acme;
  static Tenant globex;

  static final String COMPANIES = ALL + ",read:companies,write:companies";

  @BeforeAll
  static void start() {
    server = TestServer.start("resources");
    acme = server.company("Acme", COMPANIES);
    globex = server.company("Globex", COMPANIES);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String candidate(Tenant t, String first) {
    Response r = server.post("/candidates", t.key(), "{\"firstName\":\"" + first + "\",\"lastName\":\"Ek\","
      + "\"phoneNumber\":\"+421915123456\",\"email\":\"" + first.toLowerCase() + "@example.com\",\"gdprExpiryDate\":\"2027-01-31\","
      + "\"metadata\":{\"atsId\":\"" + first + "\"}}");
    assertOk(r, 201);
    return r.data().getString("id");
  }

  static String agent(Tenant t, String name) {
    Response r = server.post("/agents", t.key(), "{\"name\":\"" + name + "\",\"type\":\"PHONE\",\"language\":\"EN\",\"duration\":20,"
      + "\"questions\":[\"Why us?\",\"Why now?\"],\"instructions\":\"Be kind\",\"metadata\":{\"v\":1}}");
    assertOk(r, 201);
    return r.data().getString("id");
  }

  static List<String> ids(Response list) {
    List<String> out = new ArrayList<>();
    list.data().getJsonArray("items").forEach(o -> out.add(((JsonObject) o).getString("id")));
    return out;
  }

  // --- candidates ---

  @Test
  void candidateCreateGetListDelete() {
    Tenant t = server.company("Candidates", ALL);
    Response created = server.post("/candidates", t.key(), "{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"+421915123456\",\"email\":\"ada@example.com\",\"gdprExpiryDate\":\"2027-01-31\",\"metadata\":{\"atsId\":\"A-1\"}}");
    assertOk(created, 201);
    JsonObject c = created.data();
    String id = c.getString("id");
    assertThat(UUID.fromString(id)).isNotNull();
    assertThat(c.getString("companyId")).isEqualTo(t.companyId());
    assertThat(c.getString("firstName")).isEqualTo("Ada");
    assertThat(c.getString("lastName")).isEqualTo("Lovelace");
    assertThat(c.getString("phoneNumber")).isEqualTo("+421915123456");
    assertThat(c.getString("email")).isEqualTo("ada@example.com");
    assertThat(c.getString("gdprExpiryDate")).isEqualTo("2027-01-31");
    assertThat(c.getJsonObject("metadata").getString("atsId")).isEqualTo("A-1");

    Response got = server.get("/candidates/" + id, t.key());
    assertOk(got, 200);
    assertThat(got.data()).isEqualTo(c);
    assertOk(server.get("/v1/candidates/" + id, t.key()), 200);

    Set<String> all = new HashSet<>(List.of(id, candidate(t, "Bo"), candidate(t, "Cy")));
    Response page1 = server.get("/candidates?limit=2", t.key());
    assertOk(page1, 200);
    JsonObject p = page1.data().getJsonObject("pagination");
    assertThat(p.getLong("total")).isEqualTo(3);
    assertThat(p.getInteger("page")).isEqualTo(1);
    assertThat(p.getInteger("limit")).isEqualTo(2);
    assertThat(p.getInteger("totalPages")).isEqualTo(2);
    assertThat(p.getBoolean("hasNextPage")).isTrue();
    assertThat(p.getBoolean("hasPreviousPage")).isFalse();
    Response page2 = server.get("/candidates?limit=2&page=2", t.key());
    assertThat(page2.data().getJsonObject("pagination").getBoolean("hasNextPage")).isFalse();
    assertThat(page2.data().getJsonObject("pagination").getBoolean("hasPreviousPage")).isTrue();
    List<String> walked = new ArrayList<>(ids(page1));
    walked.addAll(ids(page2));
    assertThat(walked).hasSize(3).containsExactlyInAnyOrderElementsOf(all);

    Response deleted = server.delete("/candidates/" + id, t.key());
    assertOk(deleted, 200);
    assertThat(deleted.body().getBoolean("data")).isTrue();
    assertError(server.get("/candidates/" + id, t.key()), 404, "RESOURCE_NOT_FOUND");
    assertError(server.delete("/candidates/" + id, t.key()), 404, "RESOURCE_NOT_FOUND");
    assertThat(server.get("/candidates", t.key()).data().getJsonObject("pagination").getLong("total")).isEqualTo(2);
  }

  @Test
  void candidateErrors() {
    String theirs = candidate(globex, "Their");
    Response get = server.get("/candidates/" + theirs, acme.key());
    assertError(get, 403, "FORBIDDEN_COMPANY");
    assertThat(get.raw().body()).doesNotContain("Their");
    assertError(server.delete("/candidates/" + theirs, acme.key()), 403, "FORBIDDEN_COMPANY");
    assertOk(server.get("/candidates/" + theirs, globex.key()), 200);
    assertThat(ids(server.get("/candidates?limit=100", acme.key()))).doesNotContain(theirs);

    assertError(server.get("/candidates/not-a-uuid", acme.key()), 400, "INVALID_ID");
    assertError(server.delete("/candidates/not-a-uuid", acme.key()), 400, "INVALID_ID");
    assertError(server.get("/candidates/" + UUID.randomUUID(), acme.key()), 404, "RESOURCE_NOT_FOUND");
    assertError(server.delete("/candidates/" + UUID.randomUUID(), acme.key()), 404, "RESOURCE_NOT_FOUND");
    assertInvalid(server.post("/candidates", acme.key(), "{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\"}"), "phoneNumber");

    String readOnly = server.admin("key", "create", "--company", acme.companyId(), "--name", "ro", "--scopes", "read:candidates")
      .getString("key");
    String mine = candidate(acme, "Mine");
    assertOk(server.get("/candidates/" + mine, readOnly), 200);
    assertError(server.delete("/candidates/" + mine, readOnly), 403, "INSUFFICIENT_PERMISSIONS");
    assertError(server.post("/candidates", readOnly, "{\"firstName\":\"A\",\"lastName\":\"B\",\"phoneNumber\":\"+421915123456\"}"),
      403, "INSUFFICIENT_PERMISSIONS");
  }

  @Test
  void candidateWithAnInterviewCannotBeDeleted() {
    String c = candidate(acme, "Booked");
    String a = agent(acme, "Screen");
    Response interview = server.post("/interviews", acme.key(), "{\"candidateId\":\"" + c + "\",\"agentId\":\"" + a
      + "\",\"scheduledAt\":\"" + ApiChecks.inFuture(java.time.Duration.ofDays(1)) + "\"}");
    assertOk(interview, 201);
    assertError(server.delete("/candidates/" + c, acme.key()), 409, "CONFLICT");
    assertOk(server.get("/candidates/" + c, acme.key()), 200);
    assertOk(server.get("/interviews/" + interview.data().getString("id"), acme.key()), 200);
    // once the interview is gone, so may the candidate be
    assertOk(server.delete("/interviews/" + interview.data().getString("id"), acme.key()), 200);
    assertOk(server.delete("/candidates/" + c, acme.key()), 200);
  }

  // --- agents ---

  @Test
  void agentCreateGetListDelete() {
    Tenant t = server.company("Agents", ALL);
    Response created = server.post("/agents", t.key(), "{\"name\":\"Backend screen\",\"type\":\"PHONE\",\"language\":\"EN\","
      + "\"duration\":20,\"questions\":[\"Why us?\",\"Why now?\"],\"instructions\":\"Be kind\",\"metadata\":{\"v\":1}}");
    assertOk(created, 201);
    JsonObject a = created.data();
    String id = a.getString("id");
    assertThat(a.getString("companyId")).isEqualTo(t.companyId());
    assertThat(a.getString("name")).isEqualTo("Backend screen");
    assertThat(a.getString("type")).isEqualTo("PHONE");
    assertThat(a.getInteger("duration")).isEqualTo(20);
    assertThat(a.getJsonArray("questions")).isEqualTo(new JsonArray().add("Why us?").add("Why now?"));
    assertThat(a.getString("instructions")).isEqualTo("Be kind");

    Response got = server.get("/agents/" + id, t.key());
    assertOk(got, 200);
    assertThat(got.data()).isEqualTo(a);

    Set<String> all = new HashSet<>(List.of(id, agent(t, "Second"), agent(t, "Third")));
    Response page1 = server.get("/agents?limit=2", t.key());
    assertOk(page1, 200);
    assertThat(page1.data().getJsonObject("pagination").getLong("total")).isEqualTo(3);
    assertThat(page1.data().getJsonObject("pagination").getInteger("totalPages")).isEqualTo(2);
    List<String> walked = new ArrayList<>(ids(page1));
    walked.addAll(ids(server.get("/v1/agents?limit=2&page=2", t.key())));
    assertThat(walked).hasSize(3).containsExactlyInAnyOrderElementsOf(all);

    Response deleted = server.delete("/agents/" + id, t.key());
    assertOk(deleted, 200);
    assertThat(deleted.body().getBoolean("data")).isTrue();
    assertError(server.get("/agents/" + id, t.key()), 404, "RESOURCE_NOT_FOUND");
    assertError(server.delete("/agents/" + id, t.key()), 404, "RESOURCE_NOT_FOUND");
    assertThat(ids(server.get("/agents", t.key()))).hasSize(2).doesNotContain(id);
  }

  @Test
  void agentErrors() {
    String theirs = agent(globex, "Their agent");
    Response get = server.get("/agents/" + theirs, acme.key());
    assertError(get, 403, "FORBIDDEN_COMPANY");
    assertThat(get.raw().body()).doesNotContain("Their agent");
    assertError(server.delete("/agents/" + theirs, acme.key()), 403, "FORBIDDEN_COMPANY");
    assertOk(server.get("/agents/" + theirs, globex.key()), 200);
    assertError(server.get("/agents/not-a-uuid", acme.key()), 400, "INVALID_ID");
    assertError(server.get("/agents/" + UUID.randomUUID(), acme.key()), 404, "RESOURCE_NOT_FOUND");
    assertInvalid(server.post("/agents", acme.key(), "{\"type\":\"PHONE\"}"), "name");
    // another company's candidate or agent cannot be used for an interview
    String c = candidate(acme, "Own");
    Response r = server.post("/interviews", acme.key(), "{\"candidateId\":\"" + c + "\",\"agentId\":\"" + theirs + "\"}");
    assertThat(r.status()).as(r.raw().body()).isIn(403, 404);
    assertThat(r.errorCode()).isIn("FORBIDDEN_COMPANY", "RESOURCE_NOT_FOUND");
    assertThat(server.get("/interviews?candidateId=" + c, acme.key()).data().getJsonObject("pagination").getLong("total")).isZero();
  }

  @Test
  void deletedAgentCannotBeUsedButItsInterviewsKeepIt() {
    String c = candidate(acme, "Keeps");
    String a = agent(acme, "Retired");
    Response interview = server.post("/interviews", acme.key(), "{\"candidateId\":\"" + c + "\",\"agentId\":\"" + a
      + "\",\"scheduledAt\":\"" + ApiChecks.inFuture(java.time.Duration.ofDays(1)) + "\"}");
    assertOk(interview, 201);
    String interviewId = interview.data().getString("id");

    assertOk(server.delete("/agents/" + a, acme.key()), 200);
    assertError(server.post("/interviews", acme.key(), "{\"candidateId\":\"" + c + "\",\"agentId\":\"" + a + "\"}"), 404,
      "RESOURCE_NOT_FOUND");
    Response kept = server.get("/interviews/" + interviewId, acme.key());
    assertOk(kept, 200);
    assertThat(kept.data().getString("agentId")).isEqualTo(a);
    assertThat(server.get("/interviews?agentId=" + a, acme.key()).data().getJsonObject("pagination").getLong("total")).isEqualTo(1);
  }

  // --- companies ---

  @Test
  void companyKeySeesItsOwnCompany() {
    Response list = server.get("/company", acme.key());
    assertOk(list, 200);
    JsonArray items = list.data().getJsonArray("items");
    assertThat(items).hasSize(1);
    assertThat(items.getJsonObject(0).getString("id")).isEqualTo(acme.companyId());
    assertThat(items.getJsonObject(0).getString("name")).isEqualTo("Acme");
    assertThat(list.data().getJsonObject("pagination").getLong("total")).isEqualTo(1);

    Response one = server.get("/company/" + acme.companyId(), acme.key());
    assertOk(one, 200);
    assertThat(one.data().getString("id")).isEqualTo(acme.companyId());
    assertThat(one.data().getInteger("maxConcurrentCalls")).isEqualTo(2);
    assertThat(one.data().getString("callWindow")).isEqualTo("09:00-20:00");

    Response theirs = server.get("/company/" + globex.companyId(), acme.key());
    assertThat(theirs.status()).as(theirs.raw().body()).isIn(403, 404);
    assertThat(theirs.raw().body()).doesNotContain("Globex");
    assertError(server.get("/company/not-a-uuid", acme.key()), 400, "INVALID_ID");
  }

  @Test
  void companiesIsAnAliasOfCompany() {
    Response list = server.get("/companies", acme.key());
    assertOk(list, 200);
    assertThat(ids(list)).containsExactly(acme.companyId());
    assertOk(server.get("/v1/companies/" + acme.companyId(), acme.key()), 200);
  }

  @Test
  void companyKeyCannotCreateCompanies() {
    Response r = server.post("/company", acme.key(), "{\"name\":\"Sneaky Inc\"}");
    assertThat(r.status()).as(r.raw().body()).isEqualTo(403);
    assertError(r, 403, r.errorCode());
    assertThat(r.errorCode()).isIn("INSUFFICIENT_PERMISSIONS", "FORBIDDEN_COMPANY");
    assertThat(ids(server.get("/company", acme.key()))).containsExactly(acme.companyId());
  }

  @Test
  void atsKeyCreatesCompaniesOfItsPartner() {
    String partner = server.admin("ats-partner", "create", "--name", "Recruitly").getString("id");
    String ats = server.admin("key", "create", "--partner", partner, "--name", "ats", "--scopes", COMPANIES).getString("key");
    String other = server.admin("key", "create", "--partner", partner, "--name", "ats2", "--scopes", ALL).getString("key");

    // capacity is the operator's: a create that asks for slots is refused and makes nothing
    Response greedy = server.post("/company", ats, "{\"name\":\"Greedy\",\"maxConcurrentCalls\":3}");
    assertError(greedy, 403, "INSUFFICIENT_PERMISSIONS");
    assertThat(greedy.raw().body()).contains("maxConcurrentCalls");
    assertThat(server.get("/company", ats).data().getJsonArray("items").encode()).doesNotContain("Greedy");

    Response created = server.post("/company", ats, "{\"name\":\"Initech\",\"timezone\":\"Europe/Bratislava\","
      + "\"callWindow\":\"08:00-18:00\",\"metadata\":{\"atsId\":\"C-9\"}}");
    assertOk(created, 201);
    JsonObject company = created.data();
    String id = company.getString("id");
    assertThat(company.getString("partnerId")).isEqualTo(partner);
    assertThat(company.getString("name")).isEqualTo("Initech");
    assertThat(company.getString("timezone")).isEqualTo("Europe/Bratislava");
    assertThat(company.getString("callWindow")).isEqualTo("08:00-18:00");
    assertThat(company.getInteger("maxConcurrentCalls")).isEqualTo(2);

    // any key of the partner reaches it with companyId
    Response interview = server.post("/interviews?companyId=" + id, other, ApiChecks.interview());
    assertOk(interview, 201);
    assertThat(interview.data().getString("companyId")).isEqualTo(id);
    assertOk(server.get("/company/" + id, ats), 200);
    assertThat(ids(server.get("/company", ats))).contains(id).doesNotContain(acme.companyId(), globex.companyId());
    // but another partner's key and other companies' keys do not
    String stranger = server.admin("ats-partner", "create", "--name", "HireHub").getString("id");
    String strangerKey = server.admin("key", "create", "--partner", stranger, "--name", "s", "--scopes", ALL).getString("key");
    assertError(server.get("/interviews?companyId=" + id, strangerKey), 403, "FORBIDDEN_COMPANY");
    assertError(server.get("/interviews/" + interview.data().getString("id"), acme.key()), 403, "FORBIDDEN_COMPANY");
  }

  /** What a tenant may change (docs/api.md, "What a company may change"), each field on its own. */
  @Test
  void patchChangesWhatATenantMayChange() {
    Tenant t = server.company("Patchable", COMPANIES);
    String path = "/company/" + t.companyId();
    Response named = server.send("PATCH", path, t.key(), "{\"name\":\"Patched\"}", Map.of());
    assertOk(named, 200);
    assertThat(named.data().getString("name")).isEqualTo("Patched");
    Response zoned = server.send("PATCH", "/v1" + path, t.key(), "{\"timezone\":\"America/New_York\"}", Map.of());
    assertOk(zoned, 200);
    assertThat(zoned.data().getString("timezone")).isEqualTo("America/New_York");
    Response windowed = server.send("PATCH", path, t.key(), "{\"callWindow\":\"00:00-24:00\"}", Map.of());
    assertOk(windowed, 200);
    assertThat(windowed.data().getString("callWindow")).isEqualTo("00:00-24:00");
    Response tagged = server.send("PATCH", path, t.key(), "{\"metadata\":{\"atsId\":\"C-1\"}}", Map.of());
    assertOk(tagged, 200);
    assertThat(tagged.data().getJsonObject("metadata").getString("atsId")).isEqualTo("C-1");
    JsonObject now = server.get(path, t.key()).data();
    assertThat(now.getString("name")).isEqualTo("Patched");
    assertThat(now.getString("timezone")).isEqualTo("America/New_York");
    assertThat(now.getString("callWindow")).isEqualTo("00:00-24:00");
    assertThat(now.getInteger("maxConcurrentCalls")).isEqualTo(2);

    assertInvalid(server.send("PATCH", path, t.key(), "{\"callWindow\":\"9-5\"}", Map.of()), "callWindow");
    Response other = server.send("PATCH", "/company/" + globex.companyId(), t.key(), "{\"name\":\"Taken over\"}", Map.of());
    assertThat(other.status()).as(other.raw().body()).isIn(403, 404);
    assertThat(server.get("/company/" + globex.companyId(), globex.key()).data().getString("name")).isEqualTo("Globex");
  }

  /**
   * Capacity is the operator's: a company key that sets its own maxConcurrentCalls, alone or with
   * fields it may change, gets 403 and nothing changes; the operator's CLI sets it.
   */
  @Test
  void capacityIsTheOperators() {
    Tenant t = server.company("Capped", COMPANIES);
    String path = "/company/" + t.companyId();
    for (String body : new String[] {"{\"maxConcurrentCalls\":1000}", "{\"name\":\"Capped Two\",\"maxConcurrentCalls\":5}"}) {
      Response r = server.send("PATCH", path, t.key(), body, Map.of());
      assertError(r, 403, "INSUFFICIENT_PERMISSIONS");
      assertThat(r.raw().body()).as(body).contains("maxConcurrentCalls");
    }
    JsonObject now = server.get(path, t.key()).data();
    assertThat(now.getString("name")).isEqualTo("Capped");
    assertThat(now.getInteger("maxConcurrentCalls")).isEqualTo(2);
    assertThat(Sql.count(server.database, "SELECT max_concurrent_calls FROM companies WHERE id = ?::uuid", t.companyId())).isEqualTo(2);

    JsonObject raised = server.admin("company", "capacity", "--company", t.companyId(), "--max-concurrent-calls", "7");
    assertThat(raised.getInteger("maxConcurrentCalls")).isEqualTo(7);
    assertThat(server.get(path, t.key()).data().getInteger("maxConcurrentCalls")).isEqualTo(7);
  }

  @Test
  void invalidTimezoneIs400() {
    Tenant t = server.company("Zoned", COMPANIES);
    assertInvalid(server.send("PATCH", "/company/" + t.companyId(), t.key(), "{\"timezone\":\"Mars/Olympus\"}", Map.of()),
      "timezone");
    assertThat(server.get("/company/" + t.companyId(), t.key()).data().getString("timezone")).isNotEqualTo("Mars/Olympus");

    String partner = server.admin("ats-partner", "create", "--name", "Zoner").getString("id");
    String ats = server.admin("key", "create", "--partner", partner, "--name", "z", "--scopes", COMPANIES).getString("key");
    assertInvalid(server.post("/company", ats, "{\"name\":\"Nowhere\",\"timezone\":\"Mars/Olympus\"}"), "timezone");
    assertThat(server.get("/company", ats).data().getJsonObject("pagination").getLong("total")).isZero();
  }
}
