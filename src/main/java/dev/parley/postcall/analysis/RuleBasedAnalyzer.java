package dev.parley.postcall.analysis;

import io.vertx.core.Future;
import io.vertx.core.VertxException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The default analyzer: deterministic scoring of the transcript, no network. The same input always
 * gives the same output, and an empty transcript gives a valid (low) analysis, never a failure.
 *
 * <h2>Reading the transcript</h2>
 * Entries are taken in the order given; entries that are not objects, have no text, or have a role
 * other than {@code agent}/{@code assistant} or {@code candidate}/{@code user} are skipped.
 * Consecutive agent turns form one prompt; the candidate turns up to the next agent turn are its
 * answer. Each configured question is matched to the first unused prompt that contains it or shares
 * at least 60% of its words; questions left over take the unused prompts that contain a question
 * mark, in order. Questions that match nothing count as unanswered. With no configured questions,
 * the prompts with a question mark (or else all prompts) are the questions; if there are none but the
 * candidate spoke, everything they said is one answer to an implicit question.
 *
 * <h2>Score (0..100)</h2>
 * Answers are sized in words; an answer of 1..4 words is "very short".
 * <ul>
 *   <li>Coverage, 30 points: 30 x answered / questions.</li>
 *   <li>Depth, 25 points: 25 x mean over questions of min(words, 60) / 60 (unanswered count 0).</li>
 *   <li>Talk share, 15 points: the candidate's share of talk time (a turn lasts until the next
 *       turn's {@code startMs}, the last one until {@code durationSeconds}, but at most 600 ms a
 *       word plus 1.5 s so that silences count for no one; by words when times are missing or not
 *       increasing): 15 at 50% or more, proportionally less below.</li>
 *   <li>Evidence, 30 points, three English keyword heuristics counted per answer: concrete examples
 *       ("for example", "such as", "in my previous role", ...), personal ownership ("I led",
 *       "I built", "I was responsible for", ...) and numbers or metrics (digits, "%", "percent").
 *       Each gives 6 points when found in one answer, 10 when found in two or more.</li>
 *   <li>Penalties: -5 per unanswered question and -3 per very short answer (together at most -25);
 *       -10 when the call lasted 1..29 seconds.</li>
 * </ul>
 * The total is rounded and clamped to 0..100. {@code companyFitRating} is HIGH from 70, MEDIUM from
 * 45, LOW below. {@code education} is the highest degree named by the candidate (DOCTORATE_LEVEL,
 * MASTER_LEVEL, BACHELOR_LEVEL, HIGH_SCHOOL_LEVEL) or null; {@code experience} is the largest
 * "N years" in an answer that talks about experience or work, bucketed (LESS_THAN_1_YEAR,
 * ONE_TO_3_YEARS, THREE_TO_5_YEARS, FIVE_TO_10_YEARS, MORE_THAN_10_YEARS), or null. Strong points,
 * weak points and the evaluation lines are fixed English sentences chosen by these measurements.
 */
public final class RuleBasedAnalyzer implements Analyzer {

  static final int COVERAGE_POINTS = 30;
  static final int DEPTH_POINTS = 25;
  static final int SHARE_POINTS = 15;
  static final int FULL_DEPTH_WORDS = 60;
  static final int VERY_SHORT_WORDS = 5;
  static final int MAX_PENALTY = 25;
  static final int SHORT_CALL_SECONDS = 30;
  private static final long MS_PER_WORD_ESTIMATE = 400;
  private static final long MS_PER_WORD_MAX = 600;
  private static final long TURN_SLACK_MS = 1_500;

