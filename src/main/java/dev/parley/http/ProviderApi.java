package dev.parley.http;

import dev.parley.auth.Signatures;
import dev.parley.bus.Bus;
import dev.parley.bus.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.calls.provider.PlatformWebhook;
import dev.parley.calls.provider.ProviderEvent;
import dev.parley.calls.provider.retell.RetellWebhook;
import dev.parley.calls.provider.vapi.VapiWebhook;
import dev.parley.config.ParleyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * Callbacks of voice-agent providers: the {@code http} provider's signed events (SPEC section 7),
 * and Vapi's and Retell's own webhooks, each verified with its platform's scheme and translated
 * into the same events. No API key: the signature (or Vapi's per-call secret) is the credential.
 * Each is answered once its events are committed: a platform that gets no 2xx sends it again.
 */
final class ProviderApi {
  private final Vertx vertx;
  private final ParleyConfig config;
  /** Null when the platform's key is not configured on this server: its path then answers 404. */
  private final PlatformWebhook vapi, retell;

  ProviderApi(Vertx vertx, ParleyConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.vapi = config.vapiApiKey() == null ? null : new VapiWebhook(config);
    this.retell = config.retellApiKey() == null ? null : new RetellWebhook(config);
  }

  void event(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    byte[] bytes = body == null ? new byte[0] : body.getBytes();
    if (!Signatures.verify(config.providerSecret(), ctx.request().getHeader(Signatures.HEADER), bytes,
      System.currentTimeMillis() / 1000)) {
      Envelope.error(ctx, ErrorCode.INVALID_SIGNATURE, "Missing or bad Parley-Signature");
      return;
    }
    ProviderEvent event;
    try {
      event = ProviderEvent.fromJson(new JsonObject(body));
    } catch (DecodeException | ClassCastException e) {
      Envelope.error(ctx, ParleyException.validation("body", "malformed JSON"));
      return;
    } catch (ParleyException e) {
      Envelope.error(ctx, e);
      return;
    }
    take(ctx, List.of(event));
  }

  void vapiEvent(RoutingContext ctx) {
    platformEvent(ctx, vapi, "Vapi");
  }

  void retellEvent(RoutingContext ctx) {
    platformEvent(ctx, retell, "Retell");
  }

  private void platformEvent(RoutingContext ctx, PlatformWebhook webhook, String platform) {
    if (webhook == null) {
      Envelope.error(ctx, ErrorCode.RESOURCE_NOT_FOUND, platform + " is not configured on this server");
      return;
    }
    Buffer body = ctx.body().buffer();
    List<ProviderEvent> events;
    try {
      events = webhook.translate(ctx.request().headers(), body == null ? Buffer.buffer() : body, System.currentTimeMillis());
    } catch (ParleyException e) {
      Envelope.error(ctx, e);
      return;
    }
    take(ctx, events);
  }

  /** Hands the events to the call sessions one after another; answers once the last is committed. */
  private void take(RoutingContext ctx, List<ProviderEvent> events) {
    Future<JsonObject> taken = Future.succeededFuture(new JsonObject().put("accepted", true).put("applied", false));
    for (ProviderEvent event : events) {
      taken = taken.compose(previous -> Bus.request(vertx, Bus.CALLS_PROVIDER_EVENT, event.toJson()));
    }
    taken.onSuccess(reply -> Envelope.ok(ctx, 200, reply.encode()))
      .onFailure(e -> Envelope.error(ctx, Bus.toParley(e)));
  }
}
