package dev.parley.calls.provider;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Made-up call content for the simulator and for test interviews: a transcript built from the
 * agent's questions, and a real WAV file (8 kHz, 16-bit mono PCM) of tones and pauses.
 */
public final class Synthetic {
  private Synthetic() {}

  private static final String[] ANSWERS = {
    "I have five years of experience, and I led a team of four on a payments project.",
    "I enjoy solving problems with customers; for example I cut our response time by 30 percent.",
    "I would start by listening to the team and learning how the current process works.",
    "My strongest skill is communication, and I always back my ideas with data.",
    "I am available from next month and happy to work in a hybrid setup."
  };

  /** The agent asks each question, the candidate answers; deterministic for a given seed. */
  public static JsonArray transcript(JsonArray questions, long seed) {
    JsonArray lines = new JsonArray();
    long at = 0;
    lines.add(line("agent", "Hello, this is your interview assistant. Is now a good time to talk?", at));
    lines.add(line("candidate", "Yes, hello.", at += 4000));
    int i = 0;
    for (Object q : questions == null ? new JsonArray() : questions) {
      lines.add(line("agent", String.valueOf(q), at += 3000));
      lines.add(line("candidate", ANSWERS[(int) Math.floorMod(seed + i++, (long) ANSWERS.length)], at += 5000));
    }
    lines.add(line("agent", "Thank you for your time. Goodbye.", at + 15000));
    return lines;
  }

  private static JsonObject line(String role, String text, long startMs) {
    return new JsonObject().put("role", role).put("text", text).put("startMs", startMs);
  }

  /** A WAV of the given length (capped at 30 s): alternating 440 Hz tone and silence. */
  public static Buffer wav(int seconds) {
    int rate = 8000;
    int samples = rate * Math.max(1, Math.min(seconds, 30));
    int dataBytes = samples * 2;
    Buffer b = Buffer.buffer(44 + dataBytes);
    b.appendString("RIFF").appendIntLE(36 + dataBytes).appendString("WAVE");
    b.appendString("fmt ").appendIntLE(16).appendShortLE((short) 1).appendShortLE((short) 1)
      .appendIntLE(rate).appendIntLE(rate * 2).appendShortLE((short) 2).appendShortLE((short) 16);
    b.appendString("data").appendIntLE(dataBytes);
    for (int i = 0; i < samples; i++) {
      boolean tone = (i / rate) % 2 == 0;
      short v = tone ? (short) (8000 * Math.sin(2 * Math.PI * 440 * i / rate)) : 0;
      b.appendShortLE(v);
    }
    return b;
  }
}
