package dev.parley.postcall.analysis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Analysis by an OpenAI-compatible chat-completions API: {@code POST {baseUrl}/chat/completions}
 * with {@code {"model", "messages": [system, user], "response_format": {"type": "json_object"},
 * "temperature": 0}} and {@code Authorization: Bearer {apiKey}} when a key is configured.
 *
 * <p>{@code choices[0].message.content} must be a JSON object (a surrounding Markdown code fence is
 * tolerated, as is the object wrapped in {@code "general"}); it is normalised into the
 * {@link Analyzer} shape: {@code overallRating} (required, a number or numeric string) is rounded
 * and clamped to 0..100; {@code companyFitRating} is coerced to LOW/MEDIUM/HIGH (synonyms such as
 * "moderate" or "strong" are mapped, anything else is derived from the rating: HIGH from 70, MEDIUM
 * from 45); {@code education}/{@code experience} become trimmed strings or null; the three lists
 * become arrays of non-blank strings (a single string becomes a one-element list).
 *
 * <p>Non-2xx answers, network errors, the timeout (connect, idle and overall, {@code timeoutMs})
 * and malformed content fail the future with a short message that names neither the key nor the
 * request body.
 */
public final class OpenAiAnalyzer implements Analyzer {

  public static final long DEFAULT_TIMEOUT_MS = 30_000;

  static final int MAX_LIST_ITEMS = 20;
  static final int MAX_ITEM_CHARS = 1_000;

  static final String SYSTEM_PROMPT = String.join("\n",
      "You are an experienced recruiter evaluating a phone interview from its transcript.",
      "Judge only what the candidate said. Be fair, specific and concise.",
      "Answer with a single JSON object and nothing else, with exactly these fields:",
      "{",
      "  \"overallRating\": integer 0-100 (overall quality of the candidate's answers),",
      "  \"companyFitRating\": \"LOW\" | \"MEDIUM\" | \"HIGH\",",
      "  \"education\": string or null (highest education mentioned, e.g. \"MASTER_LEVEL\"),",
      "  \"experience\": string or null (relevant experience mentioned, e.g. \"THREE_TO_5_YEARS\"),",
      "  \"strongPoints\": [short strings],",
      "  \"weakPoints\": [short strings],",
      "  \"evaluation\": [a few sentences summarising the interview]",
      "}",
      "Write the strings in English. Missing or very short answers lower the rating.");

  private final Vertx vertx;
  private final WebClient client;
  private final String url;
  private final String model;
  private final String apiKey;
  private final long timeoutMs;

