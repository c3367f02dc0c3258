package dev.parley.calls.provider;

import dev.parley.config.ParleyConfig;
import dev.parley.outbound.OutboundHttp;
import dev.parley.outbound.OutboundRequest;
import dev.parley.outbound.OutboundResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A platform's REST API, under the outbound policy (DESIGN "Outbound HTTP"): every request has a
 * total deadline (PARLEY_PROVIDER_TIMEOUT_MS) and a body limit. Requests to the API's base URL,
 * which the operator configured, carry the API key; a URL the platform supplied (Vapi's control
 * URL) gets no key and goes through the special-purpose address check, pinned to the connection.
 */
public final class PlatformHttp {
  /** The largest answer read from a platform's API (a page of calls with their transcripts). */
  static final long MAX_ANSWER_BYTES = 16L * 1024 * 1024;

  private final OutboundHttp http;
  private final String baseUrl;
  private final String authorization;
  private final long deadlineMillis;

  public PlatformHttp(OutboundHttp http, ParleyConfig config, String baseUrl, String apiKey) {
    this.http = http;
    this.baseUrl = baseUrl;
    this.authorization = "Bearer " + apiKey;
    this.deadlineMillis = config.providerTimeoutMillis();
  }

  /**
   * The outbound client of a verticle that talks to providers or fetches their recordings: the
   * special-purpose address check applies, but for PARLEY_OUTBOUND_ALLOW's exceptions.
   */
  public static OutboundHttp client(Vertx vertx, ParleyConfig config) {
    return new OutboundHttp(vertx, config.outboundAllow(), false, USER_AGENT, config.providerMaxConnections());
  }

  static final String USER_AGENT = "Parley/1";

  /** One status and body of a platform's answer. */
  public record Answer(int status, Buffer body) {
    public boolean ok() {
      return status / 100 == 2;
    }

    /** The body as a JSON object; an empty one when it is not one (an error page, no body). */
    public JsonObject object() {
      try {
        return body == null || body.length() == 0 ? new JsonObject() : new JsonObject(body);
      } catch (DecodeException | ClassCastException e) {
        return new JsonObject();
      }
    }

    /** The body as a JSON array; null when it is not one. */
    public JsonArray array() {
      try {
        return body == null || body.length() == 0 ? null : new JsonArray(body);
      } catch (DecodeException | ClassCastException e) {
        return null;
      }
    }

    /**
     * What a create that was not answered 2xx means: the platform at its concurrency or rate limit
     * (429, or a 4xx that says "concurrency") is {@link ProviderBusyException} (a rate limit when it
     * does not say "concurrency"); any other 4xx but
     * 408 a refusal ({@link ProviderRefusedException}); a 5xx or a 408 a lost answer (the call
     * may exist, and is looked for).
     */
    public RuntimeException createFailure(String platform) {
      String what = platform + " answered " + status + ": " + excerpt();
      boolean concurrency = excerpt().toLowerCase(java.util.Locale.ROOT).contains("concurrency");
      if (status == 429 || (status / 100 == 4 && concurrency)) return new ProviderBusyException(what, !concurrency);
      if (status / 100 == 4 && status != 408) return new ProviderRefusedException(what);
      return new IllegalStateException(what);
    }

    /** The body as text, cut short, for a log line or an attempt's notes. */
    public String excerpt() {
      if (body == null) return "";
      String text = body.toString();
      return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
  }

  /** A request to the API: {@code path} under the base URL, with the key; {@code body} may be null. */
  public Future<Answer> api(HttpMethod method, String path, JsonObject body) {
    OutboundRequest.Builder request = OutboundRequest.builder(method, baseUrl + path)
      .sensitiveHeader("Authorization", authorization)
      // the operator wrote this URL (PARLEY_VAPI_BASE_URL, PARLEY_RETELL_BASE_URL): a tenant cannot steer it
      .checkTarget(false);
    return send(request, body);
  }

  /** A request to a URL the platform supplied: no key, and the special-purpose address check. */
  public Future<Answer> supplied(HttpMethod method, String url, JsonObject body) {
    return send(OutboundRequest.builder(method, url).checkTarget(true), body);
  }

  private Future<Answer> send(OutboundRequest.Builder request, JsonObject body) {
    request.deadlineMillis(deadlineMillis).maxBodyBytes(MAX_ANSWER_BYTES).header("Accept", "application/json");
    if (body != null) request.header("Content-Type", "application/json").body(body.toBuffer());
    return http.send(request.build()).map(PlatformHttp::answer);
  }

  private static Answer answer(OutboundResponse response) {
    return new Answer(response.statusCode(), response.body());
  }
}
