package dev.parley.db;

import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server the process uses, as chosen by {@link DatabaseResolver}.
 *
 * @param host host name or address (an IPv6 address without brackets)
 * @param port TCP port
 * @param database database name
 * @param user role name
 * @param password password, or {@code null} when none is needed (trust auth)
 * @param source where it came from: {@code "DATABASE_URL"}, {@code "PG variables"},
 *     {@code "localhost defaults"} or {@code "embedded"}
 * @param embedded the embedded server to stop on {@link #close()}, or {@code null}
 * @param note an extra remark for {@link #describe()} (e.g. a socket directory replaced by
 *     localhost, or where the embedded data lives), or {@code null}
 * @param tls how the connections use TLS; every connection (Vert.x and JDBC) follows it
 */
public record ResolvedDatabase(
    String host,
    int port,
    String database,
    String user,
    String password,
    String source,
    AutoCloseable embedded,
    String note,
    DatabaseTls tls)
    implements AutoCloseable {

  public static final String SOURCE_DATABASE_URL = "DATABASE_URL";
  public static final String SOURCE_PG_VARIABLES = "PG variables";
  public static final String SOURCE_LOCALHOST = "localhost defaults";
  public static final String SOURCE_EMBEDDED = "embedded";

  /** Connect timeout for the Vert.x client, in milliseconds. */
  public static final int CONNECT_TIMEOUT_MS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(ResolvedDatabase.class);

  /** Without TLS, {@link DatabaseTls#PLAINTEXT}: the embedded server has none. */
  public ResolvedDatabase(
      String host,
      int port,
      String database,
      String user,
      String password,
      String source,
      AutoCloseable embedded,
      String note) {
    this(host, port, database, user, password, source, embedded, note, DatabaseTls.PLAINTEXT);
  }

  /**
   * {@code jdbc:postgresql://host:port/database?sslmode=...}, with the TLS settings in pgjdbc's
   * parameters; user and password are in {@link #jdbcProperties()}.
   */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + hostForUrl() + ":" + port + "/" + encodePath(database) + "?" + tls.jdbcQuery();
  }

  /** {@code user} and, when there is one, {@code password}, for the JDBC driver (Flyway, probes). */
  public Properties jdbcProperties() {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null) {
      p.setProperty("password", password);
    }
    return p;
  }

  /**
   * Options for the Vert.x PostgreSQL client, prepared-statement cache on (256 statements).
   *
   * <p>In Vert.x 5 the TCP connect timeout is not part of {@code PgConnectOptions}: pass {@link
   * #netClientOptions()} to {@code PgBuilder.pool().with(...)}, and bound the wait for a connection
   * with {@code PoolOptions#setConnectionTimeout} as well.
   */
  public PgConnectOptions pgConnectOptions() {
    return tls.applyTo(new PgConnectOptions())
        .setHost(host)
        .setPort(port)
        .setDatabase(database)
        .setUser(user)
        // Vert.x's default password is "pass"; an empty one is what "no password" means here.
        .setPassword(password == null ? "" : password)
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(256)
        .addProperty("application_name", "parley");
  }

  /** TCP options for {@code PgBuilder.pool().with(netClientOptions())}: a 5 s connect timeout. */
  public NetClientOptions netClientOptions() {
    return new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS);
  }

  /**
   * One line without the password, e.g. {@code postgresql://root@127.0.0.1:5432/root (from
   * DATABASE_URL)}.
   */
  public String describe() {
    String origin =
        switch (source) {
          case SOURCE_DATABASE_URL -> "from DATABASE_URL";
          case SOURCE_PG_VARIABLES -> "from PG variables";
          case SOURCE_EMBEDDED -> "embedded";
          default -> source;
        };
    return "postgresql://"
        + user
        + "@"
        + hostForUrl()
        + ":"
        + port
        + "/"
        + database
        + " ("
        + origin
        + (note == null || note.isBlank() ? "" : "; " + note)
        + "; "
        + tls.describe()
        + ")";
  }

  /**
   * The one-line error for a first connection that failed: says what TLS had to do with it, never
   * the password.
   */
  public DatabaseUnavailableException cannotConnect(Throwable failure) {
    String tlsReason = tls.tlsReason(failure, host);
    String where = "PostgreSQL at " + hostForUrl() + ":" + port;
    if (tlsReason != null) {
      return new DatabaseUnavailableException("TLS to " + where + " failed: " + tlsReason + ".", failure);
    }
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause
        && !(cause instanceof java.sql.SQLException) && !(cause instanceof io.vertx.pgclient.PgException)) {
      cause = cause.getCause();
    }
    return new DatabaseUnavailableException("Cannot connect to " + where + " as " + user + " to database " + database
        + " (" + tls.describe() + "): " + DatabaseUnavailableException.oneLine(String.valueOf(cause.getMessage())), failure);
  }

  /** The same server and TLS settings, another database (the embedded server's {@code postgres}). */
  ResolvedDatabase withDatabase(String otherDatabase) {
    return new ResolvedDatabase(host, port, otherDatabase, user, password, source, null, note, tls);
  }

  /** The same database with another password. */
  ResolvedDatabase withPassword(String otherPassword) {
    return new ResolvedDatabase(host, port, database, user, otherPassword, source, embedded, note, tls);
  }

  /** Whether this is the embedded server started by this process. */
  public boolean isEmbedded() {
    return embedded != null;
  }

  /** Stops the embedded server, if this process started one; otherwise does nothing. */
  @Override
  public void close() {
    if (embedded == null) {
      return;
    }
    try {
      embedded.close();
      LOG.info("Embedded PostgreSQL stopped");
    } catch (Exception e) {
      LOG.warn("Could not stop the embedded PostgreSQL cleanly: {}", e.toString());
    }
  }

  /** Never shows the password (records print every component by default). */
  @Override
  public String toString() {
    return describe();
  }

  private String hostForUrl() {
    return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  private static String encodePath(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
