package dev.parley.calls.provider;

import dev.parley.bus.Bus;
import dev.parley.bus.ParleyException;
import dev.parley.config.ParleyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The default provider: in-process and deterministic. The last four digits of the number called
 * decide what happens (docs/providers.md):
 * <ul>
 *   <li>{@code 0001} no answer, {@code 0002} busy, {@code 0003} voicemail (each after the ring time);</li>
 *   <li>{@code 0004} a long call ({@code PARLEY_SIMULATOR_LONG_CALL_MS});</li>
 *   <li>{@code 0005} answered, then never reports the end (only the lease frees its slot);</li>
 *   <li>{@code 0006} the provider refuses the call;</li>
 *   <li>anything else: answered, and ends {@code completed} after {@code PARLEY_SIMULATOR_TALK_MS}.</li>
 * </ul>
 * A completed call has a transcript made from the agent's questions and a real WAV recording,
 * served by this node at {@code /v1/provider/simulator/recordings/{callId}} until fetched.
 */
public final class SimulatorProvider implements VoiceProvider {
  private final Vertx vertx;
  private final ParleyConfig config;
  private final String nodeId;
  private final Consumer<ProviderEvent> events;
  private final Map<String, Buffer> recordings = new ConcurrentHashMap<>();

  public SimulatorProvider(Vertx vertx, ParleyConfig config, String nodeId, Consumer<ProviderEvent> events) {
    this.vertx = vertx;
    this.config = config;
    this.nodeId = nodeId;
    this.events = events;
    vertx.eventBus().<JsonObject>consumer(Bus.simulatorRecording(nodeId), m -> {
      Buffer wav = recordings.remove(m.body().getString("callId"));
      if (wav == null) Bus.fail(m, ParleyException.notFound("Recording", m.body().getString("callId")));
      else m.reply(wav);
    });
  }

  @Override
  public String name() {
    return "simulator";
  }

  @Override
  public Future<Void> placeCall(CallRequest call) {
    String to = call.to() == null ? "" : call.to();
    String outcome = to.length() >= 4 ? to.substring(to.length() - 4) : "";
    if (outcome.equals("0006")) return Future.failedFuture(new IllegalStateException("simulator refused the call"));
    int ring = config.simulatorRingMillis();
    emitLater(1, new ProviderEvent(ProviderEvent.RINGING, call.callId(), now(), null, null, null, null));
    switch (outcome) {
      case "0001" -> emitLater(ring, ended(call, "no-answer", 0, false));
      case "0002" -> emitLater(ring, ended(call, "busy", 0, false));
      case "0003" -> emitLater(ring, ended(call, "voicemail", 0, false));
      case "0005" -> emitLater(ring, new ProviderEvent(ProviderEvent.ANSWERED, call.callId(), now(), null, null, null, null));
      default -> {
        int talk = outcome.equals("0004") ? config.simulatorLongCallMillis() : config.simulatorTalkMillis();
        emitLater(ring, new ProviderEvent(ProviderEvent.ANSWERED, call.callId(), now(), null, null, null, null));
        vertx.setTimer(ring + talk, t -> {
          int seconds = Math.max(1, talk / 1000);
          recordings.put(call.callId(), Synthetic.wav(seconds));
          // Nobody fetches a recording of a deleted call: drop it after a while.
          vertx.setTimer(10 * 60_000L, x -> recordings.remove(call.callId()));
          events.accept(ended(call, "completed", seconds, true));
        });
      }
    }
    return Future.succeededFuture();
  }

  private ProviderEvent ended(CallRequest call, String reason, int seconds, boolean answered) {
    return new ProviderEvent(ProviderEvent.ENDED, call.callId(), now(), reason, seconds,
      answered ? config.publicUrl() + "/v1/provider/simulator/recordings/" + nodeId + "/" + call.callId() : null,
      answered ? Synthetic.transcript(call.agent().getJsonArray("questions"), call.to().hashCode()) : null);
  }

  private void emitLater(long delayMs, ProviderEvent event) {
    vertx.setTimer(Math.max(1, delayMs), t -> events.accept(event));
  }

  private static String now() {
    return Instant.now().toString();
  }
}
