package dev.parley.fakes;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Map;

/**
 * One webhook attempt a fake made: the platform call, the event ({@code status-update:ringing},
 * {@code end-of-call-report}, {@code call_started}, ...), where it went, the attempt number (1 = first),
 * the headers and body sent, when, and the HTTP status Parley answered ({@code -1} when there was no
 * answer: connection refused, reset or timed out; {@code error} then says why).
 */
public record Delivery(String callId, String event, String url, int attempt, Map<String, String> headers, String body,
                       Instant at, int status, String error) {
  public JsonObject json() {
    return new JsonObject(body);
  }

  public boolean ok() {
    return status >= 200 && status < 300;
  }
}
