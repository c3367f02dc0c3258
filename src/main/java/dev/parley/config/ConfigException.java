package dev.parley.config;

/**
 * A configuration Parley cannot start with: an unknown key, a value a setting does not take, a
 * configuration file that is missing or not a JSON object. The message is one line that names the
 * setting, the value (unless it is secret) and where it came from.
 */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super("Invalid configuration: " + message.replaceAll("\\s*[\\r\\n]+\\s*", " "));
  }
}
