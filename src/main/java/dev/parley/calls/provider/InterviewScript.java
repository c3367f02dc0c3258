package dev.parley.calls.provider;

import io.vertx.core.json.JsonArray;

import java.util.Locale;

/**
 * What the voice agent is told to do, made from the interview's agent: the system prompt of a Vapi
 * transient assistant, and the pieces a Retell template agent's prompt takes as dynamic variables.
 */
public final class InterviewScript {
  private InterviewScript() {}

  /** The questions numbered, one per line ("1. Why this role?"). */
  public static String numberedQuestions(JsonArray questions) {
    StringBuilder sb = new StringBuilder();
    int n = 0;
    for (Object q : questions) {
      if (n > 0) sb.append('\n');
      sb.append(++n).append(". ").append(q);
    }
    return sb.toString();
  }

  /** The candidate's name as the agent says it. */
  public static String candidateName(CallRequest call) {
    String first = call.candidateFirstName() == null ? "" : call.candidateFirstName();
    String last = call.candidateLastName() == null ? "" : call.candidateLastName();
    return (first + " " + last).trim();
  }

  /** The kind of interview the agent's focus asks for, in words. */
  static String focus(String focus) {
    return switch (focus == null ? "GENERIC" : focus) {
      case "SCREENING" -> "a screening interview";
      case "OUTREACH" -> "an outreach call that gauges the candidate's interest";
      case "LANGUAGE_TEST" -> "a spoken language test";
      default -> "a job interview";
    };
  }

  /**
   * The system prompt: who calls whom for whom, in which language, how long, the questions in
   * order, the employer's instructions, and how to end.
   */
  public static String systemPrompt(CallRequest call, String languageName) {
    String focus = call.agent().getString("focus");
    String cefr = call.agent().getString("cefrLevel");
    int minutes = Math.max(1, call.maxDurationSeconds() / 60);
    StringBuilder p = new StringBuilder();
    p.append("You are a friendly, professional interviewer calling ").append(orDefault(candidateName(call), "the candidate"))
      .append(" on behalf of ").append(orDefault(call.companyName(), "the employer")).append(". Conduct ")
      .append(focus(focus)).append(" by phone, entirely in ").append(languageName).append(", in at most ")
      .append(minutes).append(minutes == 1 ? " minute.\n" : " minutes.\n");
    if (cefr != null) {
      p.append("The candidate's ").append(languageName).append(" is expected at CEFR level ").append(cefr.toUpperCase(Locale.ROOT))
        .append(": speak at that level, and let the candidate show it.\n");
    }
    JsonArray questions = call.questions();
    if (questions.isEmpty()) {
      p.append("Ask about the candidate's experience, motivation and availability, one question at a time.\n");
    } else {
      p.append("Ask these questions one at a time, in this order, and wait for each answer; ask one short follow-up ")
        .append("when an answer is vague:\n").append(numberedQuestions(questions)).append('\n');
    }
    String instructions = call.agent().getString("instructions");
    if (instructions != null && !instructions.isBlank()) {
      p.append("The employer's instructions:\n").append(instructions.strip()).append('\n');
    }
    p.append("Never tell the candidate how they did. When the questions are answered or the time is nearly up, ")
      .append("thank the candidate, say goodbye and end the call. If you reach voicemail, end the call without a message.");
    return p.toString();
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