  private static final Pattern EXAMPLES = Pattern.compile(
      "\\b(?:for example|for instance|e\\.g\\.|such as|one time|there was a time|once i\\b"
          + "|in my (?:previous|last|current|former|first) (?:job|role|position|company|team|project)"
          + "|at my (?:previous|last|current|former|first) (?:job|role|position|company|employer)"
          + "|(?:a|the|one) project where|specifically)");
  private static final Pattern OWNERSHIP = Pattern.compile(
      "\\bi (?:led|lead|managed|built|designed|implemented|created|founded|owned|drove|launched"
          + "|delivered|introduced|organi[sz]ed|initiated|architected|mentored|coordinated|improved"
          + "|reduced|increased|automated|negotiated|was responsible for|was in charge of)\\b");
  private static final Pattern METRICS = Pattern.compile("\\d|%|\\bper ?cent\\b");
  private static final Pattern YEARS = Pattern.compile(
      "\\b(\\d{1,2})\\s*\\+?\\s*(?:years?|yrs?)\\b(?!\\s*(?:ago|old))");
  private static final Pattern WORK_CONTEXT = Pattern.compile(
      "experience|\\bworked|\\bworking|\\bcareer|professional|industry|\\bjob\\b|\\brole\\b");
  private static final Pattern[] EDUCATION = {
      Pattern.compile("\\b(?:ph\\.? ?d|doctorate|doctoral)\\b"),
      Pattern.compile("\\b(?:master'?s degree|masters degree|master of|msc|m\\.sc|mba)\\b"),
      Pattern.compile("\\b(?:bachelor'?s?|bsc|b\\.sc|undergraduate degree|college degree"
          + "|university degree)\\b"),
      Pattern.compile("\\b(?:high school|secondary school)\\b"),
  };
  private static final String[] EDUCATION_LEVELS = {
      "DOCTORATE_LEVEL", "MASTER_LEVEL", "BACHELOR_LEVEL", "HIGH_SCHOOL_LEVEL"};

  @Override
  public Future<JsonObject> analyze(AnalysisInput input) {
    try {
      return Future.succeededFuture(score(input));
    } catch (RuntimeException e) {
      return Future.failedFuture(new VertxException(
          "rule-based analysis failed (" + e.getClass().getSimpleName() + ")", true));
    }
  }

