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
      for (int i = 0; i < params.length; i++) {
        Object p = params[i];
        if (p instanceof String str && str.length() == 36 && str.charAt(8) == '-') p = UUID.fromString(str);
        s.setObject(i + 1, p);
      }
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

  public static long count(TestDatabase db, String sql, Object... params) {
    Object v = rows(db, sql, params).get(0).values().iterator().next();
    return ((Number) v).longValue();
  }

  /** Every table that can hold a row about an interview, and how many it holds (audit excluded). */
  public static long rowsAbout(TestDatabase db, String interviewId) {
    return count(db, "SELECT count(*) FROM interviews WHERE id = ?", interviewId)
      + count(db, "SELECT count(*) FROM call_attempts WHERE interview_id = ?", interviewId)
      + count(db, "SELECT count(*) FROM live_calls WHERE interview_id = ?", interviewId)
      + count(db, "SELECT count(*) FROM outbox WHERE interview_id = ?", interviewId)
      + count(db, "SELECT count(*) FROM idempotency_keys WHERE interview_id = ?", interviewId);
  }
}
