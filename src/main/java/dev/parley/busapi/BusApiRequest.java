package dev.parley.busapi;

import dev.parley.api.ApiRequest;
import dev.parley.api.RequestValidation;
import dev.parley.bus.Bus;
import dev.parley.bus.ParleyException;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * An API request that came on a public event-bus address (SPEC section 9): the message body holds
 * the operation's path and query parameters as top-level fields and the request body under
 * {@code body}; the {@code authorization} header carries the credential. Parameters reach the
 * validator as text, as they would from a URL, so both transports are validated alike.
 */
final class BusApiRequest extends ApiRequest {
  private final Message<?> message;
  private final JsonObject fields;
  private final ParleyException malformed;
  private final Map<String, String> path = new HashMap<>();
  private final Map<String, String> query = new HashMap<>();
  private Buffer bodyBytes;

  /**
   * @param pathNames the operation's path parameters; every other field but {@code body} is a query parameter
   */
  BusApiRequest(Message<?> message, Set<String> pathNames) {
    this.message = message;
    this.fields = message.body() instanceof JsonObject json ? json : new JsonObject();
    this.malformed = message.body() instanceof JsonObject ? null
      : ParleyException.validation("message", "the message body must be a JSON object");
    fields.forEach(e -> {
      if (e.getKey().equals("body") || e.getValue() == null) return;
      Object v = e.getValue();
      String text = v instanceof JsonObject || v instanceof io.vertx.core.json.JsonArray
        ? io.vertx.core.json.Json.encode(v) : String.valueOf(v);
      (pathNames.contains(e.getKey()) ? path : query).put(e.getKey(), text);
    });
  }

  @Override
  public String authorization() {
    return message.headers().get(Bus.AUTHORIZATION_HEADER);
  }

  @Override
  public MultiMap headers() {
    return message.headers();
  }

  @Override
  public Map<String, String> pathParams() {
    return path;
  }

  @Override
  public Map<String, String> queryParams() {
    return query;
  }

  @Override
  public JsonObject body() {
    return RequestValidation.requireObject(fields.getValue("body"));
  }

  @Override
  public Buffer bodyBytes() {
    if (bodyBytes == null) bodyBytes = body().toBuffer();
    return bodyBytes;
  }

  /** The size of the request body as JSON text, as HTTP's body limit counts it (0 when there is none). */
  int bodySize() {
    return fields.getValue("body") instanceof JsonObject ? bodyBytes().length() : 0;
  }

  @Override
  public ParleyException malformed() {
    return malformed;
  }
}
