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
}
