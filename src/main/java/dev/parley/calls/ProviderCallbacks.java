package dev.parley.calls;

import dev.parley.auth.Signatures;
import dev.parley.bus.Bus;
import dev.parley.client.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.calls.provider.PlatformWebhook;
import dev.parley.calls.provider.ProviderEvent;
import dev.parley.calls.provider.retell.RetellWebhook;
import dev.parley.calls.provider.vapi.VapiWebhook;
import dev.parley.config.ParleyConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Callbacks of voice-agent providers: the {@code http} provider's signed events (SPEC section 7),
 * and Vapi's and Retell's own webhooks, each verified with its platform's scheme and translated
 * into the same events. No API key: the signature (or Vapi's per-call secret) is the credential.
 * Each answer completes once its events are committed: a platform that gets no 2xx sends it again.
 *
 * <p>The HTTP layer mounts these on the platforms' paths and only writes the answer; which
 * platforms exist and how each is verified stays here, beside the providers.
 */
public final class ProviderCallbacks {
  private final Vertx vertx;
  private final ParleyConfig config;
  /** Null when the platform's key is not configured on this server: its path then answers 404. */
  private final PlatformWebhook vapi, retell;

  public ProviderCallbacks(Vertx vertx, ParleyConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.vapi = config.vapiApiKey() == null ? null : new VapiWebhook(config);
    this.retell = config.retellApiKey() == null ? null : new RetellWebhook(config);
  }

  /** The {@code http} provider's event, signed with Parley-Signature; {@code body} may be null. */
  public Future<JsonObject> event(MultiMap headers, Buffer body) {
    byte[] bytes = body == null ? new byte[0] : body.getBytes();
    if (!Signatures.verify(config.providerSecret(), headers.get(Signatures.HEADER), bytes, System.currentTimeMillis() / 1000)) {
      return Future.failedFuture(new ParleyException(ErrorCode.INVALID_SIGNATURE, "Missing or bad Parley-Signature"));
    }
    ProviderEvent event;
    try {
      event = ProviderEvent.fromJson(new JsonObject(body));
    } catch (DecodeException | ClassCastException e) {
      return Future.failedFuture(ParleyException.validation("body", "malformed JSON"));
    } catch (ParleyException e) {
      return Future.failedFuture(e);
    }
    return take(List.of(event));
  }

  public Future<JsonObject> vapiEvent(MultiMap headers, Buffer body) {
    return platformEvent(headers, body, vapi, "Vapi");
  }

  public Future<JsonObject> retellEvent(MultiMap headers, Buffer body) {
    return platformEvent(headers, body, retell, "Retell");
  }

  private Future<JsonObject> platformEvent(MultiMap headers, Buffer body, PlatformWebhook webhook, String platform) {
    if (webhook == null) {
      return Future.failedFuture(new ParleyException(ErrorCode.RESOURCE_NOT_FOUND, platform + " is not configured on this server"));
    }
    List<ProviderEvent> events;
    try {
      events = webhook.translate(headers, body == null ? Buffer.buffer() : body, System.currentTimeMillis());
    } catch (ParleyException e) {
      return Future.failedFuture(e);
    }
    return take(events);
  }

  /** Hands the events to the call sessions one after another; completes once the last is committed. */
  private Future<JsonObject> take(List<ProviderEvent> events) {
    Future<JsonObject> taken = Future.succeededFuture(new JsonObject().put("accepted", true).put("applied", false));
    for (ProviderEvent event : events) {
      taken = taken.compose(previous -> Bus.request(vertx, Bus.CALLS_PROVIDER_EVENT, event.toJson()));
    }
    return taken;
  }
}
