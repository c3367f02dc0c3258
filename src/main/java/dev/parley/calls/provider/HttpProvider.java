package dev.parley.calls.provider;

import dev.parley.auth.Signatures;
import dev.parley.config.ParleyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * A provider reached over HTTP (SPEC section 7): {@code POST {PARLEY_PROVIDER_URL}/calls} and
 * {@code POST {PARLEY_PROVIDER_URL}/calls/{callId}/cancel}, signed with {@code PARLEY_PROVIDER_SECRET}
 * like its events, so each side can check the other. A 4xx answer (but 408 and 429) is a refusal;
 * a timeout, a lost connection or a 5xx may be retried with the same callId.
 */
public final class HttpProvider implements VoiceProvider {
  private final WebClient client;
  private final String url;
  private final String secret;
  private final int timeoutMillis;

  public HttpProvider(Vertx vertx, ParleyConfig config) {
    if (config.providerUrl() == null || config.providerSecret() == null) {
      throw new IllegalArgumentException("PARLEY_PROVIDER=http needs PARLEY_PROVIDER_URL and PARLEY_PROVIDER_SECRET");
    }
    // dials run side by side: a provider that answers in 300 ms needs as many connections as dials per 300 ms
    this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5000).setFollowRedirects(false)
      .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(config.providerMaxConnections()));
    this.url = config.providerUrl().replaceAll("/+$", "") + "/calls";
    this.secret = config.providerSecret();
    this.timeoutMillis = config.providerTimeoutMillis();
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public Future<Void> placeCall(CallRequest request) {
    return post(url, request.toJson().toBuffer()).compose(response -> outcome(response, false));
  }

  @Override
  public Future<Void> cancelCall(String callId) {
    return post(url + "/" + callId + "/cancel", new JsonObject().put("callId", callId).toBuffer())
      .compose(response -> outcome(response, true));
  }

  private Future<HttpResponse<Buffer>> post(String target, Buffer body) {
    return client.postAbs(target).timeout(timeoutMillis)
      .putHeader("Content-Type", "application/json")
      .putHeader(Signatures.HEADER, Signatures.sign(secret, System.currentTimeMillis() / 1000, body.getBytes()))
      .sendBuffer(body);
  }

  private static Future<Void> outcome(HttpResponse<Buffer> response, boolean cancel) {
    int status = response.statusCode();
    if (status / 100 == 2 || (cancel && status == 404)) return Future.succeededFuture();
    if (status / 100 == 4 && status != 408 && status != 429) {
      return Future.failedFuture(new ProviderRefusedException("provider answered " + status));
    }
    return Future.failedFuture(new IllegalStateException("provider answered " + status));
  }
}
