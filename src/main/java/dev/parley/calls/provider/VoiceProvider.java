package dev.parley.calls.provider;

import io.vertx.core.Future;

/**
 * A voice-agent provider: places calls and reports back with {@link ProviderEvent}s (the
 * simulator in-process, the http provider at {@code POST /v1/provider/events}).
 */
public interface VoiceProvider {
  String name();

  /**
   * Succeeds once the provider has taken the call. The {@code callId} is the provider's idempotency
   * key: placing a call again with the same one never places a second call, so a dial whose answer
   * was lost is simply sent again. Fails with {@link ProviderRefusedException} when the provider
   * refused the call (sending it again would not help); any other failure may be retried.
   */
  Future<Void> placeCall(CallRequest request);

  /**
   * Ends a call that is ringing or live (SPEC section 7); the provider then reports
   * {@code call.ended} with {@code endedReason} "canceled". A call that is unknown or already over
   * is not an error.
   */
  Future<Void> cancelCall(String callId);
}
