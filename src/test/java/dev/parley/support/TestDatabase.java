package dev.parley.support;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * A fresh PostgreSQL database for one test class, so classes can run in parallel.
 *
 * <p>Where the server comes from, in order: {@code PARLEY_TEST_DATABASE_URL}
 * ({@code postgresql://user:pass@host:port/db}, the database named is only used to create others),
 * then the libpq {@code PG*} variables, then a Testcontainers PostgreSQL when a Docker engine is
 * present, then a server on localhost:5432 that lets the OS user (or {@code postgres}) in. With
 * none of them the test fails and says how to provide one: it never skips.
 */
public final class TestDatabase implements AutoCloseable {
  private static Server server;

  private final Server on;
  private final String name;

  private TestDatabase(Server on, String name) {
    this.on = on;
    this.name = name;
  }

  /** The server that admin connections go to. */
  record Server(String host, int port, String user, String password, String adminDatabase) {
    String jdbc(String db) {
      return "jdbc:postgresql://" + host + ":" + port + "/" + db;
    }

    Connection connect(String db) throws SQLException {
      Properties p = new Properties();
      p.setProperty("user", user);
      if (password != null) p.setProperty("password", password);
      return DriverManager.getConnection(jdbc(db), p);
    }
  }

  public static synchronized TestDatabase create(String label) {
    if (server == null) server = locate(System.getenv());
    String name = ("parley_t_" + label + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT)
      .replaceAll("[^a-z0-9_]", "_");
    try (Connection c = server.connect(server.adminDatabase()); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name + " on " + server.host() + ":" + server.port()
        + ": " + e.getMessage(), e);
    }
    return new TestDatabase(server, name);
  }

  static Server locate(Map<String, String> env) {
    String url = env.get("PARLEY_TEST_DATABASE_URL");
    if (url != null && !url.isBlank()) return fromUrl(url);
    if (env.keySet().stream().anyMatch(k -> k.startsWith("PG") && !env.get(k).isBlank())) {
      String user = env.getOrDefault("PGUSER", System.getProperty("user.name"));
      String host = env.getOrDefault("PGHOST", "localhost");
      if (host.startsWith("/")) host = "localhost";
      return new Server(host, Integer.parseInt(env.getOrDefault("PGPORT", "5432")), user, env.get("PGPASSWORD"),
        env.getOrDefault("PGDATABASE", "postgres"));
    }
    Server container = Containers.postgres();
    if (container != null) return container;
    // Last, like the server itself (SPEC section 8): a PostgreSQL on localhost with the libpq defaults.
    for (String user : new String[] {System.getProperty("user.name"), "postgres"}) {
      Server local = new Server("localhost", 5432, user, null, "postgres");
      try (Connection c = local.connect("postgres")) {
        return local;
      } catch (SQLException e) {
        // not this one
      }
    }
    throw new IllegalStateException("No PostgreSQL for the tests: set PARLEY_TEST_DATABASE_URL=postgresql://user:pass@host:5432/postgres"
      + " or the libpq PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD), or start a Docker engine for Testcontainers."
      + " `bash .ci/run` sets PG* for the machine's local server.");
  }

  static Server fromUrl(String url) {
    URI uri = URI.create(url.replaceFirst("^jdbc:", "").replaceFirst("^postgres://", "postgresql://"));
    String user = System.getProperty("user.name"), password = null;
    if (uri.getUserInfo() != null) {
      String[] parts = uri.getUserInfo().split(":", 2);
      user = parts[0];
      if (parts.length == 2) password = parts[1];
    }
    String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
    return new Server(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), user, password, db);
  }

  /** DATABASE_URL for the server under test. */
  public String url() {
    return urlThrough(on.host(), on.port());
  }

  /** The same database reached through another address (a proxy in front of the server). */
  public String urlThrough(String host, int port) {
    String auth = on.user() + (on.password() == null ? "" : ":" + on.password());
    return "postgresql://" + auth + "@" + host + ":" + port + "/" + name;
  }

  /** The libpq variables naming this database, for a node started without DATABASE_URL. */
  public Map<String, String> pgVariables() {
    Map<String, String> pg = new java.util.HashMap<>(Map.of("PGHOST", on.host(), "PGPORT", String.valueOf(on.port()),
      "PGUSER", on.user(), "PGDATABASE", name));
    pg.put("PGPASSWORD", on.password() == null ? "" : on.password());
    return pg;
  }

  public String serverHost() {
    return on.host();
  }

  public int serverPort() {
    return on.port();
  }

  public String name() {
    return name;
  }

  /** A JDBC connection to this test database, for checking what the API left behind. */
  public Connection connect() throws SQLException {
    return on.connect(name);
  }

  @Override
  public void close() {
    try (Connection c = on.connect(on.adminDatabase()); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      // leaving a scratch database behind is harmless; the next run uses new names
    }
  }
}
