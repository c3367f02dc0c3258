package dev.parley.fakes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** The fakes' tests talk to them like a platform client would: java.net.http, no redirects followed. */
final class Http {
  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(2)).build();

  private Http() { }

  static HttpRequest.Builder request(String url, String bearer) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (bearer != null) b.header("Authorization", "Bearer " + bearer);
    return b;
  }

  static HttpResponse<String> post(String url, String bearer, String json) {
    return send(request(url, bearer).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  static CompletableFuture<HttpResponse<String>> postAsync(String url, String bearer, String json, Duration timeout) {
    return CLIENT.sendAsync(request(url, bearer).timeout(timeout).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String url, String bearer) {
    return send(request(url, bearer).GET().build());
  }

  static HttpResponse<byte[]> getBytes(String url, String bearer) {
    try {
      return CLIENT.send(request(url, bearer).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static HttpResponse<String> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
