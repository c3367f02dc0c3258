package dev.parley.api;

import dev.parley.auth.ApiKeys;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.parley.api.ApiChecks.assertError;
import static dev.parley.api.ApiChecks.assertOk;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unauthenticated traffic is bounded: failed authentications are counted per client address, and
 * past the budget a key that would need a database lookup is refused at once, while a key known
 * from the cache still passes. /metrics is on the management listener, not on the API's port.
 */
class AuthFloodIT {
  static final int BUDGET = 5;
  /** How often the test sends one bogus key before the flood of new ones. */
  static final int REPEATS = 3;
  static TestServer server;
  static int managementPort;
  /** What a Prometheus scrape speaks: HTTP/1.1. */
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() {
    managementPort = TestServer.freePort();
    server = TestServer.start("authflood", Map.of("PARLEY_AUTH_FAILURE_LIMIT", BUDGET + "/100",
      "PARLEY_MANAGEMENT_PORT", String.valueOf(managementPort)));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String management(String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
      .timeout(java.time.Duration.ofSeconds(10)).build(),
      HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return r.body();
  }

  /** parley_api_key_lookups_total of one outcome, from the management listener. */
  static double lookups(String outcome) throws Exception {
    Matcher m = Pattern.compile("(?m)^parley_api_key_lookups_total\\{[^}]*outcome=\"" + outcome + "\"[^}]*} ([0-9.eE+-]+)$")
      .matcher(management("/metrics"));
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void aFloodOfBogusKeysCostsNoLookupsAndKnownKeysStillPass() throws Exception {
    Tenant t = server.company("Flooded", ApiChecks.ALL);
    String unused = server.admin("key", "create", "--company", t.companyId(), "--name", "unused", "--scopes", ApiChecks.ALL)
      .getString("key");
    assertOk(server.get("/interviews", t.key()), 200); // the real key, now known from the cache
    double unknownBefore = lookups("unknown"), knownBefore = lookups("known");

    // one bogus key sent again and again: looked up once, then remembered as unknown (each is
    // still a failure against the address's budget)
    String bogus = ApiKeys.generate(true);
    for (int i = 0; i < REPEATS; i++) assertError(server.get("/interviews", bogus), 401, "INVALID_API_KEY");
    assertThat(lookups("unknown") - unknownBefore).as("lookups of one bogus key sent " + REPEATS + " times").isEqualTo(1);

    List<Response> answers = new ArrayList<>();
    for (int i = 0; i < 40; i++) answers.add(server.get("/interviews", ApiKeys.generate(true)));

    // the rest of the budget's failures are looked up and answered 401; the one that spends it
    // too; the rest are refused without a lookup
    int lookedUp = BUDGET + 1 - REPEATS;
    assertThat(answers.subList(0, lookedUp)).allSatisfy(r -> assertError(r, 401, "INVALID_API_KEY"));
    assertThat(answers.subList(lookedUp, answers.size())).allSatisfy(r -> {
      assertError(r, 429, "RATE_LIMITED");
      assertThat(r.raw().headers().firstValue("Retry-After")).isPresent();
      assertThat(Long.parseLong(r.raw().headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
    });
    assertThat(lookups("unknown") - unknownBefore).as("lookups of bogus keys").isEqualTo(1 + lookedUp);

    // from the same address: the key known from the cache passes, with no lookup (the flood pushed
    // nothing out); a real key that would need a lookup waits like the bogus ones
    assertOk(server.get("/interviews", t.key()), 200);
    assertError(server.get("/interviews", unused), 429, "RATE_LIMITED");
    assertThat(lookups("known")).as("lookups of real keys").isEqualTo(knownBefore);
    assertThat(lookups("unknown") - unknownBefore).isEqualTo(1 + lookedUp);
  }

  @Test
  void metricsAreOnTheManagementListenerWithTheHealthEndpoints() throws Exception {
    assertError(server.get("/metrics", null), 404, "RESOURCE_NOT_FOUND");
    assertThat(management("/metrics")).contains("parley_api_key_lookups_total");
    assertThat(management("/health/live")).contains("UP");
    assertThat(management("/v1/health/ready")).contains("UP");
    assertOk(server.get("/health/ready", null), 200);
  }
}
