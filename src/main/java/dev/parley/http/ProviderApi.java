package dev.parley.http;

import dev.parley.auth.Signatures;
import dev.parley.bus.Bus;
import dev.parley.bus.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.calls.provider.Synthetic;
import dev.parley.config.ParleyConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Callbacks of voice-agent providers: signed events (SPEC section 7) and the simulator's
 * recordings. No API key: the signature under PARLEY_PROVIDER_SECRET is the credential.
 */
final class ProviderApi {
  private final Vertx vertx;
  private final ParleyConfig config;

  ProviderApi(Vertx vertx, ParleyConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  void event(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    byte[] bytes = body == null ? new byte[0] : body.getBytes();
    if (!Signatures.verify(config.providerSecret(), ctx.request().getHeader(Signatures.HEADER), bytes,
      System.currentTimeMillis() / 1000)) {
      Envelope.error(ctx, ErrorCode.INVALID_SIGNATURE, "Missing or bad Parley-Signature");
      return;
    }
    JsonObject event;
    try {
      event = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      Envelope.error(ctx, ParleyException.validation("body", "malformed JSON"));
      return;
    }
    // Answered once the event is committed: a provider that gets no 2xx sends it again.
    Bus.<JsonObject>request(vertx, Bus.CALLS_PROVIDER_EVENT, event)
      .onSuccess(reply -> Envelope.ok(ctx, 200, reply.encode()))
      .onFailure(e -> Envelope.error(ctx, Bus.toParley(e)));
  }

  /** The simulator's recording of a call: made from its length, by any node, as often as asked. */
  void simulatorRecording(RoutingContext ctx) {
    String seconds = ctx.request().getParam("seconds");
    int length;
    try {
      length = Integer.parseInt(seconds == null ? "" : seconds);
    } catch (NumberFormatException e) {
      length = 0;
    }
    if (length < 1 || length > 3600) {
      Envelope.error(ctx, ParleyException.validation("seconds", "the call's length in seconds, 1 to 3600"));
      return;
    }
    ctx.response().putHeader("Content-Type", "audio/wav").end(Synthetic.wav(length));
  }
}
