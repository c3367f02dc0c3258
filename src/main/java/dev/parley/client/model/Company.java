package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A company: the tenant that owns candidates, agents and interviews. {@code callWindow} is
 * {@code HH:MM-HH:MM} in {@code timezone}; {@code activeCalls} of {@code maxConcurrentCalls} slots are held.
 */
public record Company(String id, String name, String partnerId, String timezone, String callWindow,
                      Integer maxConcurrentCalls, JsonObject metadata, Instant createdAt, Instant updatedAt,
                      Integer activeCalls) {
  public static Company fromJson(JsonObject json) {
    return new Company(json.getString("id"), json.getString("name"), json.getString("partnerId"),
      json.getString("timezone"), json.getString("callWindow"), json.getInteger("maxConcurrentCalls"),
      ModelJson.object(json, "metadata"), ModelJson.instant(json, "createdAt"),
      ModelJson.instant(json, "updatedAt"), json.getInteger("activeCalls"));
  }
}
