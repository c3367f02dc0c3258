package dev.parley.support;

import dev.parley.support.TestServer.Response;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** The HTTP API of one server, as a client uses it: a key, a path, a JSON body, the envelope back. */
public final class ApiClient {
  private final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public ApiClient(String baseUrl) {
    this.base = baseUrl;
  }

  public Response get(String path, String key) {
    return send("GET", path, key, null, Map.of());
  }

  public Response delete(String path, String key) {
    return send("DELETE", path, key, null, Map.of());
  }

  public Response post(String path, String key, String body) {
    return send("POST", path, key, body, Map.of());
  }

  public Response send(String method, String path, String key, String body, Map<String, String> headers) {
    HttpResponse<String> r = exchange(method, path, key, body, headers, HttpResponse.BodyHandlers.ofString());
    JsonObject json = r.body().startsWith("{") ? new JsonObject(r.body()) : new JsonObject();
    return new Response(r.statusCode(), json, r);
  }

  /** A GET whose answer is bytes (a recording), not an envelope. */
  public HttpResponse<byte[]> download(String path, String key) {
    return exchange("GET", path, key, null, Map.of(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private <T> HttpResponse<T> exchange(String method, String path, String key, String body, Map<String, String> headers,
                                       HttpResponse.BodyHandler<T> answer) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) b.header("Authorization", key.startsWith("Bearer ") || key.isEmpty() ? key : "Bearer " + key);
    if (body != null) b.header("Content-Type", "application/json");
    headers.forEach(b::header);
    try {
      return http.send(b.build(), answer);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
