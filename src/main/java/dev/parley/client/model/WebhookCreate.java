package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * A new webhook subscription. {@code events}: interview.started, interview.completed,
 * interview.failed, analysis.completed, analysis.failed, ping; {@code headers}: custom header name
 * to value, sent with every delivery.
 */
public record WebhookCreate(String url, List<String> events, String name, String description, String companyId,
                            Map<String, String> headers) {
  public WebhookCreate {
    events = ModelJson.listOrNull(events);
    headers = ModelJson.mapOrNull(headers);
  }

  public static WebhookCreate of(String url, List<String> events) {
    return new WebhookCreate(url, events, null, null, null, null);
  }

  public WebhookCreate withUrl(String url) {
    return new WebhookCreate(url, events, name, description, companyId, headers);
  }

  public WebhookCreate withEvents(List<String> events) {
    return new WebhookCreate(url, events, name, description, companyId, headers);
  }

  public WebhookCreate withName(String name) {
    return new WebhookCreate(url, events, name, description, companyId, headers);
  }

  public WebhookCreate withDescription(String description) {
    return new WebhookCreate(url, events, name, description, companyId, headers);
  }

  public WebhookCreate withCompanyId(String companyId) {
    return new WebhookCreate(url, events, name, description, companyId, headers);
  }

  public WebhookCreate withHeaders(Map<String, String> headers) {
    return new WebhookCreate(url, events, name, description, companyId, headers);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    ModelJson.put(json, "url", url);
    ModelJson.put(json, "events", events);
    ModelJson.put(json, "name", name);
    ModelJson.put(json, "description", description);
    ModelJson.put(json, "companyId", companyId);
    return ModelJson.put(json, "headers", ModelJson.headers(headers));
  }
}
