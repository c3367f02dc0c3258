package dev.parley.db;

/**
 * No usable PostgreSQL could be found or started. The message is meant for the person starting the
 * server: one line, says what to do, and never contains a password.
 */
public class DatabaseUnavailableException extends Exception {

  private static final long serialVersionUID = 1L;

  public DatabaseUnavailableException(String message) {
    super(message);
  }

  public DatabaseUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  /** {@code s} on one line (line breaks and the blanks around them become one space), for these messages and the log. */
  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}
