package dev.parley.client;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * A refused or failed call of the public API, as the client library hands it over: never a bare
 * {@link ReplyException}. (The server has a class of the same name for the failures it raises;
 * this one is what a client sees.)
 *
 * <p>{@link #code()} is the API's error code, {@link #httpStatus()} the status HTTP would have
 * answered, {@link #details()} the error's details (an empty object when it has none),
 * {@link #retryAfter()} how long to wait before the same call may pass (429 and 503; null
 * otherwise), {@link #requestId()} the id the call was sent with, to find it in the server's log.
 */
public final class ParleyException extends RuntimeException {
  /** How long HTTP's Retry-After tells a client to wait after a 503 (docs/api.md). */
  static final Duration UNAVAILABLE_RETRY_AFTER = Duration.ofSeconds(5);

  private final ErrorCode code;
  private final JsonObject details;
  private final Duration retryAfter;
  private final String requestId;
  /** Whether the server answered it (a handler failed the call), as against a timeout or no handler. */
  private final boolean answered;

  ParleyException(ErrorCode code, String message, JsonObject details, Duration retryAfter, String requestId, boolean answered,
                  Throwable cause) {
    super(message, cause, false, false);
    this.code = code;
    this.details = details == null ? new JsonObject() : details;
    this.retryAfter = retryAfter;
    this.requestId = requestId;
    this.answered = answered;
  }

  /** The failure of a bus request, read as the server wrote it (docs/event-bus.md). */
  static ParleyException of(Throwable failure, String requestId) {
    if (failure instanceof ParleyException p) return p;
    ErrorCode code = ErrorCode.fromFailure(failure);
    if (failure instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      JsonObject wire = wire(re.getMessage());
      String message = wire == null ? String.valueOf(re.getMessage()) : wire.getString("message", "");
      JsonObject details = wire == null ? null : wire.getJsonObject("details");
      return new ParleyException(code, message, details, retryAfter(code, details), requestId, true, null);
    }
    if (failure instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      // the timeout was the wait: a retry (where one is safe) may go at once
      return new ParleyException(code, "No answer within the call's timeout", null, Duration.ZERO, requestId, false, failure);
    }
    if (failure instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
      return new ParleyException(code, "No Parley node serves " + re.getMessage(), null, UNAVAILABLE_RETRY_AFTER, requestId,
        false, failure);
    }
    return new ParleyException(ErrorCode.INTERNAL, String.valueOf(failure.getMessage()), null, null, requestId, false, failure);
  }

  private static JsonObject wire(String text) {
    try {
      return text == null ? null : new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static Duration retryAfter(ErrorCode code, JsonObject details) {
    if (details != null && details.getValue("retryAfter") instanceof Number seconds) return Duration.ofSeconds(seconds.longValue());
    return code == ErrorCode.UNAVAILABLE ? UNAVAILABLE_RETRY_AFTER : null;
  }

  public ErrorCode code() {
    return code;
  }

  public int httpStatus() {
    return code.httpStatus;
  }

  public JsonObject details() {
    return details.copy();
  }

  /** How long to wait before the same call may pass; null when waiting would not help. */
  public Duration retryAfter() {
    return retryAfter;
  }

  public String requestId() {
    return requestId;
  }

  /** True when a Parley node answered with this error; false for a call that timed out or found no node. */
  public boolean answered() {
    return answered;
  }

  @Override
  public String toString() {
    return "ParleyException " + code + " (" + code.httpStatus + "): " + getMessage() + (details.isEmpty() ? "" : " " + details.encode())
      + (requestId == null ? "" : " [request " + requestId + "]");
  }
}
