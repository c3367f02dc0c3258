package dev.parley.admin;

import dev.parley.auth.ApiKeys;
import dev.parley.db.ResolvedDatabase;
import dev.parley.db.ServerSecrets;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** The writes behind the admin commands (plain JDBC: a command line may block). */
final class AdminStore implements AutoCloseable {
  private final Connection c;
  private final ServerSecrets secrets;

  AdminStore(ResolvedDatabase db, ServerSecrets secrets) throws SQLException {
    this.c = DriverManager.getConnection(db.jdbcUrl(), db.jdbcProperties());
    this.secrets = secrets;
  }

  UUID createPartner(String name) throws SQLException {
    UUID id = UUID.randomUUID();
    try (PreparedStatement s = c.prepareStatement("INSERT INTO ats_partners (id, name) VALUES (?, ?)")) {
      s.setObject(1, id);
      s.setString(2, name);
      s.executeUpdate();
    }
    return id;
  }

  UUID createCompany(String name, Integer maxConcurrentCalls, String timezone, String callWindow, UUID partnerId)
    throws SQLException {
    UUID id = UUID.randomUUID();
    try (PreparedStatement s = c.prepareStatement("""
      INSERT INTO companies (id, name, max_concurrent_calls, timezone, call_window, partner_id)
      VALUES (?, ?, COALESCE(?, 2), COALESCE(?, 'UTC'), COALESCE(?, '09:00-20:00'), ?)""")) {
      s.setObject(1, id);
      s.setString(2, name);
      s.setObject(3, maxConcurrentCalls, Types.INTEGER);
      s.setString(4, timezone);
      s.setString(5, callWindow);
      s.setObject(6, partnerId);
      s.executeUpdate();
    }
    return id;
  }

  boolean exists(String table, UUID id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM " + table + " WHERE id = ?")) {
      s.setObject(1, id);
      return s.executeQuery().next();
    }
  }

  /** Creates a key and returns the plain key: the only time it exists outside the caller's hands. */
  String createKey(UUID keyId, UUID companyId, UUID partnerId, String name, List<String> scopes, OffsetDateTime expiresAt,
                   Integer rateMinute, Integer rateHour, boolean live) throws SQLException {
    String key = ApiKeys.generate(live);
    try (PreparedStatement s = c.prepareStatement("""
      INSERT INTO api_keys (id, company_id, partner_id, name, key_hash, key_prefix, scopes, expires_at,
                            rate_limit_minute, rate_limit_hour)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
      Array array = c.createArrayOf("text", scopes.toArray());
      s.setObject(1, keyId);
      s.setObject(2, companyId);
      s.setObject(3, partnerId);
      s.setString(4, name);
      s.setBytes(5, ApiKeys.hash(secrets.apiKeyHashKey(), key));
      s.setString(6, ApiKeys.prefix(key));
      s.setArray(7, array);
      s.setTimestamp(8, expiresAt == null ? null : Timestamp.from(expiresAt.toInstant()));
      s.setObject(9, rateMinute, Types.INTEGER);
      s.setObject(10, rateHour, Types.INTEGER);
      s.executeUpdate();
    }
    return key;
  }

  /** True when the key existed; revoking twice keeps the first time. */
  boolean revokeKey(UUID id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = ?")) {
      s.setObject(1, id);
      return s.executeUpdate() == 1;
    }
  }

  boolean suspendKey(UUID id, String reason) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
      "UPDATE api_keys SET suspended_at = now(), suspended_reason = ? WHERE id = ?")) {
      s.setString(1, reason);
      s.setObject(2, id);
      return s.executeUpdate() == 1;
    }
  }

  @Override
  public void close() throws SQLException {
    c.close();
  }
}
