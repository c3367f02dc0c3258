package dev.parley.calls.provider.retell;

import dev.parley.client.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.calls.provider.PlatformWebhook;
import dev.parley.calls.provider.ProviderEvent;
import dev.parley.config.ParleyConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;

/**
 * Retell's webhooks about the calls Parley placed ({@code POST /v1/provider/retell/events}):
 * {@code {"event", "call": {...}}}, signed ({@link RetellSignature}); an unsigned, forged or stale
 * one is refused before anything in it is read. The call is Parley's by its
 * {@code metadata.parley_call_id}. Then:
 * <ul>
 *   <li>{@code call_started}: {@code call.answered} (Retell has no ringing event, and a call that
 *   never connects gets no call_started);</li>
 *   <li>{@code call_ended}: {@code call.ended}, its disconnection_reason mapped by {@link RetellOutcomes};</li>
 *   <li>{@code call_analyzed}: Retell's call_analysis, kept with the attempt;</li>
 *   <li>anything else: ignored.</li>
 * </ul>
 * Retell sends a webhook again (up to 3 times) when it gets no 2xx: a repeat changes nothing twice.
 */
public final class RetellWebhook implements PlatformWebhook {
  private final String apiKey;

  public RetellWebhook(ParleyConfig config) {
    this.apiKey = config.retellApiKey();
  }

  @Override
  public List<ProviderEvent> translate(MultiMap headers, Buffer body, long nowMillis) {
    if (!RetellSignature.verify(apiKey, body.getBytes(), headers.get(RetellSignature.HEADER), nowMillis)) {
      throw new ParleyException(ErrorCode.INVALID_SIGNATURE, "Missing, bad or stale " + RetellSignature.HEADER);
    }
    JsonObject webhook;
    try {
      webhook = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw ParleyException.validation("body", "not a JSON object");
    }
    JsonObject call = webhook.getValue("call") instanceof JsonObject c ? c : null;
    String callId = RetellCalls.callId(call);
    if (callId == null) return List.of(); // a call of the workspace that Parley did not place
    String at = Instant.ofEpochMilli(nowMillis).toString();
    return switch (String.valueOf(webhook.getValue("event"))) {
      case "call_started" -> List.of(ProviderEvent.of(ProviderEvent.ANSWERED, callId, at));
      case "call_ended" -> List.of(RetellCalls.ended(callId, call));
      case "call_analyzed" -> call.getValue("call_analysis") instanceof JsonObject analysis
        ? List.of(new ProviderEvent(ProviderEvent.ANALYZED, callId, at, null, null, null, null, null, analysis, null))
        : List.of();
      default -> List.of();
    };
  }
}
