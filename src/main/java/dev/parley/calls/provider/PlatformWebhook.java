package dev.parley.calls.provider;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * A platform's webhooks, as its adapter reads them: verified with the platform's own scheme, then
 * translated into Parley's provider events, which take the same road as every provider's.
 */
public interface PlatformWebhook {
  /**
   * The events one webhook request means, in order; empty for a message Parley does not use.
   *
   * @throws dev.parley.bus.ParleyException INVALID_SIGNATURE when the request is not the platform's
   *         (nothing is read from it then), VALIDATION_FAILED when its body is not what the platform sends
   */
  List<ProviderEvent> translate(MultiMap headers, Buffer body, long nowMillis);
}
