package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

/**
 * The post-call analysis of an interview. {@code general} holds {@code overallRating},
 * {@code companyFitRating}, {@code education}, {@code experience}, {@code strongPoints},
 * {@code weakPoints}, {@code evaluation}, {@code status}, {@code createdAt} and {@code updatedAt};
 * {@code specific} is free-form.
 */
public record Analysis(String id, JsonObject general, JsonObject specific) {
  public static Analysis fromJson(JsonObject json) {
    return new Analysis(json.getString("id"), ModelJson.object(json, "general"), ModelJson.object(json, "specific"));
  }
}
