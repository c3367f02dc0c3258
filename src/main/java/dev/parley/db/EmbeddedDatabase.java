package dev.parley.db;

import static dev.parley.db.DatabaseUnavailableException.oneLine;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL (binaries from Maven), the last place SPEC §8 looks when nothing else
 * answers: its data in {@code dataDir/postgres}, its binaries in {@code dataDir/postgres-bin}, a
 * generated password kept in {@code dataDir/postgres.password}. Starting it means handling what an
 * earlier run left behind (its data, its password, a server still running on the port), so that
 * lifecycle is kept apart from choosing a server; {@link ResolvedDatabase#close()} stops it. It
 * cannot run as root (PostgreSQL refuses) and has no TLS.
 */
final class EmbeddedDatabase {

  static final int DEFAULT_EMBEDDED_PORT = 54329;
  static final String EMBEDDED_DATABASE = "parley";
  static final String EMBEDDED_USER = "postgres";
  static final String EMBEDDED_PORT_VARIABLE = "PARLEY_EMBEDDED_PG_PORT";
  static final String NOTHING_ON_LOCALHOST = "nothing on localhost:" + DatabaseResolver.DEFAULT_PORT;

  // DatabaseResolver's logger: the start-up lines keep the logger name they have always had
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseResolver.class);
  private static final Duration EMBEDDED_STARTUP_WAIT = Duration.ofSeconds(60);

  private EmbeddedDatabase() {}

  /**
   * Starts (or restarts, keeping its data) the embedded PostgreSQL and creates the database {@code
   * parley} if missing.
   *
   * @param whyNotLocalhost what the localhost probe found, for the error message
   * @param asRoot whether this process runs as root (PostgreSQL refuses to)
   */
  static ResolvedDatabase start(
      Map<String, String> env, Path dataDir, String whyNotLocalhost, boolean asRoot)
      throws DatabaseUnavailableException {
    if (asRoot) {
      throw new DatabaseUnavailableException(rootMessage(whyNotLocalhost));
    }
    int port = DEFAULT_EMBEDDED_PORT;
    String portText = PgEnvironment.get(env, EMBEDDED_PORT_VARIABLE);
    if (portText != null) {
      port = PgEnvironment.port(portText);
      if (port < 0) {
        throw new DatabaseUnavailableException(
            EMBEDDED_PORT_VARIABLE + " is not a number between 1 and 65535 (it is '" + portText + "').");
      }
    }
    Path base = dataDir.toAbsolutePath().normalize();
    Path pgData = base.resolve("postgres");
    // zonky makes its working directory world-writable; keep it inside a directory only we can enter.
    Path binaries = base.resolve("postgres-bin");
    Path zonkyWorkingDir = binaries.resolve("zonky");
    Path passwordFile = base.resolve("postgres.password");
    boolean fresh = !Files.exists(pgData.resolve("postgresql.conf"));

    if (!fresh && !Files.isRegularFile(passwordFile)) {
      throw new DatabaseUnavailableException(
          "The embedded PostgreSQL data in "
              + pgData
              + " needs the password stored in "
              + passwordFile
              + ", which is missing: restore that file, or remove "
              + pgData
              + " to start with an empty database.");
    }
    String password;
    try {
      Files.createDirectories(base);
      Files.createDirectories(binaries);
      ownerOnly(binaries);
      password = fresh ? newPassword(passwordFile) : Files.readString(passwordFile).trim();
    } catch (IOException e) {
      throw new DatabaseUnavailableException(
          "The embedded PostgreSQL cannot use "
              + (fresh ? base : passwordFile)
              + " ("
              + oneLine(e.toString())
              + "); set DATABASE_URL=postgresql://user:pass@host:5432/db to use another server.",
          e);
    }
    // Another Parley process (a server, while this is an admin command) already runs the embedded
    // PostgreSQL of this data directory: share it rather than fight over its lock.
    if (DatabaseProbe.portInUse(port) && Files.exists(pgData.resolve("postmaster.pid"))) {
      ResolvedDatabase running = new ResolvedDatabase("localhost", port, EMBEDDED_DATABASE, EMBEDDED_USER, password,
          ResolvedDatabase.SOURCE_EMBEDDED, null, "already running; data in " + pgData);
      if (DatabaseProbe.tryLogin(running) == null) {
        LOG.info("Using the embedded PostgreSQL already running on port {} (data in {})", port, pgData);
        return running;
      }
    }
    // A postmaster.pid means our own server may still run (a killed JVM leaves it behind): then
    // zonky's "pg_ctl start" fails but its readiness check finds that server, and close() stops it.
    if (DatabaseProbe.portInUse(port) && !Files.exists(pgData.resolve("postmaster.pid"))) {
      throw new DatabaseUnavailableException(
          "Port "
              + port
              + " for the embedded PostgreSQL is taken by another program: set "
              + EMBEDDED_PORT_VARIABLE
              + " to a free port, or DATABASE_URL=postgresql://user:pass@host:5432/db to use another"
              + " server.");
    }

    if (Files.exists(pgData.resolve("postmaster.pid"))) {
      LOG.info(
          "{} exists: if an earlier run left its PostgreSQL running, that server is reused"
              + " (pg_ctl will then report that it could not start a second one)",
          pgData.resolve("postmaster.pid"));
    }
    LOG.info(
        "{} the embedded PostgreSQL on port {} (data in {}){}",
        fresh ? "Creating and starting" : "Starting",
        port,
        pgData,
        fresh ? "; the first start unpacks the binaries and runs initdb" : "");
    long started = System.nanoTime();
    EmbeddedPostgres pg;
    try {
      pg =
          EmbeddedPostgres.builder()
              .setDataDirectory(pgData)
              .setCleanDataDirectory(false)
              .setPort(port)
              .setOverrideWorkingDirectory(zonkyWorkingDir.toFile())
              .setPGStartupWait(EMBEDDED_STARTUP_WAIT)
              // initdb runs "-A trust -U postgres ..." and then these "--key=value" options: the
              // later --auth wins, so TCP logins need the generated password from the first start.
              .setLocaleConfig("locale", "C")
              .setLocaleConfig("auth", "scram-sha-256")
              .setLocaleConfig("pwfile", passwordFile.toString())
              .setConnectConfig("password", password)
              .setServerConfig("listen_addresses", "localhost")
              // zonky is tuned for throwaway test databases ("-F" = fsync off, synchronous_commit
              // off); this one keeps the server's data, so make it durable ("-c" comes after "-F").
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              // TCP only: no socket in /tmp to clash with another user's server on the same port
              .setServerConfig("unix_socket_directories", "")
              .start();
    } catch (IOException | RuntimeException | ExceptionInInitializerError e) {
      throw new DatabaseUnavailableException(
          "The embedded PostgreSQL did not start (data in "
              + pgData
              + ", port "
              + port
              + "): "
              + oneLine(rootCause(e).toString())
              + "; set DATABASE_URL=postgresql://user:pass@host:5432/db to use another server.",
          e);
    }
    ResolvedDatabase db =
        new ResolvedDatabase(
            "localhost",
            port,
            EMBEDDED_DATABASE,
            EMBEDDED_USER,
            password,
            ResolvedDatabase.SOURCE_EMBEDDED,
            pg,
            "data in " + pgData);
    try {
      createDatabaseIfMissing(db);
    } catch (SQLException e) {
      db.close();
      throw new DatabaseUnavailableException(
          "The embedded PostgreSQL started but creating the database "
              + EMBEDDED_DATABASE
              + " failed: "
              + oneLine(e.getMessage()),
          e);
    }
    LOG.info(
        "Embedded PostgreSQL ready in {} ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
    return db;
  }

  /** The one-line refusal when there is nothing else and the embedded server would run as root. */
  static String rootMessage(String whyNotLocalhost) {
    String why = whyNotLocalhost == null || whyNotLocalhost.isBlank() ? NOTHING_ON_LOCALHOST : whyNotLocalhost;
    return oneLine(
        "No PostgreSQL found (DATABASE_URL and PG* unset, "
            + why
            + ") and the embedded PostgreSQL cannot run as root:"
            + " set DATABASE_URL=postgresql://user:pass@host:5432/db or run as a non-root user.");
  }

  private static void createDatabaseIfMissing(ResolvedDatabase db) throws SQLException {
    ResolvedDatabase admin = db.withDatabase("postgres");
    try (Connection c = new org.postgresql.Driver().connect(admin.jdbcUrl(), admin.jdbcProperties())) {
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
        ps.setString(1, db.database());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return;
          }
        }
      }
      try (Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE " + db.database() + " ENCODING 'UTF8'");
        LOG.info("Created database {} in the embedded PostgreSQL", db.database());
      }
    }
  }

  private static String newPassword(Path file) throws IOException {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    Files.deleteIfExists(file); // left over from a first start that failed before initdb finished
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    } catch (FileAlreadyExistsException e) {
      // raced with another start; overwrite below
    }
    Files.writeString(file, password + "\n", StandardOpenOption.TRUNCATE_EXISTING);
    return password;
  }

  private static void ownerOnly(Path dir) throws IOException {
    try {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system
    }
  }

  private static Throwable rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c;
  }
}
