package dev.parley.calls.provider;

/**
 * The provider is at its concurrency or rate limit (Vapi's
 * {@code call.start.error-subscription-concurrency-limit-reached}, Retell's 429 or
 * {@code concurrency_limit_reached}): not a failed attempt, the call is tried again later.
 */
public final class ProviderBusyException extends RuntimeException {
  private final boolean rateLimit;

  /**
   * @param rateLimit the refusal was for the rate of creates, not for calls at once: nothing was
   *                  made, and the create may go out again at the next turn of the pace
   */
  public ProviderBusyException(String message, boolean rateLimit) {
    super(message, null, false, false);
    this.rateLimit = rateLimit;
  }

  public boolean rateLimit() {
    return rateLimit;
  }
}
