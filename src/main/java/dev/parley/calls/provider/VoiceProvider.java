package dev.parley.calls.provider;

import io.vertx.core.Future;

import java.time.Instant;

/**
 * A voice-agent provider (DESIGN "Voice-agent providers"): places calls, cancels them, finds a call
 * whose create answer was lost, and reports back with {@link ProviderEvent}s (the simulator
 * in-process; the others through their webhooks, which {@link dev.parley.calls.ProviderCallbacks}
 * verifies and translates).
 */
public interface VoiceProvider {
  /** What {@code live_calls.provider} and the attempt's {@code provider} say: simulator, http, vapi or retell. */
  String name();

  /**
   * Whether a create sent again with the same callId is harmless because the provider itself keys
   * calls by it (the simulator and the {@code http} contract). A provider that takes no
   * idempotency key (Vapi, Retell) is never sent a create again before {@link #reconcile} looked
   * for the first one.
   */
  default boolean idempotentCreate() {
    return false;
  }

  /**
   * Places the call. Succeeds once the provider has taken it, with the provider's own identity of
   * the call. Fails with {@link ProviderRefusedException} when the provider refused the call
   * (sending it again would not help), with {@link ProviderBusyException} when it is at its
   * concurrency or rate limit (the attempt is tried again later), and with anything else when the
   * answer was lost (timeout, reset, 5xx): the call may or may not exist.
   */
  Future<PlacedCall> placeCall(CallRequest request);

  /**
   * Looks for the call a create with this callId made, for a dial whose answer was lost: the
   * call, or null when the provider has none (yet). {@code since} is a little before the first
   * create was sent.
   */
  default Future<PlacedCall> reconcile(CallRequest request, Instant since) {
    return Future.succeededFuture(null);
  }

  /**
   * Ends a call that is ringing or live (SPEC section 7); the provider then reports its end. A
   * call that is unknown or already over is not an error.
   */
  Future<Void> cancelCall(LiveCall call);

  /**
   * The end of a call as the provider tells it when asked, for a call whose end-of-call webhook
   * did not come: the {@code call.ended} event, or null while the call is not over.
   */
  default Future<ProviderEvent> lookupEnd(LiveCall call) {
    return Future.succeededFuture(null);
  }

  /** Creates per second this provider takes (PARLEY_PROVIDER_CALLS_PER_SECOND); 0 when unpaced. */
  default double callsPerSecond() {
    return 0;
  }

  /** A call the provider took: its ID there, and for Vapi the URL that controls it (a cancel goes there). */
  record PlacedCall(String platformCallId, String controlUrl) {
    public static final PlacedCall UNNAMED = new PlacedCall(null, null);
  }

  /** A live call as a cancel or a lookup needs it. */
  record LiveCall(String callId, String platformCallId, String controlUrl) {}
}
