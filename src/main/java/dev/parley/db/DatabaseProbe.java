package dev.parley.db;

import static dev.parley.db.DatabaseUnavailableException.oneLine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Looks before Parley leaps: whether a PostgreSQL server lets it in, and whether a port is taken.
 * The localhost defaults (SPEC §8, third) count only when a login works, and the embedded server
 * reuses one already running on its port, or refuses a port another program holds; a failed login
 * is a reason for the next choice (one line, no password), never an error of its own.
 */
final class DatabaseProbe {

  private static final int PROBE_TIMEOUT_SECONDS = 2;

  private DatabaseProbe() {}

  /**
   * Tries to log in with a ~2 s timeout.
   *
   * @return {@code null} when the login worked, else why not (one line, no password)
   */
  static String tryLogin(ResolvedDatabase db) {
    Properties props = db.jdbcProperties();
    props.setProperty("connectTimeout", Integer.toString(PROBE_TIMEOUT_SECONDS));
    props.setProperty("loginTimeout", Integer.toString(PROBE_TIMEOUT_SECONDS));
    props.setProperty("socketTimeout", Integer.toString(PROBE_TIMEOUT_SECONDS));
    props.setProperty("ApplicationName", "parley-probe");
    try (Connection c = new org.postgresql.Driver().connect(db.jdbcUrl(), props)) {
      if (c == null) {
        return "the JDBC driver did not accept " + db.jdbcUrl();
      }
      return null;
    } catch (SQLException e) {
      String state = e.getSQLState() == null ? "" : e.getSQLState();
      String tlsReason = db.tls().tlsReason(e, db.host());
      if (tlsReason != null) {
        return db.host() + ":" + db.port() + " answered but TLS failed: " + tlsReason;
      }
      if (state.startsWith("08")) {
        return "nothing on " + db.host() + ":" + db.port();
      }
      // A server answered but would not let us in (no such role or database, password needed, ...).
      return db.host()
          + ":"
          + db.port()
          + " answered but login as "
          + db.user()
          + " to database "
          + db.database()
          + " failed: "
          + oneLine(e.getMessage());
    } catch (RuntimeException e) {
      return "probing " + db.host() + ":" + db.port() + " failed: " + oneLine(e.toString());
    }
  }

  /** Whether something accepts TCP connections on localhost:{@code port} (within half a second). */
  static boolean portInUse(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("localhost", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
