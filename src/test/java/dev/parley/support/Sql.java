package dev.parley.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Reads the test database directly, to check what the API left behind. */
public final class Sql {
  private Sql() {}

  public static List<Map<String, Object>> rows(TestDatabase db, String sql, Object... params) {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(sql)) {
      bind(s, params);
      try (ResultSet rs = s.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        List<Map<String, Object>> out = new ArrayList<>();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= md.getColumnCount(); i++) row.put(md.getColumnLabel(i), rs.getObject(i));
          out.add(row);
        }
        return out;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Runs a statement that changes rows, as a test's way to set up what no API call can (a node's crash). */
  public static int execute(TestDatabase db, String sql, Object... params) {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(sql)) {
      bind(s, params);
      return s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * Changes rows the way time passing would, with no trigger firing: a test that makes an attempt
   * due by moving its time is not a write the stored interview document must follow, and the
   * document's trigger would wait for the interview row that the test itself holds locked.
   */
  public static int executeWithoutTriggers(TestDatabase db, String sql, Object... params) {
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(sql)) {
      try (PreparedStatement replica = c.prepareStatement("SET session_replication_role = replica")) {
        replica.execute();
      }
      bind(s, params);
      return s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Whether a statement of this database whose text contains {@code fragment} is waiting for a lock. */
  public static boolean waitingOnALock(TestDatabase db, String fragment) {
    return count(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
      + " AND wait_event_type = 'Lock' AND query LIKE ?", "%" + fragment + "%") > 0;
  }

  /** Runs a locking query on a connection whose transaction the test holds open. */
  public static void lock(Connection held, String sql, Object... params) {
    try (PreparedStatement s = held.prepareStatement(sql)) {
      bind(s, params);
      s.executeQuery().close();
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Parameters as JDBC takes them; a string shaped like a UUID is bound as one. */
  private static void bind(PreparedStatement s, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      if (p instanceof String str && str.length() == 36 && str.charAt(8) == '-') p = UUID.fromString(str);
      s.setObject(i + 1, p);
    }
  }

  /** The stored recording of an interview, its chunks put together; null when it has none. */
  public static byte[] recording(TestDatabase db, String interviewId) {
    List<Map<String, Object>> rows = rows(db, """
      SELECT (SELECT string_agg(c.bytes, ''::bytea ORDER BY c.seq) FROM recording_chunks c WHERE c.recording_id = r.recording_id) AS audio
        FROM recordings r WHERE r.interview_id = ?::uuid""", interviewId);
    return rows.isEmpty() ? null : (byte[]) rows.get(0).get("audio");
  }

  public static long count(TestDatabase db, String sql, Object... params) {
    Object v = rows(db, sql, params).get(0).values().iterator().next();
    return ((Number) v).longValue();
  }

  /** Every table that can hold a row about an interview (the audit table aside), and its column of the interview. */
  private static final Map<String, String> ABOUT_INTERVIEW = new LinkedHashMap<>();
  static {
    ABOUT_INTERVIEW.put("interviews", "id");
    ABOUT_INTERVIEW.put("call_attempts", "interview_id");
    ABOUT_INTERVIEW.put("live_calls", "interview_id");
    ABOUT_INTERVIEW.put("outbox", "interview_id");
    ABOUT_INTERVIEW.put("recordings", "interview_id");
    ABOUT_INTERVIEW.put("recording_chunks", "interview_id");
    ABOUT_INTERVIEW.put("idempotency_keys", "interview_id");
    ABOUT_INTERVIEW.put("webhook_deliveries", "interview_id");
  }

  /**
   * {@link #rowsAbout(TestDatabase, String)} for many interviews, on one connection and one query a
   * table: the interviews that still have rows, each with its tables and how many.
   */
  public static Map<String, Map<String, Long>> rowsAbout(TestDatabase db, java.util.Collection<String> interviewIds) {
    Map<String, Map<String, Long>> left = new java.util.TreeMap<>();
    if (interviewIds.isEmpty()) return left;
    try (Connection c = db.connect()) {
      java.sql.Array ids = c.createArrayOf("uuid", interviewIds.stream().map(UUID::fromString).toArray());
      for (Map.Entry<String, String> about : ABOUT_INTERVIEW.entrySet()) {
        String sql = "SELECT " + about.getValue() + "::text, count(*) FROM " + about.getKey()
          + " WHERE " + about.getValue() + " = ANY (?) GROUP BY 1";
        try (PreparedStatement s = c.prepareStatement(sql)) {
          s.setArray(1, ids);
          try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) left.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(about.getKey(), rs.getLong(2));
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    return left;
  }

  /** The tables that still hold rows about an interview, with how many: empty when only the audit row remains. */
  public static Map<String, Long> rowsAbout(TestDatabase db, String interviewId) {
    Map<String, Long> left = new LinkedHashMap<>();
    ABOUT_INTERVIEW.forEach((table, column) -> {
      long n = count(db, "SELECT count(*) FROM " + table + " WHERE " + column + " = ?", interviewId);
      if (n > 0) left.put(table, n);
    });
    return left;
  }
}
