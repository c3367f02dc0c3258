package dev.parley.fakes;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a scripted call does once a fake platform has created it; one script per destination number
 * ({@code FakeVapi.onNumber}, {@code FakeRetell.onNumber}), shared by both fakes. Each fake translates the
 * outcome into its own platform's events and reasons (see {@link FakeVapi} and {@link FakeRetell}).
 *
 * <p>A script is a small mutable builder; the fake takes a copy when a call is created, so changing a
 * script afterwards only affects later calls.
 *
 * <pre>{@code
 * vapi.onNumber("+421915123456", Script.answered().ringMs(100).talkMs(300)
 *     .transcript(Script.Line.agent("Dobrý deň"), Script.Line.user("Dobrý"))
 *     .recording(wavBytes, "audio/wav"));
 * retell.onNumber("+421915000001", Script.ringsUntilCancelled());
 * }</pre>
 */
public final class Script {
  /** How the call goes. */
  public enum Outcome {
    /** Rings for {@code ringMs}, is answered, talks for {@code talkMs}, and hangs up (by the agent unless {@link #endedByUser()}). */
    ANSWERED,
    /** Rings for {@code ringMs}, nobody answers. */
    NO_ANSWER,
    /** The line is busy: ends after {@code ringMs} without ringing. */
    BUSY,
    /** Answered by a voicemail box; the platform detects it and hangs up after {@code talkMs}. */
    VOICEMAIL,
    /** The platform fails to connect the call: ends after {@code ringMs} without ringing. */
    FAILED,
    /** Rings until Parley cancels it (or {@code maxMs} passes, then it ends as unanswered). */
    RINGS_UNTIL_CANCELLED,
    /** Answered, talks until Parley cancels it (or {@code maxMs} passes, then it ends at its maximum duration). */
    LIVE_UNTIL_CANCELLED,
    /** The account's concurrency limit refuses the call (Vapi: 201, then ends at once; Retell: 429 on create). */
    CONCURRENCY_REFUSAL
  }

  public enum Role { AGENT, USER }

  /** One utterance of the conversation. */
  public record Line(Role role, String text) {
    public Line {
      Objects.requireNonNull(role);
      Objects.requireNonNull(text);
    }

    public static Line agent(String text) { return new Line(Role.AGENT, text); }

    public static Line user(String text) { return new Line(Role.USER, text); }
  }

  /** The transcript an answered call has when the script gives none. */
  public static final List<Line> DEFAULT_TRANSCRIPT = List.of(
    Line.agent("Hello, this is the interview assistant. Do you have a few minutes?"),
    Line.user("Yes, go ahead."),
    Line.agent("Thank you, that is all for today. Goodbye."));

  Outcome outcome;
  long ringMs = 100;
  long talkMs = 300;
  long maxMs = 600_000;
  List<Line> transcript;
  byte[] recording = defaultWav();
  String recordingContentType = "audio/wav";
  boolean endedByUser;
  String vapiEndedReason;
  String retellDisconnectionReason;
  String summary;
  String userSentiment = "Neutral";
  Boolean callSuccessful;
  long answerCreateAfterMs = -1;
  boolean dropCreateAnswer;
  int createFailsWith;
  boolean repeatEvents;
  boolean outOfOrder;
  boolean holdAfterCreate;
  long eventDelayMs;

  private Script(Outcome outcome) {
    this.outcome = outcome;
  }

  public static Script answered() { return new Script(Outcome.ANSWERED); }

  public static Script noAnswer() { return new Script(Outcome.NO_ANSWER); }

  public static Script busy() { return new Script(Outcome.BUSY).ringMs(20); }

  public static Script voicemail() { return new Script(Outcome.VOICEMAIL).transcript(List.of()); }

  public static Script failed() { return new Script(Outcome.FAILED).ringMs(20); }

  public static Script ringsUntilCancelled() { return new Script(Outcome.RINGS_UNTIL_CANCELLED); }

  public static Script liveUntilCancelled() { return new Script(Outcome.LIVE_UNTIL_CANCELLED); }

  public static Script concurrencyRefusal() { return new Script(Outcome.CONCURRENCY_REFUSAL); }

  /** How long it rings before it is answered (or given up); default 100 ms (20 ms for busy and failed). */
  public Script ringMs(long ms) { this.ringMs = ms; return this; }

  /** How long the answered call talks before it ends; default 300 ms. */
  public Script talkMs(long ms) { this.talkMs = ms; return this; }

  /** The cap for the "until cancelled" outcomes; default 10 minutes. */
  public Script maxMs(long ms) { this.maxMs = ms; return this; }

  /** The conversation of an answered call; default {@link #DEFAULT_TRANSCRIPT} (voicemail: none). */
  public Script transcript(List<Line> lines) { this.transcript = List.copyOf(lines); return this; }

  public Script transcript(Line... lines) { return transcript(Arrays.asList(lines)); }

  /** The recording a connected call leaves; default a short silent WAV (audio/wav). */
  public Script recording(byte[] bytes, String contentType) {
    this.recording = bytes.clone();
    this.recordingContentType = contentType;
    return this;
  }

  /** The connected call leaves no recording (recording disabled). */
  public Script noRecording() { this.recording = null; return this; }

  /** The candidate hangs up (Vapi {@code customer-ended-call}, Retell {@code user_hangup}); default the agent does. */
  public Script endedByUser() { this.endedByUser = true; return this; }

