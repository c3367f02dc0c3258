package dev.parley.fakes;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.ToIntFunction;

/**
 * A test HTTP server on 127.0.0.1 that records every request it receives and answers with an empty body.
 * Two uses: (1) a URL that must never be fetched (point a fake's recording base at it and assert
 * {@code count() == 0}); (2) a plain webhook receiver in the fakes' own tests, whose answer status can be scripted.
 */
public final class Sentinel implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "sentinel");
    t.setDaemon(true);
    return t;
  });
  private final List<Received> requests = new CopyOnWriteArrayList<>();
  private volatile ToIntFunction<Received> status = r -> 200;

  public Sentinel() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(pool);
    server.start();
  }

  private void handle(HttpExchange he) {
    try {
      Map<String, String> headers = new LinkedHashMap<>();
      he.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.isEmpty() ? "" : v.get(0)));
      Received r = new Received("sentinel", he.getRequestMethod(), he.getRequestURI().getRawPath(),
        he.getRequestURI().getRawQuery(), headers, he.getRequestBody().readAllBytes(), java.time.Instant.now());
      int s = status.applyAsInt(r);
      r.status(s);
      requests.add(r);
      he.sendResponseHeaders(s, -1);
    } catch (IOException e) {
      // the client went away
    } finally {
      he.close();
    }
  }

  /** The base URL, e.g. {@code http://127.0.0.1:40125}; any path under it is answered. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** How many requests arrived (any method, any path). */
  public int count() {
    return requests.size();
  }

  /** Every request, in arrival order. */
  public List<Received> requests() {
    return List.copyOf(requests);
  }

  /** The requests to one path. */
  public List<Received> requests(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  /** Answers every request with this status; default 200. */
  public Sentinel respondWith(int s) {
    this.status = r -> s;
    return this;
  }

  /** Answers each request with the status this function gives (it sees the request, before it is added to {@link #requests()}). */
  public Sentinel respondWith(ToIntFunction<Received> s) {
    this.status = s;
    return this;
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
