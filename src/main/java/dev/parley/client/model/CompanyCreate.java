package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

/**
 * A new company; {@code callWindow} is local {@code HH:MM-HH:MM} (default 09:00-20:00) in {@code timezone}.
 * {@code maxConcurrentCalls} is set by the operator: a request that contains it is refused (403).
 */
public record CompanyCreate(String name, String timezone, String callWindow, Integer maxConcurrentCalls,
                            JsonObject metadata) {
  public static CompanyCreate of(String name) {
    return new CompanyCreate(name, null, null, null, null);
  }

  public CompanyCreate withName(String name) {
    return new CompanyCreate(name, timezone, callWindow, maxConcurrentCalls, metadata);
  }

  public CompanyCreate withTimezone(String timezone) {
    return new CompanyCreate(name, timezone, callWindow, maxConcurrentCalls, metadata);
  }

  public CompanyCreate withCallWindow(String callWindow) {
    return new CompanyCreate(name, timezone, callWindow, maxConcurrentCalls, metadata);
  }

  public CompanyCreate withMaxConcurrentCalls(Integer maxConcurrentCalls) {
    return new CompanyCreate(name, timezone, callWindow, maxConcurrentCalls, metadata);
  }

  public CompanyCreate withMetadata(JsonObject metadata) {
    return new CompanyCreate(name, timezone, callWindow, maxConcurrentCalls, metadata);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    ModelJson.put(json, "name", name);
    ModelJson.put(json, "timezone", timezone);
    ModelJson.put(json, "callWindow", callWindow);
    ModelJson.put(json, "maxConcurrentCalls", maxConcurrentCalls);
    return ModelJson.put(json, "metadata", metadata);
  }
}
