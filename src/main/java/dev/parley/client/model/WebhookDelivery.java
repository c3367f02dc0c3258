package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;

/**
 * One event sent (or being sent) to a webhook. {@code status}: PENDING, DELIVERED, FAILED;
 * {@code nextAttemptAt} is set only while PENDING; {@code log} holds one free-form object per try.
 */
public record WebhookDelivery(String id, String webhookId, String event, String interviewId, String status,
                              Integer attempts, Integer lastStatusCode, String lastError, Instant nextAttemptAt,
                              List<JsonObject> log, Instant createdAt, Instant deliveredAt) {
  public WebhookDelivery {
    log = ModelJson.listOrEmpty(log);
  }

  public static WebhookDelivery fromJson(JsonObject json) {
    return new WebhookDelivery(json.getString("id"), json.getString("webhookId"), json.getString("event"),
      json.getString("interviewId"), json.getString("status"), json.getInteger("attempts"),
      json.getInteger("lastStatusCode"), json.getString("lastError"), ModelJson.instant(json, "nextAttemptAt"),
      ModelJson.objects(json, "log", JsonObject::copy), ModelJson.instant(json, "createdAt"),
      ModelJson.instant(json, "deliveredAt"));
  }
}
