package dev.parley.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseTest {

  @Test
  void refusesRootInOneLineNamingDatabaseUrl(@TempDir Path dir) {
    assertThatThrownBy(
            () -> EmbeddedDatabase.start(Map.of(), dir, EmbeddedDatabase.NOTHING_ON_LOCALHOST, true))
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
            () -> EmbeddedDatabase.start(Map.of(), dir, "localhost:5432 answered but login failed:\nFATAL: x", true))
        .hasMessageContaining("cannot run as root")
        .hasMessageContaining("DATABASE_URL=")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r"));
  }

  @Test
  void refusesWhenThisProcessIsRoot(@TempDir Path dir) {
    if (!OsUser.isRoot()) return; // as a non-root user the refusal cannot happen (OsUserTest checks the detection)
    assertThatThrownBy(
            () -> EmbeddedDatabase.start(Map.of(), dir, EmbeddedDatabase.NOTHING_ON_LOCALHOST, OsUser.isRoot()))
        .isInstanceOf(DatabaseUnavailableException.class)
        .hasMessageContaining("cannot run as root")
        .hasMessageContaining("DATABASE_URL");
  }

  @Test
  void existingDataWithoutItsPasswordFileIsExplained(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("postgres"));
    Files.writeString(dir.resolve("postgres/postgresql.conf"), "");
    assertThatThrownBy(() -> EmbeddedDatabase.start(Map.of(), dir, "nothing", false))
        .isInstanceOf(DatabaseUnavailableException.class)
        .hasMessageContaining("postgres.password")
        .hasMessageContaining("which is missing");
  }

  @Test
  void badEmbeddedPort(@TempDir Path dir) {
    assertThatThrownBy(
            () -> EmbeddedDatabase.start(Map.of("PARLEY_EMBEDDED_PG_PORT", "0"), dir, "nothing", false))
        .isInstanceOf(DatabaseUnavailableException.class)
        .hasMessageContaining("PARLEY_EMBEDDED_PG_PORT");
  }

  @Test
  void takenEmbeddedPortIsReportedBeforeAnythingStarts(@TempDir Path dir) throws IOException {
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress("localhost", 0));
      assertThatThrownBy(
              () ->
                  EmbeddedDatabase.start(
                      Map.of("PARLEY_EMBEDDED_PG_PORT", Integer.toString(busy.getLocalPort())), dir, "nothing", false))
          .isInstanceOf(DatabaseUnavailableException.class)
          .hasMessageContaining("taken by another program")
          .hasMessageContaining("PARLEY_EMBEDDED_PG_PORT");
    }
  }
}
