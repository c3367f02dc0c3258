package dev.parley.calls;

import com.sun.net.httpserver.HttpServer;
import dev.parley.auth.Signatures;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A voice-agent provider of the {@code http} kind, inside the test: it records the calls Parley
 * asks for (checking their signature), serves recordings, and sends signed events back.
 */
public final class FakeProvider implements AutoCloseable {
  public final String secret;
  public final List<JsonObject> calls = new CopyOnWriteArrayList<>();
  final List<String> badSignatures = new CopyOnWriteArrayList<>();
  final Map<String, byte[]> recordings = new ConcurrentHashMap<>();
  /** The callIds of the cancels Parley sent (POST /calls/{callId}/cancel), in order. */
  final List<String> cancels = new CopyOnWriteArrayList<>();
  /** Runs for each call taken (after it is recorded), on the provider's own thread: a test's script of what follows. */
  public volatile java.util.function.Consumer<JsonObject> onCall = call -> { };
  private final HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();

  public FakeProvider(String secret) throws IOException {
    this.secret = secret;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/calls", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String signature = exchange.getRequestHeaders().getFirst(Signatures.HEADER);
      String path = exchange.getRequestURI().getPath();
      if (path.endsWith("/cancel") && Signatures.verify(secret, signature, body, System.currentTimeMillis() / 1000)) {
        cancels.add(path.substring("/calls/".length(), path.length() - "/cancel".length()));
        exchange.sendResponseHeaders(202, -1);
      } else if (Signatures.verify(secret, signature, body, System.currentTimeMillis() / 1000)) {
        JsonObject call = new JsonObject(new String(body, StandardCharsets.UTF_8));
        calls.add(call);
        onCall.accept(call);
        exchange.sendResponseHeaders(202, -1);
      } else {
        badSignatures.add(String.valueOf(signature));
        exchange.sendResponseHeaders(401, -1);
      }
      exchange.close();
    });
    server.createContext("/recordings/", exchange -> {
      byte[] wav = recordings.get(exchange.getRequestURI().getPath().substring("/recordings/".length()));
      if (wav == null) {
        exchange.sendResponseHeaders(404, -1);
      } else {
        exchange.getResponseHeaders().add("Content-Type", "audio/wav");
        exchange.sendResponseHeaders(200, wav.length);
        exchange.getResponseBody().write(wav);
      }
      exchange.close();
    });
    // a thread per request: a test may hold one answer back while others go through
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  JsonObject callFor(String interviewId) {
    return calls.stream().filter(c -> interviewId.equals(c.getString("interviewId"))).findFirst().orElse(null);
  }

  /** Sends an event to Parley, signed; returns the HTTP status and body. */
  HttpResponse<String> send(String eventsUrl, JsonObject event) {
    return send(eventsUrl, event.encode(), Signatures.sign(secret, System.currentTimeMillis() / 1000,
      event.encode().getBytes(StandardCharsets.UTF_8)));
  }

  HttpResponse<String> send(String eventsUrl, String body, String signature) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(eventsUrl)).POST(HttpRequest.BodyPublishers.ofString(body))
      .header("Content-Type", "application/json");
    if (signature != null) b.header(Signatures.HEADER, signature);
    try {
      return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
