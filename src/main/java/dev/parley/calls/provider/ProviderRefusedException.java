package dev.parley.calls.provider;

/** The provider answered that it will not place this call: dialling it again would not help. */
public final class ProviderRefusedException extends RuntimeException {
  public ProviderRefusedException(String message) {
    super(message, null, false, false);
  }
}
