package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

/**
 * Which page of a list to read: by number ({@code page} from 1, at most 10000) or by the
 * {@code nextCursor} of the previous page; {@code limit} 1-100 (default 20).
 */
public record PageRequest(Integer page, Integer limit, String cursor) {
  public static PageRequest first(int limit) {
    return new PageRequest(1, limit, null);
  }

  public static PageRequest afterCursor(String cursor, Integer limit) {
    return new PageRequest(null, limit, cursor);
  }

  public static PageRequest page(int page, int limit) {
    return new PageRequest(page, limit, null);
  }

  /** Puts the fields that are set into {@code message} as top-level fields. */
  public void putInto(JsonObject message) {
    ModelJson.put(message, "page", page);
    ModelJson.put(message, "limit", limit);
    ModelJson.put(message, "cursor", cursor);
  }
}
