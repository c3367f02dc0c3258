package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;

/**
 * A webhook subscription. {@code events}: interview.started, interview.completed, interview.failed,
 * analysis.completed, analysis.failed, ping; {@code signingSecret} is only in the answer to the create.
 */
public record Webhook(String id, String apiKeyId, String companyId, String url, String name, String description,
                      List<String> events, List<Header> headers, Boolean isActive, Integer consecutiveFailures,
                      Instant circuitOpenedAt, String signingSecret, Instant createdAt, Instant updatedAt) {
  public Webhook {
    events = ModelJson.listOrEmpty(events);
    headers = ModelJson.listOrEmpty(headers);
  }

  /** A custom header of a subscription; its value is never shown again. */
  public record Header(String name, Boolean isMasked) {
    public static Header fromJson(JsonObject json) {
      return new Header(json.getString("name"), json.getBoolean("isMasked"));
    }
  }

  public static Webhook fromJson(JsonObject json) {
    return new Webhook(json.getString("id"), json.getString("apiKeyId"), json.getString("companyId"),
      json.getString("url"), json.getString("name"), json.getString("description"),
      ModelJson.strings(json, "events"), ModelJson.objects(json, "headers", Header::fromJson),
      json.getBoolean("isActive"), json.getInteger("consecutiveFailures"),
      ModelJson.instant(json, "circuitOpenedAt"), json.getString("signingSecret"),
      ModelJson.instant(json, "createdAt"), ModelJson.instant(json, "updatedAt"));
  }
}
