package dev.parley.postcall.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Runs {@link OpenAiAnalyzer} against a fake OpenAI-compatible server on a free local port. */
@ExtendWith(VertxExtension.class)
class OpenAiAnalyzerTest {

  private static final String API_KEY = "sk-test-secret-123";
  private static final String MODEL = "test-model-1";

  private Vertx vertx;
  private HttpServer server;
  private String baseUrl;
  private volatile Handler<HttpServerRequest> behaviour;
  private final CompletableFuture<Captured> captured = new CompletableFuture<>();
  private OpenAiAnalyzer analyzer;

  record Captured(String method, String path, String authorization, JsonObject body) {}

  @BeforeEach
  void startFakeServer(Vertx vertx) throws Exception {
    this.vertx = vertx;
    server = await(vertx.createHttpServer()
        .requestHandler(req -> req.body().onSuccess(buffer -> {
          JsonObject body;
          try {
            body = buffer.toJsonObject();
          } catch (RuntimeException e) {
            body = null;
          }
          captured.complete(new Captured(req.method().name(), req.path(),
              req.getHeader("Authorization"), body));
          behaviour.handle(req);
        }))
        .listen(0, "127.0.0.1"));
    baseUrl = "http://127.0.0.1:" + server.actualPort() + "/v1";
    analyzer = new OpenAiAnalyzer(vertx, baseUrl, MODEL, API_KEY, 5_000);
  }

