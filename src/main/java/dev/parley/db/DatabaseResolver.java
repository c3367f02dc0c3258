package dev.parley.db;

import static dev.parley.db.DatabaseUnavailableException.oneLine;

import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the PostgreSQL server to use (SPEC §8), in this order:
 *
 * <ol>
 *   <li>{@code DATABASE_URL} ({@code postgresql://}, {@code postgres://} or {@code
 *       jdbc:postgresql://}): {@link DatabaseUrl};
 *   <li>the libpq variables {@code PGHOST}, {@code PGPORT}, {@code PGUSER}, {@code PGPASSWORD},
 *       {@code PGDATABASE}, if any is set (libpq defaults for the others): {@link PgEnvironment};
 *   <li>a server answering on localhost:5432 with the libpq defaults (user and database = the OS
 *       user name, {@link OsUser}), if {@link DatabaseProbe} can log in;
 *   <li>an embedded PostgreSQL (binaries from Maven) with its data under {@code dataDir/postgres},
 *       which cannot run as root, and has no TLS: refused when {@code PGSSLMODE} requires TLS
 *       ({@link EmbeddedDatabase}).
 * </ol>
 *
 * <p>The first three use TLS as {@link DatabaseTls} says: {@code sslmode} and {@code sslrootcert}
 * from the URL, else {@code PGSSLMODE} and {@code PGSSLROOTCERT}, else libpq's defaults; and a
 * password missing from them is looked up in libpq's password file ({@code ~/.pgpass}).
 *
 * <p>This class only chooses, in that order, and logs the choice; each source is read in its own
 * class. Blocking (JDBC, process start): call it before Vert.x starts.
 */
public final class DatabaseResolver {

  /** libpq's default port. */
  public static final int DEFAULT_PORT = 5432;

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseResolver.class);

  private DatabaseResolver() {}

  /**
   * Chooses the database as SPEC §8 says and logs the choice at INFO.
   *
   * @param env the environment (DATABASE_URL, PG* variables, PARLEY_EMBEDDED_PG_PORT)
   * @param dataDir the server's data directory; the embedded PostgreSQL keeps its data in {@code
   *     dataDir/postgres} and its binaries in {@code dataDir/postgres-bin}
   * @return the database; {@link ResolvedDatabase#close()} stops an embedded server
   * @throws DatabaseUnavailableException with a one-line message saying what to do
   */
  public static ResolvedDatabase resolve(Map<String, String> env, Path dataDir)
      throws DatabaseUnavailableException {
    return resolve(env, dataDir, DatabaseTls.defaultRootCert());
  }

  /** As {@link #resolve(Map, Path)}, with libpq's default root certificate {@code defaultRootCert}. */
  static ResolvedDatabase resolve(Map<String, String> env, Path dataDir, Path defaultRootCert)
      throws DatabaseUnavailableException {
    String url = PgEnvironment.get(env, "DATABASE_URL");
    if (url != null) {
      return chosen(withPgPass(DatabaseUrl.parse(url, env, defaultRootCert)));
    }
    if (PgEnvironment.anySet(env)) {
      return chosen(withPgPass(PgEnvironment.read(env, defaultRootCert)));
    }
    String osUser = OsUser.name();
    DatabaseTls tls = DatabaseTls.resolve(null, null, env, defaultRootCert);
    ResolvedDatabase local =
        withPgPass(
            new ResolvedDatabase(
                "localhost",
                DEFAULT_PORT,
                osUser,
                osUser,
                null,
                ResolvedDatabase.SOURCE_LOCALHOST,
                null,
                null,
                tls));
    String failure = DatabaseProbe.tryLogin(local);
    if (failure == null) {
      return chosen(local);
    }
    if (tls.required()) {
      throw new DatabaseUnavailableException(oneLine("No PostgreSQL found (DATABASE_URL and PGHOST, PGPORT, PGUSER,"
          + " PGPASSWORD, PGDATABASE unset, " + failure + ") and the embedded PostgreSQL has no TLS, which "
          + tls.describe() + " asks for: set DATABASE_URL=postgresql://user:pass@host:5432/db?sslmode="
          + tls.mode().value + " for a server with TLS, or unset " + DatabaseTls.MODE_VARIABLE + "."));
    }
    LOG.info("No usable PostgreSQL on localhost:{} ({}); trying the embedded one", DEFAULT_PORT, failure);
    return chosen(EmbeddedDatabase.start(env, dataDir, failure, OsUser.isRoot()));
  }

  private static ResolvedDatabase chosen(ResolvedDatabase db) {
    LOG.info("Database: {}", db.describe());
    return db;
  }

  /** {@code db} with the password from libpq's password file when it has none of its own. */
  private static ResolvedDatabase withPgPass(ResolvedDatabase db) {
    if (db.password() != null) {
      return db;
    }
    String fromFile = null;
    try {
      fromFile =
          org.postgresql.jdbcurlresolver.PgPassParser.getPassword(
              db.host(), Integer.toString(db.port()), db.database(), db.user());
    } catch (RuntimeException e) {
      LOG.debug("Could not read the password file: {}", e.toString());
    }
    if (fromFile == null) {
      return db;
    }
    return db.withPassword(fromFile);
  }
}
