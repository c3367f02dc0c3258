package dev.parley.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PgEnvironmentTest {

  private static final String OS_USER = System.getProperty("user.name");

  @Test
  void libpqDefaultsForMissingVariables() throws Exception {
    ResolvedDatabase db = PgEnvironment.read(Map.of("PGPASSWORD", "pw"));
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
        PgEnvironment.read(
            Map.of("PGHOST", "pg.example", "PGPORT", "5544", "PGUSER", "u", "PGPASSWORD", "p", "PGDATABASE", "d"));
    assertThat(db)
        .extracting(ResolvedDatabase::host, ResolvedDatabase::port, ResolvedDatabase::user, ResolvedDatabase::password, ResolvedDatabase::database)
        .containsExactly("pg.example", 5544, "u", "p", "d");
  }

  @Test
  void databaseDefaultsToPgUser() throws Exception {
    ResolvedDatabase db = PgEnvironment.read(Map.of("PGUSER", "dave"));
    assertThat(db.database()).isEqualTo("dave");
  }

  @Test
  void socketDirectoryBecomesLocalhostAndSaysSo() throws Exception {
    ResolvedDatabase db =
        PgEnvironment.read(Map.of("PGHOST", "/var/run/postgresql", "PGUSER", "u", "PGPASSWORD", "secretpw"));
    assertThat(db.host()).isEqualTo("localhost");
    assertThat(db.describe())
        .isEqualTo("postgresql://u@localhost:5432/u (from PG variables; PGHOST /var/run/postgresql is a socket directory, using localhost;"
            + " sslmode=prefer by default)")
        .doesNotContain("secretpw");
    assertThat(db.toString()).doesNotContain("secretpw");
  }

  @Test
  void badPort() {
    assertThatThrownBy(() -> PgEnvironment.read(Map.of("PGPORT", "54x")))
        .isInstanceOf(DatabaseUnavailableException.class)
        .hasMessageContaining("PGPORT");
  }
}
