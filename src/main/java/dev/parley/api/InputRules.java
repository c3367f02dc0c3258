package dev.parley.api;

import dev.parley.client.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.rules.Rules;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;


import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The rules a JSON schema cannot say, as the API reports them: every broken rule becomes one entry
 * of VALIDATION_FAILED's field details. Rules the admin CLI shares (phone numbers, a company's zone,
 * window and slots) live in {@link Rules} and are applied with {@link #rule}; the API's own (times
 * relative to now, the size of free-form metadata) are here.
 */
final class InputRules {
  static final int METADATA_MAX_BYTES = 10 * 1024;
  static final int METADATA_MAX_DEPTH = 5;
  static final int METADATA_MAX_KEYS = 50;
  static final Duration MAX_AHEAD = Duration.ofDays(30);
  /** A scheduledAt this little in the past is taken as "now": clients' clocks drift. */
  static final Duration PAST_TOLERANCE = Duration.ofSeconds(30);

  private final List<JsonObject> problems = new ArrayList<>();

  void add(String field, String message) {
    problems.add(new JsonObject().put("field", field).put("message", message));
  }

  void throwIfAny() {
    if (!problems.isEmpty()) {
      throw new ParleyException(ErrorCode.VALIDATION_FAILED, "Request validation failed",
        new JsonObject().put("fields", new JsonArray(problems)));
    }
  }

  /** A shared rule applied to a value: the value in its stored form, or null when absent or broken (and noted). */
  <T> T rule(String field, T value, UnaryOperator<T> rule) {
    if (value == null) return null;
    try {
      return rule.apply(value);
    } catch (IllegalArgumentException e) {
      add(field, e.getMessage());
      return null;
    }
  }

  void phone(String field, String number) {
    rule(field, number, Rules::phoneNumber);
  }

  void metadata(String field, JsonObject metadata) {
    if (metadata == null) return;
    if (metadata.toBuffer().length() > METADATA_MAX_BYTES) {
      add(field, "larger than " + METADATA_MAX_BYTES + " bytes");
    } else if (metadata.size() > METADATA_MAX_KEYS) {
      add(field, "more than " + METADATA_MAX_KEYS + " keys");
    } else if (depth(metadata) > METADATA_MAX_DEPTH) {
      add(field, "nested deeper than " + METADATA_MAX_DEPTH + " levels");
    }
  }

  private static int depth(Object value) {
    int deepest = 0;
    if (value instanceof JsonObject o) {
      for (Object v : o.getMap().values()) deepest = Math.max(deepest, depth(v));
      return deepest + 1;
    }
    if (value instanceof JsonArray a) {
      for (Object v : a) deepest = Math.max(deepest, depth(v));
      return deepest + 1;
    }
    if (value instanceof java.util.Map<?, ?> m) return depth(new JsonObject((java.util.Map<String, Object>) m));
    if (value instanceof java.util.List<?> l) return depth(new JsonArray((java.util.List<Object>) l));
    return 0;
  }

  /** Parses a time that must carry an explicit offset; null when absent or broken (and noted). */
  OffsetDateTime time(String field, String value) {
    if (value == null) return null;
    try {
      return OffsetDateTime.parse(value);
    } catch (DateTimeParseException e) {
      add(field, "not an ISO 8601 date-time with an offset: " + e.getParsedString());
      return null;
    }
  }

  /** scheduledAt of a new interview or attempt: not in the past, at most 30 days ahead. */
  void schedule(String field, OffsetDateTime at) {
    if (at == null) return;
    Instant now = Instant.now();
    if (at.toInstant().isBefore(now.minus(PAST_TOLERANCE))) add(field, "is in the past");
    else if (at.toInstant().isAfter(now.plus(MAX_AHEAD))) add(field, "is more than 30 days ahead");
  }

}
