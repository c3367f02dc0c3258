package dev.parley.admin;

import dev.parley.auth.ApiKeys;
import dev.parley.db.ResolvedDatabase;
import dev.parley.secrets.ServerSecrets;

import io.vertx.core.json.JsonObject;
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

  /**
   * Sets a company's concurrency slots; the company as the API shows it, or null when there is none.
   * Calls already live keep their slots: a lower limit only holds new claims back until enough end.
   */
  JsonObject setCapacity(UUID companyId, int maxConcurrentCalls) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("""
      UPDATE companies SET max_concurrent_calls = ?, updated_at = now() WHERE id = ? RETURNING company_json(companies)::text""")) {
      s.setInt(1, maxConcurrentCalls);
      s.setObject(2, companyId);
      try (var rs = s.executeQuery()) {
        return rs.next() ? new JsonObject(rs.getString(1)) : null;
      }
    }
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
                            rate_limit_minute, rate_limit_hour, pepper_version)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
      Array array = c.createArrayOf("text", scopes.toArray());
      s.setObject(1, keyId);
      s.setObject(2, companyId);
      s.setObject(3, partnerId);
      s.setString(4, name);
      s.setBytes(5, ApiKeys.hash(secrets.currentPepper().key(), key));
      s.setString(6, ApiKeys.prefix(key));
      s.setArray(7, array);
      s.setTimestamp(8, expiresAt == null ? null : Timestamp.from(expiresAt.toInstant()));
      s.setObject(9, rateMinute, Types.INTEGER);
      s.setObject(10, rateHour, Types.INTEGER);
      s.setString(11, secrets.currentPepper().version());
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

  /**
   * Adds a caller number to a company (made its default when asked, the earlier default no longer
   * one); returns it as the API lists it. Null when the company has this number already.
   */
  String createPhoneNumber(UUID companyId, String number, String label, String providerRef, boolean isDefault)
    throws SQLException {
    c.setAutoCommit(false);
    try {
      if (isDefault) {
        try (PreparedStatement s = c.prepareStatement(
          "UPDATE company_phone_numbers SET is_default = false WHERE company_id = ? AND is_default")) {
          s.setObject(1, companyId);
          s.executeUpdate();
        }
      }
      try (PreparedStatement s = c.prepareStatement("""
        INSERT INTO company_phone_numbers (id, company_id, number, label, provider_ref, is_default)
        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (company_id, number) DO NOTHING
        RETURNING phone_number_json(company_phone_numbers)::text""")) {
        s.setObject(1, UUID.randomUUID());
        s.setObject(2, companyId);
        s.setString(3, number);
        s.setString(4, label);
        s.setString(5, providerRef);
        s.setBoolean(6, isDefault);
        var rows = s.executeQuery();
        String json = rows.next() ? rows.getString(1) : null;
        if (json == null) c.rollback();
        else c.commit();
        return json;
      }
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** A company's caller numbers, oldest first, as a JSON array. */
  String phoneNumbers(UUID companyId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("""
      SELECT coalesce(json_agg(phone_number_json(n) ORDER BY n.created_at, n.id), '[]')::text
        FROM company_phone_numbers n WHERE n.company_id = ?""")) {
      s.setObject(1, companyId);
      var rows = s.executeQuery();
      rows.next();
      return rows.getString(1);
    }
  }

  /** True when the number existed. Agents that named it fall back to the company's default. */
  boolean deletePhoneNumber(UUID id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("DELETE FROM company_phone_numbers WHERE id = ?")) {
      s.setObject(1, id);
      return s.executeUpdate() == 1;
    }
  }

  @Override
  public void close() throws SQLException {
    c.close();
  }

  /** Keys that still count (not revoked), by the version of the pepper their hash was made under. */
  java.util.Map<String, Long> keysByPepperVersion() throws SQLException {
    java.util.Map<String, Long> counts = new java.util.TreeMap<>();
    try (PreparedStatement s = c.prepareStatement(
      "SELECT pepper_version, count(*) FROM api_keys WHERE revoked_at IS NULL GROUP BY pepper_version");
         java.sql.ResultSet rs = s.executeQuery()) {
      while (rs.next()) counts.put(rs.getString(1), rs.getLong(2));
    }
    return counts;
  }
}
