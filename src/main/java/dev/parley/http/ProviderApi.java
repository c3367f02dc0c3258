package dev.parley.http;

import dev.parley.auth.Signatures;
import dev.parley.bus.Bus;
import dev.parley.bus.ErrorCode;
import dev.parley.bus.ParleyException;
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

  void simulatorRecording(RoutingContext ctx) {
    // a cluster address: behind a load balancer the node that placed the call may be another
    vertx.eventBus().<Buffer>request(Bus.simulatorRecording(ctx.pathParam("nodeId")),
        new JsonObject().put("callId", ctx.pathParam("callId")), Bus.clusterOptions())
      .map(io.vertx.core.eventbus.Message::body)
      .onSuccess(wav -> ctx.response().putHeader("Content-Type", "audio/wav").end(wav))
      .onFailure(e -> Envelope.error(ctx, ParleyException.notFound("Recording", ctx.pathParam("callId"))));
  }
}
