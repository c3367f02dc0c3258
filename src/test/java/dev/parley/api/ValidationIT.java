package dev.parley.api;

import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static dev.parley.api.ApiChecks.ALL;
import static dev.parley.api.ApiChecks.assertError;
import static dev.parley.api.ApiChecks.assertInvalid;
import static dev.parley.api.ApiChecks.assertOk;
import static dev.parley.api.ApiChecks.inFuture;
import static org.assertj.core.api.Assertions.assertThat;

/** Requests the API refuses with 400 VALIDATION_FAILED (or 413), naming the field, and creating nothing. */
class ValidationIT {
  static TestServer server;
  static Tenant acme;
  static String candidateId;
  static String agentId;

  static final String CANDIDATE = "\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"phoneNumber\":\"+421915123456\"}";
  static final String AGENT = "\"agent\":{\"name\":\"Screening\"}";

  @BeforeAll
  static void start() {
    server = TestServer.start("validation");
    acme = server.company("Acme", ALL);
    candidateId = server.post("/candidates", acme.key(),
      "{\"firstName\":\"Bo\",\"lastName\":\"Ek\",\"phoneNumber\":\"+14155550123\"}").data().getString("id");
    agentId = server.post("/agents", acme.key(), "{\"name\":\"Phone screen\"}").data().getString("id");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static long total(String path) {
    Response r = server.get(path, acme.key());
    assertOk(r, 200);
    return r.data().getJsonObject("pagination").getLong("total");
  }

  /** POSTs a body to /interviews, expects VALIDATION_FAILED on one of the fields, and that nothing was created. */
  static Response rejected(String body, String... fields) {
    long interviews = total("/interviews"), candidates = total("/candidates"), agents = total("/agents");
    Response r = server.post("/interviews", acme.key(), body);
    assertInvalid(r, fields);
    assertThat(total("/interviews")).as("interviews after a rejected create").isEqualTo(interviews);
    assertThat(total("/candidates")).as("candidates after a rejected create").isEqualTo(candidates);
    assertThat(total("/agents")).as("agents after a rejected create").isEqualTo(agents);
    return r;
  }

  static String at(String field, Duration fromNow) {
    return "\"" + field + "\":\"" + inFuture(fromNow) + "\"";
  }

  @Test
  void malformedJson() {
    rejected("{\"candidateId\":", "body");
    rejected("not json at all", "body");
  }

  @Test
  void bodyThatIsNotAnObject() {
    rejected("[{\"candidateId\":\"" + candidateId + "\",\"agentId\":\"" + agentId + "\"}]", "body");
    rejected("\"text\"", "body");
    assertInvalid(server.post("/candidates", acme.key(), "[]"), "body");
  }

  @Test
  void emptyBody() {
    rejected("", "body");
  }

  @Test
  void missingCandidate() {
    rejected("{\"agentId\":\"" + agentId + "\"}", "candidate", "candidateId");
  }

  @Test
  void missingAgent() {
    rejected("{\"candidateId\":\"" + candidateId + "\"}", "agent", "agentId");
  }

  @Test
  void bothCandidateIdAndCandidate() {
    rejected("{\"candidateId\":\"" + candidateId + "\"," + CANDIDATE + ",\"agentId\":\"" + agentId + "\"}", "candidate",
      "candidateId");
  }

  @Test
  void bothAgentIdAndAgent() {
    rejected("{\"candidateId\":\"" + candidateId + "\",\"agentId\":\"" + agentId + "\"," + AGENT + "}", "agent", "agentId");
  }

  @Test
  void invalidPhoneNumbers() {
    for (String phone : new String[] {"+4219", "+10000000000", "0915123456", "+421 915 123 456"}) {
      rejected("{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"phoneNumber\":\"" + phone + "\"}," + AGENT + "}",
        "candidate.phoneNumber");
    }
    for (String phone : new String[] {"+4219", "+10000000000"}) {
      long before = total("/candidates");
      assertInvalid(server.post("/candidates", acme.key(),
        "{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"phoneNumber\":\"" + phone + "\"}"), "phoneNumber");
      assertThat(total("/candidates")).isEqualTo(before);
    }
  }

  @Test
  void scheduledAtInThePast() {
    rejected("{" + CANDIDATE + "," + AGENT + "," + at("scheduledAt", Duration.ofHours(-1)) + "}", "scheduledAt");
    rejected("{" + CANDIDATE + "," + AGENT + ",\"scheduledAt\":\"2020-01-01T10:00:00.000Z\"}", "scheduledAt");
  }

  @Test
  void scheduledAtMoreThanThirtyDaysAhead() {
    rejected("{" + CANDIDATE + "," + AGENT + "," + at("scheduledAt", Duration.ofDays(31)) + "}", "scheduledAt");
  }

  @Test
  void scheduledAtThatIsNotATime() {
    rejected("{" + CANDIDATE + "," + AGENT + ",\"scheduledAt\":\"tomorrow\"}", "scheduledAt");
  }

  @Test
  void scheduleTimeIsAnAliasOfScheduledAt() {
    Tenant other = server.company("Alias", ALL);
    String when = inFuture(Duration.ofDays(2));
    Response r = server.post("/interviews", other.key(), "{" + CANDIDATE + "," + AGENT + ",\"scheduleTime\":\"" + when + "\"}");
    assertOk(r, 201);
    assertThat(java.time.Instant.parse(r.data().getString("scheduledAt"))).isEqualTo(java.time.Instant.parse(when));
    rejected("{" + CANDIDATE + "," + AGENT + "," + at("scheduleTime", Duration.ofHours(-1)) + "}", "scheduleTime");
    rejected("{" + CANDIDATE + "," + AGENT + "," + at("scheduleTime", Duration.ofDays(31)) + "}", "scheduleTime");
  }

  @Test
  void metadataOverTenKilobytes() {
    String big = "x".repeat(11 * 1024);
    rejected("{" + CANDIDATE + "," + AGENT + ",\"metadata\":{\"notes\":\"" + big + "\"}}", "metadata");
  }

  @Test
  void unknownPropertyInTheBody() {
    rejected("{" + CANDIDATE + "," + AGENT + ",\"color\":\"blue\"}", "color");
    rejected("{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"phoneNumber\":\"+421915123456\",\"shoeSize\":42},"
      + AGENT + "}", "candidate.shoeSize");
  }

  @Test
  void unknownStatusFilter() {
    assertInvalid(server.get("/interviews?status=DONE", acme.key()), "status");
    assertOk(server.get("/interviews?status=CANCELED", acme.key()), 200);
    assertOk(server.get("/interviews?status=SCHEDULED", acme.key()), 200);
  }

  @Test
  void pagingOutOfRange() {
    assertInvalid(server.get("/interviews?limit=0", acme.key()), "limit");
    assertInvalid(server.get("/interviews?limit=101", acme.key()), "limit");
    assertInvalid(server.get("/interviews?limit=ten", acme.key()), "limit");
    assertInvalid(server.get("/interviews?page=0", acme.key()), "page");
    assertInvalid(server.get("/interviews?page=10001", acme.key()), "page");
    assertInvalid(server.get("/candidates?limit=101", acme.key()), "limit");
    assertInvalid(server.get("/agents?page=0", acme.key()), "page");
    assertOk(server.get("/interviews?limit=100&page=10000", acme.key()), 200);
  }

  @Test
  void bodyOverTheSizeLimitIs413() {
    long before = total("/interviews");
    String big = "{" + CANDIDATE + "," + AGENT + ",\"metadata\":{\"notes\":\"" + "x".repeat(300 * 1024) + "\"}}";
    Response r = server.post("/interviews", acme.key(), big);
    assertError(r, 413, "PAYLOAD_TOO_LARGE");
    assertThat(total("/interviews")).isEqualTo(before);
    assertError(server.post("/v1/candidates", acme.key(), big), 413, "PAYLOAD_TOO_LARGE");
  }

  @Test
  void aValidRequestStillPasses() {
    Tenant other = server.company("Valid", ALL);
    assertOk(server.post("/interviews", other.key(), "{" + CANDIDATE + "," + AGENT + "," + at("scheduledAt", Duration.ofDays(29))
      + ",\"metadata\":{\"notes\":\"" + "x".repeat(9 * 1024) + "\"}}"), 201);
  }

  /** What even the HTTP codec cannot read, and broken escapes, are 4xx in the envelope. */
  @Test
  void unreadableRequestsGetAClear4xxInTheEnvelope() {
    String auth = "Authorization: Bearer " + acme.key();
    assertEnvelope(server.raw("GET /v1/interviews?cursor=%%% HTTP/1.1", auth), 400, "VALIDATION_FAILED");
    assertEnvelope(server.raw("GET /v1/interviews?limit=%zz HTTP/1.1", auth), 400, "VALIDATION_FAILED");
    assertEnvelope(server.raw("GET /v1/interviews/" + "a".repeat(5000) + " HTTP/1.1", auth), 414, "URI_TOO_LONG");
    assertEnvelope(server.raw("GET /v1/interviews HTTP/1.1", auth, "X-Padding: " + "b".repeat(10_000)), 431, "HEADERS_TOO_LARGE");
    assertEnvelope(server.raw("GET /v1/interviews HTTP/1.1 extra words", auth), 400, "VALIDATION_FAILED");
    assertInvalid(server.get("/interviews?cursor=%25%25%25", acme.key()), "cursor");
    // and the server goes on serving
    assertThat(server.get("/interviews", acme.key()).status()).isEqualTo(200);
  }

  static void assertEnvelope(TestServer.RawResponse r, int status, String code) {
    assertThat(r.status()).as(r.head() + "\n" + r.body()).isEqualTo(status);
    assertThat(r.head()).containsIgnoringCase("content-type: application/json");
    io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject(r.body());
    assertThat(body.getBoolean("success")).isFalse();
    assertThat(body.getJsonObject("error").getString("code")).isEqualTo(code);
    assertThat(body.getJsonObject("error").getString("message")).isNotBlank();
    assertThat(body.getString("timestamp")).isNotBlank();
  }
}
