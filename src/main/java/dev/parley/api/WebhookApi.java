package dev.parley.api;

import dev.parley.bus.Bus;
import dev.parley.config.ParleyConfig;
import dev.parley.webhooks.WebhookEvents;
import dev.parley.webhooks.WebhookTargets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Webhook subscriptions (SPEC section 5). They belong to the key's company or, for an ATS key, to
 * its partner; {@code companyId} in the body narrows one to a company.
 */
final class WebhookApi {
  /** Headers Parley sets itself; a subscription cannot override them. */
  private static final Set<String> RESERVED = Set.of("content-type", "content-length", "host", "parley-signature",
    "parley-delivery-id", "user-agent", "transfer-encoding", "connection");

  private final Vertx vertx;
  private final ParleyConfig config;

  WebhookApi(Vertx vertx, ParleyConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  void register(Map<String, Operation> operations) {
    operations.put("createWebhook", call -> {
      JsonObject body = checked(call.body());
      return Bus.<String>request(vertx, Bus.WEBHOOK_CREATE, call.caller().put("body", body)).map(Reply::created);
    });
    operations.put("listWebhooks", call -> Bus.<String>request(vertx, Bus.WEBHOOK_LIST,
      InterviewApi.paging(call, call.caller()).put("filterCompanyId", call.principal().isPartner() ? call.query("companyId") : null))
      .map(Reply::ok));
    operations.put("getWebhook", call -> byId(Bus.WEBHOOK_GET, call));
    operations.put("updateWebhook", call -> {
      JsonObject body = checked(call.body());
      return Bus.<String>request(vertx, Bus.WEBHOOK_UPDATE, call.caller().put("id", call.path("id")).put("body", body)).map(Reply::ok);
    });
    operations.put("deleteWebhook", call -> Bus.<Boolean>request(vertx, Bus.WEBHOOK_DELETE, call.caller().put("id", call.path("id")))
      .map(v -> Reply.ok("true")));
    operations.put("testWebhook", call -> Bus.<JsonObject>request(vertx, Bus.WEBHOOKS_TEST, call.caller().put("id", call.path("id")))
      .map(r -> Reply.ok(r.encode())));
    operations.put("resetWebhookCircuit", call -> byId(Bus.WEBHOOK_RESET, call));
    operations.put("listWebhookDeliveries", call -> Bus.<String>request(vertx, Bus.WEBHOOK_DELIVERIES,
      InterviewApi.paging(call, call.caller()).put("id", call.path("id"))).map(Reply::ok));
  }

  private Future<Reply> byId(String address, ApiCall call) {
    return Bus.<String>request(vertx, address, call.caller().put("id", call.path("id"))).map(Reply::ok);
  }

  /** The rules the schema cannot say; events come back in their dotted names. */
  private JsonObject checked(JsonObject body) {
    JsonObject b = body.copy();
    InputRules rules = new InputRules();
    if (b.getString("url") != null) {
      String why = WebhookTargets.invalidUrl(b.getString("url"), config.webhooksAllowPrivate());
      if (why != null) rules.add("url", why);
    }
    if (b.getJsonArray("events") != null) {
      Set<String> events = new LinkedHashSet<>();
      JsonArray given = b.getJsonArray("events");
      for (int i = 0; i < given.size(); i++) {
        String e = WebhookEvents.normalise(given.getValue(i));
        if (e == null) rules.add("events[" + i + "]", "not an event: one of " + WebhookEvents.ALL);
        else events.add(e);
      }
      b.put("events", new JsonArray(events.stream().toList()));
    }
    if (b.getJsonArray("headers") != null) {
      JsonArray headers = b.getJsonArray("headers");
      for (int i = 0; i < headers.size(); i++) {
        String name = headers.getJsonObject(i).getString("name");
        if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) rules.add("headers[" + i + "].name", "not a header name");
        else if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) rules.add("headers[" + i + "].name", "set by Parley itself");
      }
    }
    rules.throwIfAny();
    return b;
  }
}
