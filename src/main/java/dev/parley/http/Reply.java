package dev.parley.http;

/**
 * What an operation answers: a status and the envelope's data, already JSON text; or, for a
 * download, a stored file sent as it is.
 */
record Reply(int status, String dataJson, String filePath, String contentType) {
  static Reply ok(String json) {
    return new Reply(200, json, null, null);
  }

  static Reply created(String json) {
    return new Reply(201, json, null, null);
  }

  static Reply noContent() {
    return new Reply(204, null, null, null);
  }

  static Reply file(String path, String contentType) {
    return new Reply(200, null, path, contentType);
  }
}
