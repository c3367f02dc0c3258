package dev.parley.http;

import dev.parley.client.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.db.DatabaseHealth;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;


/**
 * The response envelope of SPEC section 6: {@code {success, data, error, timestamp}}. Data that
 * PostgreSQL already rendered as JSON text is spliced in as it is, without parsing it again.
 */
public final class Envelope {
  private Envelope() {}

  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json; charset=utf-8");
  public static String now() {
    return dev.parley.common.ApiTime.now();
  }

  /** Success with data already encoded as JSON text. */
  public static void ok(RoutingContext ctx, int status, String dataJson) {
    if (status == 204) {
      if (!ctx.response().ended()) ctx.response().setStatusCode(204).end();
      return;
    }
    Buffer body = Buffer.buffer(dataJson.length() + 96)
      .appendString("{\"success\":true,\"data\":").appendString(dataJson)
      .appendString(",\"error\":null,\"timestamp\":\"").appendString(now()).appendString("\"}");
    send(ctx.response(), status, body);
  }

  public static void error(RoutingContext ctx, ParleyException e) {
    error(ctx.response(), e);
  }

  /** An error answer where there is no routing context (a request the HTTP codec could not read). */
  public static void error(HttpServerResponse response, ParleyException e) {
    if (response.ended()) return;
    JsonObject error = new JsonObject().put("code", e.code.name()).put("message", e.getMessage())
      .put("details", e.details == null ? new JsonObject() : e.details);
    JsonObject body = new JsonObject().put("success", false).putNull("data").put("error", error).put("timestamp", now());
    if (e.code == ErrorCode.UNAVAILABLE) response.putHeader("Retry-After", String.valueOf(DatabaseHealth.RETRY_AFTER_SECONDS));
    // a 429 of the credential's budget has its headers already; one of an address's failed
    // authentications carries its wait in the details
    if (e.code == ErrorCode.RATE_LIMITED && !response.headers().contains("Retry-After") && e.details != null
      && e.details.getValue("retryAfter") instanceof Number wait) {
      response.putHeader("Retry-After", String.valueOf(wait.longValue()));
    }
    send(response, e.code.httpStatus, body.toBuffer());
  }

  public static void error(RoutingContext ctx, ErrorCode code, String message) {
    error(ctx, new ParleyException(code, message));
  }

  private static void send(HttpServerResponse response, int status, Buffer body) {
    if (response.ended()) return;
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body);
  }
}
