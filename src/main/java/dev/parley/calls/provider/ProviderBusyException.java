package dev.parley.calls.provider;

/**
 * The provider is at its concurrency or rate limit (Vapi's
 * {@code call.start.error-subscription-concurrency-limit-reached}, Retell's 429 or
 * {@code concurrency_limit_reached}): not a failed attempt, the call is tried again later.
 */
public final class ProviderBusyException extends RuntimeException {
  public ProviderBusyException(String message) {
    super(message, null, false, false);
  }
}
