package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

/**
 * Changes to a company (at least one field); {@code callWindow} is local {@code HH:MM-HH:MM} in {@code timezone}.
 * {@code maxConcurrentCalls} is set by the operator: a request that contains it is refused (403).
 */
public record CompanyUpdate(String name, String timezone, String callWindow, Integer maxConcurrentCalls,
                            JsonObject metadata) {
  public static CompanyUpdate empty() {
    return new CompanyUpdate(null, null, null, null, null);
  }

  public CompanyUpdate withName(String name) {
    return new CompanyUpdate(name, timezone, callWindow, maxConcurrentCalls, metadata);
  }

  public CompanyUpdate withTimezone(String timezone) {
    return new CompanyUpdate(name, timezone, callWindow, maxConcurrentCalls, metadata);
  }

  public CompanyUpdate withCallWindow(String callWindow) {
    return new CompanyUpdate(name, timezone, callWindow, maxConcurrentCalls, metadata);
  }

  public CompanyUpdate withMaxConcurrentCalls(Integer maxConcurrentCalls) {
    return new CompanyUpdate(name, timezone, callWindow, maxConcurrentCalls, metadata);
  }

  public CompanyUpdate withMetadata(JsonObject metadata) {
    return new CompanyUpdate(name, timezone, callWindow, maxConcurrentCalls, metadata);
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