  /** The analysis, computed synchronously. */
  public JsonObject score(AnalysisInput input) {
    List<Turn> turns = turns(input.transcript());
    List<Exchange> exchanges = exchanges(turns);
    List<Answer> answers = answers(input.questions(), exchanges);

    int questions = answers.size();
    int answered = 0;
    int veryShort = 0;
    int answeredWords = 0;
    double depth = 0;
    for (Answer a : answers) {
      if (a.words > 0) {
        answered++;
        answeredWords += a.words;
        if (a.words < VERY_SHORT_WORDS) veryShort++;
      }
      depth += Math.min(a.words, FULL_DEPTH_WORDS) / (double) FULL_DEPTH_WORDS;
    }
    int missing = questions - answered;
    int avgWords = answered == 0 ? 0 : Math.round(answeredWords / (float) answered);

    int candidateWords = 0;
    for (Turn t : turns) if (t.candidate) candidateWords += t.words;
    boolean spoke = candidateWords > 0;
    Share share = share(turns, input.durationSeconds());

    int examples = 0;
    int ownership = 0;
    int metrics = 0;
    int answeredExchanges = 0;
    for (Exchange e : exchanges) {
      if (e.answerWords == 0) continue;
      answeredExchanges++;
      String text = e.answer.toString().toLowerCase(Locale.ROOT);
      if (EXAMPLES.matcher(text).find()) examples++;
      if (OWNERSHIP.matcher(text).find()) ownership++;
      if (METRICS.matcher(text).find()) metrics++;
    }

    double coveragePts = questions == 0 ? 0 : COVERAGE_POINTS * answered / (double) questions;
    double depthPts = questions == 0 ? 0 : DEPTH_POINTS * depth / questions;
    double sharePts = !spoke ? 0 : Math.min(1.0, share.candidate / 0.5) * SHARE_POINTS;
    int evidencePts = evidence(examples) + evidence(ownership) + evidence(metrics);
    int penalty = Math.min(MAX_PENALTY, 5 * missing + 3 * veryShort);
    boolean shortCall = input.durationSeconds() > 0 && input.durationSeconds() < SHORT_CALL_SECONDS;
    if (shortCall) penalty += 10;
    long raw = Math.round(coveragePts + depthPts + sharePts + evidencePts - penalty);
    int rating = (int) Math.max(0, Math.min(100, raw));
    String fit = rating >= 70 ? "HIGH" : rating >= 45 ? "MEDIUM" : "LOW";
    int sharePercent = (int) Math.round(share.candidate * 100);

    JsonArray strong = new JsonArray();
    if (questions > 0 && missing == 0) strong.add("Answered all " + count(questions, "question"));
    if (answered > 0 && avgWords >= 40) {
      strong.add("Gave detailed answers (about " + avgWords + " words on average)");
    }
    if (examples > 0) strong.add("Illustrated answers with concrete examples");
    if (ownership > 0) strong.add("Described work they personally led or delivered");
    if (metrics > 0) strong.add("Quantified experience with numbers or metrics");
    if (spoke && share.candidate >= 0.5) {
      strong.add("Did most of the talking (" + sharePercent + "% of the conversation)");
    }

    JsonArray weak = new JsonArray();
    if (!spoke) {
      weak.add("No candidate answers were recorded");
    } else {
      if (missing > 0) weak.add("No answer to " + missing + " of " + count(questions, "question"));
      if (veryShort > 0) {
        weak.add(count(veryShort, "very short answer") + " (under " + VERY_SHORT_WORDS + " words)");
      }
      if (answered > 0 && avgWords < 15) {
        weak.add("Answers were brief (about " + avgWords + " words on average)");
      }
      if (examples == 0) weak.add("No concrete examples given");
      if (ownership == 0) weak.add("No clear personal ownership of results described");
      if (metrics == 0) weak.add("No numbers or measurable results mentioned");
      if (share.candidate < 0.3) {
        weak.add("Spoke little (" + sharePercent + "% of the conversation)");
      }
    }
    if (shortCall) weak.add("Call was very short (" + input.durationSeconds() + " seconds)");

    JsonArray evaluation = new JsonArray();
    String role = input.jobTitle() == null || input.jobTitle().isBlank()
        ? "" : " for the " + input.jobTitle().trim() + " role";
    evaluation.add("Rule-based analysis" + role + ": overall rating " + rating
        + "/100, company fit " + fit + ".");
    if (questions == 0) {
      evaluation.add("No questions or candidate answers could be identified in the transcript.");
    } else {
      evaluation.add("Answered " + answered + " of " + count(questions, "question")
          + "; average answer length " + avgWords + " words.");
    }
    if (spoke) {
      evaluation.add("Candidate share of the conversation: " + sharePercent + "% (by "
          + (share.byTime ? "talk time" : "words") + ").");
      evaluation.add("Evidence: concrete examples in " + examples
          + ", personal ownership in " + ownership + ", numbers or metrics in " + metrics
          + " (of " + count(answeredExchanges, "answer") + ").");
    }
    for (int i = 0; i < answers.size(); i++) {
      Answer a = answers.get(i);
      evaluation.add("Q" + (i + 1) + " \"" + abbreviate(a.question, 80) + "\": "
          + (a.words == 0 ? "no answer" : count(a.words, "word")));
    }
    if (penalty > 0) {
      List<String> reasons = new ArrayList<>();
      if (missing > 0 || veryShort > 0) reasons.add("missing or very short answers");
      if (shortCall) reasons.add("a very short call");
      evaluation.add("Penalties: -" + penalty + " points for " + String.join(" and ", reasons) + ".");
    }
    String language = input.language();
    if (spoke && language != null && !language.isBlank()
        && !language.trim().toLowerCase(Locale.ROOT).startsWith("en")) {
      evaluation.add("Keyword heuristics are English-only; answers in other languages are scored "
          + "mainly on coverage, length and talk time.");
    }

    JsonObject result = new JsonObject()
        .put("overallRating", rating)
        .put("companyFitRating", fit);
    String education = education(exchanges);
    String experience = experience(exchanges);
    if (education == null) result.putNull("education"); else result.put("education", education);
    if (experience == null) result.putNull("experience"); else result.put("experience", experience);
    return result
        .put("strongPoints", strong)
        .put("weakPoints", weak)
        .put("evaluation", evaluation);
  }

  // ---- transcript structure -------------------------------------------------------------------

