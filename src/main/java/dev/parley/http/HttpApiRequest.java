package dev.parley.http;

import dev.parley.api.ApiRequest;
import dev.parley.api.RequestValidation;
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

  HttpApiRequest(RoutingContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public String authorization() {
    return ctx.request().getHeader("Authorization");
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
      ctx.queryParams().forEach((k, v) -> query.putIfAbsent(k, v));
    }
    return query;
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
