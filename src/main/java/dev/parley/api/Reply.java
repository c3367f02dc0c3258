package dev.parley.api;

import io.vertx.core.buffer.Buffer;

/**
 * What an operation answers: a status and the envelope's data, already JSON text; or, for a
 * download, bytes sent as they are with their content type.
 */
public record Reply(int status, String dataJson, Buffer binary, String contentType) {
  static Reply ok(String json) {
    return new Reply(200, json, null, null);
  }

  static Reply created(String json) {
    return new Reply(201, json, null, null);
  }

  static Reply noContent() {
    return new Reply(204, null, null, null);
  }

  static Reply binary(Buffer bytes, String contentType) {
    return new Reply(200, null, bytes, contentType);
  }
}
