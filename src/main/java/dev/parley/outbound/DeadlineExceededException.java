package dev.parley.outbound;

/**
 * The whole exchange (resolving, connecting, every redirect, reading the whole body) did not end
 * within the request's deadline; the request in flight was reset.
 */
public final class DeadlineExceededException extends OutboundException {
  public DeadlineExceededException(long deadlineMillis) {
    super("no complete answer within the deadline of " + deadlineMillis + " ms");
  }
}
