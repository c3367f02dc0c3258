package dev.parley.calls.provider.vapi;

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
import java.util.UUID;

/**
 * Vapi's server messages about the calls Parley placed ({@code POST /v1/provider/vapi/events}):
 * {@code {"message": {"type", "call": {"id", "name": callId, ...}, ...}}}. Every message must carry
 * its call's {@code X-Parley-Call-Secret} (the assistant's {@code server.headers}); one that does
 * not is refused whole. Then:
 * <ul>
 *   <li>status-update {@code ringing} / {@code in-progress}: {@code call.ringing} / {@code call.answered};</li>
 *   <li>status-update {@code ended}: noted; the end-of-call report, which comes after it with the
 *   transcript, ends the call (if it never comes, Vapi is asked after a while);</li>
 *   <li>end-of-call-report: {@code call.ended}, its endedReason mapped by {@link VapiOutcomes};</li>
 *   <li>anything else: ignored.</li>
 * </ul>
 * Vapi sends a message again when it gets no 2xx (with a backoff plan): a repeat changes nothing twice.
 */
public final class VapiWebhook implements PlatformWebhook {
  private final CallSecrets secrets;
  private final String baseUrl;

  public VapiWebhook(ParleyConfig config) {
    this.secrets = new CallSecrets(config.vapiApiKey());
    this.baseUrl = config.vapiBaseUrl();
  }

  @Override
  public List<ProviderEvent> translate(MultiMap headers, Buffer body, long nowMillis) {
    JsonObject message;
    try {
      message = new JsonObject(body).getJsonObject("message");
    } catch (DecodeException | ClassCastException e) {
      message = null;
    }
    JsonObject call = message == null || !(message.getValue("call") instanceof JsonObject c) ? null : c;
    String callId = call == null || !(call.getValue("name") instanceof String n) ? null : n;
    // the secret is checked before anything else is believed; without a callId there is nothing to check it against
    if (callId == null || !isUuid(callId) || !secrets.matches(callId, headers.get(CallSecrets.HEADER))) {
      throw new ParleyException(ErrorCode.INVALID_SIGNATURE, "Missing or bad " + CallSecrets.HEADER);
    }
    String at = message.getValue("timestamp") instanceof Number t ? Instant.ofEpochMilli(t.longValue()).toString() : null;
    switch (String.valueOf(message.getValue("type"))) {
      case "status-update" -> {
        return switch (String.valueOf(message.getValue("status"))) {
          case "ringing" -> List.of(ProviderEvent.of(ProviderEvent.RINGING, callId, at));
          case "in-progress" -> List.of(ProviderEvent.of(ProviderEvent.ANSWERED, callId, at));
          case "ended" -> List.of(ProviderEvent.of(ProviderEvent.PLATFORM_ENDED, callId, at));
          default -> List.of();
        };
      }
      case "end-of-call-report" -> {
        JsonObject artifact = message.getValue("artifact") instanceof JsonObject a ? a : null;
        return List.of(VapiCalls.ended(callId, call.getString("id"), string(message, "endedReason"),
          string(message, "startedAt"), string(message, "endedAt"), artifact, baseUrl));
      }
      default -> {
        return List.of();
      }
    }
  }

  private static String string(JsonObject json, String field) {
    return json.getValue(field) instanceof String s ? s : null;
  }

  private static boolean isUuid(String s) {
    try {
      UUID.fromString(s);
      return s.length() == 36;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