  private record Turn(boolean candidate, String text, int words, long startMs) {}

  private static final class Exchange {
    final String prompt; // null for candidate speech before any agent turn
    final StringBuilder answer = new StringBuilder();
    int answerWords;
    boolean used;

    Exchange(String prompt) {
      this.prompt = prompt;
    }
  }

  private record Answer(String question, int words) {}

  private record Share(double candidate, boolean byTime) {}

  private static List<Turn> turns(JsonArray transcript) {
    List<Turn> turns = new ArrayList<>();
    for (int i = 0; i < transcript.size(); i++) {
      Object o = transcript.getValue(i);
      if (!(o instanceof JsonObject entry)) continue;
      Object roleValue = entry.getValue("role");
      Object textValue = entry.getValue("text");
      if (!(roleValue instanceof String r) || !(textValue instanceof String text)) continue;
      String role = r.trim().toLowerCase(Locale.ROOT);
      boolean candidate;
      if (role.equals("candidate") || role.equals("user")) {
        candidate = true;
      } else if (role.equals("agent") || role.equals("assistant")) {
        candidate = false;
      } else {
        continue;
      }
      text = text.trim();
      if (text.isEmpty()) continue;
      Object start = entry.getValue("startMs");
      long startMs = start instanceof Number n ? n.longValue() : -1;
      turns.add(new Turn(candidate, text, words(text), startMs));
    }
    return turns;
  }

  private static List<Exchange> exchanges(List<Turn> turns) {
    List<Exchange> exchanges = new ArrayList<>();
    Exchange current = null;
    StringBuilder prompt = null;
    for (Turn t : turns) {
      if (!t.candidate) {
        if (prompt == null) prompt = new StringBuilder(t.text);
        else prompt.append(' ').append(t.text);
        current = null;
      } else {
        if (current == null) {
          current = new Exchange(prompt == null ? null : prompt.toString());
          exchanges.add(current);
          prompt = null;
        }
        if (current.answer.length() > 0) current.answer.append(' ');
        current.answer.append(t.text);
        current.answerWords += t.words;
      }
    }
    if (prompt != null) exchanges.add(new Exchange(prompt.toString())); // asked, never answered
    return exchanges;
  }

  private static List<Answer> answers(List<String> configured, List<Exchange> exchanges) {
    List<String> questions = new ArrayList<>();
    for (String q : configured) if (!q.isBlank()) questions.add(q.trim());
    if (questions.isEmpty()) {
      List<Answer> answers = new ArrayList<>();
      for (Exchange e : exchanges) {
        if (e.prompt != null && isQuestion(e.prompt)) answers.add(new Answer(e.prompt, e.answerWords));
      }
      if (answers.isEmpty()) {
        for (Exchange e : exchanges) {
          if (e.prompt != null) answers.add(new Answer(e.prompt, e.answerWords));
        }
      }
      if (answers.isEmpty()) {
        int words = 0;
        for (Exchange e : exchanges) words += e.answerWords;
        if (words > 0) answers.add(new Answer("(open conversation)", words));
      }
      return answers;
    }

    Exchange[] matched = new Exchange[questions.size()];
    for (int i = 0; i < questions.size(); i++) {
      String q = normalize(questions.get(i));
      for (Exchange e : exchanges) {
        if (!e.used && e.prompt != null && similar(q, normalize(e.prompt))) {
          e.used = true;
          matched[i] = e;
          break;
        }
      }
    }
    for (int i = 0; i < questions.size(); i++) {
      if (matched[i] != null) continue;
      for (Exchange e : exchanges) {
        if (!e.used && e.prompt != null && isQuestion(e.prompt)) {
          e.used = true;
          matched[i] = e;
          break;
        }
      }
    }
    List<Answer> answers = new ArrayList<>();
    for (int i = 0; i < questions.size(); i++) {
      answers.add(new Answer(questions.get(i), matched[i] == null ? 0 : matched[i].answerWords));
    }
    return answers;
  }

  private static boolean isQuestion(String text) {
    return text.indexOf('?') >= 0 || text.indexOf('\uFF1F') >= 0;
  }

