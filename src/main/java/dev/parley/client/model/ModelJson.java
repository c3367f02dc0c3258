package dev.parley.client.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** JSON reading and writing shared by the model records. */
final class ModelJson {
  private ModelJson() {
  }

  /** An ISO-8601 date-time with {@code Z} or a numeric offset, or null. */
  /**
   * A timestamp. The server writes {@code 2026-12-06T20:23:17.122Z} (docs/api.md), read here by
   * its digits: OffsetDateTime.parse, a few microseconds a value and several values an interview,
   * was most of the typed client's overhead against a raw request (bench/bus-client.sh). Any other
   * ISO-8601 form takes the general parser.
   */
  static Instant instant(String s) {
    if (s == null) return null;
    if (s.length() == 24 && s.charAt(4) == '-' && s.charAt(7) == '-' && s.charAt(10) == 'T' && s.charAt(13) == ':'
      && s.charAt(16) == ':' && s.charAt(19) == '.' && s.charAt(23) == 'Z') {
      try {
        long day = java.time.LocalDate.of(digits(s, 0, 4), digits(s, 5, 7), digits(s, 8, 10)).toEpochDay();
        long second = day * 86_400 + digits(s, 11, 13) * 3_600L + digits(s, 14, 16) * 60L + digits(s, 17, 19);
        if (digits(s, 11, 13) < 24 && digits(s, 14, 16) < 60 && digits(s, 17, 19) < 60) {
          return Instant.ofEpochSecond(second, digits(s, 20, 23) * 1_000_000L);
        }
      } catch (java.time.DateTimeException | NumberFormatException e) {
        // not a valid date after all: the general parser says why
      }
    }
    return OffsetDateTime.parse(s).toInstant();
  }

  private static int digits(String s, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') throw new NumberFormatException(s);
      value = value * 10 + (c - '0');
    }
    return value;
  }

  static Instant instant(JsonObject json, String key) {
    return instant(json.getString(key));
  }

  static LocalDate localDate(JsonObject json, String key) {
    String s = json.getString(key);
    return s == null ? null : LocalDate.parse(s);
  }

  /** A copy of the object at {@code key}, or null. */
  static JsonObject object(JsonObject json, String key) {
    JsonObject o = json.getJsonObject(key);
    return o == null ? null : o.copy();
  }

  /** The object at {@code key} read by {@code read}, or null. */
  static <T> T object(JsonObject json, String key, Function<JsonObject, T> read) {
    JsonObject o = json.getJsonObject(key);
    return o == null ? null : read.apply(o);
  }

  /** The strings at {@code key}; empty when absent. */
  static List<String> strings(JsonObject json, String key) {
    JsonArray a = json.getJsonArray(key);
    if (a == null) return List.of();
    List<String> out = new ArrayList<>(a.size());
    for (Object o : a) {
      if (o != null) out.add(String.valueOf(o));
    }
    return List.copyOf(out);
  }

  /** The objects at {@code key} read by {@code read}; empty when absent. */
  static <T> List<T> objects(JsonObject json, String key, Function<JsonObject, T> read) {
    JsonArray a = json.getJsonArray(key);
    if (a == null) return List.of();
    List<T> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      JsonObject o = a.getJsonObject(i);
      if (o != null) out.add(read.apply(o));
    }
    return List.copyOf(out);
  }

  /** An immutable copy; empty for null (answers). */
  static <T> List<T> listOrEmpty(List<T> list) {
    return list == null ? List.of() : List.copyOf(list);
  }

  /** An immutable copy; null stays null (requests, where null means "not sent"). */
  static <T> List<T> listOrNull(List<T> list) {
    return list == null ? null : List.copyOf(list);
  }

  /** An immutable copy keeping the order; null stays null. */
  static Map<String, String> mapOrNull(Map<String, String> map) {
    return map == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /** Custom headers as the API takes them: an array of {@code {"name", "value"}}; null for null. */
  static JsonArray headers(Map<String, String> headers) {
    if (headers == null) return null;
    JsonArray out = new JsonArray();
    headers.forEach((name, value) -> out.add(new JsonObject().put("name", name).put("value", value)));
    return out;
  }

  /**
   * Puts {@code value} at {@code key} unless it is null: instants and dates as ISO-8601 strings,
   * lists as arrays.
   */
  static JsonObject put(JsonObject json, String key, Object value) {
    if (value == null) return json;
    if (value instanceof Instant || value instanceof LocalDate) {
      json.put(key, value.toString());
    } else if (value instanceof List<?> list) {
      json.put(key, new JsonArray(new ArrayList<>(list)));
    } else {
      json.put(key, value);
    }
    return json;
  }
}
