package dev.parley.api;

import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpHeaders;
import java.util.Map;
import java.util.UUID;

import static dev.parley.api.ApiChecks.assertError;
import static dev.parley.api.ApiChecks.assertOk;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rate limits on one node (CLUSTER=false, budgets in memory): the default limit, a key's own, 0/0,
 * one window unlimited, a JWT subject's budget; the headers on every answer, 429 with Retry-After.
 */
class RateLimitIT {
  static TestServer server;
  static Tenant acme;

  @BeforeAll
  static void start() {
    server = TestServer.start("ratelimit", Map.of("PARLEY_DEFAULT_RATE_LIMIT", "5/100"));
    acme = server.company("Acme", "read:interviews");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String key(String... limit) {
    String[] args = new String[8 + limit.length];
    System.arraycopy(new String[] {"key", "create", "--company", acme.companyId(), "--name", "k", "--scopes", "read:interviews"}, 0, args, 0, 8);
    System.arraycopy(limit, 0, args, 8, limit.length);
    return server.admin(args).getString("key");
  }

  static long header(Response r, String name) {
    return Long.parseLong(r.raw().headers().firstValue(name).orElseThrow(() -> new AssertionError(name + " missing in " + r.raw().headers())));
  }

  @Test
  void theDefaultLimitCountsDownAndThen429WithRetryAfter() {
    String key = key();
    long now = System.currentTimeMillis() / 1000;
    for (int i = 0; i < 5; i++) {
      Response ok = server.get("/interviews", key);
      assertOk(ok, 200);
      assertThat(header(ok, "X-RateLimit-Limit-Minute")).isEqualTo(5);
      assertThat(header(ok, "X-RateLimit-Remaining-Minute")).isEqualTo(4 - i);
      assertThat(header(ok, "X-RateLimit-Limit-Hour")).isEqualTo(100);
      assertThat(header(ok, "X-RateLimit-Remaining-Hour")).isEqualTo(99 - i);
      assertThat(header(ok, "X-RateLimit-Reset-Minute")).isBetween(now + 1, now + 61);
      assertThat(header(ok, "X-RateLimit-Reset-Hour")).isBetween(now + 3540, now + 3601);
    }
    Response refused = server.get("/interviews", key);
    assertError(refused, 429, "RATE_LIMITED");
    assertThat(header(refused, "Retry-After")).isBetween(1L, 60L);
    assertThat(header(refused, "X-RateLimit-Remaining-Minute")).isZero();
    JsonObject details = refused.body().getJsonObject("error").getJsonObject("details");
    assertThat(details.getLong("retryAfter")).isEqualTo(header(refused, "Retry-After"));
    assertThat(details.getInteger("limit")).isEqualTo(5);
    assertThat(details.getLong("reset")).isEqualTo(header(refused, "X-RateLimit-Reset-Minute"));
    // a refused request is not counted, and another key has its own budget
    assertThat(header(server.get("/interviews", key), "X-RateLimit-Remaining-Hour")).isEqualTo(95);
    assertOk(server.get("/interviews", key()), 200);
  }

  @Test
  void everyAnswerOfAKnownCredentialCarriesTheHeadersButA401HasNone() {
    String key = key();
    Response notFound = server.get("/interviews/" + UUID.randomUUID(), key);
    assertError(notFound, 404, "RESOURCE_NOT_FOUND");
    assertThat(header(notFound, "X-RateLimit-Remaining-Minute")).isEqualTo(4);
    Response invalid = server.get("/interviews/not-a-uuid", key);
    assertError(invalid, 400, "INVALID_ID");
    assertThat(header(invalid, "X-RateLimit-Remaining-Minute")).isEqualTo(3);
    Response unknown = server.get("/interviews", "sk_live_" + "x".repeat(43));
    assertError(unknown, 401, "INVALID_API_KEY");
    assertThat(unknown.raw().headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("x-ratelimit"));
    for (int i = 0; i < 10; i++) assertThat(server.get("/health/live", null).status()).isEqualTo(200);
  }

  @Test
  void aKeysOwnLimitWinsAndZeroMeansUnlimited() {
    String none = key("--rate-limit", "0/0");
    for (int i = 0; i < 12; i++) {
      Response ok = server.get("/interviews", none);
      assertOk(ok, 200);
      assertThat(ok.raw().headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("x-ratelimit"));
    }
    String minuteOnly = key("--rate-limit", "7/0");
    for (int i = 0; i < 7; i++) {
      HttpHeaders h = server.get("/interviews", minuteOnly).raw().headers();
      assertThat(h.firstValue("X-RateLimit-Limit-Minute")).hasValue("7");
      assertThat(h.firstValue("X-RateLimit-Limit-Hour")).isEmpty();
    }
    assertError(server.get("/interviews", minuteOnly), 429, "RATE_LIMITED");
  }

  @Test
  void whenTheHourIsSpentTheRefusalNamesTheHour() {
    String key = key("--rate-limit", "5/2");
    assertOk(server.get("/interviews", key), 200);
    assertOk(server.get("/interviews", key), 200);
    Response refused = server.get("/interviews", key);
    assertError(refused, 429, "RATE_LIMITED");
    JsonObject details = refused.body().getJsonObject("error").getJsonObject("details");
    assertThat(details.getString("window")).isEqualTo("hour");
    assertThat(details.getInteger("limit")).isEqualTo(2);
    assertThat(details.getLong("reset")).isEqualTo(header(refused, "X-RateLimit-Reset-Hour"));
    assertThat(header(refused, "Retry-After")).isBetween(3540L, 3600L);
  }

  @Test
  void aJwtSubjectHasOneBudgetWhateverTheToken() {
    JsonObject a = server.admin("token", "create", "--company", acme.companyId(), "--scopes", "read:interviews", "--ttl", "600",
      "--subject", "reporting", "--rate-limit", "3/50");
    JsonObject b = server.admin("token", "create", "--company", acme.companyId(), "--scopes", "read:interviews", "--ttl", "900",
      "--subject", "reporting", "--rate-limit", "3/50");
    JsonObject other = server.admin("token", "create", "--company", acme.companyId(), "--scopes", "read:interviews", "--ttl", "600",
      "--subject", "another-service");
    assertThat(header(server.get("/interviews", a.getString("token")), "X-RateLimit-Remaining-Minute")).isEqualTo(2);
    assertThat(header(server.get("/interviews", b.getString("token")), "X-RateLimit-Remaining-Minute")).isEqualTo(1);
    assertThat(header(server.get("/interviews", a.getString("token")), "X-RateLimit-Remaining-Minute")).isZero();
    assertError(server.get("/interviews", b.getString("token")), 429, "RATE_LIMITED");
    Response otherSubject = server.get("/interviews", other.getString("token"));
    assertOk(otherSubject, 200);
    assertThat(header(otherSubject, "X-RateLimit-Limit-Minute")).as("the default limit").isEqualTo(5);
  }
}
