package dev.parley.postcall.analysis;

import io.vertx.core.json.JsonArray;
import java.util.List;
import java.util.Objects;

/**
 * What an {@link Analyzer} sees of a finished interview.
 *
 * @param interviewId the interview's id
 * @param language the agent's language (e.g. {@code "EN"}), may be null
 * @param focus the agent's focus (e.g. {@code "SCREENING"}), may be null
 * @param questions the agent's configured questions, in order (null becomes empty)
 * @param transcript entries {@code {"role": "agent" | "candidate", "text", "startMs"}} (null becomes
 *     empty)
 * @param durationSeconds the call's duration; 0 when unknown
 * @param jobTitle the job's title, or null for a jobless interview
 */
public record AnalysisInput(
    String interviewId,
    String language,
    String focus,
    List<String> questions,
    JsonArray transcript,
    int durationSeconds,
    String jobTitle) {

  public AnalysisInput {
    questions = questions == null
        ? List.of()
        : questions.stream().filter(Objects::nonNull).toList();
    transcript = transcript == null ? new JsonArray() : transcript;
    durationSeconds = Math.max(0, durationSeconds);
  }
}
