package dev.parley.outbound;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

/**
 * The final answer of an exchange, after any redirects.
 *
 * @param statusCode the final status code (a 3xx only when redirects were not to be followed)
 * @param headers the final response's headers
 * @param finalUrl the URL that gave the final answer
 * @param body the whole body, or null when {@link OutboundHttp#stream} handed it to its sink
 * @param bytes the body's length in bytes, read into {@code body} or handed to the sink
 */
public record OutboundResponse(int statusCode, MultiMap headers, String finalUrl, Buffer body, long bytes) {
  /** The Content-Type header, or null. */
  public String contentType() {
    return headers.get(HttpHeaders.CONTENT_TYPE);
  }
}
