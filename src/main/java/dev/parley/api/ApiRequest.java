package dev.parley.api;

import dev.parley.bus.ParleyException;
import dev.parley.ratelimit.RateDecision;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * One API request as a transport hands it over: HTTP ({@code dev.parley.http}) or the public
 * event-bus API ({@code dev.parley.busapi}). {@link Api} runs the same pipeline on both.
 */
public abstract class ApiRequest {
  private RateDecision rate;

  /** The {@code Authorization} value: {@code Bearer <API key or JWT>}, or null. */
  public abstract String authorization();

  /** Request headers (HTTP headers, or the message headers on the bus), looked up case-insensitively. */
  public abstract MultiMap headers();

  /** Path parameters by name ({@code id}, {@code attemptId}). */
  public abstract Map<String, String> pathParams();

  /** Query parameters by name, the first value of each. */
  public abstract Map<String, String> queryParams();

  /**
   * The request body as a JSON object, for operations that take one.
   *
   * @throws dev.parley.bus.ParleyException VALIDATION_FAILED when it is absent, malformed or not an object
   */
  public abstract JsonObject body();

  /** The same body as bytes. */
  public abstract Buffer bodyBytes();

  /**
   * What makes the request unusable as a whole, as its transport found it (a bus message that is
   * not a JSON object), or null. Reported where validation errors are, after the credential, the
   * rate limit and the scope, so the order of errors is the same on every transport.
   */
  public ParleyException malformed() {
    return null;
  }

  /**
   * The client's network address, whose failed authentications are counted ({@link AuthFailures}),
   * or null where there is none to count by (the event bus: its clients are cluster members).
   */
  public String clientAddress() {
    return null;
  }

  /** The rate-limit decision taken for this request, once the credential is known (null before, or without a limit). */
  public RateDecision rate() {
    return rate;
  }

  void rate(RateDecision decision) {
    this.rate = decision;
  }
}
