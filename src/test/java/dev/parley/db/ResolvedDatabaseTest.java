package dev.parley.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.Test;

class ResolvedDatabaseTest {

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
