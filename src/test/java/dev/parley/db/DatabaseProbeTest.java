package dev.parley.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class DatabaseProbeTest {

  @Test
  void nothingListeningFallsThrough() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String failure =
        DatabaseProbe.tryLogin(new ResolvedDatabase("localhost", port, "x", "x", null, "localhost defaults", null, null));
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
        DatabaseProbe.tryLogin(
            new ResolvedDatabase(host, pgPort, "parley_no_such_db", "parley_no_such_role", null, "localhost defaults", null, null));
    assertThat(failure).startsWith(host + ":" + pgPort + " answered but login as parley_no_such_role").doesNotContain("\n");
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
