package dev.parley.config;

import dev.parley.support.JarProcess;
import dev.parley.support.JarProcess.Finished;
import dev.parley.support.TestDatabase;
import dev.parley.support.TestSecrets;
import dev.parley.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration story as a user meets it, with the real jar: a copy of it in a directory of
 * its own with {@code conf/config.json} beside it, started from another working directory.
 */
class ConfigurationIT {
  static TestDatabase database;

  @TempDir
  Path tmp;
  Path jar;
  Path elsewhere;
  Path besideJar;

  @BeforeAll
  static void createDatabase() {
    database = TestDatabase.create("configuration");
  }

  @AfterAll
  static void dropDatabase() {
    database.close();
  }

  /** {@code <tmp>/opt/parley.jar} with {@code <tmp>/opt/conf/config.json}, run from {@code <tmp>/elsewhere}. */
  void install(String configJson) throws Exception {
    tmp = tmp.toRealPath();
    Path opt = Files.createDirectories(tmp.resolve("opt"));
    jar = opt.resolve("parley.jar");
    Files.copy(JarProcess.BUILT_JAR, jar);
    besideJar = Files.createDirectories(opt.resolve("conf")).resolve("config.json");
    Files.writeString(besideJar, configJson);
    elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
  }

  Map<String, String> serverEnv() throws Exception {
    return TestSecrets.under(Map.of(), Map.of("DATABASE_URL", database.url(), "PARLEY_DATA_DIR", Files.createTempDirectory(tmp, "data").toString(),
      "PARLEY_EVENT_LOOPS", "1", "PARLEY_DB_POOL_SIZE", "2", "PARLEY_DB_READ_CONNECTIONS", "1"));
  }

  @Test
  void theJarStartedFromElsewhereReadsTheConfigFileBesideItAndParleyConfigWins() throws Exception {
    int port = TestServer.freePort();
    install("{\"httpPort\": " + port + ", \"httpHost\": \"127.0.0.1\", \"defaultRateLimit\": \"0/0\"}");
    // a config file in the working directory too: the one beside the jar wins
    Files.createDirectories(elsewhere.resolve("conf"));
    Files.writeString(elsewhere.resolve("conf/config.json"), "{\"httpPort\": 1}");
    try (JarProcess server = JarProcess.start(jar, elsewhere, serverEnv(), port, tmp.resolve("beside.log"))) {
      assertThat(server.status("/health/ready")).isEqualTo(200);
      assertThat(Files.readString(tmp.resolve("beside.log")))
        .contains("Configuration file: " + besideJar)
        .contains(elsewhere.resolve("conf/config.json") + " is not read");
    }

    int other = TestServer.freePort();
    Path named = tmp.resolve("named.json");
    Files.writeString(named, "{\"httpPort\": " + other + ", \"httpHost\": \"127.0.0.1\"}");
    Map<String, String> env = new HashMap<>(serverEnv());
    env.put("PARLEY_CONFIG", named.toString());
    try (JarProcess server = JarProcess.start(jar, elsewhere, env, other, tmp.resolve("named.log"))) {
      assertThat(server.status("/health/ready")).isEqualTo(200);
      assertThat(Files.readString(tmp.resolve("named.log"))).contains("Configuration file: " + named);
    }
  }

  @Test
  void anUnknownKeyStopsTheStartWithOneLine() throws Exception {
    install("{\"httpPort\": 8080, \"defaultRatelimit\": \"60/2000\"}");
    Finished run = JarProcess.run(jar, elsewhere, serverEnv());
    assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
    assertThat(run.stdout()).isEmpty();
    assertThat(run.stderr().lines()).containsExactly("Parley could not start: Invalid configuration: unknown key \"defaultRatelimit\" in "
      + besideJar + " (did you mean \"defaultRateLimit\"?)");
  }

  @Test
  void anUnknownParleyVariableStopsTheStartWithOneLine() throws Exception {
    install("{\"httpPort\": 8080}");
    Map<String, String> env = new HashMap<>(serverEnv());
    env.put("PARLEY_HTTP_PORT", "8080");
    Finished run = JarProcess.run(jar, elsewhere, env);
    assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
    assertThat(run.stdout()).isEmpty();
    assertThat(run.stderr().lines()).containsExactly(
      "Parley could not start: Invalid configuration: unknown environment variable PARLEY_HTTP_PORT (did you mean HTTP_PORT?)");
  }

