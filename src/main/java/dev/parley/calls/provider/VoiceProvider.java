package dev.parley.calls.provider;

import io.vertx.core.Future;

/**
 * A voice-agent provider: places calls and reports back with {@link ProviderEvent}s (the
 * simulator in-process, the http provider at {@code POST /v1/provider/events}).
 */
public interface VoiceProvider {
  String name();

  /** Succeeds once the provider has taken the call; a failure fails the attempt with PROVIDER_ERROR. */
  Future<Void> placeCall(CallRequest request);
}
