package dev.parley.outbound;

/**
 * Why {@link OutboundHttp} refused or gave up on an outbound request: the policy's own outcomes
 * (a refused target, too large a body, too many redirects, the deadline). Network failures
 * (a refused connection, a reset, an unknown host) come as Vert.x and {@code java.net} report them.
 *
 * <p>These are expected outcomes of talking to third parties, counted and logged as such, not
 * bugs: no stack trace is filled in. Their messages can reach a tenant (a webhook's delivery
 * log, a provider error), so they never name an address the tenant did not write.
 */
public abstract class OutboundException extends RuntimeException {
  protected OutboundException(String message) {
    super(message, null, false, false);
  }
}
