package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * Changes to a webhook subscription (at least one field); {@code headers}, when given, replace all
 * custom headers (name to value).
 */
public record WebhookUpdate(String url, List<String> events, String name, String description, String companyId,
                            Map<String, String> headers, Boolean isActive) {
  public WebhookUpdate {
    events = ModelJson.listOrNull(events);
    headers = ModelJson.mapOrNull(headers);
  }

  public static WebhookUpdate empty() {
    return new WebhookUpdate(null, null, null, null, null, null, null);
  }

  public WebhookUpdate withUrl(String url) {
    return new WebhookUpdate(url, events, name, description, companyId, headers, isActive);
  }

  public WebhookUpdate withEvents(List<String> events) {
    return new WebhookUpdate(url, events, name, description, companyId, headers, isActive);
  }

  public WebhookUpdate withName(String name) {
    return new WebhookUpdate(url, events, name, description, companyId, headers, isActive);
  }

  public WebhookUpdate withDescription(String description) {
    return new WebhookUpdate(url, events, name, description, companyId, headers, isActive);
  }

  public WebhookUpdate withCompanyId(String companyId) {
    return new WebhookUpdate(url, events, name, description, companyId, headers, isActive);
  }

  public WebhookUpdate withHeaders(Map<String, String> headers) {
    return new WebhookUpdate(url, events, name, description, companyId, headers, isActive);
  }

  public WebhookUpdate withIsActive(Boolean isActive) {
    return new WebhookUpdate(url, events, name, description, companyId, headers, isActive);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    ModelJson.put(json, "url", url);
    ModelJson.put(json, "events", events);
    ModelJson.put(json, "name", name);
    ModelJson.put(json, "description", description);
    ModelJson.put(json, "companyId", companyId);
    ModelJson.put(json, "headers", ModelJson.headers(headers));
    return ModelJson.put(json, "isActive", isActive);
  }
}
