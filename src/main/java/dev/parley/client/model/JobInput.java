package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

/** An inline job of a new interview. */
public record JobInput(String title, String description, JsonObject metadata) {
  public static JobInput of(String title) {
    return new JobInput(title, null, null);
  }

  public JobInput withTitle(String title) {
    return new JobInput(title, description, metadata);
  }

  public JobInput withDescription(String description) {
    return new JobInput(title, description, metadata);
  }

  public JobInput withMetadata(JsonObject metadata) {
    return new JobInput(title, description, metadata);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    ModelJson.put(json, "title", title);
    ModelJson.put(json, "description", description);
    return ModelJson.put(json, "metadata", metadata);
  }
}
