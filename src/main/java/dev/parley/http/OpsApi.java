package dev.parley.http;

import dev.parley.bus.Bus;
import dev.parley.client.ErrorCode;
import dev.parley.calls.ProviderCallbacks;
import dev.parley.db.DatabaseHealth;
import dev.parley.lifecycle.Draining;
import io.vertx.core.Future;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.util.Map;

/** Operations endpoints: no credential, no envelope where the format is fixed by its consumer. */
final class OpsApi {
  private final Map<String, Handler<RoutingContext>> handlers;

  OpsApi(Vertx vertx, Buffer document, PrometheusMeterRegistry registry, ProviderCallbacks provider) {
    this.handlers = Map.of(
      "getLiveness", ctx -> Envelope.ok(ctx, 200, "{\"status\":\"UP\"}"),
      // 503 at once while the node shuts down or the database is known to be away; otherwise a real round trip
      "getReadiness", ctx -> {
        if (Draining.of(vertx).isDraining()) {
          Envelope.error(ctx, ErrorCode.UNAVAILABLE, "The node is shutting down");
          return;
        }
        (DatabaseHealth.of(vertx).isUp()
          ? Bus.<JsonObject>request(vertx, Bus.DB_PING, new JsonObject()) : Future.<JsonObject>failedFuture("database down"))
          .onSuccess(r -> Envelope.ok(ctx, 200, "{\"status\":\"UP\",\"checks\":{\"database\":\"UP\"}}"))
          .onFailure(e -> Envelope.error(ctx, ErrorCode.UNAVAILABLE, "Database not reachable"));
      },
      "getMetrics", PrometheusScrapingHandler.create(registry),
      "getOpenApi", ctx -> ctx.response().putHeader("Content-Type", "application/json").end(document),
      "receiveProviderEvent", ctx -> answer(ctx, provider.event(ctx.request().headers(), ctx.body().buffer())),
      "receiveVapiEvent", ctx -> answer(ctx, provider.vapiEvent(ctx.request().headers(), ctx.body().buffer())),
      "receiveRetellEvent", ctx -> answer(ctx, provider.retellEvent(ctx.request().headers(), ctx.body().buffer())));
  }

  boolean serves(String operationId) {
    return handlers.containsKey(operationId);
  }

  Handler<RoutingContext> handler(String operationId) {
    return handlers.get(operationId);
  }

  /** A provider callback's answer: 200 once its events are committed, else the error it failed with. */
  private static void answer(RoutingContext ctx, Future<JsonObject> reply) {
    reply.onSuccess(r -> Envelope.ok(ctx, 200, r.encode())).onFailure(e -> Envelope.error(ctx, Bus.toParley(e)));
  }
}
