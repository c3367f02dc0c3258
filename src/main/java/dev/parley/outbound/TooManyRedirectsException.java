package dev.parley.outbound;

/** The server redirected more times than the request allows. */
public final class TooManyRedirectsException extends OutboundException {
  public TooManyRedirectsException(int maxRedirects) {
    super("more than " + maxRedirects + " redirects");
  }
}
