package dev.parley.http;

import dev.parley.api.ApiRequest;
import dev.parley.api.RequestValidation;
import dev.parley.bus.ParleyException;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.Map;

/** An API request that came over HTTP. */
final class HttpApiRequest extends ApiRequest {
  private final RoutingContext ctx;
  private Map<String, String> query;
  private JsonObject body;
  private ParleyException malformed;

  HttpApiRequest(RoutingContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public String authorization() {
    return ctx.request().getHeader("Authorization");
  }

  /** The peer of the connection (a proxy in front of the server counts as one client). */
  @Override
  public String clientAddress() {
    var peer = ctx.request().remoteAddress();
    return peer == null ? null : peer.hostAddress();
  }

  @Override
  public MultiMap headers() {
    return ctx.request().headers();
  }

  @Override
  public Map<String, String> pathParams() {
    return ctx.pathParams();
  }

  @Override
  public Map<String, String> queryParams() {
    if (query == null) {
      query = new HashMap<>();
      try {
        ctx.queryParams().forEach((k, v) -> query.putIfAbsent(k, v));
      } catch (RuntimeException e) {
        // a query the URL decoder refuses (a bad %-escape; vertx-web wraps the decoder's
        // IllegalArgumentException in an HttpException 400): the request is malformed, not the server
        Throwable why = e.getCause() != null ? e.getCause() : e;
        malformed = ParleyException.validation("query", "malformed query string: " + why.getMessage());
      }
    }
    return query;
  }

  @Override
  public ParleyException malformed() {
    queryParams();
    return malformed;
  }

  @Override
  public JsonObject body() {
    if (body == null) body = RequestValidation.parseBody(bodyBytes());
    return body;
  }

  @Override
  public Buffer bodyBytes() {
    return ctx.body().buffer();
  }
}
