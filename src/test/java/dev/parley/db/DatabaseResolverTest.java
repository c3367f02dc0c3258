package dev.parley.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseResolverTest {

  private static final String OS_USER = System.getProperty("user.name");

  @Nested
  class DatabaseUrl {

    @Test
    void postgresqlUrlWithEverything() throws Exception {
      ResolvedDatabase db = DatabaseResolver.parseUrl("postgresql://alice:s3cret@db.example.com:6543/interviews");
      assertThat(db.host()).isEqualTo("db.example.com");
      assertThat(db.port()).isEqualTo(6543);
      assertThat(db.user()).isEqualTo("alice");
      assertThat(db.password()).isEqualTo("s3cret");
      assertThat(db.database()).isEqualTo("interviews");
      assertThat(db.source()).isEqualTo("DATABASE_URL");
      assertThat(db.embedded()).isNull();
    }

    @Test
    void postgresSchemeAndMissingPort() throws Exception {
      ResolvedDatabase db = DatabaseResolver.parseUrl("postgres://bob:pw@10.0.0.5/app");
      assertThat(db.host()).isEqualTo("10.0.0.5");
      assertThat(db.port()).isEqualTo(5432);
      assertThat(db.user()).isEqualTo("bob");
      assertThat(db.database()).isEqualTo("app");
    }

    @Test
    void schemeIsCaseInsensitiveAndWhitespaceIsTrimmed() throws Exception {
      ResolvedDatabase db = DatabaseResolver.parseUrl("  PostgreSQL://u:p@h:1/d \n");
      assertThat(db.host()).isEqualTo("h");
      assertThat(db.port()).isEqualTo(1);
      assertThat(db.database()).isEqualTo("d");
    }

    @Test
    void jdbcFormWithQueryCredentials() throws Exception {
      ResolvedDatabase db =
          DatabaseResolver.parseUrl("jdbc:postgresql://pg.internal:5433/parley?user=svc&password=a%26b+c&sslmode=require");
      assertThat(db.host()).isEqualTo("pg.internal");
      assertThat(db.port()).isEqualTo(5433);
      assertThat(db.database()).isEqualTo("parley");
      assertThat(db.user()).isEqualTo("svc");
      assertThat(db.password()).isEqualTo("a&b c"); // '+' is a space in JDBC query values, as in pgjdbc
    }

    @Test
    void jdbcFormWithUserInfo() throws Exception {
      ResolvedDatabase db = DatabaseResolver.parseUrl("jdbc:postgresql://u:p@localhost/x");
      assertThat(db.user()).isEqualTo("u");
      assertThat(db.password()).isEqualTo("p");
      assertThat(db.port()).isEqualTo(5432);
    }

    @Test
    void percentEncodedCredentials() throws Exception {
      ResolvedDatabase db =
          DatabaseResolver.parseUrl("postgresql://us%40er:p%40ss%3Aw%2Fd%25+%C3%A9@host:5432/my%20db");
      assertThat(db.user()).isEqualTo("us@er");
      assertThat(db.password()).isEqualTo("p@ss:w/d%+é"); // '+' stays '+' outside JDBC query values
      assertThat(db.database()).isEqualTo("my db");
      assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://host:5432/my%20db?sslmode=prefer");
    }

    @Test
    void unencodedAtSignInPasswordIsTolerated() throws Exception {
      ResolvedDatabase db = DatabaseResolver.parseUrl("postgresql://u:p@ss@host/db");
      assertThat(db.password()).isEqualTo("p@ss");
      assertThat(db.host()).isEqualTo("host");
    }

    @Test
    void queryParametersAreIgnoredOrApplied() throws Exception {
      ResolvedDatabase db =
          DatabaseResolver.parseUrl("postgresql://u:p@host:5432/db?sslmode=require&application_name=x&connect_timeout=3");
      assertThat(db.database()).isEqualTo("db");
      assertThat(db.port()).isEqualTo(5432);
      assertThat(db.password()).isEqualTo("p");
    }

    @Test
    void ipv6Host() throws Exception {
      ResolvedDatabase db = DatabaseResolver.parseUrl("postgresql://u@[::1]:5433/db");
      assertThat(db.host()).isEqualTo("::1");
      assertThat(db.port()).isEqualTo(5433);
      assertThat(db.password()).isNull();
      assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5433/db?sslmode=prefer");
    }

    @Test
    void libpqDefaultsForMissingParts() throws Exception {
      ResolvedDatabase db = DatabaseResolver.parseUrl("postgresql://host");
      assertThat(db.user()).isEqualTo(OS_USER);
      assertThat(db.database()).isEqualTo(OS_USER);
      assertThat(db.port()).isEqualTo(5432);

      ResolvedDatabase onlyUser = DatabaseResolver.parseUrl("postgresql://carol@host/");
      assertThat(onlyUser.database()).isEqualTo("carol");
    }

    @Test
    void socketHostBecomesLocalhost() throws Exception {
      ResolvedDatabase db = DatabaseResolver.parseUrl("postgresql:///parley?host=/var/run/postgresql");
      assertThat(db.host()).isEqualTo("localhost");
      assertThat(db.database()).isEqualTo("parley");
      assertThat(db.describe()).contains("socket directory", "localhost");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "mysql://admin:Zq9xKw7@host/db",
          "postgresql://admin:Zq9xKw7@host:99999/db",
          "postgresql://admin:Zq9xKw7@host:port/db",
          "postgresql://admin:Zq9x/Kw7@host/db", // unencoded '/' in the password
          "postgresql://admin:Zq9x%zzKw7@host/db",
          "postgresql://admin:Zq9xKw7%@host/db",
          "postgresql://admin:Zq9xKw7@h1:5432,h2:5432/db",
          "postgresql://admin:Zq9xKw7@[::1/db",
          "postgresql://admin:Zq9xKw7@a:b:c/db",
          "Zq9xKw7",
          "postgresql://admin:Zq9x%C3Kw7@host/db", // not UTF-8 once decoded
        })
    void malformedUrlIsRejectedWithoutShowingThePassword(String url) {
      assertThatThrownBy(() -> DatabaseResolver.parseUrl(url))
          .isInstanceOf(DatabaseUnavailableException.class)
          .hasMessageStartingWith("DATABASE_URL is not a valid PostgreSQL URL")
          .hasMessageContaining("postgresql://user:password@host:5432/database")
          .hasMessageNotContaining("Zq9x")
          .hasMessageNotContaining("Kw7")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void resolvePrefersDatabaseUrlOverPgVariables(@TempDir Path dir) throws Exception {
      ResolvedDatabase db =
          DatabaseResolver.resolve(
              Map.of("DATABASE_URL", "postgresql://a:b@url-host/x", "PGHOST", "pg-host"), dir);
      assertThat(db.host()).isEqualTo("url-host");
      assertThat(db.source()).isEqualTo("DATABASE_URL");
    }

    @Test
    void blankDatabaseUrlCountsAsUnset(@TempDir Path dir) throws Exception {
      ResolvedDatabase db = DatabaseResolver.resolve(Map.of("DATABASE_URL", " ", "PGHOST", "pg-host"), dir);
      assertThat(db.source()).isEqualTo("PG variables");
    }
  }

  @Nested
  class PgVariables {

    @Test
    void libpqDefaultsForMissingVariables() throws Exception {
      ResolvedDatabase db = DatabaseResolver.fromPgVariables(Map.of("PGPASSWORD", "pw"));
      assertThat(db.host()).isEqualTo("localhost");
      assertThat(db.port()).isEqualTo(5432);
      assertThat(db.user()).isEqualTo(OS_USER);
      assertThat(db.database()).isEqualTo(OS_USER);
      assertThat(db.password()).isEqualTo("pw");
      assertThat(db.source()).isEqualTo("PG variables");
    }

    @Test
    void allVariables() throws Exception {
      ResolvedDatabase db =
          DatabaseResolver.fromPgVariables(
              Map.of("PGHOST", "pg.example", "PGPORT", "5544", "PGUSER", "u", "PGPASSWORD", "p", "PGDATABASE", "d"));
      assertThat(db)
          .extracting(ResolvedDatabase::host, ResolvedDatabase::port, ResolvedDatabase::user, ResolvedDatabase::password, ResolvedDatabase::database)
          .containsExactly("pg.example", 5544, "u", "p", "d");
    }

    @Test
    void databaseDefaultsToPgUser() throws Exception {
      ResolvedDatabase db = DatabaseResolver.fromPgVariables(Map.of("PGUSER", "dave"));
      assertThat(db.database()).isEqualTo("dave");
    }

    @Test
    void socketDirectoryBecomesLocalhostAndSaysSo() throws Exception {
      ResolvedDatabase db =
          DatabaseResolver.fromPgVariables(Map.of("PGHOST", "/var/run/postgresql", "PGUSER", "u", "PGPASSWORD", "secretpw"));
      assertThat(db.host()).isEqualTo("localhost");
      assertThat(db.describe())
          .isEqualTo("postgresql://u@localhost:5432/u (from PG variables; PGHOST /var/run/postgresql is a socket directory, using localhost;"
              + " sslmode=prefer by default)")
          .doesNotContain("secretpw");
      assertThat(db.toString()).doesNotContain("secretpw");
    }

    @Test
    void badPort() {
      assertThatThrownBy(() -> DatabaseResolver.fromPgVariables(Map.of("PGPORT", "54x")))
          .isInstanceOf(DatabaseUnavailableException.class)
          .hasMessageContaining("PGPORT");
    }

    @Test
    void resolveUsesPgVariablesWithoutConnecting(@TempDir Path dir) throws Exception {
      // Nothing listens on this name; (b) must not try to connect.
      ResolvedDatabase db =
          DatabaseResolver.resolve(Map.of("PGHOST", "no-such-host.invalid", "PGUSER", "u", "PGPASSWORD", "p"), dir);
      assertThat(db.host()).isEqualTo("no-such-host.invalid");
      assertThat(db.source()).isEqualTo("PG variables");
      assertThat(dir).isEmptyDirectory();
    }
  }

  @Nested
  class ResolvedDatabaseApi {

    private final ResolvedDatabase db =
        new ResolvedDatabase("127.0.0.1", 5432, "root", "root", "hunter2", "DATABASE_URL", null, null);

    @Test
    void jdbc() {
      assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/root?sslmode=disable");
      assertThat(db.jdbcProperties()).containsEntry("user", "root").containsEntry("password", "hunter2");
      ResolvedDatabase noPassword = new ResolvedDatabase("h", 1, "d", "u", null, "PG variables", null, null);
      assertThat(noPassword.jdbcProperties()).containsOnlyKeys("user");
    }

    @Test
    void vertxOptions() {
      PgConnectOptions o = db.pgConnectOptions();
      assertThat(o.getHost()).isEqualTo("127.0.0.1");
      assertThat(o.getPort()).isEqualTo(5432);
      assertThat(o.getDatabase()).isEqualTo("root");
      assertThat(o.getUser()).isEqualTo("root");
      assertThat(o.getPassword()).isEqualTo("hunter2");
      assertThat(o.getCachePreparedStatements()).isTrue();
      assertThat(o.getPreparedStatementCacheMaxSize()).isEqualTo(256);
      assertThat(db.netClientOptions().getConnectTimeout()).isEqualTo(5000);
    }

    @Test
    void describeHasNoPassword() {
      assertThat(db.describe())
          .isEqualTo("postgresql://root@127.0.0.1:5432/root (from DATABASE_URL; sslmode=disable for the embedded PostgreSQL, which has no TLS)");
      assertThat(db.toString()).isEqualTo(db.describe());
      assertThat(new ResolvedDatabase("localhost", 5432, "u", "u", null, "localhost defaults", null, null).describe())
          .isEqualTo("postgresql://u@localhost:5432/u (localhost defaults; sslmode=disable for the embedded PostgreSQL, which has no TLS)");
    }

    @Test
    void closeWithoutEmbeddedServerDoesNothingAndClosesEmbeddedOnce() {
      db.close();
      int[] closed = {0};
      new ResolvedDatabase("localhost", 1, "d", "u", null, "embedded", () -> closed[0]++, null).close();
      assertThat(closed[0]).isEqualTo(1);
    }
  }

  @Nested
  class Tls {
    private final Path ca = Path.of("src/test/resources/tls/unit-test-ca.pem").toAbsolutePath();
    @TempDir Path home;

    private Path noDefault() {
      return home.resolve(".postgresql/root.crt");
    }

    private ResolvedDatabase url(String url, Map<String, String> env) throws DatabaseUnavailableException {
      return DatabaseResolver.parseUrl(url, env, noDefault());
    }

    @Test
    void preferByDefaultAsLibpqEncryptingWithoutChecking() throws Exception {
      ResolvedDatabase db = url("postgresql://u@h/d", Map.of());
      assertThat(db.tls().mode()).isEqualTo(SslMode.PREFER);
      assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/d?sslmode=prefer");
      PgConnectOptions o = db.pgConnectOptions();
      assertThat(o.getSslMode()).isEqualTo(SslMode.PREFER);
      assertThat(o.getSslOptions().isTrustAll()).isTrue();
      assertThat(db.describe()).endsWith("; sslmode=prefer by default)");
    }

    @Test
    void disableSendsNoTlsOptions() throws Exception {
      ResolvedDatabase db = url("postgresql://u@h/d?sslmode=disable", Map.of());
      assertThat(db.pgConnectOptions().getSslMode()).isEqualTo(SslMode.DISABLE);
      assertThat(db.pgConnectOptions().getSslOptions()).isNull();
      assertThat(db.jdbcUrl()).endsWith("?sslmode=disable");
    }

    @Test
    void requireWithoutRootCertificateEncryptsWithoutChecking() throws Exception {
      ResolvedDatabase db = url("postgresql://u@h/d?sslmode=require", Map.of());
      PgConnectOptions o = db.pgConnectOptions();
      assertThat(o.getSslMode()).isEqualTo(SslMode.REQUIRE);
      assertThat(o.getSslOptions().isTrustAll()).isTrue();
      assertThat(o.getSslOptions().getTrustOptions()).isNull();
      assertThat(o.getSslOptions().getHostnameVerificationAlgorithm()).isNullOrEmpty();
      assertThat(db.jdbcUrl()).endsWith("?sslmode=require");
    }

    @Test
    void requireWithLibpqsDefaultRootCertificateChecksItAsVerifyCa() throws Exception {
      Path defaultRoot = Files.createDirectories(home.resolve(".postgresql")).resolve("root.crt");
      Files.copy(ca, defaultRoot);
      ResolvedDatabase db = DatabaseResolver.parseUrl("postgresql://u@h/d?sslmode=require", Map.of(), defaultRoot);
      PgConnectOptions o = db.pgConnectOptions();
      assertThat(o.getSslMode()).isEqualTo(SslMode.VERIFY_CA);
      assertThat(o.getSslOptions().isTrustAll()).isFalse();
      assertThat(((PemTrustOptions) o.getSslOptions().getTrustOptions()).getCertPaths()).containsExactly(defaultRoot.toString());
      assertThat(db.jdbcUrl()).endsWith("?sslmode=verify-ca&sslrootcert=" + URLEncoder.encode(defaultRoot.toString(), StandardCharsets.UTF_8));
      assertThat(db.tls().describe()).isEqualTo("sslmode=require from DATABASE_URL, checked as verify-ca against the root certificate "
          + defaultRoot + " found in libpq's default place");
      // prefer does not check, whatever is there
      assertThat(DatabaseResolver.parseUrl("postgresql://u@h/d", Map.of(), defaultRoot).pgConnectOptions().getSslOptions().isTrustAll()).isTrue();
    }

    @Test
    void verifyFullChecksTheCaAndTheHostName() throws Exception {
      ResolvedDatabase db = url("postgresql://u@h/d?sslmode=verify-full&sslrootcert=" + ca, Map.of());
      PgConnectOptions o = db.pgConnectOptions();
      assertThat(o.getSslMode()).isEqualTo(SslMode.VERIFY_FULL);
      assertThat(o.getSslOptions().getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
      assertThat(((PemTrustOptions) o.getSslOptions().getTrustOptions()).getCertPaths()).containsExactly(ca.toString());
      assertThat(db.jdbcUrl()).contains("sslmode=verify-full&sslrootcert=");
      // the copies the read clients make keep it
      assertThat(new PgConnectOptions(o).getSslOptions().getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
    }

    @Test
    void verifyCaChecksTheCaOnly() throws Exception {
      PgConnectOptions o = url("postgresql://u@h/d?sslmode=verify-ca&sslrootcert=" + ca, Map.of()).pgConnectOptions();
      assertThat(o.getSslMode()).isEqualTo(SslMode.VERIFY_CA);
      assertThat(o.getSslOptions().getHostnameVerificationAlgorithm()).isNullOrEmpty();
      assertThat(o.getSslOptions().isTrustAll()).isFalse();
    }

    @Test
    void pgSslModeAndRootCertApplyWhereTheUrlSaysNothingAndTheUrlWins() throws Exception {
      Map<String, String> env = Map.of("PGSSLMODE", "verify-full", "PGSSLROOTCERT", ca.toString());
      ResolvedDatabase fromEnv = url("postgresql://u@h/d", env);
      assertThat(fromEnv.tls().mode()).isEqualTo(SslMode.VERIFY_FULL);
      assertThat(fromEnv.tls().describe()).isEqualTo("sslmode=verify-full from PGSSLMODE, root certificate " + ca + " from PGSSLROOTCERT");
      assertThat(url("postgresql://u@h/d?sslmode=disable", env).tls().mode()).isEqualTo(SslMode.DISABLE);
      ResolvedDatabase variables = DatabaseResolver.fromPgVariables(
          Map.of("PGHOST", "pg", "PGSSLMODE", "verify-ca", "PGSSLROOTCERT", ca.toString()), noDefault());
      assertThat(variables.pgConnectOptions().getSslMode()).isEqualTo(SslMode.VERIFY_CA);
      assertThat(variables.jdbcUrl()).contains("sslmode=verify-ca");
    }

    @Test
    void pgjdbcsSslTrueMeansVerifyFullUnlessSslmodeIsGiven() throws Exception {
      assertThat(url("jdbc:postgresql://h/d?ssl=true&sslrootcert=" + ca, Map.of()).tls().mode()).isEqualTo(SslMode.VERIFY_FULL);
      assertThat(url("jdbc:postgresql://h/d?ssl=true&sslmode=require", Map.of()).tls().mode()).isEqualTo(SslMode.REQUIRE);
    }

    @Test
    void unknownModeNamesTheSetting() {
      assertThatThrownBy(() -> url("postgresql://u:Zq9xKw7@h/d?sslmode=Require", Map.of()))
          .isInstanceOf(DatabaseUnavailableException.class)
          .hasMessage("sslmode in DATABASE_URL is 'Require'; expected one of disable, allow, prefer, require, verify-ca, verify-full.");
      assertThatThrownBy(() -> DatabaseResolver.fromPgVariables(Map.of("PGHOST", "h", "PGSSLMODE", "on"), noDefault()))
          .hasMessage("PGSSLMODE is 'on'; expected one of disable, allow, prefer, require, verify-ca, verify-full.");
    }

    @Test
    void verifyModesNeedARootCertificateAndSayWhereTheyLooked() {
      assertThatThrownBy(() -> url("postgresql://u@h/d?sslmode=verify-ca", Map.of()))
          .isInstanceOf(DatabaseUnavailableException.class)
          .hasMessage("sslmode=verify-ca from DATABASE_URL needs a root certificate to check the server's certificate against:"
              + " set sslrootcert in DATABASE_URL or PGSSLROOTCERT to the CA's file (PEM), or put it in " + noDefault()
              + " (not there either).");
      assertThatThrownBy(() -> url("postgresql://u@h/d", Map.of("PGSSLMODE", "verify-full")))
          .hasMessageStartingWith("sslmode=verify-full from PGSSLMODE needs a root certificate");
    }

    @Test
    void aRootCertificateThatIsMissingOrIsNotOneIsRefusedInEveryMode() throws Exception {
      Path notPem = Files.writeString(home.resolve("ca.txt"), "not a certificate\n");
      assertThatThrownBy(() -> url("postgresql://u@h/d?sslmode=require&sslrootcert=" + home.resolve("nope.pem"), Map.of()))
          .hasMessage("The root certificate " + home.resolve("nope.pem") + " from sslrootcert in DATABASE_URL does not exist.");
      assertThatThrownBy(() -> url("postgresql://u@h/d", Map.of("PGSSLROOTCERT", notPem.toString())))
          .hasMessage("The root certificate " + notPem + " from PGSSLROOTCERT holds no PEM certificate.");
      assertThatThrownBy(() -> url("postgresql://u@h/d?sslmode=verify-full&sslrootcert=system", Map.of()))
          .hasMessageContaining("'system'").hasMessageContaining("not support");
    }

    @Test
    void clientCertificatesAreRefusedRatherThanIgnored() {
      assertThatThrownBy(() -> url("postgresql://u@h/d?sslmode=require&sslcert=/x/client.crt", Map.of()))
          .isInstanceOf(DatabaseUnavailableException.class)
          .hasMessageStartingWith("DATABASE_URL has sslcert: client certificates are not supported");
    }

    @Test
    void tlsAskedForIsNotSilentlyDroppedForTheEmbeddedServer(@TempDir Path dir) {
      // nothing in DATABASE_URL or PGHOST..PGDATABASE: the localhost probe (with TLS required) and
      // then the embedded server, which has no TLS
      assertThatThrownBy(() -> DatabaseResolver.resolve(Map.of("PGSSLMODE", "require", "PARLEY_EMBEDDED_PG_PORT", "1"), dir, noDefault()))
          .isInstanceOf(DatabaseUnavailableException.class)
          .hasMessageContaining("the embedded PostgreSQL has no TLS, which sslmode=require from PGSSLMODE asks for")
          .hasMessageContaining("unset PGSSLMODE")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
      assertThat(dir).isEmptyDirectory();
    }
  }

  @Nested
  class LocalhostProbe {

    @Test
    void nothingListeningFallsThrough() throws IOException {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      String failure =
          DatabaseResolver.probe(new ResolvedDatabase("localhost", port, "x", "x", null, "localhost defaults", null, null));
      assertThat(failure).isEqualTo("nothing on localhost:" + port);
    }

    @Test
    void failedLoginFallsThroughInsteadOfFailing() {
      // the server the integration tests use (PG* variables, as .ci/run sets them), else localhost
      String host = System.getenv().getOrDefault("PGHOST", "localhost");
      if (host.startsWith("/")) host = "localhost";
      int pgPort = Integer.parseInt(System.getenv().getOrDefault("PGPORT", "5432"));
      assertThat(listening(host, pgPort)).as("a PostgreSQL on %s:%d (set PGHOST/PGPORT)", host, pgPort).isTrue();
      String failure =
          DatabaseResolver.probe(
              new ResolvedDatabase(host, pgPort, "parley_no_such_db", "parley_no_such_role", null, "localhost defaults", null, null));
      assertThat(failure).startsWith(host + ":" + pgPort + " answered but login as parley_no_such_role").doesNotContain("\n");
    }
  }

  @Nested
  class Embedded {

    @Test
    void refusesRootInOneLineNamingDatabaseUrl(@TempDir Path dir) {
      assertThatThrownBy(
              () -> DatabaseResolver.startEmbedded(Map.of(), dir, DatabaseResolver.NOTHING_ON_LOCALHOST, true))
          .isInstanceOf(DatabaseUnavailableException.class)
          .hasMessage(
              "No PostgreSQL found (DATABASE_URL and PG* unset, nothing on localhost:5432) and the embedded"
                  + " PostgreSQL cannot run as root: set DATABASE_URL=postgresql://user:pass@host:5432/db or run"
                  + " as a non-root user.");
      assertThat(dir).isEmptyDirectory();
    }

    @Test
    void refusalStaysOneLineWhatever(@TempDir Path dir) {
      assertThatThrownBy(
              () -> DatabaseResolver.startEmbedded(Map.of(), dir, "localhost:5432 answered but login failed:\nFATAL: x", true))
          .hasMessageContaining("cannot run as root")
          .hasMessageContaining("DATABASE_URL=")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r"));
    }

    @Test
    void rootDetectionRefusesWhenThisProcessIsRoot(@TempDir Path dir) throws IOException {
      boolean root = DatabaseResolver.runningAsRoot();
      assertThat(root).isEqualTo(euidIsZero());
      if (!root) return; // as a non-root user the refusal cannot happen; the detection itself was checked
      assertThatThrownBy(
              () -> DatabaseResolver.startEmbedded(Map.of(), dir, DatabaseResolver.NOTHING_ON_LOCALHOST, DatabaseResolver.runningAsRoot()))
          .isInstanceOf(DatabaseUnavailableException.class)
          .hasMessageContaining("cannot run as root")
          .hasMessageContaining("DATABASE_URL");
    }

    @Test
    void existingDataWithoutItsPasswordFileIsExplained(@TempDir Path dir) throws IOException {
      Files.createDirectories(dir.resolve("postgres"));
      Files.writeString(dir.resolve("postgres/postgresql.conf"), "");
      assertThatThrownBy(() -> DatabaseResolver.startEmbedded(Map.of(), dir, "nothing", false))
          .isInstanceOf(DatabaseUnavailableException.class)
          .hasMessageContaining("postgres.password")
          .hasMessageContaining("which is missing");
    }

    @Test
    void badEmbeddedPort(@TempDir Path dir) {
      assertThatThrownBy(
              () -> DatabaseResolver.startEmbedded(Map.of("PARLEY_EMBEDDED_PG_PORT", "0"), dir, "nothing", false))
          .isInstanceOf(DatabaseUnavailableException.class)
          .hasMessageContaining("PARLEY_EMBEDDED_PG_PORT");
    }

    @Test
    void takenEmbeddedPortIsReportedBeforeAnythingStarts(@TempDir Path dir) throws IOException {
      try (ServerSocket busy = new ServerSocket()) {
        busy.bind(new InetSocketAddress("localhost", 0));
        assertThatThrownBy(
                () ->
                    DatabaseResolver.startEmbedded(
                        Map.of("PARLEY_EMBEDDED_PG_PORT", Integer.toString(busy.getLocalPort())), dir, "nothing", false))
            .isInstanceOf(DatabaseUnavailableException.class)
            .hasMessageContaining("taken by another program")
            .hasMessageContaining("PARLEY_EMBEDDED_PG_PORT");
      }
    }
  }

  private static boolean euidIsZero() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return "root".equals(OS_USER);
    }
    return Files.readAllLines(status).stream()
        .filter(l -> l.startsWith("Uid:"))
        .map(l -> l.substring(4).trim().split("\\s+")[1])
        .anyMatch("0"::equals);
  }

  private static boolean listening(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
