package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

/**
 * The pagination of a list. {@code page} is null when the page was asked for by cursor; for
 * interviews, {@code total} and {@code totalPages} are null when a filter matches more than 10,000.
 */
public record Pagination(Integer total, Integer page, Integer limit, Integer totalPages, Boolean hasNextPage,
                         Boolean hasPreviousPage, String nextCursor) {
  public static Pagination fromJson(JsonObject json) {
    return new Pagination(json.getInteger("total"), json.getInteger("page"), json.getInteger("limit"),
      json.getInteger("totalPages"), json.getBoolean("hasNextPage"), json.getBoolean("hasPreviousPage"),
      json.getString("nextCursor"));
  }
}
