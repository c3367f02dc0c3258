package dev.parley.support;

import dev.parley.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

/** Requests on the public event-bus API, the way a client inside the cluster makes them. */
public final class BusClient {
  private BusClient() {}

  /** How long a test's bus request waits for its reply. */
  public static final long TIMEOUT_MS = 15_000;

  /** A request with {@code Bearer <credential>} in the authorization header (none when null). */
  public static Future<Message<Object>> request(Vertx client, String address, JsonObject body, String credential) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(TIMEOUT_MS);
    if (credential != null) options.addHeader(Bus.AUTHORIZATION_HEADER, "Bearer " + credential);
    return client.eventBus().request(address, body, options);
  }

  /** The failure's JSON message {code, message, details}, or null when it is not a coded reply. */
  public static JsonObject error(Throwable failure) {
    if (!(failure instanceof ReplyException re) || re.getMessage() == null || !re.getMessage().startsWith("{")) return null;
    return new JsonObject(re.getMessage());
  }
}
