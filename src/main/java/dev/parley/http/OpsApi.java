package dev.parley.http;

import dev.parley.bus.Bus;
import dev.parley.bus.ErrorCode;
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

  OpsApi(Vertx vertx, Buffer document, PrometheusMeterRegistry registry, ProviderApi provider) {
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
      "receiveProviderEvent", provider::event,
      "receiveVapiEvent", provider::vapiEvent,
      "receiveRetellEvent", provider::retellEvent);
  }

  boolean serves(String operationId) {
    return handlers.containsKey(operationId);
  }

  Handler<RoutingContext> handler(String operationId) {
    return handlers.get(operationId);
  }
}
