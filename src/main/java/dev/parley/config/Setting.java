package dev.parley.config;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One setting of {@link Settings}: its environment variable, its key in the configuration file
 * (none for the settings that come from the environment only), what values it takes, its default,
 * what it means and how secret it is. Immutable; {@link Settings} declares each one once.
 *
 * @param <T> the value's type (Integer, Long, Boolean, String)
 */
public final class Setting<T> {
  /** How much of a value {@code admin config print} and error messages may show. */
  public enum Secrecy {
    /** all of it */
    NONE,
    /** nothing: a set value shows as {@link #MASK} */
    WHOLE,
    /** a URL without its password (the user-info password and password-like query parameters) */
    URL_PASSWORD
  }

  /** What a set secret shows as. */
  public static final String MASK = "********";

  /**
   * What values a setting takes.
   *
   * @param expected what a value must be, for the error message ("a whole number from 1 to 65535")
   * @param fromFile whether a value read from the JSON file has the right JSON type
   * @param parse reads a value from its text; throws IllegalArgumentException when it is not one
   */
  record Kind<T>(String expected, Predicate<Object> fromFile, Function<String, T> parse) {}

  private final String variable;
  private final String key;
  private final Kind<T> kind;
  private final T defaultValue;
  private final String defaultText;
  private final String meaning;
  private final Secrecy secrecy;

  Setting(String variable, String key, Kind<T> kind, T defaultValue, String defaultText, String meaning, Secrecy secrecy) {
    this.variable = Objects.requireNonNull(variable);
    this.key = key;
    this.kind = kind;
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
    this.meaning = meaning;
    this.secrecy = secrecy;
  }

  /** The same setting, its default described in words in the table (when it is not a plain value). */
  Setting<T> defaultShownAs(String text) {
    return new Setting<>(variable, key, kind, defaultValue, text, meaning, secrecy);
  }

  /** The same setting, its value never shown. */
  Setting<T> secret() {
    return new Setting<>(variable, key, kind, defaultValue, defaultText, meaning, Secrecy.WHOLE);
  }

  public String variable() {
    return variable;
  }

  /** The key in the configuration file, or null when the setting comes from the environment only. */
  public String key() {
    return key;
  }

  public T defaultValue() {
    return defaultValue;
  }

  public String meaning() {
    return meaning;
  }

  public Secrecy secrecy() {
    return secrecy;
  }

  /** The default as the table in docs/configuration.md shows it. */
  public String defaultText() {
    if (defaultText != null) return defaultText;
    return defaultValue == null ? "none" : "`" + defaultValue + "`";
  }

  /** This setting's row in the settings table of docs/configuration.md. */
  public String tableRow() {
    return "| `" + variable + "` | " + (key == null ? "—" : "`" + key + "`") + " | " + defaultText() + " | " + meaning + " |";
  }

  String expected() {
    return kind.expected();
  }

  /** The value of a text (from the environment or the command line), already trimmed and not blank. */
  T parse(String text) {
    return kind.parse().apply(text);
  }

  /** The value of a file's JSON value: the right JSON type, then the same rules as a text. */
  T fromFile(Object json) {
    if (!kind.fromFile().test(json)) throw new IllegalArgumentException(kind.expected());
    return parse(json.toString().trim());
  }

  /** A value as it may be shown: secrets masked. */
  Object shown(Object value) {
    if (value == null) return null;
    return switch (secrecy) {
      case NONE -> value;
      case WHOLE -> MASK;
      case URL_PASSWORD -> withoutPassword(value.toString());
    };
  }

  /** A raw text or JSON value as an error message may quote it. */
  String quoted(String raw) {
    return switch (secrecy) {
      case NONE -> raw;
      case WHOLE -> "(hidden)";
      case URL_PASSWORD -> withoutPassword(raw);
    };
  }

  /**
   * The URL with its password masked: everything between the user name's colon and the last
   * {@code @} (so a password with an unencoded {@code @} or {@code /} is masked whole), and the
   * value of every query parameter whose name says password, secret, token or key.
   */
  static String withoutPassword(String url) {
    String masked = url;
    int scheme = masked.indexOf("://");
    int at = masked.lastIndexOf('@');
    if (scheme >= 0 && at > scheme) {
      int colon = masked.indexOf(':', scheme + 3);
      if (colon >= 0 && colon < at) masked = masked.substring(0, colon + 1) + MASK + masked.substring(at);
    }
    return masked.replaceAll("(?i)([?&][^=&]*(?:password|secret|token|key)[^=&]*=)[^&#]*", "$1" + MASK);
  }

  @Override
  public String toString() {
    return variable;
  }
}
