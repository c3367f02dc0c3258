package dev.parley.secrets;

import dev.parley.support.JarProcess;
import dev.parley.support.Sql;
import dev.parley.support.TestDatabase;
import dev.parley.support.TestServer;
import dev.parley.support.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The JWT keys and the API-key peppers live outside PostgreSQL (docs/operations.md#secrets):
 * where a node takes them from, what it refuses, how a database of an earlier version gives its
 * secrets up without losing a key or a token, and how the pepper rotates.
 */
class SecretsIT {
  /** Settings that take the test secrets away, as on a machine where the operator set none. */
  static final Map<String, String> NO_SECRETS = new HashMap<>();
  static {
    NO_SECRETS.put("PARLEY_JWT_KEYS", null);
    NO_SECRETS.put("PARLEY_KEY_PEPPERS", null);
  }

  static Vertx vertx;
  @TempDir
  Path tmp;

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  static Map<String, String> with(Map<String, String> base, String... pairs) {
    Map<String, String> all = new HashMap<>(base);
    for (int i = 0; i < pairs.length; i += 2) all.put(pairs[i], pairs[i + 1]);
    return all;
  }

  static String interviewsStatus(TestServer server, String credential) {
    return String.valueOf(server.get("/v1/interviews", credential).status());
  }

  static String token(String kid, String secret, String companyId) {
    return Tokens.signed(vertx, secret, kid, Tokens.companyClaims(companyId, Instant.now().getEpochSecond() + 600));
  }

  @Test
  void aNodeOnADatabaseUrlOrInAClusterRefusesToStartWithoutItsSecretsAndNamesTheSetting() throws Exception {
    try (TestDatabase db = TestDatabase.create("secrets_refused")) {
      Path dataDir = Files.createDirectories(tmp.resolve("data"));
      JarProcess.Finished onUrl = JarProcess.run(Map.of("DATABASE_URL", db.url(), "PARLEY_DATA_DIR", dataDir.toString(),
        "PARLEY_JWT_KEYS", "", "PARLEY_KEY_PEPPERS", ""));
      assertThat(onUrl.exit()).as(onUrl.stderr()).isEqualTo(1);
      assertThat(onUrl.lastErrorLine())
        .startsWith("Parley could not start: Invalid configuration: a node with DATABASE_URL takes the server's secrets")
        .contains("PARLEY_SECRETS_FILE", "admin secrets generate --file");

      Map<String, String> clustered = with(db.pgVariables(), "DATABASE_URL", "", "CLUSTER", "true",
        "PARLEY_DATA_DIR", dataDir.toString(), "PARLEY_JWT_KEYS", "", "PARLEY_KEY_PEPPERS", "");
      JarProcess.Finished inCluster = JarProcess.run(clustered);
      assertThat(inCluster.exit()).as(inCluster.stderr()).isEqualTo(1);
      assertThat(inCluster.lastErrorLine()).contains("a node with CLUSTER=true takes the server's secrets", "PARLEY_SECRETS_FILE");

      // one secret of two is not enough either, and the message says which one is missing
      JarProcess.Finished half = JarProcess.run(with(clustered, "PARLEY_JWT_KEYS", "k1=a-jwt-key-of-thirty-two-characters"));
      assertThat(half.exit()).isEqualTo(1);
      assertThat(half.lastErrorLine()).contains("its API-key peppers (PARLEY_KEY_PEPPERS or keyPeppers in the secrets file)");

      // nothing was generated anywhere: not into the data directory, not into the database
      assertThat(dataDir.resolve("secrets.json")).doesNotExist();
      assertThat(Sql.rows(db, "SELECT count(*) AS n FROM server_secrets").get(0).get("n")).isEqualTo(0L);
    }
  }

  @Test
  void theSecretsFileIsTheServersAloneAndIsAllItNeeds() throws Exception {
    Path file = tmp.resolve("secrets.json");
    JsonObject generated = TestServer.adminAt(with(System.getenv(), "PARLEY_JWT_KEYS", "", "PARLEY_KEY_PEPPERS", ""), null,
      "secrets", "generate", "--file", file.toString());
    assertThat(generated.getInteger("_exit")).as(generated.encode()).isZero();
    assertThat(generated.getJsonArray("jwtKeys").getList()).containsExactly("k1");
    assertThat(generated.getJsonArray("keyPeppers").getList()).containsExactly("p1");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    JsonObject contents = new JsonObject(Files.readString(file));
    String jwtSecret = contents.getJsonArray("jwtKeys").getJsonObject(0).getString("secret");
    String pepper = contents.getJsonArray("keyPeppers").getJsonObject(0).getString("secret");
    assertThat(generated.encode()).doesNotContain(jwtSecret).doesNotContain(pepper);
    // never overwritten: it may be the only copy of a deployment's secrets
    assertThat(TestServer.adminAt(System.getenv(), null, "secrets", "generate", "--file", file.toString()).getInteger("_exit")).isEqualTo(1);
    assertThat(new JsonObject(Files.readString(file))).isEqualTo(contents);

    Map<String, String> fromFile = with(NO_SECRETS, "PARLEY_SECRETS_FILE", file.toString());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    Throwable refused = catchThrowable(() -> TestServer.start("secrets_open", fromFile));
    assertThat(refused).hasMessageContaining("is open to others (rw-r--r--)").hasMessageContaining("chmod 600");

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    try (TestServer server = TestServer.start("secrets_file", fromFile)) {
      TestServer.Tenant acme = server.company("Acme", "read:interviews");
      assertThat(interviewsStatus(server, acme.key())).isEqualTo("200");
      assertThat(interviewsStatus(server, token("k1", jwtSecret, acme.companyId()))).isEqualTo("200");
      assertThat(interviewsStatus(server, token("k1", "a-key-that-is-not-in-the-file-0123", acme.companyId()))).isEqualTo("401");
      // the database holds neither secret: only the key's hash and the name of its pepper
      assertThat(Sql.rows(server.database, "SELECT count(*) AS n FROM server_secrets").get(0).get("n")).isEqualTo(0L);
      assertThat(Sql.rows(server.database, "SELECT pepper_version FROM api_keys")).containsExactly(Map.of("pepper_version", "p1"));
    }
  }

  @Test
  void aSingleNodeWithoutDatabaseUrlGeneratesItsSecretsIntoTheDataDirectoryOnceAndKeepsThem() throws Exception {
    Path dataDir = Files.createDirectories(tmp.resolve("single"));
    try (TestDatabase db = TestDatabase.create("secrets_single")) {
      Map<String, String> settings = new HashMap<>(NO_SECRETS);
      settings.putAll(db.pgVariables());
      settings.put("DATABASE_URL", "");
      settings.put("PARLEY_DATA_DIR", dataDir.toString());
      try (TestServer server = TestServer.onSettings(settings)) {
        Path file = dataDir.resolve("secrets.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String first = Files.readString(file);
        JsonObject key = server.admin("company", "create", "--name", "Solo");
        JsonObject made = server.admin("key", "create", "--company", key.getString("id"), "--name", "solo", "--scopes", "read:interviews");
        assertThat(made.getInteger("_exit")).as(made.encode()).isZero();
        assertThat(interviewsStatus(server, made.getString("key"))).isEqualTo("200");

        server.restart();
        assertThat(Files.readString(file)).as("the same secrets after a restart").isEqualTo(first);
        assertThat(interviewsStatus(server, made.getString("key"))).isEqualTo("200");
        assertThat(Sql.rows(db, "SELECT count(*) AS n FROM server_secrets").get(0).get("n")).isEqualTo(0L);
      }
    }
  }

  @Test
  void aDatabaseOfAnEarlierVersionGivesUpItsSecretsAndItsKeysAndTokensKeepWorking() throws Exception {
    String storedPepper = "4c0ffee0123456789abcdef0123456789abcdef0123456789abcdef012345678";
    String storedJwt = "an-earlier-versions-generated-jwt-key-0123456789";
    try (TestDatabase db = TestDatabase.create("secrets_legacy")) {
      // what an earlier version left: its generated pepper and JWT key in server_secrets, and a key
      // hashed under that pepper (V17 names the pepper of such keys "stored")
      Map<String, String> earlier = with(System.getenv(), "PARLEY_KEY_PEPPERS", "stored=" + storedPepper,
        "PARLEY_JWT_KEYS", "generated=" + storedJwt);
      String companyId = TestServer.adminAt(earlier, db.url(), "company", "create", "--name", "Old").getString("id");
      String oldKey = TestServer.adminAt(earlier, db.url(), "key", "create", "--company", companyId, "--name", "old",
        "--scopes", "read:interviews").getString("key");
      Sql.execute(db, "INSERT INTO server_secrets (name, value) VALUES ('api_key_hash_key', ?), ('jwt_secret', ?)", storedPepper, storedJwt);
      assertThat(Sql.rows(db, "SELECT pepper_version FROM api_keys")).containsExactly(Map.of("pepper_version", "stored"));

      // a node whose secrets lack them refuses: they would silently invalidate that key and every token
      Throwable lacking = catchThrowable(() -> TestServer.node(db, Map.of()));
      assertThat(lacking).hasMessageContaining("the database still holds the API-key pepper and JWT key an earlier version generated")
        .hasMessageContaining("admin secrets export --file");
      Throwable none = catchThrowable(() -> TestServer.node(db, NO_SECRETS));
      assertThat(none).hasMessageContaining("this database still holds an earlier version's: move them out with")
        .hasMessageContaining("admin secrets export --file");
      assertThat(Sql.rows(db, "SELECT count(*) AS n FROM server_secrets").get(0).get("n")).as("refusing deletes nothing").isEqualTo(2L);

      Path file = tmp.resolve("exported.json");
      Map<String, String> operator = with(System.getenv(), "PARLEY_JWT_KEYS", "", "PARLEY_KEY_PEPPERS", "");
      JsonObject exported = TestServer.adminAt(operator, db.url(), "secrets", "export", "--file", file.toString());
      assertThat(exported.getInteger("_exit")).as(exported.encode()).isZero();
      assertThat(exported.getJsonArray("jwtKeys").getList()).containsExactly("generated");
      assertThat(exported.getJsonArray("keyPeppers").getList()).containsExactly("stored");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      assertThat(Sql.rows(db, "SELECT count(*) AS n FROM server_secrets").get(0).get("n")).isEqualTo(0L);
      JsonObject again = TestServer.adminAt(operator, db.url(), "secrets", "export", "--file", tmp.resolve("again.json").toString());
      assertThat(again.getInteger("_exit")).isEqualTo(1);
      assertThat(again.getJsonObject("error").getString("code")).isEqualTo("NOT_FOUND");

      try (TestServer server = TestServer.node(db, with(NO_SECRETS, "PARLEY_SECRETS_FILE", file.toString()))) {
        assertThat(interviewsStatus(server, oldKey)).isEqualTo("200");
        assertThat(interviewsStatus(server, token("generated", storedJwt, companyId))).isEqualTo("200");
      }
    }
  }

  @Test
  void thePepperRotatesByVersionWithoutInvalidatingAKeyInUse() {
    String p1 = "p1=" + "11".repeat(32), p2 = "p2=" + "22".repeat(32);
    try (TestServer server = TestServer.start("secrets_rotation", Map.of("PARLEY_KEY_PEPPERS", p1))) {
      TestServer.Tenant acme = server.company("Acme", "read:interviews");
      String unused = server.admin("key", "create", "--company", acme.companyId(), "--name", "never used", "--scopes", "read:interviews")
        .getString("key");
      assertThat(Sql.rows(server.database, "SELECT DISTINCT pepper_version FROM api_keys")).containsExactly(Map.of("pepper_version", "p1"));

      // step 1: the new pepper first, the old one still there
      server.restart(Map.of("PARLEY_KEY_PEPPERS", p2 + "," + p1));
      assertThat(interviewsStatus(server, acme.key())).isEqualTo("200");
      // the key in use was found under p1 and now has its hash under p2
      await().atMost(Duration.ofSeconds(10)).until(() -> Sql.rows(server.database,
        "SELECT pepper_version FROM api_keys WHERE id = ?::uuid", acme.keyId()).get(0).get("pepper_version").equals("p2"));
      JsonObject fresh = server.admin("key", "create", "--company", acme.companyId(), "--name", "new", "--scopes", "read:interviews");
      JsonObject status = server.admin("secrets", "status");
      assertThat(status.getJsonArray("keyPeppers")).isEqualTo(new JsonArray()
        .add(new JsonObject().put("version", "p2").put("hashesNewKeys", true).put("keys", 2))
        .add(new JsonObject().put("version", "p1").put("hashesNewKeys", false).put("keys", 1)));
      assertThat(status.getJsonArray("jwtKeys")).isEqualTo(new JsonArray().add(new JsonObject().put("kid", "test").put("signs", true)));
      assertThat(status.encode()).doesNotContain("11111111").doesNotContain("22222222");

      // step 2: the old pepper goes; status said one key was still under it, and that key stops working
      server.restart(Map.of("PARLEY_KEY_PEPPERS", p2));
      assertThat(server.admin("secrets", "status").getLong("keysUnderMissingPeppers")).isEqualTo(1L);
      assertThat(interviewsStatus(server, acme.key())).isEqualTo("200");
      assertThat(interviewsStatus(server, fresh.getString("key"))).isEqualTo("200");
      assertThat(interviewsStatus(server, unused)).isEqualTo("401");
      assertThat(List.of(Sql.rows(server.database, "SELECT count(*) AS n FROM server_secrets").get(0).get("n"))).containsExactly(0L);
    }
  }
}