  @Test
  void aBadValueInAVariableStopsTheStartWithOneLineNamingIt() throws Exception {
    install("{\"dbPoolSize\": 4}");
    Map<String, String> env = new HashMap<>(serverEnv());
    env.put("PARLEY_DB_POOL_SIZE", "lots");
    Finished run = JarProcess.run(jar, elsewhere, env);
    assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
    assertThat(run.stderr().lines()).containsExactly(
      "Parley could not start: Invalid configuration: PARLEY_DB_POOL_SIZE=lots from the environment must be a whole number, at least 1");

    // the admin commands check it the same way, and say so in their one JSON object
    Finished admin = JarProcess.run(jar, elsewhere, env, "admin", "company", "create", "--name", "Acme");
    assertThat(admin.exit()).isEqualTo(1);
    JsonObject error = new JsonObject(admin.stdout().trim()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("INVALID_CONFIGURATION");
    assertThat(error.getString("message")).contains("PARLEY_DB_POOL_SIZE=lots");
  }

  @Test
  void configPrintShowsValuesSourcesAndMaskedSecretsWithoutTheDatabase() throws Exception {
    install("{\"httpPort\": 8181, \"jwtSecret\": \"file-jwt-secret-3f9a\", \"cluster\": false}");
    int closed = TestServer.freePort(); // nothing listens there: PostgreSQL is "down"
    Map<String, String> env = Map.of(
      "DATABASE_URL", "postgresql://parley:url-password-77c1@127.0.0.1:" + closed + "/parley",
      "PARLEY_PROVIDER_SECRET", "provider-secret-91b2",
      "PGPASSWORD", "pg-password-5d0e",
      "PARLEY_KEY_CACHE_SECONDS", "11",
      "PARLEY_KEY_PEPPERS", "p1=5eed0000111122223333444455556666");
    Finished run = JarProcess.run(jar, elsewhere, env, "admin", "config", "print");
    assertThat(run.exit()).as(run.stdout() + run.stderr()).isZero();
    assertThat(run.stdout().trim().lines()).hasSize(1);
    JsonObject printed = new JsonObject(run.stdout().trim());
    assertThat(printed.getString("configFile")).isEqualTo(besideJar.toString());
    JsonObject settings = printed.getJsonObject("settings");
    assertThat(settings.fieldNames()).containsExactlyElementsOf(Settings.ALL.stream().map(Setting::variable).toList());
    assertThat(settings.getJsonObject("HTTP_PORT")).isEqualTo(new JsonObject()
      .put("key", "httpPort").put("value", 8181).put("source", "file:" + besideJar));
    assertThat(settings.getJsonObject("PARLEY_KEY_CACHE_SECONDS")).isEqualTo(new JsonObject()
      .put("key", "keyCacheSeconds").put("value", 11).put("source", "env:PARLEY_KEY_CACHE_SECONDS"));
    assertThat(settings.getJsonObject("PARLEY_DB_POOL_SIZE")).isEqualTo(new JsonObject()
      .put("key", "dbPoolSize").put("value", 8).put("source", "default"));
    assertThat(settings.getJsonObject("PARLEY_JWT_SECRET").getString("value")).isEqualTo("********");
    assertThat(settings.getJsonObject("PARLEY_PROVIDER_SECRET").getString("value")).isEqualTo("********");
    assertThat(settings.getJsonObject("PARLEY_KEY_PEPPERS").getString("value")).isEqualTo("********");
    assertThat(settings.getJsonObject("PGPASSWORD").getString("value")).isEqualTo("********");
    assertThat(settings.getJsonObject("DATABASE_URL").getString("value"))
      .isEqualTo("postgresql://parley:********@127.0.0.1:" + closed + "/parley");
    for (String secret : new String[] {"file-jwt-secret", "3f9a", "url-password", "77c1", "provider-secret", "91b2", "pg-password", "5d0e", "5eed0000"}) {
      assertThat(run.stdout() + run.stderr()).as(secret).doesNotContain(secret);
    }

    // --database-url is an option: it wins, and says so
    Finished option = JarProcess.run(jar, elsewhere, env, "admin", "--database-url", "postgresql://cli@127.0.0.1:" + closed + "/x",
      "config", "print");
    assertThat(option.exit()).isZero();
    assertThat(new JsonObject(option.stdout().trim()).getJsonObject("settings").getJsonObject("DATABASE_URL"))
      .isEqualTo(new JsonObject().put("key", null).put("value", "postgresql://cli@127.0.0.1:" + closed + "/x")
        .put("source", "option:--database-url"));
  }
}
