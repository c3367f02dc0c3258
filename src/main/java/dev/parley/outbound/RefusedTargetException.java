package dev.parley.outbound;

/**
 * A target the policy will not contact: not an http(s) URL, credentials in the URL, or a host
 * that is (or resolves to) a special-purpose address. Nothing was sent. Permanent: the same URL
 * is refused again.
 */
public final class RefusedTargetException extends OutboundException {
  public RefusedTargetException(String message) {
    super(message);
  }
}
