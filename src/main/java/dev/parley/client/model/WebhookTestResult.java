package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

/** What a test delivery to a webhook did: whether the receiver took it, its status and how long it took. */
public record WebhookTestResult(Boolean success, String deliveryId, Integer httpStatus, Integer durationMs, String message) {
  public static WebhookTestResult fromJson(JsonObject json) {
    return new WebhookTestResult(json.getBoolean("success"), json.getString("deliveryId"), json.getInteger("httpStatus"),
      json.getInteger("durationMs"), json.getString("message"));
  }
}
