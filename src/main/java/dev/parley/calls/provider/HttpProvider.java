package dev.parley.calls.provider;

import dev.parley.auth.Signatures;
import dev.parley.config.ParleyConfig;
import dev.parley.outbound.OutboundHttp;
import dev.parley.outbound.OutboundRequest;
import dev.parley.outbound.OutboundResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

/**
 * A provider reached over HTTP (SPEC section 7): {@code POST {PARLEY_PROVIDER_URL}/calls} and
 * {@code POST {PARLEY_PROVIDER_URL}/calls/{callId}/cancel}, signed with {@code PARLEY_PROVIDER_SECRET}
 * like its events, so each side can check the other. A 4xx answer (but 408 and 429) is a refusal;
 * a timeout, a lost connection or a 5xx may be retried with the same callId. Each request is held
 * to the outbound policy: PARLEY_PROVIDER_TIMEOUT_MS start to end, and a small answer (the
 * contract's answers have no body that matters). The URL is the operator's own, so no
 * special-purpose address check (such a bridge usually runs next to Parley).
 */
public final class HttpProvider implements VoiceProvider {
  /** The most of an answer read: the contract's answers carry nothing Parley reads. */
  static final long MAX_ANSWER_BYTES = 64 * 1024;
  private final OutboundHttp client;
  private final String url;
  private final String secret;
  private final int timeoutMillis;

  public HttpProvider(Vertx vertx, ParleyConfig config) {
    if (config.providerUrl() == null || config.providerSecret() == null) {
      throw new IllegalArgumentException("PARLEY_PROVIDER=http needs PARLEY_PROVIDER_URL and PARLEY_PROVIDER_SECRET");
    }
    // dials run side by side: a provider that answers in 300 ms needs as many connections as dials per 300 ms
    this.client = PlatformHttp.client(vertx, config);
    this.url = config.providerUrl().replaceAll("/+$", "") + "/calls";
    this.secret = config.providerSecret();
    this.timeoutMillis = config.providerTimeoutMillis();
  }

  @Override
  public String name() {
    return "http";
  }

  /** The contract makes the callId the provider's idempotency key: a create sent again places no second call. */
  @Override
  public boolean idempotentCreate() {
    return true;
  }

  @Override
  public Future<PlacedCall> placeCall(CallRequest request) {
    return post(url, request.toJson().toBuffer()).compose(response -> outcome(response, false)).map(PlacedCall.UNNAMED);
  }

  @Override
  public Future<Void> cancelCall(LiveCall call) {
    return post(url + "/" + call.callId() + "/cancel", new JsonObject().put("callId", call.callId()).toBuffer())
      .compose(response -> outcome(response, true));
  }

  private Future<OutboundResponse> post(String target, Buffer body) {
    return client.send(OutboundRequest.builder(HttpMethod.POST, target).checkTarget(false)
      .deadlineMillis(timeoutMillis).maxBodyBytes(MAX_ANSWER_BYTES)
      .header("Content-Type", "application/json")
      .header(Signatures.HEADER, Signatures.sign(secret, System.currentTimeMillis() / 1000, body.getBytes()))
      .body(body).build());
  }

  private static Future<Void> outcome(OutboundResponse response, boolean cancel) {
    int status = response.statusCode();
    if (status / 100 == 2 || (cancel && status == 404)) return Future.succeededFuture();
    if (status / 100 == 4 && status != 408 && status != 429) {
      return Future.failedFuture(new ProviderRefusedException("provider answered " + status));
    }
    return Future.failedFuture(new IllegalStateException("provider answered " + status));
  }
}
