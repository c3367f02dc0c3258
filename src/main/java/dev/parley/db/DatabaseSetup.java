package dev.parley.db;

import dev.parley.common.RandomSecrets;
import dev.parley.config.ParleyConfig;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings a database up to the current schema and reads the shared secrets. Blocking (JDBC):
 * the server and the admin commands call it before any event loop runs.
 */
public final class DatabaseSetup {
  private DatabaseSetup() {}

  static final String API_KEY_HASH_SECRET = "api_key_hash_key";
  static final String JWT_SECRET = "jwt_secret";

  /**
   * Runs the migrations: the first connection of a start, so a database that cannot be reached (or
   * a TLS setting it refuses) is reported here, in one line.
   */
  public static void migrate(ResolvedDatabase db) throws DatabaseUnavailableException {
    try {
      Flyway.configure()
        .dataSource(db.jdbcUrl(), db.user(), db.password())
        .locations("classpath:db/migration")
        .load()
        .migrate();
    } catch (FlywayException e) {
      if (connectionFailure(e)) throw db.cannotConnect(e);
      throw e;
    }
  }

  /** Whether Flyway failed because it could not connect or log in (SQLState class 08 or 28). */
  private static boolean connectionFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null
        && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("28"))) {
        return true;
      }
    }
    return false;
  }

  public static ServerSecrets secrets(ResolvedDatabase db, ParleyConfig config) {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.jdbcProperties())) {
      byte[] hashKey = ServerSecrets.fromHex(ensureSecret(c, API_KEY_HASH_SECRET));
      return new ServerSecrets(hashKey, jwtKeys(c, config));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the server secrets: " + e.getMessage(), e);
    }
  }

  private static List<ServerSecrets.JwtKey> jwtKeys(Connection c, ParleyConfig config) throws SQLException {
    List<ServerSecrets.JwtKey> keys = new ArrayList<>();
    if (config.jwtKeys() != null) {
      // PARLEY_JWT_KEYS: "kid1=secret1,kid2=secret2" (checked when the configuration loads); the first signs, all verify.
      for (var pair : config.jwtKeyPairs()) keys.add(new ServerSecrets.JwtKey(pair.getKey(), pair.getValue()));
    } else if (config.jwtSecret() != null) {
      keys.add(new ServerSecrets.JwtKey("default", config.jwtSecret()));
    } else {
      keys.add(new ServerSecrets.JwtKey("generated", ensureSecret(c, JWT_SECRET)));
    }
    return keys;
  }

  /** Reads a secret, creating it on first use; concurrent first starts agree on one value. */
  private static String ensureSecret(Connection c, String name) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(
      "INSERT INTO server_secrets(name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
      insert.setString(1, name);
      insert.setString(2, RandomSecrets.newHex());
      insert.executeUpdate();
    }
    try (PreparedStatement select = c.prepareStatement("SELECT value FROM server_secrets WHERE name = ?")) {
      select.setString(1, name);
      try (ResultSet rs = select.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }
}
