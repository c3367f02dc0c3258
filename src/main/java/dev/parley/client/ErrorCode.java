package dev.parley.client;

import io.vertx.core.eventbus.ReplyException;

/**
 * Every error the API can answer with. The same codes travel over the event bus as
 * {@link ReplyException#failureCode()} values, so the HTTP verticle only translates them.
 * The numeric bus codes are part of the event-bus contract (docs/event-bus.md): never renumber.
 *
 * <p>It lives in the client package because the server and {@code parley-client} share it: the
 * client jar is built from {@code dev.parley.client} alone, so the two cannot drift apart.
 */
public enum ErrorCode {
  INVALID_API_KEY(401, 4010),
  API_KEY_SUSPENDED(401, 4011),
  /** A provider event without a valid Parley-Signature. */
  INVALID_SIGNATURE(401, 4012),
  COMPANY_ID_REQUIRED(400, 4001),
  INSUFFICIENT_PERMISSIONS(403, 4030),
  FORBIDDEN_COMPANY(403, 4031),
  VALIDATION_FAILED(400, 4000),
  INVALID_ID(400, 4002),
  RESOURCE_NOT_FOUND(404, 4040),
  METHOD_NOT_ALLOWED(405, 4050),
  CONFLICT(409, 4090),
  PAYLOAD_TOO_LARGE(413, 4130),
  /** The request line (the URL) is longer than the server reads. */
  URI_TOO_LONG(414, 4140),
  /** The request's headers are larger than the server reads. */
  HEADERS_TOO_LARGE(431, 4310),
  RATE_LIMITED(429, 4290),
  INTERNAL(500, 5000),
  UNAVAILABLE(503, 5030);

  public final int httpStatus;
  public final int busCode;

  ErrorCode(int httpStatus, int busCode) {
    this.httpStatus = httpStatus;
    this.busCode = busCode;
  }

  /** The code carried by a failed bus reply; anything unknown (timeouts, no handler) is INTERNAL or UNAVAILABLE. */
  public static ErrorCode fromFailure(Throwable failure) {
    if (failure instanceof ReplyException re) {
      switch (re.failureType()) {
        case TIMEOUT:
        case NO_HANDLERS:
          return UNAVAILABLE;
        default:
          for (ErrorCode c : values()) {
            if (c.busCode == re.failureCode()) return c;
          }
      }
    }
    return INTERNAL;
  }
}
