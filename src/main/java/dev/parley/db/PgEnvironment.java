package dev.parley.db;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The libpq variables ({@code PGHOST}, {@code PGPORT}, {@code PGUSER}, {@code PGPASSWORD}, {@code
 * PGDATABASE}, with {@code PGSSLMODE} and {@code PGSSLROOTCERT}): the second place SPEC §8 looks for
 * the database, read from the environment given (not the process's) with libpq's defaults for the
 * missing ones. It also holds the two ways the package reads a setting as libpq does (blank means
 * unset; a port is 1 to 65535), which {@code DATABASE_URL} and the embedded server's port use too.
 */
final class PgEnvironment {

  static final List<String> PG_VARIABLES =
      List.of("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE");

  private PgEnvironment() {}

  /** Whether any of {@link #PG_VARIABLES} is set (not blank): then they, not localhost, name the server. */
  static boolean anySet(Map<String, String> env) {
    return PG_VARIABLES.stream().anyMatch(v -> get(env, v) != null);
  }

  /** {@link #read(Map, Path)}, not looking for libpq's default root certificate. */
  static ResolvedDatabase read(Map<String, String> env) throws DatabaseUnavailableException {
    return read(env, null);
  }

  /**
   * The libpq variables (PGSSLMODE and PGSSLROOTCERT too), with libpq's defaults for the missing
   * ones. Does not connect.
   */
  static ResolvedDatabase read(Map<String, String> env, Path defaultRootCert)
      throws DatabaseUnavailableException {
    String host = get(env, "PGHOST");
    String portText = get(env, "PGPORT");
    String user = get(env, "PGUSER");
    String password = env.get("PGPASSWORD");
    if (password != null && password.isEmpty()) {
      password = null; // as libpq: an empty PGPASSWORD means none (the password file may have one)
    }
    String database = get(env, "PGDATABASE");

    if (host != null && host.indexOf(',') >= 0) {
      throw new DatabaseUnavailableException(
          "PGHOST names several hosts; Parley needs exactly one (or set DATABASE_URL).");
    }
    int port = DatabaseResolver.DEFAULT_PORT;
    if (portText != null) {
      port = port(portText);
      if (port < 0) {
        throw new DatabaseUnavailableException(
            "PGPORT is not a number between 1 and 65535 (it is '" + portText + "').");
      }
    }
    String note = null;
    if (host == null) {
      host = "localhost";
    } else if (host.startsWith("/")) {
      note = "PGHOST " + host + " is a socket directory, using localhost";
      host = "localhost";
    }
    if (user == null) {
      user = OsUser.name();
    }
    if (database == null) {
      database = user;
    }
    DatabaseTls tls = DatabaseTls.resolve(null, null, env, defaultRootCert);
    return new ResolvedDatabase(
        host, port, database, user, password, ResolvedDatabase.SOURCE_PG_VARIABLES, null, note, tls);
  }

  /** The variable {@code name}, trimmed; {@code null} when it is unset or blank. */
  static String get(Map<String, String> env, String name) {
    String s = env.get(name);
    return s == null || s.isBlank() ? null : s.trim();
  }

  /** The port in {@code text} (blanks around it allowed), or -1 when it is not a number from 1 to 65535. */
  static int port(String text) {
    String t = text.trim();
    if (t.isEmpty() || t.length() > 5 || !t.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
      return -1;
    }
    int port = Integer.parseInt(t);
    return port >= 1 && port <= 65535 ? port : -1;
  }
}
