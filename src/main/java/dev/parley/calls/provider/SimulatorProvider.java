package dev.parley.calls.provider;

import dev.parley.config.ParleyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The default provider: in-process and deterministic. The last four digits of the number called
 * decide what happens (docs/providers.md):
 * <ul>
 *   <li>{@code 0001} no answer, {@code 0002} busy, {@code 0003} voicemail (each after the ring time);</li>
 *   <li>{@code 0004} a long call ({@code PARLEY_SIMULATOR_LONG_CALL_MS});</li>
 *   <li>{@code 0005} answered, then never reports the end (only the lease frees its slot);</li>
 *   <li>{@code 0006} the provider refuses the call;</li>
 *   <li>{@code 0007} rings for the long call's time, then no answer (a call to cancel before it is answered);</li>
 *   <li>anything else: answered, and ends {@code completed} after {@code PARLEY_SIMULATOR_TALK_MS}.</li>
 * </ul>
 * A completed call has a transcript made from the agent's questions; its recording is a real WAV
 * made from the call's length by the post-call work ({@link Synthetic#wav}), on whichever node runs
 * it, so nothing is fetched over the network for a simulated call. Like a real provider, a callId
 * dialled again places no second call, and a cancel ends a ringing or live call with
 * {@code canceled}. It also plays every test interview (sk_test_ keys, isTest), whatever
 * PARLEY_PROVIDER says. Everything runs on the context that created it (the call-session verticle's).
 */
public final class SimulatorProvider implements VoiceProvider {
  /** How long a finished call's ID is remembered, so that dialling it again places nothing. */
  private static final long REMEMBER_MS = 10 * 60_000L;

  /** One simulated call: its pending timers, whether it was answered, and when. */
  private static final class Call {
    final List<Long> timers = new ArrayList<>();
    long answeredAtMillis;
    boolean over;
  }

  private final Vertx vertx;
  private final ParleyConfig config;
  private final Consumer<ProviderEvent> events;
  private final Map<String, Call> calls = new HashMap<>();

  public SimulatorProvider(Vertx vertx, ParleyConfig config, Consumer<ProviderEvent> events) {
    this.vertx = vertx;
    this.config = config;
    this.events = events;
  }

  @Override
  public String name() {
    return "simulator";
  }

  @Override
  public boolean idempotentCreate() {
    return true;
  }

  @Override
  public Future<PlacedCall> placeCall(CallRequest call) {
    if (calls.containsKey(call.callId())) return Future.succeededFuture(PlacedCall.UNNAMED); // the same callId: no second call
    String to = call.to() == null ? "" : call.to();
    String outcome = to.length() >= 4 ? to.substring(to.length() - 4) : "";
    if (outcome.equals("0006")) return Future.failedFuture(new ProviderRefusedException("simulator refused the call"));
    Call c = new Call();
    calls.put(call.callId(), c);
    int ring = config.simulatorRingMillis();
    later(c, 1, () -> events.accept(event(ProviderEvent.RINGING, call)));
    switch (outcome) {
      case "0001" -> later(c, ring, () -> end(call, c, "no-answer", 0, false));
      case "0002" -> later(c, ring, () -> end(call, c, "busy", 0, false));
      case "0003" -> later(c, ring, () -> end(call, c, "voicemail", 0, false));
      case "0005" -> later(c, ring, () -> answer(call, c));
      case "0007" -> later(c, config.simulatorLongCallMillis(), () -> end(call, c, "no-answer", 0, false));
      default -> {
        int talk = outcome.equals("0004") ? config.simulatorLongCallMillis() : config.simulatorTalkMillis();
        later(c, ring, () -> answer(call, c));
        later(c, ring + talk, () -> end(call, c, "completed", Math.max(1, talk / 1000), true));
      }
    }
    return Future.succeededFuture(PlacedCall.UNNAMED);
  }

  @Override
  public Future<Void> cancelCall(LiveCall call) {
    String callId = call.callId();
    Call c = calls.get(callId);
    if (c != null && !c.over) {
      c.timers.forEach(vertx::cancelTimer);
      int seconds = c.answeredAtMillis == 0 ? 0 : (int) ((System.currentTimeMillis() - c.answeredAtMillis) / 1000);
      finish(callId, c);
      events.accept(ProviderEvent.ended(callId, now(), "canceled", seconds, null, null, "canceled"));
    }
    return Future.succeededFuture();
  }

  private void answer(CallRequest call, Call c) {
    c.answeredAtMillis = System.currentTimeMillis();
    events.accept(event(ProviderEvent.ANSWERED, call));
  }

  private void end(CallRequest call, Call c, String reason, int seconds, boolean answered) {
    finish(call.callId(), c);
    events.accept(ProviderEvent.ended(call.callId(), now(), reason, seconds, null,
      answered ? Synthetic.transcript(call.questions(), call.to().hashCode()) : null, reason));
  }

  /** The call is over; its ID is remembered a while longer, so a late dial of it places nothing. */
  private void finish(String callId, Call c) {
    c.over = true;
    c.timers.clear();
    vertx.setTimer(REMEMBER_MS, t -> calls.remove(callId));
  }

  private void later(Call c, long delayMs, Runnable step) {
    c.timers.add(vertx.setTimer(Math.max(1, delayMs), t -> step.run()));
  }

  private static ProviderEvent event(String type, CallRequest call) {
    return ProviderEvent.of(type, call.callId(), now());
  }

  private static String now() {
    return Instant.now().toString();
  }
}