  @AfterEach
  void close() {
    analyzer.close();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static String failureMessage(Future<?> future) {
    try {
      await(future);
    } catch (ExecutionException e) {
      return e.getCause().getMessage();
    } catch (Exception e) {
      throw new AssertionError("analysis neither succeeded nor failed in time", e);
    }
    throw new AssertionError("analysis succeeded but was expected to fail");
  }

  private static Handler<HttpServerRequest> completion(String content) {
    JsonObject completion = new JsonObject()
        .put("id", "chatcmpl-1")
        .put("object", "chat.completion")
        .put("model", MODEL)
        .put("choices", new JsonArray().add(new JsonObject()
            .put("index", 0)
            .put("finish_reason", "stop")
            .put("message", new JsonObject().put("role", "assistant").put("content", content))));
    return req -> req.response().putHeader("Content-Type", "application/json")
        .end(completion.encode());
  }

  private static AnalysisInput input() {
    return new AnalysisInput("iv-42", "EN", "SCREENING",
        List.of("Tell me about your most recent role."),
        new JsonArray()
            .add(new JsonObject().put("role", "agent")
                .put("text", "Tell me about your most recent role.").put("startMs", 0))
            .add(new JsonObject().put("role", "candidate")
                .put("text", "I led the payments team at Zebra Logistics for four years.")
                .put("startMs", 3_000)),
        95, "Backend Developer");
  }

  @Test
  void sendsAChatCompletionAndReturnsTheNormalisedAnalysis() throws Exception {
    JsonObject answer = new JsonObject()
        .put("overallRating", 82)
        .put("companyFitRating", "HIGH")
        .put("education", "MASTER_LEVEL")
        .putNull("experience")
        .put("strongPoints", new JsonArray().add("Clear ownership of the payments team"))
        .put("weakPoints", new JsonArray().add("Few numbers"))
        .put("evaluation", new JsonArray().add("A solid candidate."));
    behaviour = completion(answer.encode());

    JsonObject result = await(analyzer.analyze(input()));

    assertThat(result).isEqualTo(answer);
    Captured request = captured.get(30, TimeUnit.SECONDS);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/v1/chat/completions");
    assertThat(request.authorization()).isEqualTo("Bearer " + API_KEY);
    JsonObject body = request.body();
    assertThat(body.getString("model")).isEqualTo(MODEL);
    assertThat(body.getInteger("temperature")).isZero();
    assertThat(body.getJsonObject("response_format"))
        .isEqualTo(new JsonObject().put("type", "json_object"));
    JsonArray messages = body.getJsonArray("messages");
    assertThat(messages).hasSize(2);
    assertThat(messages.getJsonObject(0).getString("role")).isEqualTo("system");
    assertThat(messages.getJsonObject(0).getString("content")).contains("overallRating");
    assertThat(messages.getJsonObject(1).getString("role")).isEqualTo("user");
    String user = messages.getJsonObject(1).getString("content");
    assertThat(user)
        .contains("Candidate: I led the payments team at Zebra Logistics for four years.")
        .contains("Interviewer: Tell me about your most recent role.")
        .contains("Backend Developer");
  }

  @Test
  void sendsNoAuthorizationWithoutAKey() throws Exception {
    behaviour = completion("{\"overallRating\": 50, \"companyFitRating\": \"MEDIUM\"}");
    OpenAiAnalyzer keyless = new OpenAiAnalyzer(vertx, baseUrl + "/", MODEL, null, 5_000);
    try {
      JsonObject result = await(keyless.analyze(input()));
      assertThat(result.getInteger("overallRating")).isEqualTo(50);
      assertThat(result.getJsonArray("strongPoints")).isEmpty();
      assertThat(result.getValue("education")).isNull();
      Captured request = captured.get(30, TimeUnit.SECONDS);
      assertThat(request.authorization()).isNull();
      assertThat(request.path()).isEqualTo("/v1/chat/completions");
    } finally {
      keyless.close();
    }
  }

  @Test
  void serverErrorFails() {
    behaviour = req -> req.response().setStatusCode(500)
        .end("{\"error\":{\"message\":\"boom " + API_KEY + "\"}}");
    String message = failureMessage(analyzer.analyze(input()));
    assertThat(message).contains("HTTP 500").doesNotContain(API_KEY);
  }

  @Test
  void nonJsonContentFails() {
    behaviour = completion("Sure! The candidate was great, I'd give them 90.");
    String message = failureMessage(analyzer.analyze(input()));
    assertThat(message).contains("not a JSON object").doesNotContain(API_KEY);
  }

  @Test
  void bodyThatIsNotACompletionFails() {
    behaviour = req -> req.response().end("<html>gateway</html>");
    assertThat(failureMessage(analyzer.analyze(input()))).contains("not JSON");
  }

  @Test
  void missingRatingFails() {
    behaviour = completion("{\"companyFitRating\": \"HIGH\", \"strongPoints\": []}");
    assertThat(failureMessage(analyzer.analyze(input()))).contains("overallRating");
  }

  @Test
  void outOfRangeRatingIsClampedAndFieldsCoerced() throws Exception {
    behaviour = completion("```json\n{\"overallRating\": 150.4, \"companyFitRating\": \"moderate\","
        + " \"education\": \"  \", \"experience\": 7,"
        + " \"strongPoints\": \"Very confident\", \"weakPoints\": [\"\", null, 3, \"Vague\"]}\n```");
    JsonObject result = await(analyzer.analyze(input()));
    assertThat(result.getInteger("overallRating")).isEqualTo(100);
    assertThat(result.getString("companyFitRating")).isEqualTo("MEDIUM");
    assertThat(result.getValue("education")).isNull();
    assertThat(result.getString("experience")).isEqualTo("7");
    assertThat(result.getJsonArray("strongPoints")).isEqualTo(new JsonArray().add("Very confident"));
    assertThat(result.getJsonArray("weakPoints")).isEqualTo(new JsonArray().add("3").add("Vague"));
    assertThat(result.getJsonArray("evaluation")).isEmpty();
  }

  @Test
  void negativeRatingIsClampedAndUnknownFitIsDerived() throws Exception {
    behaviour = completion("{\"overallRating\": -20, \"companyFitRating\": \"purple\"}");
    JsonObject result = await(analyzer.analyze(input()));
    assertThat(result.getInteger("overallRating")).isZero();
    assertThat(result.getString("companyFitRating")).isEqualTo("LOW");
  }

  @Test
  void silentServerTimesOut() throws Exception {
    behaviour = req -> { }; // never answers
    OpenAiAnalyzer impatient = new OpenAiAnalyzer(vertx, baseUrl, MODEL, API_KEY, 300);
    try {
      long start = System.nanoTime();
      String message = failureMessage(impatient.analyze(input()));
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(message).contains("did not answer within 300 ms").doesNotContain(API_KEY);
      assertThat(elapsedMs).isGreaterThanOrEqualTo(250); // it waited for the timeout, not less
    } finally {
      impatient.close();
    }
  }

  @Test
  void unreachableServerFails() throws Exception {
    HttpServer other = await(vertx.createHttpServer().requestHandler(r -> r.response().end())
        .listen(0, "127.0.0.1"));
    int port = other.actualPort();
    await(other.close());
    OpenAiAnalyzer nowhere = new OpenAiAnalyzer(vertx, "http://127.0.0.1:" + port + "/v1", MODEL,
        API_KEY, 2_000);
    try {
      assertThat(failureMessage(nowhere.analyze(input())))
          .startsWith("analysis provider").doesNotContain(API_KEY);
    } finally {
      nowhere.close();
    }
  }

  @Test
  void factoryChoosesByProvider() {
    assertThat(Analyzers.create(vertx, new JsonObject())).isInstanceOf(RuleBasedAnalyzer.class);
    assertThat(Analyzers.create(vertx, new JsonObject().put("analysis.provider", "rules")))
        .isInstanceOf(RuleBasedAnalyzer.class);
    Analyzer nested = Analyzers.create(vertx, new JsonObject().put("analysis",
        new JsonObject().put("provider", "openai").put("baseUrl", baseUrl).put("model", MODEL)));
    assertThat(nested).isInstanceOf(OpenAiAnalyzer.class);
    ((OpenAiAnalyzer) nested).close();
    Analyzer flat = Analyzers.create(vertx, new JsonObject().put("analysis.provider", "OpenAI")
        .put("analysis.timeoutMs", "1500").put("analysis.apiKey", API_KEY));
    assertThat(flat).isInstanceOf(OpenAiAnalyzer.class);
    ((OpenAiAnalyzer) flat).close();
    assertThatThrownBy(() -> Analyzers.create(vertx,
        new JsonObject().put("analysis.provider", "magic")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("magic");
    assertThatThrownBy(() -> Analyzers.create(vertx,
        new JsonObject().put("analysis.provider", "openai").put("analysis.timeoutMs", "soon")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void factoryBuiltClientTalksToTheConfiguredServer() throws Exception {
    behaviour = completion("{\"overallRating\": 64, \"companyFitRating\": \"MEDIUM\"}");
    OpenAiAnalyzer built = (OpenAiAnalyzer) Analyzers.create(vertx, new JsonObject()
        .put("analysis.provider", "openai").put("analysis.baseUrl", baseUrl)
        .put("analysis.model", "other-model").put("analysis.apiKey", API_KEY)
        .put("analysis.timeoutMs", 2_000));
    try {
      assertThat(await(built.analyze(input())).getInteger("overallRating")).isEqualTo(64);
      Captured request = captured.get(30, TimeUnit.SECONDS);
      assertThat(request.body().getString("model")).isEqualTo("other-model");
      assertThat(request.authorization()).isEqualTo("Bearer " + API_KEY);
    } finally {
      built.close();
    }
  }
}
