package dev.parley.db;

import dev.parley.config.ParleyConfig;
import dev.parley.secrets.SecretSources;
import dev.parley.secrets.SecretSources.StoredSecrets;
import dev.parley.secrets.ServerSecrets;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;

/**
 * Brings a database up to the current schema and moves an earlier version's secrets out of it. Blocking (JDBC):
 * the server and the admin commands call it before any event loop runs.
 */
public final class DatabaseSetup {
  private DatabaseSetup() {}

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseSetup.class);
  /** The rows an earlier version generated its secrets into (the table is only emptied now). */
  private static final String STORED_PEPPER = "api_key_hash_key", STORED_JWT_SECRET = "jwt_secret";

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

  /**
   * The node's secrets ({@link SecretSources}), never from the database. What an earlier version
   * kept in {@code server_secrets} is checked against them and, once they hold it, deleted there.
   */
  public static ServerSecrets secrets(ResolvedDatabase db, ParleyConfig config) {
    StoredSecrets stored = stored(db);
    ServerSecrets secrets = SecretSources.resolve(config, stored);
    if (stored.any()) {
      forgetStored(db);
      LOG.info("Deleted the secrets an earlier version kept in PostgreSQL (server_secrets): this node's secrets hold them");
    }
    return secrets;
  }

  /** What an earlier version generated into server_secrets: an API-key pepper and a JWT key, or nothing. */
  public static StoredSecrets stored(ResolvedDatabase db) {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.jdbcProperties());
         PreparedStatement select = c.prepareStatement("SELECT name, value FROM server_secrets WHERE name IN (?, ?)")) {
      select.setString(1, STORED_PEPPER);
      select.setString(2, STORED_JWT_SECRET);
      byte[] pepper = null;
      String jwt = null;
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          if (STORED_PEPPER.equals(rs.getString(1))) pepper = HexFormat.of().parseHex(rs.getString(2));
          else jwt = rs.getString(2);
        }
      }
      return new StoredSecrets(pepper, jwt);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the table server_secrets: " + e.getMessage(), e);
    }
  }

  /** Deletes them, once a secrets file or the settings hold them. */
  public static void forgetStored(ResolvedDatabase db) {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.jdbcProperties());
         PreparedStatement delete = c.prepareStatement("DELETE FROM server_secrets")) {
      delete.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot empty the table server_secrets: " + e.getMessage(), e);
    }
  }
}
