package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.Function;

/** One page of a list: its items and its pagination. */
public record Page<T>(List<T> items, Pagination pagination) {
  public Page {
    items = ModelJson.listOrEmpty(items);
  }

  public static <T> Page<T> fromJson(JsonObject json, Function<JsonObject, T> item) {
    return new Page<>(ModelJson.objects(json, "items", item),
      ModelJson.object(json, "pagination", Pagination::fromJson));
  }

  /** Whether there is a page after this one. */
  public boolean hasNext() {
    return pagination != null && (Boolean.TRUE.equals(pagination.hasNextPage()) || pagination.nextCursor() != null);
  }
}
