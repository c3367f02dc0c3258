package dev.parley.db;

import static dev.parley.support.TlsPostgres.NAMED_HOST;
import static dev.parley.support.TlsPostgres.UNNAMED_HOST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.parley.ParleyServer;
import dev.parley.config.ParleyConfig;
import dev.parley.support.JarProcess;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TlsPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TLS to PostgreSQL, against a PostgreSQL the test starts with TLS on and plaintext refused
 * ({@link TlsPostgres}): the server (in this JVM, and {@code java -jar target/parley.jar} where its
 * exit status counts) and the admin command connect with each sslmode as libpq would, from DATABASE_URL or PGSSLMODE/PGSSLROOTCERT, and a
 * setting that cannot work stops them with status 1 and one line that says why.
 */
@ExtendWith(VertxExtension.class)
class DatabaseTlsIT {
  static TlsPostgres pg;
  static Path logs;
  static final AtomicInteger databases = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    pg = TlsPostgres.start();
    logs = Files.createTempDirectory("parley-db-tls-logs");
  }

  @AfterAll
  static void stop() throws Exception {
    if (pg != null) pg.close();
    if (logs != null) {
      try (var files = Files.walk(logs)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  static String newDatabase() throws Exception {
    return pg.createDatabase("parley_tls_" + databases.incrementAndGet());
  }

  static String param(Path file) {
    return URLEncoder.encode(file.toString(), StandardCharsets.UTF_8);
  }

  /** The environment of a run: the given settings, and no PG* of the test's own database. */
  static Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    for (String v : new String[] {"DATABASE_URL", "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE", "PGSSLROOTCERT"}) {
      env.put(v, "");
    }
    for (int i = 0; i < pairs.length; i += 2) env.put(pairs[i], pairs[i + 1]);
    return env;
  }

  /** A node on the TLS server, with these settings (and the test's environment without its PG*). */
  static TestServer server(String... settings) {
    return TestServer.onSettings(env(settings));
  }

  /** {@code java -jar target/parley.jar admin ... company create}; its one JSON object, exit status as _exit. */
  static JsonObject jarCompanyCreate(Map<String, String> env, String... before) throws Exception {
    List<String> args = new ArrayList<>(List.of("admin"));
    args.addAll(List.of(before));
    args.addAll(List.of("company", "create", "--name", "TLS Ltd"));
    JarProcess.Finished exit = JarProcess.run(env, args.toArray(String[]::new));
    assertThat(exit.stdout().strip().lines()).as("admin prints one line; stderr: %s", exit.stderr()).hasSize(1);
    return new JsonObject(exit.stdout().strip()).put("_exit", exit.exit());
  }

  /** A company and a key made by the admin command, and an interview written and read back through the API. */
  static void apiWritesAndReads(TestServer server, String adminUrl) {
    JsonObject company = TestServer.adminAt(adminUrl, "company", "create", "--name", "TLS Ltd");
    assertThat(company.getInteger("_exit")).as(company.encode()).isZero();
    JsonObject key = TestServer.adminAt(adminUrl, "key", "create", "--company", company.getString("id"),
      "--name", "tls key", "--scopes", "read:interviews,write:interviews");
    assertThat(key.getInteger("_exit")).as(key.encode()).isZero();
    Response created = server.post("/v1/interviews", key.getString("key"), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"+421915123456\"},\"agent\":{\"name\":\"Screening\"},\"scheduledAt\":\"" + Instant.now().plusSeconds(86_400) + "\"}");
    assertThat(created.status()).as(created.body().encode()).isEqualTo(201);
    Response read = server.get("/v1/interviews/" + created.data().getString("id"), key.getString("key"));
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.data().getString("status")).isEqualTo("SCHEDULED");
  }

  /** A node with these settings serves the API (the admin command on adminUrl), over TLS only. */
  static void servesOverTls(String database, String adminUrl, String... settings) throws Exception {
    try (TestServer server = server(settings)) {
      apiWritesAndReads(server, adminUrl);
      serverConnectionsUseTls(database);
    }
  }

  /**
   * PostgreSQL's view: the server's own connections to this database (pool, reads) all use TLS,
   * and the migrations ran.
   */
  static void serverConnectionsUseTls(String database) throws Exception {
    try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
      try (ResultSet r = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE s.ssl)"
        + " FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.application_name = 'parley' AND a.datname = current_database()")) {
        r.next();
        assertThat(r.getInt(1)).as("the server's connections").isGreaterThanOrEqualTo(2);
        assertThat(r.getInt(2)).as("of which use TLS").isEqualTo(r.getInt(1));
      }
      try (ResultSet r = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success")) {
        r.next();
        assertThat(r.getInt(1)).as("migrations run").isPositive();
      }
    }
  }

  /** A start of the jar that must fail: status 1 and, last on stderr, the one line that says why. */
  static String jarFailedStart(Map<String, String> env) throws Exception {
    JarProcess.Finished exit = JarProcess.run(env);
    assertThat(exit.exit()).as(exit.stderr()).isEqualTo(1);
    assertThat(exit.stderr()).doesNotContain("\tat ");
    return exit.lastErrorLine();
  }

  /** A start in this JVM that must fail, before it serves: its one-line reason. */
  static String failedStart(String... settings) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(env(settings));
    env.put("PARLEY_DATA_DIR", logs.toString());
    env.put("HTTP_HOST", "127.0.0.1");
    env.put("HTTP_PORT", String.valueOf(TestServer.freePort()));
    Throwable failure = catchThrowable(() -> ParleyServer.start(ParleyConfig.load(env)));
    assertThat(failure).isInstanceOf(DatabaseUnavailableException.class);
    assertThat(failure.getMessage()).doesNotContain("\n");
    return failure.getMessage();
  }

  /** An admin command of the jar that must fail: status 1 and a one-line JSON error; returns its message. */
  static String jarFailedAdmin(Map<String, String> env, String... before) throws Exception {
    JsonObject result = jarCompanyCreate(env, before);
    assertThat(result.getInteger("_exit")).as(result.encode()).isEqualTo(1);
    assertThat(result.getJsonObject("error").getString("code")).isEqualTo("FAILED");
    return result.getJsonObject("error").getString("message");
  }

  /** An admin command in this JVM that must fail: status 1; returns its message. */
  static String failedAdmin(String url) {
    JsonObject result = TestServer.adminAt(url, "company", "create", "--name", "TLS Ltd");
    assertThat(result.getInteger("_exit")).as(result.encode()).isEqualTo(1);
    return result.getJsonObject("error").getString("message");
  }

  @Test
  void requireEncryptsWithoutCheckingTheCertificate() throws Exception {
    String db = newDatabase();
    // the CA is unknown to the JVM and the address not in the certificate: require checks neither
    String url = pg.url(UNNAMED_HOST, db) + "?sslmode=require";
    servesOverTls(db, url, "DATABASE_URL", url);
    // the jar's admin command, as an operator runs it
    JsonObject company = jarCompanyCreate(env("DATABASE_URL", url));
    assertThat(company.getInteger("_exit")).as(company.encode()).isZero();
    assertThat(company.getString("id")).isNotBlank();
  }

  @Test
  void verifyCaTrustsItsCaOnlyAndDoesNotCheckTheHostName() throws Exception {
    String db = newDatabase();
    String url = pg.url(UNNAMED_HOST, db) + "?sslmode=verify-ca&sslrootcert=" + param(pg.ca());
    servesOverTls(db, url, "DATABASE_URL", url);

    String wrongCa = pg.url(NAMED_HOST, db) + "?sslmode=verify-ca&sslrootcert=" + param(pg.otherCa());
    String expected = "TLS to PostgreSQL at " + NAMED_HOST + ":" + pg.port() + " failed: the server's certificate is not signed by"
      + " the root certificate " + pg.otherCa();
    assertThat(failedStart("DATABASE_URL", wrongCa)).startsWith(expected);
    assertThat(jarFailedAdmin(env("DATABASE_URL", wrongCa))).startsWith(expected);
  }

  @Test
  void verifyFullAlsoChecksTheHostName() throws Exception {
    String db = newDatabase();
    String url = pg.url(NAMED_HOST, db) + "?sslmode=verify-full&sslrootcert=" + param(pg.ca());
    servesOverTls(db, url, "DATABASE_URL", url);

    String otherName = pg.url(UNNAMED_HOST, db) + "?sslmode=verify-full&sslrootcert=" + param(pg.ca());
    String expected = "TLS to PostgreSQL at " + UNNAMED_HOST + ":" + pg.port() + " failed: the server's certificate does not"
      + " name the host " + UNNAMED_HOST;
    assertThat(failedStart("DATABASE_URL", otherName)).startsWith(expected);
    assertThat(failedAdmin(otherName)).startsWith(expected);
  }

  @Test
  void preferAndAllowUseTlsWhenTheServerWantsIt() throws Exception {
    String db = newDatabase();
    String url = pg.url(NAMED_HOST, db) + "?sslmode=prefer";
    servesOverTls(db, url, "DATABASE_URL", url);
    // allow tries plaintext first; this server refuses it, so TLS
    assertThat(TestServer.adminAt(pg.url(NAMED_HOST, db) + "?sslmode=allow", "company", "create", "--name", "Allow")
      .getInteger("_exit")).isZero();
  }

  @Test
  void disableIsRefusedByATlsOnlyServerInOneLine() throws Exception {
    String db = newDatabase();
    Map<String, String> env = env("DATABASE_URL", pg.url(NAMED_HOST, db) + "?sslmode=disable");
    String expected = "TLS to PostgreSQL at " + NAMED_HOST + ":" + pg.port() + " failed: the server refuses connections without TLS";
    assertThat(jarFailedStart(env)).startsWith(expected).contains("set sslmode=require or stronger");
    assertThat(jarFailedAdmin(env)).startsWith(expected);
  }

  @Test
  void pgSslModeAndPgSslRootCertApplyToThePgVariablesAndToDatabaseUrl() throws Exception {
    String db = newDatabase();
    String[] variables = {"PGHOST", NAMED_HOST, "PGPORT", String.valueOf(pg.port()), "PGUSER", "postgres",
      "PGDATABASE", db, "PGSSLMODE", "verify-full", "PGSSLROOTCERT", pg.ca().toString()};
    servesOverTls(db, pg.url(NAMED_HOST, db) + "?sslmode=verify-full&sslrootcert=" + param(pg.ca()), variables);
    assertThat(jarCompanyCreate(env(variables)).getInteger("_exit")).isZero();
    // with DATABASE_URL (and the admin's --database-url) that says nothing of TLS, the variables count
    assertThat(jarFailedAdmin(env("DATABASE_URL", pg.url(UNNAMED_HOST, db), "PGSSLMODE", "verify-full",
      "PGSSLROOTCERT", pg.ca().toString()))).contains("does not name the host " + UNNAMED_HOST);
    assertThat(jarFailedAdmin(env("PGSSLMODE", "verify-ca", "PGSSLROOTCERT", pg.otherCa().toString()),
      "--database-url", pg.url(NAMED_HOST, db))).contains("not signed by the root certificate " + pg.otherCa());
    // the URL's sslmode wins over PGSSLMODE, as in libpq
    assertThat(jarCompanyCreate(env("DATABASE_URL", pg.url(NAMED_HOST, db) + "?sslmode=require", "PGSSLMODE", "disable"))
      .getInteger("_exit")).isZero();
  }

  @Test
  void settingsThatCannotWorkStopTheStartWithOneLineNamingThem() throws Exception {
    String db = newDatabase();
    assertThat(jarFailedStart(env("DATABASE_URL", pg.url(NAMED_HOST, db) + "?sslmode=verify_full")))
      .isEqualTo("sslmode in DATABASE_URL is 'verify_full'; expected one of disable, allow, prefer, require, verify-ca, verify-full.");
    assertThat(jarFailedAdmin(env("PGSSLMODE", "verify-ca", "PGSSLROOTCERT", "/nonexistent/ca.pem"), "--database-url", pg.url(NAMED_HOST, db)))
      .isEqualTo("The root certificate /nonexistent/ca.pem from PGSSLROOTCERT does not exist.");
  }

  /** The Vert.x client on its own (the pools use these options): the same modes. */
  @Test
  void theVertxClientFollowsTheSameModes(Vertx vertx) throws Exception {
    String db = newDatabase();
    assertThat(vertxConnects(vertx, pg.url(UNNAMED_HOST, db) + "?sslmode=require")).isNull();
    assertThat(vertxConnects(vertx, pg.url(NAMED_HOST, db) + "?sslmode=prefer")).isNull();
    assertThat(vertxConnects(vertx, pg.url(NAMED_HOST, db) + "?sslmode=allow")).isNull();
    assertThat(vertxConnects(vertx, pg.url(UNNAMED_HOST, db) + "?sslmode=verify-ca&sslrootcert=" + param(pg.ca()))).isNull();
    assertThat(vertxConnects(vertx, pg.url(NAMED_HOST, db) + "?sslmode=verify-full&sslrootcert=" + param(pg.ca()))).isNull();
    // the Vert.x client does not say why a handshake failed (InitiateSslHandler drops the cause)
    assertThat(vertxConnects(vertx, pg.url(NAMED_HOST, db) + "?sslmode=verify-ca&sslrootcert=" + param(pg.otherCa())))
      .isEqualTo("TLS to PostgreSQL at " + NAMED_HOST + ":" + pg.port() + " failed: the TLS handshake failed; with sslmode=verify-ca"
        + " the server's certificate must be signed by the root certificate " + pg.otherCa() + ".");
    assertThat(vertxConnects(vertx, pg.url(UNNAMED_HOST, db) + "?sslmode=verify-full&sslrootcert=" + param(pg.ca())))
      .isEqualTo("TLS to PostgreSQL at " + UNNAMED_HOST + ":" + pg.port() + " failed: the TLS handshake failed; with sslmode=verify-full"
        + " the server's certificate must be signed by the root certificate " + pg.ca() + " and name the host " + UNNAMED_HOST + ".");
    assertThat(vertxConnects(vertx, pg.url(NAMED_HOST, db) + "?sslmode=disable"))
      .contains("the server refuses connections without TLS");
    // once serving, a handshake that fails (a certificate changed) means the database is not there: 503, not 500
    Throwable handshake = vertxFailure(vertx, DatabaseUrl.parse(pg.url(UNNAMED_HOST, db) + "?sslmode=verify-full&sslrootcert=" + param(pg.ca())));
    assertThat(DatabaseHealth.unavailable(handshake)).as(String.valueOf(handshake)).isTrue();
  }

  /** null when a Vert.x connection with the URL's settings worked and used TLS, else the one-line reason. */
  static String vertxConnects(Vertx vertx, String url) throws Exception {
    ResolvedDatabase target = DatabaseUrl.parse(url);
    Throwable failure = vertxFailure(vertx, target);
    return failure == null ? null : target.cannotConnect(failure).getMessage();
  }

  static Throwable vertxFailure(Vertx vertx, ResolvedDatabase target) throws Exception {
    try {
      PgConnection c = PgConnection.connect(vertx, target.pgConnectOptions()).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
      try {
        boolean ssl = c.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").execute()
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).iterator().next().getBoolean(0);
        assertThat(ssl).as("TLS to " + target).isTrue();
      } finally {
        c.close();
      }
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }
}