  /** The prompt contains the question, or at least 60% of the question's words. */
  private static boolean similar(String question, String prompt) {
    if (question.isEmpty()) return false;
    if (prompt.contains(question)) return true;
    String[] qWords = question.split(" ");
    List<String> pWords = List.of(prompt.split(" "));
    int hits = 0;
    for (String w : qWords) if (pWords.contains(w)) hits++;
    return hits * 10 >= qWords.length * 6;
  }

  private static String normalize(String text) {
    StringBuilder b = new StringBuilder();
    boolean space = true;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isLetterOrDigit(cp)) {
        b.appendCodePoint(Character.toLowerCase(cp));
        space = false;
      } else if (!space) {
        b.append(' ');
        space = true;
      }
    }
    return b.toString().trim();
  }

  private static int words(String text) {
    int words = 0;
    for (String token : text.split("\\s+")) {
      for (int i = 0; i < token.length(); ) {
        int cp = token.codePointAt(i);
        if (Character.isLetterOrDigit(cp)) {
          words++;
          break;
        }
        i += Character.charCount(cp);
      }
    }
    return words;
  }

  // ---- measurements ---------------------------------------------------------------------------

  private static Share share(List<Turn> turns, int durationSeconds) {
    boolean timed = !turns.isEmpty();
    for (int i = 0; i < turns.size() && timed; i++) {
      long s = turns.get(i).startMs;
      if (s < 0 || (i > 0 && s < turns.get(i - 1).startMs)) timed = false;
    }
    if (timed) {
      long candidate = 0;
      long total = 0;
      for (int i = 0; i < turns.size(); i++) {
        Turn t = turns.get(i);
        long length;
        if (i + 1 < turns.size()) {
          length = turns.get(i + 1).startMs - t.startMs;
        } else {
          long end = durationSeconds * 1000L;
          length = end > t.startMs ? end - t.startMs : t.words * MS_PER_WORD_ESTIMATE;
        }
        length = Math.min(length, t.words * MS_PER_WORD_MAX + TURN_SLACK_MS); // silence is no one's
        total += length;
        if (t.candidate) candidate += length;
      }
      if (total > 0) return new Share(candidate / (double) total, true);
    }
    long candidate = 0;
    long total = 0;
    for (Turn t : turns) {
      total += t.words;
      if (t.candidate) candidate += t.words;
    }
    return new Share(total == 0 ? 0 : candidate / (double) total, false);
  }

  private static int evidence(int answers) {
    return answers == 0 ? 0 : answers == 1 ? 6 : 10;
  }

  private static String education(List<Exchange> exchanges) {
    int best = EDUCATION.length;
    for (Exchange e : exchanges) {
      String text = e.answer.toString().toLowerCase(Locale.ROOT);
      for (int level = 0; level < best; level++) {
        if (EDUCATION[level].matcher(text).find()) {
          best = level;
          break;
        }
      }
    }
    return best < EDUCATION.length ? EDUCATION_LEVELS[best] : null;
  }

  private static String experience(List<Exchange> exchanges) {
    int years = -1;
    for (Exchange e : exchanges) {
      String text = e.answer.toString().toLowerCase(Locale.ROOT);
      if (!WORK_CONTEXT.matcher(text).find()) continue;
      Matcher m = YEARS.matcher(text);
      while (m.find()) {
        int n = Integer.parseInt(m.group(1));
        if (n <= 50) years = Math.max(years, n);
      }
    }
    if (years < 0) return null;
    if (years < 1) return "LESS_THAN_1_YEAR";
    if (years < 3) return "ONE_TO_3_YEARS";
    if (years <= 5) return "THREE_TO_5_YEARS";
    if (years <= 10) return "FIVE_TO_10_YEARS";
    return "MORE_THAN_10_YEARS";
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static String abbreviate(String text, int max) {
    String oneLine = text.replaceAll("\\s+", " ").trim();
    if (oneLine.length() <= max) return oneLine;
    int cut = max - 3;
    if (Character.isHighSurrogate(oneLine.charAt(cut - 1))) cut--;
    return oneLine.substring(0, cut) + "...";
  }
}
