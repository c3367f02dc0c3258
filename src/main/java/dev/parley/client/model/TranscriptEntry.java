package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

/** One turn of an interview's transcript; {@code role} is {@code agent} or {@code candidate}. */
public record TranscriptEntry(String role, String text, Integer startMs) {
  public static TranscriptEntry fromJson(JsonObject json) {
    return new TranscriptEntry(json.getString("role"), json.getString("text"), json.getInteger("startMs"));
  }
}
