package dev.parley.postcall.analysis;

import dev.parley.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * Chooses the {@link Analyzer} from configuration. Keys are read either flat ({@code
 * "analysis.provider"}) or nested ({@code {"analysis": {"provider": ...}}}); a flat key wins.
 * <ul>
 *   <li>{@code analysis.provider}: {@code rules} (default) or {@code openai};</li>
 *   <li>{@code analysis.baseUrl}: default that of {@link Settings#PARLEY_ANALYSIS_BASE_URL};</li>
 *   <li>{@code analysis.model}: default that of {@link Settings#PARLEY_ANALYSIS_MODEL};</li>
 *   <li>{@code analysis.apiKey}: optional bearer token;</li>
 *   <li>{@code analysis.timeoutMs}: default 30000.</li>
 * </ul>
 * The server maps {@code PARLEY_ANALYSIS_PROVIDER}, {@code PARLEY_ANALYSIS_BASE_URL},
 * {@code PARLEY_ANALYSIS_MODEL} and {@code PARLEY_ANALYSIS_API_KEY} onto these keys.
 */
public final class Analyzers {

  private Analyzers() {}

  /**
   * @throws IllegalArgumentException for an unknown provider or an invalid setting
   */
  public static Analyzer create(Vertx vertx, JsonObject config) {
    JsonObject c = config == null ? new JsonObject() : config;
    String provider = string(c, "provider");
    provider = provider == null ? "rules" : provider.toLowerCase(Locale.ROOT);
    switch (provider) {
      case "rules":
      case "rule-based":
        return new RuleBasedAnalyzer();
      case "openai":
        String baseUrl = string(c, "baseUrl");
        String model = string(c, "model");
        return new OpenAiAnalyzer(vertx,
            baseUrl == null ? Settings.PARLEY_ANALYSIS_BASE_URL.defaultValue() : baseUrl,
            model == null ? Settings.PARLEY_ANALYSIS_MODEL.defaultValue() : model,
            string(c, "apiKey"),
            timeoutMs(c));
      default:
        throw new IllegalArgumentException(
            "unknown analysis.provider '" + provider + "' (expected rules or openai)");
    }
  }

  private static long timeoutMs(JsonObject config) {
    Object value = config.getValue("analysis.timeoutMs");
    if (isBlank(value) && config.getValue("analysis") instanceof JsonObject nested) {
      value = nested.getValue("timeoutMs");
    }
    if (isBlank(value)) return OpenAiAnalyzer.DEFAULT_TIMEOUT_MS;
    long ms = -1;
    if (value instanceof Number n) {
      ms = n.longValue();
    } else {
      try {
        ms = Long.parseLong(value.toString().trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    if (ms <= 0) {
      throw new IllegalArgumentException(
          "analysis.timeoutMs must be a positive number of milliseconds");
    }
    return ms;
  }

  /** The trimmed value of {@code analysis.<key>}, flat key first, or null when absent or blank. */
  private static String string(JsonObject config, String key) {
    Object value = config.getValue("analysis." + key);
    if (isBlank(value) && config.getValue("analysis") instanceof JsonObject nested) {
      value = nested.getValue(key);
    }
    if (isBlank(value)) return null;
    return value.toString().trim();
  }

  private static boolean isBlank(Object value) {
    return value == null || value.toString().isBlank();
  }
}
