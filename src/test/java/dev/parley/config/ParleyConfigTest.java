package dev.parley.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry at work: where values come from, what stops a start, and what is never shown. */
class ParleyConfigTest {
  @TempDir
  Path work;
  @TempDir
  Path jar;

  static Path write(Path dir, String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file.toAbsolutePath().normalize();
  }

  ParleyConfig load(Map<String, String> env) {
    return ParleyConfig.load(env, jar, work);
  }

  String failure(Map<String, String> env) {
    try {
      load(env);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).as("one line").doesNotContain("\n").startsWith("Invalid configuration: ");
      return e.getMessage();
    }
    throw new AssertionError("the configuration loaded: " + env);
  }

  // --- where values come from ---

  @Test
  void withoutFileOrVariablesEverySettingHasItsDefault() {
    ParleyConfig config = load(Map.of());
    assertThat(config.file()).isNull();
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.publicUrl()).isEqualTo("http://localhost:8080");
    assertThat(config.recordingMaxBytes()).isEqualTo(50L * 1024 * 1024);
    assertThat(config.analysisModel()).isEqualTo("gpt-4o-mini");
    assertThat(config.providerSecret()).isNull();
    for (Setting<?> s : Settings.ALL) assertThat(config.source(s).text()).as(s.variable()).isEqualTo("default");
  }

  @Test
  void theWorkingDirectorysFileIsReadWhenNoneIsBesideTheJar() throws Exception {
    Path file = write(work, "conf/config.json", "{\"httpPort\": 8181, \"cluster\": true, \"defaultRateLimit\": \"5/50\"}");
    ParleyConfig config = load(Map.of());
    assertThat(config.file()).isEqualTo(file);
    assertThat(config.httpPort()).isEqualTo(8181);
    assertThat(config.publicUrl()).isEqualTo("http://localhost:8181");
    assertThat(config.cluster()).isTrue();
    assertThat(config.defaultRateLimit()).isEqualTo("5/50");
    assertThat(config.source(Settings.HTTP_PORT).text()).isEqualTo("file:" + file);
    assertThat(config.source(Settings.HTTP_HOST).text()).isEqualTo("default");
  }

  @Test
  void theFileBesideTheJarWinsOverTheWorkingDirectorys() throws Exception {
    Path besideJar = write(jar, "conf/config.json", "{\"httpPort\": 8282}");
    Path inWork = write(work, "conf/config.json", "{\"httpPort\": 8181}");
    ParleyConfig config = load(Map.of());
    assertThat(config.file()).isEqualTo(besideJar);
    assertThat(config.ignoredFile()).isEqualTo(inWork);
    assertThat(config.httpPort()).isEqualTo(8282);
    assertThat(config.effective().getString("ignoredConfigFile")).isEqualTo(inWork.toString());
  }

  @Test
  void runFromTheJarsOwnDirectoryTheFileIsOneAndNothingIsIgnored() throws Exception {
    Path file = write(jar, "conf/config.json", "{\"httpPort\": 8282}");
    ParleyConfig config = ParleyConfig.load(Map.of(), jar, jar);
    assertThat(config.file()).isEqualTo(file);
    assertThat(config.ignoredFile()).isNull();
    assertThat(config.effective().containsKey("ignoredConfigFile")).isFalse();
  }

  @Test
  void parleyConfigWinsOverBothAndIsRelativeToTheWorkingDirectory() throws Exception {
    write(jar, "conf/config.json", "{\"httpPort\": 8282}");
    write(work, "conf/config.json", "{\"httpPort\": 8181}");
    Path named = write(work, "elsewhere/parley.json", "{\"httpPort\": 8383}");
    ParleyConfig config = load(Map.of("PARLEY_CONFIG", "elsewhere/parley.json"));
    assertThat(config.file()).isEqualTo(named);
    assertThat(config.ignoredFile()).isNull();
    assertThat(config.httpPort()).isEqualTo(8383);
    assertThat(config.source(Settings.PARLEY_CONFIG).text()).isEqualTo("env:PARLEY_CONFIG");
  }

  @Test
  void theEnvironmentWinsOverTheFileAndAnOptionOverTheEnvironment() throws Exception {
    Path file = write(work, "conf/config.json", "{\"httpPort\": 8181, \"dbPoolSize\": 3}");
    ParleyConfig config = load(Map.of("HTTP_PORT", " 9191 ", "PARLEY_DB_POOL_SIZE", "  ", "DATABASE_URL", "postgresql://a@h/env"));
    assertThat(config.httpPort()).isEqualTo(9191);
    assertThat(config.source(Settings.HTTP_PORT).text()).isEqualTo("env:HTTP_PORT");
    assertThat(config.dbPoolSize()).as("a blank variable is unset").isEqualTo(3);
    assertThat(config.source(Settings.PARLEY_DB_POOL_SIZE).text()).isEqualTo("file:" + file);

    ParleyConfig withOption = config.withOption("--database-url", Settings.DATABASE_URL, "postgresql://a@h/option");
    assertThat(withOption.get(Settings.DATABASE_URL)).isEqualTo("postgresql://a@h/option");
    assertThat(withOption.env()).containsEntry("DATABASE_URL", "postgresql://a@h/option");
    assertThat(withOption.source(Settings.DATABASE_URL).text()).isEqualTo("option:--database-url");
    assertThat(config.env()).containsEntry("DATABASE_URL", "postgresql://a@h/env");
  }

  @Test
  void everyKeyOfTheProjectsConfigFileIsAWorkingSetting() throws Exception {
    Path project = Path.of("").toAbsolutePath();
    JsonObject shipped = new JsonObject(Files.readString(project.resolve("conf/config.json")));
    ParleyConfig config = ParleyConfig.load(Map.of(), null, project);
    for (String key : shipped.fieldNames()) {
      Setting<?> setting = Settings.byKey(key);
      assertThat(setting).as(key).isNotNull();
      assertThat(config.source(setting).text()).as(key).isEqualTo("file:" + project.resolve("conf/config.json"));
      assertThat(config.effective().getJsonObject("settings").getJsonObject(setting.variable()).getValue("value"))
        .as(key).isEqualTo(shipped.getValue(key));
    }
  }

  // --- what stops a start ---

  @Test
  void anUnknownKeyStopsTheStartNamingKeyAndFile() throws Exception {
    Path file = write(work, "conf/config.json", "{\"httpPort\": 8181, \"clustr\": true}");
    assertThat(failure(Map.of())).isEqualTo("Invalid configuration: unknown key \"clustr\" in " + file + " (did you mean \"cluster\"?)");
    write(work, "conf/config.json", "{\"analysis\": {\"provider\": \"openai\"}}");
    assertThat(failure(Map.of())).contains("unknown key \"analysis\"");
  }

  @Test
  void anUnknownParleyVariableStopsTheStartNamingItAndTheNearestSetting() {
    assertThat(failure(Map.of("PARLEY_PROVDER", "vapi")))
      .isEqualTo("Invalid configuration: unknown environment variable PARLEY_PROVDER (did you mean PARLEY_PROVIDER?)");
    assertThat(failure(Map.of("PARLEY_DB_POOL_SIZ", "4")))
      .isEqualTo("Invalid configuration: unknown environment variable PARLEY_DB_POOL_SIZ (did you mean PARLEY_DB_POOL_SIZE?)");
    assertThat(failure(Map.of("PARLEY_SOMETHING_ELSE_ENTIRELY", "1")))
      .isEqualTo("Invalid configuration: unknown environment variable PARLEY_SOMETHING_ELSE_ENTIRELY "
        + "(the variables are those of the settings table in docs/configuration.md)");
    // the variables of Parley's own tools, and other programs' variables, are no settings and no mistake
    load(Map.of("PARLEY_TOKEN", "sk_test_x", "PARLEY_TEST_DATABASE_URL", "postgresql://h/db", "PARLEY_JAR", "a.jar",
      "PARLEYS_OWN", "x", "PGHOST", "h"));
  }

  @Test
  void aMissingOrMalformedFileStopsTheStart() throws Exception {
    assertThat(failure(Map.of("PARLEY_CONFIG", "/no/such/parley.json")))
      .isEqualTo("Invalid configuration: PARLEY_CONFIG=/no/such/parley.json: no such file");
    write(work, "a.json", "[1, 2]");
    assertThat(failure(Map.of("PARLEY_CONFIG", "a.json"))).isEqualTo("Invalid configuration: PARLEY_CONFIG=a.json: not a JSON object");
    write(work, "b.json", "{\"httpPort\": 8080,");
    assertThat(failure(Map.of("PARLEY_CONFIG", "b.json"))).startsWith("Invalid configuration: PARLEY_CONFIG=b.json: not valid JSON (");
    Files.createDirectories(work.resolve("a-directory.json"));
    assertThat(failure(Map.of("PARLEY_CONFIG", "a-directory.json"))).startsWith("Invalid configuration: PARLEY_CONFIG=a-directory.json: cannot read it (");
    Path broken = write(work, "conf/config.json", "");
    assertThat(failure(Map.of())).isEqualTo("Invalid configuration: " + broken + ": not a JSON object");
  }

  @Test
  void badValuesFromTheEnvironmentNameTheVariableAndTheValue() {
    assertThat(failure(Map.of("HTTP_PORT", "80x")))
      .isEqualTo("Invalid configuration: HTTP_PORT=80x from the environment must be a whole number from 1 to 65535");
    assertThat(failure(Map.of("HTTP_PORT", "70000"))).contains("HTTP_PORT=70000 from the environment must be a whole number from 1 to 65535");
    assertThat(failure(Map.of("PARLEY_DB_READ_CONNECTIONS", "0"))).contains("PARLEY_DB_READ_CONNECTIONS=0 from the environment must be a whole number, at least 1");
    assertThat(failure(Map.of("PARLEY_RECORDING_MAX_BYTES", "1e9"))).contains("PARLEY_RECORDING_MAX_BYTES=1e9");
    assertThat(failure(Map.of("CLUSTER", "yes"))).contains("CLUSTER=yes from the environment must be true or false");
    assertThat(failure(Map.of("PARLEY_PROVIDER", "sip"))).contains("PARLEY_PROVIDER=sip from the environment must be one of simulator, http");
    assertThat(failure(Map.of("PARLEY_DEFAULT_RATE_LIMIT", "60-2000"))).contains("PARLEY_DEFAULT_RATE_LIMIT=60-2000 from the environment must be MINUTE/HOUR");
    assertThat(failure(Map.of("PARLEY_DEFAULT_RATE_LIMIT", "60/-1"))).contains("PARLEY_DEFAULT_RATE_LIMIT=60/-1");
    assertThat(failure(Map.of("PARLEY_PUBLIC_URL", "localhost:8080"))).contains("PARLEY_PUBLIC_URL=localhost:8080 from the environment must be an http:// or https:// URL");
    assertThat(failure(Map.of("PARLEY_CLUSTER_MEMBERS", "10.0.0.1:99999"))).contains("PARLEY_CLUSTER_MEMBERS=10.0.0.1:99999 from the environment must be a comma-separated list");
    assertThat(failure(Map.of("PGPORT", "five"))).contains("PGPORT=five from the environment must be a whole number from 1 to 65535");
    assertThat(failure(Map.of("PARLEY_EMBEDDED_PG_PORT", "0"))).contains("PARLEY_EMBEDDED_PG_PORT=0");
  }

  @Test
  void badValuesInTheFileNameTheKeyTheVariableAndTheFile() throws Exception {
    Path file = write(work, "conf/config.json", "{\"httpPort\": \"8080\"}");
    assertThat(failure(Map.of())).isEqualTo("Invalid configuration: \"httpPort\": \"8080\" in " + file
      + " (HTTP_PORT) must be a whole number from 1 to 65535");
    write(work, "conf/config.json", "{\"dbPoolSize\": 4.5}");
    assertThat(failure(Map.of())).contains("\"dbPoolSize\": 4.5 in " + file + " (PARLEY_DB_POOL_SIZE) must be a whole number, at least 1");
    write(work, "conf/config.json", "{\"cluster\": \"true\"}");
    assertThat(failure(Map.of())).contains("\"cluster\": \"true\" in " + file + " (CLUSTER) must be true or false");
    write(work, "conf/config.json", "{\"provider\": 1}");
    assertThat(failure(Map.of())).contains("\"provider\": 1 in " + file + " (PARLEY_PROVIDER) must be one of simulator, http");
    write(work, "conf/config.json", "{\"clusterPort\": 0}");
    assertThat(failure(Map.of())).contains("(PARLEY_CLUSTER_PORT) must be a whole number from 1 to 65535");
    // where the environment sets it, the file's value is not read
    assertThat(load(Map.of("PARLEY_CLUSTER_PORT", "5801")).clusterPort()).isEqualTo(5801);
  }

  @Test
  void settingsThatOnlyWorkTogetherAreCheckedTogether() {
    assertThat(failure(Map.of("PARLEY_PROVIDER", "http", "PARLEY_PROVIDER_URL", "http://provider.test")))
      .isEqualTo("Invalid configuration: PARLEY_PROVIDER=http needs PARLEY_PROVIDER_URL and PARLEY_PROVIDER_SECRET");
    assertThat(load(Map.of("PARLEY_PROVIDER", "HTTP", "PARLEY_PROVIDER_URL", "http://provider.test", "PARLEY_PROVIDER_SECRET", "s"))
      .provider()).isEqualTo("http");
  }

  // --- what is never shown ---

  @Test
  void secretsAreMaskedInThePrintAndHiddenInErrors() throws Exception {
    Map<String, String> env = Map.of(
      "PARLEY_JWT_KEYS", "new=jwt-secret-one,old=jwt-secret-two",
      "PARLEY_PROVIDER_SECRET", "provider-secret-three",
      "PARLEY_ANALYSIS_API_KEY", "sk-analysis-four",
      "PGPASSWORD", "pg-password-five",
      "DATABASE_URL", "postgresql://parley:url-pass%40six@db.example:5432/parley?sslmode=require&password=query-seven",
      "PARLEY_ANALYSIS_BASE_URL", "https://user:base-eight@llm.example/v1?api_key=base-nine");
    write(work, "conf/config.json", "{\"jwtSecret\": \"file-secret-ten\"}");
    ParleyConfig config = load(env);
    assertThat(config.jwtKeyPairs()).extracting(Map.Entry::getKey).containsExactly("new", "old");
    assertThat(config.jwtSecret()).isEqualTo("file-secret-ten");
    JsonObject settings = config.effective().getJsonObject("settings");
    String printed = config.effective().encode();
    for (String secret : new String[] {"jwt-secret", "provider-secret", "sk-analysis", "pg-password", "url-pass", "six",
      "query-seven", "base-eight", "base-nine", "file-secret"}) {
      assertThat(printed).as(secret).doesNotContain(secret);
    }
    assertThat(settings.getJsonObject("PARLEY_JWT_KEYS").getString("value")).isEqualTo(Setting.MASK);
    assertThat(settings.getJsonObject("PARLEY_JWT_SECRET").getString("value")).isEqualTo(Setting.MASK);
    assertThat(settings.getJsonObject("PARLEY_JWT_SECRET").getString("source")).startsWith("file:");
    assertThat(settings.getJsonObject("PGPASSWORD").getString("value")).isEqualTo(Setting.MASK);
    assertThat(settings.getJsonObject("DATABASE_URL").getString("value"))
      .isEqualTo("postgresql://parley:********@db.example:5432/parley?sslmode=require&password=********");
    assertThat(settings.getJsonObject("PARLEY_ANALYSIS_BASE_URL").getString("value"))
      .isEqualTo("https://user:********@llm.example/v1?api_key=********");
    assertThat(settings.getJsonObject("PARLEY_JWT_ISSUER").getString("value")).isEqualTo("parley");
    assertThat(settings.getJsonObject("PARLEY_PROVIDER_URL").getValue("value")).as("unset").isNull();

    assertThat(failure(Map.of("PARLEY_JWT_KEYS", "just-a-secret")))
      .isEqualTo("Invalid configuration: PARLEY_JWT_KEYS=(hidden) from the environment must be kid1=secret1,kid2=secret2");
    write(work, "conf/config.json", "{\"jwtKeys\": \"a=ok,b=\"}");
    assertThat(failure(Map.of())).contains("\"jwtKeys\": (hidden) in").doesNotContain("a=ok");
  }
}
