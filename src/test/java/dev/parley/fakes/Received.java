package dev.parley.fakes;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * One HTTP request a fake (or the {@link Sentinel}) received: when it arrived, what it carried, and the
 * status it was answered with ({@code 0} while the answer is still pending, {@code -1} when the fake
 * closed the connection without an answer). Header names are lower case.
 */
public final class Received {
  private final String operation;
  private final String method;
  private final String path;
  private final String query;
  private final Map<String, String> headers;
  private final byte[] body;
  private final Instant at;
  private volatile String callId;
  private volatile int status;

  Received(String operation, String method, String path, String query, Map<String, String> headers, byte[] body, Instant at) {
    this.operation = operation;
    this.method = method;
    this.path = path;
    this.query = query;
    this.headers = Map.copyOf(headers);
    this.body = body;
    this.at = at;
  }

  /** What the fake took the request for, e.g. {@code create}, {@code list}, {@code stop}, {@code recording}. */
  public String operation() { return operation; }
  public String method() { return method; }
  public String path() { return path; }
  /** The raw query string, or null. */
  public String query() { return query; }
  public Map<String, String> headers() { return headers; }
  /** A header by name (any case), or null. */
  public String header(String name) { return headers.get(name.toLowerCase(java.util.Locale.ROOT)); }
  public byte[] bodyBytes() { return body.clone(); }
  public String body() { return new String(body, StandardCharsets.UTF_8); }
  /** The body as JSON (throws when it is not a JSON object). */
  public JsonObject json() { return new JsonObject(body()); }
  public Instant at() { return at; }
  /** The platform call this request was about (the created call for a create), or null. */
  public String callId() { return callId; }
  public int status() { return status; }

  Received callId(String id) { this.callId = id; return this; }
  Received status(int s) { this.status = s; return this; }

  @Override
  public String toString() {
    return operation + " " + method + " " + path + (query == null ? "" : "?" + query) + " -> " + status;
  }
}