  /**
   * @param baseUrl e.g. {@code https://api.openai.com/v1}; {@code /chat/completions} is appended
   * @param apiKey sent as a bearer token; null or blank sends no Authorization header
   * @param timeoutMs overall deadline of one analysis, > 0
   */
  public OpenAiAnalyzer(Vertx vertx, String baseUrl, String model, String apiKey, long timeoutMs) {
    if (vertx == null) throw new IllegalArgumentException("vertx is required");
    if (baseUrl == null || baseUrl.isBlank()) {
      throw new IllegalArgumentException("analysis.baseUrl is required");
    }
    String base = baseUrl.trim();
    if (!base.startsWith("http://") && !base.startsWith("https://")) {
      throw new IllegalArgumentException("analysis.baseUrl must be an http(s) URL");
    }
    while (base.endsWith("/")) base = base.substring(0, base.length() - 1);
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("analysis.model is required");
    }
    if (timeoutMs <= 0) throw new IllegalArgumentException("analysis.timeoutMs must be > 0");
    this.vertx = vertx;
    this.client = WebClient.create(vertx);
    this.url = base + "/chat/completions";
    this.model = model.trim();
    this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.trim();
    this.timeoutMs = timeoutMs;
  }

  /** Releases the HTTP client. */
  public void close() {
    client.close();
  }

  @Override
  public Future<JsonObject> analyze(AnalysisInput input) {
    JsonObject body;
    try {
      body = requestBody(input);
    } catch (RuntimeException e) {
      return Future.failedFuture(failure("cannot build the analysis request"));
    }
    HttpRequest<Buffer> request = client.postAbs(url)
        .connectTimeout(timeoutMs)
        .idleTimeout(timeoutMs)
        .putHeader("Accept", "application/json");
    if (apiKey != null) request.bearerTokenAuthentication(apiKey);

    Promise<JsonObject> promise = Promise.promise();
    long timer = vertx.setTimer(timeoutMs, id -> promise.tryFail(timedOut()));
    request.sendJsonObject(body).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        promise.tryFail(isTimeout(ar.cause())
            ? timedOut()
            : failure("analysis provider request failed: " + describe(ar.cause())));
        return;
      }
      try {
        promise.tryComplete(parseResponse(ar.result()));
      } catch (VertxException e) {
        promise.tryFail(e);
      } catch (RuntimeException e) {
        promise.tryFail(failure("analysis provider returned an unusable response ("
            + e.getClass().getSimpleName() + ")"));
      }
    });
    return promise.future();
  }

  // ---- request --------------------------------------------------------------------------------

  JsonObject requestBody(AnalysisInput input) {
    return new JsonObject()
        .put("model", model)
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "system").put("content", SYSTEM_PROMPT))
            .add(new JsonObject().put("role", "user").put("content", userPrompt(input))))
        .put("response_format", new JsonObject().put("type", "json_object"))
        .put("temperature", 0);
  }

  static String userPrompt(AnalysisInput input) {
    StringBuilder b = new StringBuilder();
    if (input.jobTitle() != null && !input.jobTitle().isBlank()) {
      b.append("Job: ").append(input.jobTitle().trim()).append('\n');
    }
    if (input.focus() != null && !input.focus().isBlank()) {
      b.append("Interview focus: ").append(input.focus().trim()).append('\n');
    }
    if (input.language() != null && !input.language().isBlank()) {
      b.append("Interview language: ").append(input.language().trim()).append('\n');
    }
    b.append("Call duration: ").append(input.durationSeconds()).append(" seconds\n");
    if (!input.questions().isEmpty()) {
      b.append("\nQuestions the interviewer was asked to cover:\n");
      int i = 1;
      for (String q : input.questions()) b.append(i++).append(". ").append(q.trim()).append('\n');
    }
    b.append("\nTranscript:\n");
    int lines = 0;
    for (Object o : input.transcript()) {
      if (!(o instanceof JsonObject entry)) continue;
      Object text = entry.getValue("text");
      if (!(text instanceof String t) || t.isBlank()) continue;
      Object role = entry.getValue("role");
      String speaker = role instanceof String r
          && (r.equalsIgnoreCase("candidate") || r.equalsIgnoreCase("user"))
          ? "Candidate" : "Interviewer";
      b.append(speaker).append(": ").append(t.trim()).append('\n');
      lines++;
    }
    if (lines == 0) b.append("(empty: the candidate said nothing)\n");
    return b.toString();
  }

  // ---- response -------------------------------------------------------------------------------

  private static JsonObject parseResponse(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    if (status < 200 || status > 299) {
      throw failure("analysis provider returned HTTP " + status);
    }
    JsonObject completion;
    try {
      Buffer buffer = response.body();
      completion = buffer == null ? null : new JsonObject(buffer);
    } catch (DecodeException | ClassCastException e) {
      completion = null;
    }
    if (completion == null) throw failure("analysis provider returned a body that is not JSON");
    Object choices = completion.getValue("choices");
    if (!(choices instanceof JsonArray array) || array.isEmpty()
        || !(array.getValue(0) instanceof JsonObject choice)
        || !(choice.getValue("message") instanceof JsonObject message)) {
      throw failure("analysis provider response has no choices[0].message");
    }
    if (!(message.getValue("content") instanceof String content) || content.isBlank()) {
      throw failure("analysis provider response has no message content");
    }
    JsonObject analysis;
    try {
      analysis = new JsonObject(stripFence(content));
    } catch (DecodeException | ClassCastException e) {
      throw failure("analysis provider returned content that is not a JSON object");
    }
    return normalize(analysis);
  }

  private static String stripFence(String content) {
    String s = content.trim();
    if (s.startsWith("```")) {
      int newline = s.indexOf('\n');
      s = newline < 0 ? s.substring(3) : s.substring(newline + 1);
      if (s.endsWith("```")) s = s.substring(0, s.length() - 3);
    }
    return s.trim();
  }

  /** Validates and normalises a model's answer into the {@link Analyzer} shape. */
  static JsonObject normalize(JsonObject raw) {
    JsonObject source = raw;
    if (!raw.containsKey("overallRating") && raw.getValue("general") instanceof JsonObject g) {
      source = g;
    }
    Double rating = number(source.getValue("overallRating"));
    if (rating == null || rating.isNaN()) {
      throw failure("analysis content has no numeric overallRating");
    }
    int overall = (int) Math.max(0, Math.min(100, Math.round(rating)));
    JsonObject out = new JsonObject()
        .put("overallRating", overall)
        .put("companyFitRating", fit(source.getValue("companyFitRating"), overall));
    putText(out, "education", source.getValue("education"));
    putText(out, "experience", source.getValue("experience"));
    return out
        .put("strongPoints", strings(source.getValue("strongPoints")))
        .put("weakPoints", strings(source.getValue("weakPoints")))
        .put("evaluation", strings(source.getValue("evaluation")));
  }

  private static Double number(Object value) {
    if (value instanceof Number n) return n.doubleValue();
    if (value instanceof String s) {
      String t = s.trim();
      if (t.endsWith("%")) t = t.substring(0, t.length() - 1).trim();
      int slash = t.indexOf('/');
      if (slash > 0) t = t.substring(0, slash).trim(); // "85/100"
      try {
        return Double.parseDouble(t);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  static String fit(Object value, int overall) {
    if (value instanceof String s) {
      String v = s.trim().toUpperCase(Locale.ROOT).replace(' ', '_').replace('-', '_');
      switch (v) {
        case "HIGH", "VERY_HIGH", "STRONG", "GOOD", "EXCELLENT":
          return "HIGH";
        case "MEDIUM", "MID", "MODERATE", "AVERAGE", "FAIR", "MEDIUM_HIGH", "MEDIUM_LOW":
          return "MEDIUM";
        case "LOW", "VERY_LOW", "WEAK", "POOR", "NONE":
          return "LOW";
        default:
          break;
      }
    }
    if (value instanceof Number n) {
      double d = n.doubleValue();
      return d >= 70 ? "HIGH" : d >= 45 ? "MEDIUM" : "LOW";
    }
    return overall >= 70 ? "HIGH" : overall >= 45 ? "MEDIUM" : "LOW";
  }

  private static void putText(JsonObject out, String key, Object value) {
    String text = value instanceof String s ? s.trim()
        : value instanceof Number || value instanceof Boolean ? value.toString() : null;
    if (text == null || text.isEmpty() || text.equalsIgnoreCase("null")) {
      out.putNull(key);
    } else {
      out.put(key, truncate(text));
    }
  }

  private static JsonArray strings(Object value) {
    JsonArray out = new JsonArray();
    if (value instanceof String s) {
      if (!s.isBlank()) out.add(truncate(s.trim()));
      return out;
    }
    if (!(value instanceof JsonArray array)) return out;
    for (Object item : array) {
      if (out.size() >= MAX_LIST_ITEMS) break;
      String text = item instanceof String s ? s.trim()
          : item instanceof Number || item instanceof Boolean ? item.toString()
          : item instanceof JsonObject || item instanceof JsonArray ? item.toString()
          : null;
      if (text != null && !text.isEmpty()) out.add(truncate(text));
    }
    return out;
  }

  private static String truncate(String text) {
    if (text.length() <= MAX_ITEM_CHARS) return text;
    int cut = MAX_ITEM_CHARS - 3;
    if (Character.isHighSurrogate(text.charAt(cut - 1))) cut--;
    return text.substring(0, cut) + "...";
  }

  // ---- failures -------------------------------------------------------------------------------

  private VertxException timedOut() {
    return failure("analysis provider did not answer within " + timeoutMs + " ms");
  }

  private static boolean isTimeout(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof TimeoutException) return true;
      String name = c.getClass().getSimpleName().toLowerCase(Locale.ROOT);
      String message = c.getMessage() == null ? "" : c.getMessage().toLowerCase(Locale.ROOT);
      if (name.contains("timeout") || message.contains("timeout") || message.contains("timed out")) {
        return true;
      }
    }
    return false;
  }

  /** A short description of a transport error: its class and first message line, nothing else. */
  private String describe(Throwable t) {
    String message = t.getMessage();
    if (message == null || message.isBlank()) return t.getClass().getSimpleName();
    String line = message.lines().findFirst().orElse("").trim();
    if (apiKey != null) line = line.replace(apiKey, "***");
    if (line.length() > 200) line = line.substring(0, 200) + "...";
    return line;
  }

  private static VertxException failure(String message) {
    return new VertxException(message, true);
  }
}