  /** The agent hangs up (Vapi {@code assistant-ended-call}, Retell {@code agent_hangup}); the default. */
  public Script endedByAgent() { this.endedByUser = false; return this; }

  /** Vapi only: the {@code endedReason} the call ends with, instead of the outcome's own (must be in ended-reasons.txt). */
  public Script endedReason(String vapiEndedReason) { this.vapiEndedReason = vapiEndedReason; return this; }

  /**
   * Retell only: the {@code disconnection_reason} the call ends with, instead of the outcome's own. A reason of
   * the "not connected" group (dial_*, user_declined, invalid_destination, telephony_*, sip_routing_error,
   * marked_as_spam) makes the call {@code not_connected}; an account one (concurrency_limit_reached, ...) {@code error}.
   */
  public Script disconnectionReason(String retellReason) { this.retellDisconnectionReason = retellReason; return this; }

  /** Retell's {@code call_analysis.call_summary}. */
  public Script summary(String summary) { this.summary = summary; return this; }

  /** Retell's {@code call_analysis.user_sentiment} (Negative, Positive, Neutral, Unknown); default Neutral. */
  public Script userSentiment(String sentiment) { this.userSentiment = sentiment; return this; }

  /** Retell's {@code call_analysis.call_successful}; default true for an answered call, false otherwise. */
  public Script callSuccessful(boolean successful) { this.callSuccessful = successful; return this; }

  /** The call is created at once, but the HTTP answer to the create comes only after {@code ms}; the call plays on meanwhile. */
  public Script answerCreateAfterMs(long ms) { this.answerCreateAfterMs = ms; return this; }

  /** The call is created, but the connection of the create is closed without an answer; the call plays on. */
  public Script dropCreateAnswer() { this.dropCreateAnswer = true; return this; }

  /** The create is answered with this status (e.g. 500) and NO call is created. */
  public Script createFailsWith(int status) { this.createFailsWith = status; return this; }

  /** Every webhook is delivered twice. */
  public Script repeatEvents() { this.repeatEvents = true; return this; }

  /**
   * Events arrive out of order. Vapi: the end-of-call-report before the status-update ended. Retell: call_ended before
   * call_started (a call that never connects: call_analyzed before call_ended).
   */
  public Script outOfOrder() { this.outOfOrder = true; return this; }

  /** After the create the call waits (registered/queued, no events) until the test calls {@code release(callId)} or {@code releaseAll()}. */
  public Script holdAfterCreate() { this.holdAfterCreate = true; return this; }

  /** An extra pause before each webhook delivery. */
  public Script eventDelayMs(long ms) { this.eventDelayMs = ms; return this; }

  public Outcome outcome() { return outcome; }

  Script copy() {
    Script c = new Script(outcome);
    c.ringMs = ringMs;
    c.talkMs = talkMs;
    c.maxMs = maxMs;
    c.transcript = transcript;
    c.recording = recording;
    c.recordingContentType = recordingContentType;
    c.endedByUser = endedByUser;
    c.vapiEndedReason = vapiEndedReason;
    c.retellDisconnectionReason = retellDisconnectionReason;
    c.summary = summary;
    c.userSentiment = userSentiment;
    c.callSuccessful = callSuccessful;
    c.answerCreateAfterMs = answerCreateAfterMs;
    c.dropCreateAnswer = dropCreateAnswer;
    c.createFailsWith = createFailsWith;
    c.repeatEvents = repeatEvents;
    c.outOfOrder = outOfOrder;
    c.holdAfterCreate = holdAfterCreate;
    c.eventDelayMs = eventDelayMs;
    return c;
  }

  /** Whether the candidate's phone is ever picked up (by a person or a voicemail box). */
  boolean connects() {
    return outcome == Outcome.ANSWERED || outcome == Outcome.VOICEMAIL || outcome == Outcome.LIVE_UNTIL_CANCELLED;
  }

  /** Whether the platform reports ringing before the outcome. */
  boolean rings() {
    return outcome != Outcome.BUSY && outcome != Outcome.FAILED && outcome != Outcome.CONCURRENCY_REFUSAL;
  }

  List<Line> lines() {
    if (transcript != null) return transcript;
    return outcome == Outcome.VOICEMAIL ? List.of() : DEFAULT_TRANSCRIPT;
  }

  /** A tenth of a second of 8 kHz 16-bit mono silence as a WAV file. */
  static byte[] defaultWav() {
    int samples = 800;
    ByteBuffer b = ByteBuffer.allocate(44 + samples * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(36 + samples * 2).put("WAVE".getBytes());
    b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(8000).putInt(16000)
      .putShort((short) 2).putShort((short) 16);
    b.put("data".getBytes()).putInt(samples * 2);
    return b.array();
  }

  @Override
  public String toString() {
    List<String> quirks = new ArrayList<>();
    if (answerCreateAfterMs >= 0) quirks.add("answerCreateAfterMs=" + answerCreateAfterMs);
    if (dropCreateAnswer) quirks.add("dropCreateAnswer");
    if (repeatEvents) quirks.add("repeatEvents");
    if (outOfOrder) quirks.add("outOfOrder");
    if (holdAfterCreate) quirks.add("holdAfterCreate");
    return "Script[" + outcome + ", ring " + ringMs + " ms, talk " + talkMs + " ms" + (quirks.isEmpty() ? "" : ", " + quirks) + "]";
  }
}
