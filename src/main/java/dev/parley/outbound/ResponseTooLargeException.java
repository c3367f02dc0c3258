package dev.parley.outbound;

/** The response body passed the request's limit; the connection was reset instead of read on. */
public final class ResponseTooLargeException extends OutboundException {
  public ResponseTooLargeException(long limitBytes) {
    super("the response body is larger than the limit of " + limitBytes + " bytes");
  }
}
