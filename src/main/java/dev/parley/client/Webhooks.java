package dev.parley.client;

import dev.parley.client.ParleyClient.Kind;
import dev.parley.client.model.Page;
import dev.parley.client.model.PageRequest;
import dev.parley.client.model.Webhook;
import dev.parley.client.model.WebhookCreate;
import dev.parley.client.model.WebhookDelivery;
import dev.parley.client.model.WebhookTestResult;
import dev.parley.client.model.WebhookUpdate;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** Webhook subscriptions and their deliveries ({@code parley.api.v1.webhooks.*}). */
public final class Webhooks {
  private final ParleyClient client;

  Webhooks(ParleyClient client) {
    this.client = client;
  }

  /** Subscribes; the answer holds the {@code signingSecret}, shown this once. */
  public Future<Webhook> create(WebhookCreate webhook) {
    return create(webhook, CallOptions.NONE);
  }

  public Future<Webhook> create(WebhookCreate webhook, CallOptions options) {
    return client.<JsonObject>call("createWebhook", new JsonObject().put("body", webhook.toJson()), Kind.WRITE, options)
      .map(Webhook::fromJson);
  }

  /** @param companyId for an ATS partner: one company's subscriptions (null: the partner's own) */
  public Future<Page<Webhook>> list(String companyId, PageRequest page) {
    return list(companyId, page, CallOptions.NONE);
  }

  public Future<Page<Webhook>> list(String companyId, PageRequest page, CallOptions options) {
    JsonObject message = new JsonObject();
    if (companyId != null) message.put("companyId", companyId);
    if (page != null) page.putInto(message);
    return client.<JsonObject>call("listWebhooks", message, Kind.READ, options).map(json -> Page.fromJson(json, Webhook::fromJson));
  }

  /** Every subscription, {@code pageSize} at a time, at most {@code max}. */
  public Future<List<Webhook>> listAll(String companyId, int pageSize, int max) {
    return ParleyClient.all(page -> list(companyId, page), pageSize, max);
  }

  public Future<Webhook> get(String id) {
    return get(id, CallOptions.NONE);
  }

  public Future<Webhook> get(String id, CallOptions options) {
    return client.<JsonObject>call("getWebhook", ParleyClient.withId(id), Kind.READ, options).map(Webhook::fromJson);
  }

  public Future<Webhook> update(String id, WebhookUpdate update) {
    return update(id, update, CallOptions.NONE);
  }

  public Future<Webhook> update(String id, WebhookUpdate update, CallOptions options) {
    return client.<JsonObject>call("updateWebhook", ParleyClient.withId(id).put("body", update.toJson()), Kind.WRITE, options)
      .map(Webhook::fromJson);
  }

  public Future<Boolean> delete(String id) {
    return delete(id, CallOptions.NONE);
  }

  public Future<Boolean> delete(String id, CallOptions options) {
    return client.<Boolean>call("deleteWebhook", ParleyClient.withId(id), Kind.WRITE, options);
  }

  /** Sends a test event to the subscription's URL now and says how it went. */
  public Future<WebhookTestResult> test(String id) {
    return test(id, CallOptions.NONE);
  }

  public Future<WebhookTestResult> test(String id, CallOptions options) {
    return client.<JsonObject>call("testWebhook", ParleyClient.withId(id), Kind.WRITE, options).map(WebhookTestResult::fromJson);
  }

  /** Closes an open circuit: deliveries go out again. */
  public Future<Webhook> resetCircuit(String id) {
    return resetCircuit(id, CallOptions.NONE);
  }

  public Future<Webhook> resetCircuit(String id, CallOptions options) {
    return client.<JsonObject>call("resetWebhookCircuit", ParleyClient.withId(id), Kind.WRITE, options).map(Webhook::fromJson);
  }

  public Future<Page<WebhookDelivery>> deliveries(String id, PageRequest page) {
    return deliveries(id, page, CallOptions.NONE);
  }

  public Future<Page<WebhookDelivery>> deliveries(String id, PageRequest page, CallOptions options) {
    JsonObject message = ParleyClient.withId(id);
    if (page != null) page.putInto(message);
    return client.<JsonObject>call("listWebhookDeliveries", message, Kind.READ, options)
      .map(json -> Page.fromJson(json, WebhookDelivery::fromJson));
  }
}
