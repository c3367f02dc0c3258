package dev.parley.postcall.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RuleBasedAnalyzerTest {

  private static final List<String> QUESTIONS = List.of(
      "Tell me about your most recent role.",
      "Describe a difficult project and how you handled it.",
      "Why do you want to join our company?");

  private final RuleBasedAnalyzer analyzer = new RuleBasedAnalyzer();

  static JsonObject turn(String role, String text, long startMs) {
    return new JsonObject().put("role", role).put("text", text).put("startMs", startMs);
  }

  static AnalysisInput input(JsonArray transcript, int durationSeconds) {
    return new AnalysisInput("iv-1", "EN", "SCREENING", QUESTIONS, transcript, durationSeconds,
        "Backend Developer");
  }

  static JsonArray strongTranscript() {
    return new JsonArray()
        .add(turn("agent", "Hello! Tell me about your most recent role.", 0))
        .add(turn("candidate", "For the last 6 years I have been working as a backend engineer at a"
            + " logistics company. I led a team of 5 developers and I designed the order routing"
            + " service, which handles about 2 million requests a day. Before that I finished a"
            + " master's degree in computer science.", 4_000))
        .add(turn("agent", "Thanks. Describe a difficult project and how you handled it.", 40_000))
        .add(turn("candidate", "One time our billing system kept timing out during peak hours. For"
            + " example, on Black Friday we lost 12% of orders. I was responsible for the fix: I"
            + " profiled the database, introduced a queue and rewrote the slowest queries. Latency"
            + " dropped from 3 seconds to 200 milliseconds and we had no outages after that.",
            45_000))
        .add(turn("agent", "Why do you want to join our company?", 90_000))
        .add(turn("candidate", "I like that your product is used by real people every day, such as"
            + " the couriers I worked with in my previous job. I built tooling for them and I want"
            + " to keep building systems that make work easier, and your engineering blog shows a"
            + " culture of ownership that I share.", 94_000));
  }

  static JsonArray weakTranscript() {
    return new JsonArray()
        .add(turn("agent", "Hello! Tell me about your most recent role.", 0))
        .add(turn("candidate", "I was a developer.", 6_000))
        .add(turn("agent", "Describe a difficult project and how you handled it.", 9_000))
        .add(turn("candidate", "Not sure.", 16_000))
        .add(turn("agent", "Why do you want to join our company?", 18_000));
  }

  @Test
  void sameInputGivesSameOutput() {
    AnalysisInput a = input(strongTranscript(), 150);
    AnalysisInput b = input(strongTranscript(), 150);
    JsonObject first = analyzer.score(a);
    assertThat(analyzer.score(a)).isEqualTo(first);
    assertThat(new RuleBasedAnalyzer().score(b)).isEqualTo(first);
    assertThat(analyzer.score(a).encode()).isEqualTo(first.encode());
    assertThat(analyzer.score(input(weakTranscript(), 25)))
        .isEqualTo(analyzer.score(input(weakTranscript(), 25)));
  }

  @Test
  void analyzeReturnsTheScoreAsASucceededFuture() throws Exception {
    AnalysisInput in = input(strongTranscript(), 150);
    JsonObject viaFuture = analyzer.analyze(in).toCompletionStage().toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    assertThat(viaFuture).isEqualTo(analyzer.score(in));
  }

  @Test
  void resultsHaveTheAnalysisShapeAndRanges() {
    List<AnalysisInput> inputs = List.of(
        input(strongTranscript(), 150),
        input(weakTranscript(), 25),
        input(new JsonArray(), 0),
        input(null, 0),
        new AnalysisInput("iv-2", null, null, null, strongTranscript(), 0, null),
        new AnalysisInput("iv-3", "SK", "GENERIC", List.of(), weakTranscript(), 5, null));
    for (AnalysisInput in : inputs) {
      JsonObject r = analyzer.score(in);
      assertThat(r.fieldNames()).containsExactlyInAnyOrder("overallRating", "companyFitRating",
          "education", "experience", "strongPoints", "weakPoints", "evaluation");
      assertThat(r.getValue("overallRating")).isInstanceOf(Integer.class);
      assertThat(r.getInteger("overallRating")).isBetween(0, 100);
      assertThat(r.getString("companyFitRating")).isIn("LOW", "MEDIUM", "HIGH");
      assertThat(r.getValue("education")).satisfiesAnyOf(
          v -> assertThat(v).isNull(), v -> assertThat(v).isInstanceOf(String.class));
      assertThat(r.getValue("experience")).satisfiesAnyOf(
          v -> assertThat(v).isNull(), v -> assertThat(v).isInstanceOf(String.class));
      for (String key : List.of("strongPoints", "weakPoints", "evaluation")) {
        assertThat(r.getJsonArray(key).getList()).allSatisfy(
            s -> assertThat(s).isInstanceOf(String.class).asString().isNotBlank());
      }
      assertThat(r.getJsonArray("evaluation")).isNotEmpty();
    }
  }

  @Test
  void emptyTranscriptIsAValidLowScore() throws Exception {
    JsonObject r = analyzer.analyze(input(new JsonArray(), 0)).toCompletionStage()
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(r.getInteger("overallRating")).isZero();
    assertThat(r.getString("companyFitRating")).isEqualTo("LOW");
    assertThat(r.getJsonArray("strongPoints")).isEmpty();
    assertThat(r.getJsonArray("weakPoints").getList())
        .contains("No candidate answers were recorded");
    assertThat(r.getValue("education")).isNull();
    assertThat(r.getValue("experience")).isNull();
  }

  @Test
  void agentOnlyTranscriptScoresZero() {
    JsonArray onlyAgent = new JsonArray()
        .add(turn("agent", "Tell me about your most recent role.", 0))
        .add(turn("agent", "Hello? Are you there?", 5_000));
    JsonObject r = analyzer.score(input(onlyAgent, 20));
    assertThat(r.getInteger("overallRating")).isZero();
    assertThat(r.getJsonArray("weakPoints").getList())
        .contains("No candidate answers were recorded", "Call was very short (20 seconds)");
  }

  @Test
  void strongTranscriptOutscoresWeakTranscript() {
    JsonObject strong = analyzer.score(input(strongTranscript(), 150));
    JsonObject weak = analyzer.score(input(weakTranscript(), 25));

    assertThat(strong.getInteger("overallRating"))
        .isGreaterThan(weak.getInteger("overallRating") + 40);
    assertThat(strong.getInteger("overallRating")).isGreaterThanOrEqualTo(70);
    assertThat(strong.getString("companyFitRating")).isEqualTo("HIGH");
    assertThat(weak.getInteger("overallRating")).isLessThan(45);
    assertThat(weak.getString("companyFitRating")).isEqualTo("LOW");

    assertThat(strong.getJsonArray("strongPoints").getList()).contains(
        "Answered all 3 questions",
        "Illustrated answers with concrete examples",
        "Described work they personally led or delivered",
        "Quantified experience with numbers or metrics");
    assertThat(strong.getString("education")).isEqualTo("MASTER_LEVEL");
    assertThat(strong.getString("experience")).isEqualTo("FIVE_TO_10_YEARS");

    assertThat(weak.getJsonArray("weakPoints").getList()).contains(
        "No answer to 1 of 3 questions",
        "2 very short answers (under 5 words)",
        "No concrete examples given",
        "Call was very short (25 seconds)");
    assertThat(weak.getJsonArray("evaluation").getList())
        .contains("Q3 \"Why do you want to join our company?\": no answer");
  }

  @Test
  void moreAnswersScoreHigherThanFewer() {
    JsonArray partial = new JsonArray();
    JsonArray strong = strongTranscript();
    for (int i = 0; i < 4; i++) partial.add(strong.getValue(i));
    partial.add(strong.getValue(4));
    int all = analyzer.score(input(strong, 150)).getInteger("overallRating");
    int two = analyzer.score(input(partial, 150)).getInteger("overallRating");
    assertThat(two).isLessThan(all);
  }

  @Test
  void paraphrasedQuestionsAndMalformedEntriesAreHandled() {
    JsonArray transcript = new JsonArray()
        .add("not an object")
        .add(new JsonObject().put("role", "agent"))
        .add(new JsonObject().put("role", "narrator").put("text", "ignored"))
        .add(turn("agent", "So, what is your most recent role?", 0))
        .add(turn("candidate", "I work as a support specialist handling customer tickets and"
            + " phone calls for a telecom company in the city centre.", 3_000))
        .add(turn("agent", "Can you walk me through a hard project?", 20_000))
        .add(turn("candidate", "We migrated our ticketing tool while keeping the queue running and"
            + " I helped train the rest of the team on the new process.", 23_000))
        .add(turn("agent", "And why us?", 40_000))
        .add(turn("candidate", "Your company has a good reputation and I want to grow here.",
            42_000));
    JsonObject r = analyzer.score(input(transcript, 60));
    assertThat(r.getJsonArray("strongPoints").getList()).contains("Answered all 3 questions");
    assertThat(r.getString("companyFitRating")).isIn("MEDIUM", "HIGH");
  }
}
