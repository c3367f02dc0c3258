package dev.parley.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The order {@link DatabaseResolver} tries the sources in; each source has its own test class. */
class DatabaseResolverTest {

  @TempDir Path home;

  private Path noDefault() {
    return home.resolve(".postgresql/root.crt");
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

  @Test
  void resolveUsesPgVariablesWithoutConnecting(@TempDir Path dir) throws Exception {
    // Nothing listens on this name; (b) must not try to connect.
    ResolvedDatabase db =
        DatabaseResolver.resolve(Map.of("PGHOST", "no-such-host.invalid", "PGUSER", "u", "PGPASSWORD", "p"), dir);
    assertThat(db.host()).isEqualTo("no-such-host.invalid");
    assertThat(db.source()).isEqualTo("PG variables");
    assertThat(dir).isEmptyDirectory();
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
