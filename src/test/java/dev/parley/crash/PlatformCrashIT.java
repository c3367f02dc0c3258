package dev.parley.crash;

import dev.parley.fakes.FakePlatform;
import dev.parley.fakes.FakeRetell;
import dev.parley.fakes.FakeVapi;
import dev.parley.fakes.Received;
import dev.parley.fakes.Script;
import dev.parley.support.JarProcess;
import dev.parley.support.Sql;
import dev.parley.support.TestDatabase;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code kill -9} of the real server process between a platform's create and its answer: the
 * platform made the call, the node that asked died before it heard so, and the callId is all that
 * is left. The server started again takes the dial over once its lease runs out, finds the call at
 * the platform (Vapi: GET /call matched on name; Retell: list-calls on metadata.parley_call_id),
 * adopts it, and the interview completes: the platform received one create, never two.
 */
class PlatformCrashIT {
  static final String NUMBER = "+421915654321";

  TestDatabase database;
  JarProcess jar;
  FakePlatform platform;
  Path dataDir;

  @AfterEach
  void stop() throws Exception {
    if (jar != null) jar.close();
    if (database != null) database.close();
    if (platform != null) platform.close();
    if (dataDir != null) {
      try (var files = Files.walk(dataDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"vapi", "retell"})
  void aNodeKilledBetweenCreateAndAnswerNeverPlacesTheCallTwice(String provider) throws Exception {
    Map<String, String> env = new HashMap<>();
    if (provider.equals("vapi")) {
      FakeVapi vapi = new FakeVapi();
      platform = vapi;
      env.putAll(Map.of("PARLEY_PROVIDER", "vapi", "PARLEY_VAPI_API_KEY", vapi.apiKey(), "PARLEY_VAPI_BASE_URL", vapi.url()));
    } else {
      FakeRetell retell = new FakeRetell();
      retell.setWebhookRetryDelayMs(1000);
      platform = retell;
      env.putAll(Map.of("PARLEY_PROVIDER", "retell", "PARLEY_RETELL_API_KEY", retell.apiKey(), "PARLEY_RETELL_BASE_URL",
        retell.url(), "PARLEY_RETELL_AGENT_ID", "agent_template"));
    }
    // the platform places the call at once and answers the create only after the node is dead; the
    // call talks on past the restart, so its end reaches the new node
    platform.onNumber(NUMBER, Script.answered().ringMs(100).talkMs(12_000).answerCreateAfterMs(120_000));
    database = TestDatabase.create("crash" + provider);
    dataDir = Files.createTempDirectory("parley-crash-" + provider);
    env.putAll(Map.of("DATABASE_URL", database.url(), "PARLEY_DATA_DIR", dataDir.toString(),
      "PARLEY_OUTBOUND_ALLOW", platform.url().substring("http://".length()),
      // the first node waits for the create's answer until it is killed
      "PARLEY_PROVIDER_TIMEOUT_MS", "60000",
      "PARLEY_DIAL_LEASE_SECONDS", "3", "PARLEY_LEASE_CHECK_MS", "300", "PARLEY_PROVIDER_RECONCILE_GRACE_MS", "2000",
      "PARLEY_DISPATCH_POLL_MS", "200", "PARLEY_LEASE_SECONDS", "40"));
    jar = JarProcess.start(env, dataDir.resolve("server.log"));

    String company = TestServer.admin(database, "company", "create", "--name", "Crash " + provider, "--call-window", "00:00-24:00")
      .getString("id");
    TestServer.callerNumber(database, company, "--provider-ref", "phone-number-of-" + provider);
    String key = TestServer.admin(database, "key", "create", "--company", company, "--name", "crash",
      "--scopes", "read:interviews,write:interviews").getString("key");
    Response created = jar.api().post("/interviews", key, "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"" + NUMBER + "\"},\"agent\":{\"name\":\"Screening\",\"questions\":[\"Why this role?\"]}}");
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    String id = created.data().getString("id");

    await().atMost(Duration.ofSeconds(30)).until(() -> creates(provider).size() == 1);
    assertThat(Sql.count(database, "SELECT count(*) FROM live_calls WHERE interview_id = ? AND dialled_at IS NULL", id))
      .as("killed between the create and its answer: the dial is not confirmed").isEqualTo(1);
    jar.kill9();
    jar.restart();

    await().atMost(Duration.ofSeconds(90)).until(() -> "COMPLETED".equals(jar.api().get("/interviews/" + id, key).data().getString("status")));
    assertThat(creates(provider)).as("creates the platform received").hasSize(1);
    assertThat(searches(provider)).as("the new node asked the platform for the call").isPositive();
    assertThat(jar.api().get("/interviews/" + id, key).data().getJsonArray("callAttempts")).hasSize(1);
    assertThat(platform.violations()).isEmpty();
  }

  private List<Received> creates(String provider) {
    return provider.equals("vapi") ? ((FakeVapi) platform).creates() : ((FakeRetell) platform).creates();
  }

  private int searches(String provider) {
    return provider.equals("vapi") ? ((FakeVapi) platform).listQueries().size() : ((FakeRetell) platform).listQueries().size();
  }
}
