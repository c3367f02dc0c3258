package dev.parley.support;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * A webhook receiver inside the test: answers what {@link #answer} says (e.g. fail N times, then
 * succeed), and keeps every request with whether its signature passed the documented recipe.
 */
public final class Receiver implements AutoCloseable {
  public record Hit(Instant at, String deliveryId, JsonObject body, int answered, boolean signatureValid, String customHeader) {
    public String event() {
      return body.getString("event");
    }

    public String interviewId() {
      JsonObject data = body.getJsonObject("data");
      return data == null ? null : data.getString("interviewId");
    }
  }

  public final List<Hit> hits = new CopyOnWriteArrayList<>();
  public volatile String secret;
  public volatile IntSupplier answer = () -> 204;
  private final HttpServer server;

  public Receiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String header = exchange.getRequestHeaders().getFirst("Parley-Signature");
      boolean valid = header != null && secret != null
        && DocSnippets.verifyWithJavaSnippet(secret, header, body, System.currentTimeMillis() / 1000);
      int status = answer.getAsInt();
      hits.add(new Hit(Instant.now(), exchange.getRequestHeaders().getFirst("Parley-Delivery-Id"),
        new JsonObject(new String(body, StandardCharsets.UTF_8)), status, valid,
        exchange.getRequestHeaders().getFirst("X-Custom")));
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
  }

  /** Fails the next {@code n} requests with 503, then answers 204. */
  public void failFirst(int n) {
    AtomicInteger left = new AtomicInteger(n);
    answer = () -> left.getAndDecrement() > 0 ? 503 : 204;
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
  }

  public List<Hit> delivered() {
    return hits.stream().filter(h -> h.answered() / 100 == 2).toList();
  }

  /** The events delivered (2xx) about one interview, in arrival order. */
  public List<String> eventsOf(String interviewId) {
    return delivered().stream().filter(h -> interviewId.equals(h.interviewId())).map(Hit::event).toList();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
