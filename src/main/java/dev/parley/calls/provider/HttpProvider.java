package dev.parley.calls.provider;

import dev.parley.auth.Signatures;
import dev.parley.config.ParleyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * A provider reached over HTTP (SPEC section 7): {@code POST {PARLEY_PROVIDER_URL}/calls}, signed
 * with {@code PARLEY_PROVIDER_SECRET} like its events, so each side can check the other.
 */
public final class HttpProvider implements VoiceProvider {
  private final WebClient client;
  private final String url;
  private final String secret;

  public HttpProvider(Vertx vertx, ParleyConfig config) {
    if (config.providerUrl() == null || config.providerSecret() == null) {
      throw new IllegalArgumentException("PARLEY_PROVIDER=http needs PARLEY_PROVIDER_URL and PARLEY_PROVIDER_SECRET");
    }
    this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5000).setFollowRedirects(false));
    this.url = config.providerUrl().replaceAll("/+$", "") + "/calls";
    this.secret = config.providerSecret();
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public Future<Void> placeCall(CallRequest request) {
    Buffer body = request.toJson().toBuffer();
    long now = System.currentTimeMillis() / 1000;
    return client.postAbs(url).timeout(10_000)
      .putHeader("Content-Type", "application/json")
      .putHeader(Signatures.HEADER, Signatures.sign(secret, now, body.getBytes()))
      .sendBuffer(body)
      .compose(response -> response.statusCode() / 100 == 2 ? Future.<Void>succeededFuture()
        : Future.failedFuture(new IllegalStateException("provider answered " + response.statusCode())));
  }
}
