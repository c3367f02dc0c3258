package dev.parley.client.model;

import io.vertx.core.buffer.Buffer;

/** An interview's recording: the audio as stored, and its media type (audio/wav, audio/mpeg). */
public record Recording(Buffer audio, String contentType) {}
