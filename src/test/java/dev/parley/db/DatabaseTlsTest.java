package dev.parley.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS to PostgreSQL ({@link DatabaseTls}) as {@code DATABASE_URL} and the {@code PG*} variables ask for it. */
class DatabaseTlsTest {

  private final Path ca = Path.of("src/test/resources/tls/unit-test-ca.pem").toAbsolutePath();
  @TempDir Path home;

  private Path noDefault() {
    return home.resolve(".postgresql/root.crt");
  }

  private ResolvedDatabase url(String url, Map<String, String> env) throws DatabaseUnavailableException {
    return DatabaseUrl.parse(url, env, noDefault());
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
    ResolvedDatabase db = DatabaseUrl.parse("postgresql://u@h/d?sslmode=require", Map.of(), defaultRoot);
    PgConnectOptions o = db.pgConnectOptions();
    assertThat(o.getSslMode()).isEqualTo(SslMode.VERIFY_CA);
    assertThat(o.getSslOptions().isTrustAll()).isFalse();
    assertThat(((PemTrustOptions) o.getSslOptions().getTrustOptions()).getCertPaths()).containsExactly(defaultRoot.toString());
    assertThat(db.jdbcUrl()).endsWith("?sslmode=verify-ca&sslrootcert=" + URLEncoder.encode(defaultRoot.toString(), StandardCharsets.UTF_8));
    assertThat(db.tls().describe()).isEqualTo("sslmode=require from DATABASE_URL, checked as verify-ca against the root certificate "
        + defaultRoot + " found in libpq's default place");
    // prefer does not check, whatever is there
    assertThat(DatabaseUrl.parse("postgresql://u@h/d", Map.of(), defaultRoot).pgConnectOptions().getSslOptions().isTrustAll()).isTrue();
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
    ResolvedDatabase variables = PgEnvironment.read(
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
    assertThatThrownBy(() -> PgEnvironment.read(Map.of("PGHOST", "h", "PGSSLMODE", "on"), noDefault()))
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
}
