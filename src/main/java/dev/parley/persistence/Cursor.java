package dev.parley.persistence;

import dev.parley.bus.ParleyException;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.Base64;
import java.util.UUID;

/**
 * An opaque keyset cursor for deep paging: the creation time and ID of the last item returned.
 * Lists are ordered newest first by (created_at, id), so the next page is everything below it.
 */
record Cursor(LocalDateTime createdAt, UUID id) {
  String encode() {
    String raw = createdAt + "|" + id;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  static Cursor decode(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int bar = raw.indexOf('|');
      return new Cursor(LocalDateTime.parse(raw.substring(0, bar)), UUID.fromString(raw.substring(bar + 1)));
    } catch (RuntimeException e) {
      throw ParleyException.validation("cursor", "not a cursor this server returned");
    }
  }
}
