package dev.parley.http;

/** What an operation answers: a status and the envelope's data, already JSON text. */
record Reply(int status, String dataJson) {
  static Reply ok(String json) {
    return new Reply(200, json);
  }

  static Reply created(String json) {
    return new Reply(201, json);
  }
}
