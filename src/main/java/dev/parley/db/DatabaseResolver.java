package dev.parley.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the PostgreSQL server to use (SPEC §8), in this order:
 *
 * <ol>
 *   <li>{@code DATABASE_URL} ({@code postgresql://}, {@code postgres://} or {@code
 *       jdbc:postgresql://});
 *   <li>the libpq variables {@code PGHOST}, {@code PGPORT}, {@code PGUSER}, {@code PGPASSWORD},
 *       {@code PGDATABASE}, if any is set (libpq defaults for the others);
 *   <li>a server answering on localhost:5432 with the libpq defaults (user and database = the OS
 *       user name);
 *   <li>an embedded PostgreSQL (binaries from Maven) with its data under {@code dataDir/postgres},
 *       which cannot run as root, and has no TLS: refused when {@code PGSSLMODE} requires TLS.
 * </ol>
 *
 * <p>The first three use TLS as {@link DatabaseTls} says: {@code sslmode} and {@code sslrootcert}
 * from the URL, else {@code PGSSLMODE} and {@code PGSSLROOTCERT}, else libpq's defaults.
 *
 * <p>Blocking (JDBC, process start): call it before Vert.x starts.
 */
public final class DatabaseResolver {

  public static final int DEFAULT_PORT = 5432;
  public static final int DEFAULT_EMBEDDED_PORT = 54329;
  public static final String EMBEDDED_DATABASE = "parley";
  public static final String EMBEDDED_USER = "postgres";
  public static final String EMBEDDED_PORT_VARIABLE = "PARLEY_EMBEDDED_PG_PORT";

  static final List<String> PG_VARIABLES =
      List.of("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE");
  static final String NOTHING_ON_LOCALHOST = "nothing on localhost:" + DEFAULT_PORT;

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseResolver.class);
  private static final int PROBE_TIMEOUT_SECONDS = 2;
  private static final Duration EMBEDDED_STARTUP_WAIT = Duration.ofSeconds(60);
  private static final String URL_HINT =
      "expected postgresql://user:password@host:5432/database, with special characters in the"
          + " user and password percent-encoded";

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
    String url = nonBlank(env.get("DATABASE_URL"));
    if (url != null) {
      return chosen(withPgPass(parseUrl(url, env, defaultRootCert)));
    }
    if (PG_VARIABLES.stream().anyMatch(v -> nonBlank(env.get(v)) != null)) {
      return chosen(withPgPass(fromPgVariables(env, defaultRootCert)));
    }
    String osUser = osUserName();
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
    String failure = probe(local);
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
    return chosen(startEmbedded(env, dataDir, failure, runningAsRoot()));
  }

  private static ResolvedDatabase chosen(ResolvedDatabase db) {
    LOG.info("Database: {}", db.describe());
    return db;
  }

  // ---------------------------------------------------------------- (a) DATABASE_URL

  /** {@link #parseUrl(String, Map, Path)} with no environment, not looking for libpq's default root certificate. */
  static ResolvedDatabase parseUrl(String url) throws DatabaseUnavailableException {
    return parseUrl(url, Map.of(), null);
  }

  /**
   * Parses a {@code postgresql://}, {@code postgres://} or {@code jdbc:postgresql://} URL; its TLS
   * parameters win over {@code PGSSLMODE} and {@code PGSSLROOTCERT} in {@code env}, as in libpq.
   *
   * <p>Not {@code PgConnectOptions.fromUri} (vertx-pg-client 5.0): it takes no {@code jdbc:} URLs,
   * no upper-case scheme and no unencoded '@' in a password, turns '+' into a space everywhere, drops
   * {@code sslrootcert}, and quotes the whole URL, password included, in its error. Nor {@code
   * fromEnv}: it reads the process environment, not the one given here, and not PGSSLROOTCERT.
   */
  static ResolvedDatabase parseUrl(String url, Map<String, String> env, Path defaultRootCert)
      throws DatabaseUnavailableException {
    String s = url.trim();
    boolean jdbc = false;
    String rest;
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:postgresql://")) {
      jdbc = true;
      rest = s.substring("jdbc:postgresql://".length());
    } else if (lower.startsWith("postgresql://")) {
      rest = s.substring("postgresql://".length());
    } else if (lower.startsWith("postgres://")) {
      rest = s.substring("postgres://".length());
    } else {
      throw badUrl("it must start with postgresql://, postgres:// or jdbc:postgresql://");
    }

    int fragment = rest.indexOf('#');
    if (fragment >= 0) {
      rest = rest.substring(0, fragment);
    }
    // The authority ends at the first '/' or '?'; a '/', '?' or '#' in the password must be encoded.
    int authorityEnd = indexOfAny(rest, "/?");
    String authority = authorityEnd < 0 ? rest : rest.substring(0, authorityEnd);
    String pathAndQuery = authorityEnd < 0 ? "" : rest.substring(authorityEnd);
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    String query = q < 0 ? "" : pathAndQuery.substring(q + 1);

    String user = null;
    String password = null;
    String hostPort = authority;
    int at = authority.lastIndexOf('@'); // tolerate an unencoded '@' in the password
    if (at >= 0) {
      String userInfo = authority.substring(0, at);
      hostPort = authority.substring(at + 1);
      int colon = userInfo.indexOf(':');
      if (colon >= 0) {
        user = decode(userInfo.substring(0, colon), false, "user name");
        password = decode(userInfo.substring(colon + 1), false, "password");
      } else {
        user = decode(userInfo, false, "user name");
      }
    }
    if (hostPort.indexOf(',') >= 0) {
      throw badUrl("it names several hosts; Parley needs exactly one");
    }
    String host;
    String portText = null;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        throw badUrl("an IPv6 address is missing its closing ']'");
      }
      host = hostPort.substring(1, close);
      String after = hostPort.substring(close + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw badUrl("unexpected characters after the IPv6 address");
        }
        portText = after.substring(1);
      }
    } else {
      int colon = hostPort.lastIndexOf(':');
      if (colon >= 0) {
        host = hostPort.substring(0, colon);
        portText = hostPort.substring(colon + 1);
      } else {
        host = hostPort;
      }
      host = decode(host, false, "host");
      if (host.indexOf(':') >= 0) {
        throw badUrl("the host is not valid (write an IPv6 address in [brackets])");
      }
    }
    String database = path.length() > 1 ? decode(path.substring(1), false, "database name") : null;
    if (database != null && database.indexOf('/') >= 0) {
      throw badUrl("the database name contains '/'");
    }

    // Query parameters: user, password, dbname, host, port and the TLS ones count; others are ignored.
    String sslMode = null;
    String sslRootCert = null;
    boolean jdbcSsl = false;
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq), jdbc, "query parameter").toLowerCase(Locale.ROOT);
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1), jdbc, "query parameter");
      switch (key) {
        case "user" -> user = value;
        case "password" -> password = value;
        case "dbname" -> database = value;
        case "host" -> host = value;
        case "port" -> portText = value;
        case "sslmode" -> sslMode = value;
        case "sslrootcert" -> sslRootCert = value;
        // pgjdbc's older switch: ssl=true without sslmode means verify-full there
        case "ssl" -> jdbcSsl = jdbc && (value.isEmpty() || value.equalsIgnoreCase("true"));
        case "sslcert", "sslkey", "sslpassword" -> throw new DatabaseUnavailableException(
            "DATABASE_URL has " + key + ": client certificates are not supported; the server must accept"
                + " another login (a password) over TLS.");
        default -> {
          // application_name, connect_timeout, ...: not used by Parley
        }
      }
    }
    if (sslMode == null && jdbcSsl) {
      sslMode = "verify-full";
    }
    DatabaseTls tls = DatabaseTls.resolve(sslMode, sslRootCert, env, defaultRootCert);

    int port = DEFAULT_PORT;
    if (portText != null && !portText.isEmpty()) {
      port = parsePort(portText);
      if (port < 0) {
        throw badUrl("the port is not a number between 1 and 65535");
      }
    }
    if (user == null || user.isEmpty()) {
      user = osUserName();
    }
    if (database == null || database.isEmpty()) {
      database = user;
    }
    String note = null;
    if (host.isEmpty()) {
      host = "localhost";
      note = "no host given, using localhost";
    } else if (host.startsWith("/")) {
      note = "host " + host + " is a socket directory, using localhost";
      host = "localhost";
    }
    return new ResolvedDatabase(
        host, port, database, user, password, ResolvedDatabase.SOURCE_DATABASE_URL, null, note, tls);
  }

  private static DatabaseUnavailableException badUrl(String reason) {
    // Never quote the URL or any part of it: a mis-split URL can put the password anywhere.
    return new DatabaseUnavailableException(
        "DATABASE_URL is not a valid PostgreSQL URL: " + reason + "; " + URL_HINT + ".");
  }

  /** Percent-decodes (UTF-8); {@code plusIsSpace} for JDBC query values, as pgjdbc does. */
  private static String decode(String s, boolean plusIsSpace, String what)
      throws DatabaseUnavailableException {
    if (s.indexOf('%') < 0 && !(plusIsSpace && s.indexOf('+') >= 0)) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw badUrl("the " + what + " has a '%' that is not followed by two hex digits");
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        bytes.write(' ');
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
          b = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        bytes.writeBytes(b);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw badUrl("the " + what + " is not valid UTF-8 once percent-decoded");
    }
  }

  // ---------------------------------------------------------------- (b) PG* variables

  /** {@link #fromPgVariables(Map, Path)}, not looking for libpq's default root certificate. */
  static ResolvedDatabase fromPgVariables(Map<String, String> env) throws DatabaseUnavailableException {
    return fromPgVariables(env, null);
  }

  /**
   * The libpq variables (PGSSLMODE and PGSSLROOTCERT too), with libpq's defaults for the missing
   * ones. Does not connect.
   */
  static ResolvedDatabase fromPgVariables(Map<String, String> env, Path defaultRootCert)
      throws DatabaseUnavailableException {
    String host = nonBlank(env.get("PGHOST"));
    String portText = nonBlank(env.get("PGPORT"));
    String user = nonBlank(env.get("PGUSER"));
    String password = env.get("PGPASSWORD");
    if (password != null && password.isEmpty()) {
      password = null; // as libpq: an empty PGPASSWORD means none (the password file may have one)
    }
    String database = nonBlank(env.get("PGDATABASE"));

    if (host != null && host.indexOf(',') >= 0) {
      throw new DatabaseUnavailableException(
          "PGHOST names several hosts; Parley needs exactly one (or set DATABASE_URL).");
    }
    int port = DEFAULT_PORT;
    if (portText != null) {
      port = parsePort(portText);
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
      user = osUserName();
    }
    if (database == null) {
      database = user;
    }
    DatabaseTls tls = DatabaseTls.resolve(null, null, env, defaultRootCert);
    return new ResolvedDatabase(
        host, port, database, user, password, ResolvedDatabase.SOURCE_PG_VARIABLES, null, note, tls);
  }

  // ---------------------------------------------------------------- (c) localhost probe

  /**
   * Tries to log in with a ~2 s timeout.
   *
   * @return {@code null} when the login worked, else why not (one line, no password)
   */
  static String probe(ResolvedDatabase db) {
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

  // ---------------------------------------------------------------- (d) embedded

  /**
   * Starts (or restarts, keeping its data) the embedded PostgreSQL and creates the database {@code
   * parley} if missing.
   *
   * @param whyNotLocalhost what the localhost probe found, for the error message
   * @param asRoot whether this process runs as root (PostgreSQL refuses to)
   */
  static ResolvedDatabase startEmbedded(
      Map<String, String> env, Path dataDir, String whyNotLocalhost, boolean asRoot)
      throws DatabaseUnavailableException {
    if (asRoot) {
      throw new DatabaseUnavailableException(rootMessage(whyNotLocalhost));
    }
    int port = DEFAULT_EMBEDDED_PORT;
    String portText = nonBlank(env.get(EMBEDDED_PORT_VARIABLE));
    if (portText != null) {
      port = parsePort(portText);
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
    if (portInUse(port) && Files.exists(pgData.resolve("postmaster.pid"))) {
      ResolvedDatabase running = new ResolvedDatabase("localhost", port, EMBEDDED_DATABASE, EMBEDDED_USER, password,
          ResolvedDatabase.SOURCE_EMBEDDED, null, "already running; data in " + pgData);
      if (probe(running) == null) {
        LOG.info("Using the embedded PostgreSQL already running on port {} (data in {})", port, pgData);
        return running;
      }
    }
    // A postmaster.pid means our own server may still run (a killed JVM leaves it behind): then
    // zonky's "pg_ctl start" fails but its readiness check finds that server, and close() stops it.
    if (portInUse(port) && !Files.exists(pgData.resolve("postmaster.pid"))) {
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

  private static boolean portInUse(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("localhost", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Whether the process runs as root: the effective uid from {@code /proc/self/status} (Linux),
   * else the uid from {@code com.sun.security.auth.module.UnixSystem}, else {@code user.name}.
   */
  static boolean runningAsRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          String[] ids = line.substring(4).trim().split("\\s+"); // real, effective, saved, fs
          return ids.length > 1 ? "0".equals(ids[1]) : "0".equals(ids[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    try {
      Class<?> unix = Class.forName("com.sun.security.auth.module.UnixSystem");
      Object system = unix.getConstructor().newInstance();
      return ((Number) unix.getMethod("getUid").invoke(system)).longValue() == 0L;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      // not Unix, or the module is absent
    }
    return "root".equals(System.getProperty("user.name"));
  }

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

  static String osUserName() {
    String name = System.getProperty("user.name");
    return name == null || name.isBlank() ? "postgres" : name;
  }

  private static int parsePort(String text) {
    String t = text.trim();
    if (t.isEmpty() || t.length() > 5 || !t.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
      return -1;
    }
    int port = Integer.parseInt(t);
    return port >= 1 && port <= 65535 ? port : -1;
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  private static String nonBlank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static Throwable rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c;
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}
