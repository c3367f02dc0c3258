package dev.parley.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A webhook receiver that never finishes its answer: it sends 200 and its headers at once, then
 * one byte of body every {@code dripMillis}, until the sender closes the connection. A client
 * with an idle timeout longer than the drip waits for ever; only a total deadline ends the try.
 */
public final class DrippingReceiver implements AutoCloseable {
  /** One request: its delivery, when it came and when the sender hung up (null while it drips). */
  public static final class Hit {
    public final String deliveryId;
    public final JsonObject body;
    public final Instant opened = Instant.now();
    public volatile Instant closed;

    Hit(String deliveryId, JsonObject body) {
      this.deliveryId = deliveryId;
      this.body = body;
    }
  }

  public final List<Hit> hits = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private final ScheduledExecutorService drips = Executors.newScheduledThreadPool(2);
  private final long dripMillis;

  public DrippingReceiver(long dripMillis) throws IOException {
    this.dripMillis = dripMillis;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(handlers);
    server.createContext("/", this::answer);
    server.start();
  }

  private void answer(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    Hit hit = new Hit(exchange.getRequestHeaders().getFirst("Parley-Delivery-Id"),
      new JsonObject(new String(body, StandardCharsets.UTF_8)));
    hits.add(hit);
    exchange.sendResponseHeaders(200, 0); // chunked: the answer has no end the sender can see coming
    OutputStream out = exchange.getResponseBody();
    drip(exchange, out, hit);
  }

  private void drip(HttpExchange exchange, OutputStream out, Hit hit) {
    try {
      out.write('.');
      out.flush();
      drips.schedule(() -> drip(exchange, out, hit), dripMillis, TimeUnit.MILLISECONDS);
    } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
      hit.closed = Instant.now(); // the sender hung up (or the receiver is closing)
      exchange.close();
    }
  }

  /** Requests whose sender has not hung up yet. */
  public long open() {
    return hits.stream().filter(h -> h.closed == null).count();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/drip";
  }

  @Override
  public void close() {
    drips.shutdownNow();
    server.stop(0);
    handlers.shutdownNow();
  }
}
