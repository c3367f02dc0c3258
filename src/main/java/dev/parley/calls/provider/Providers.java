package dev.parley.calls.provider;

import dev.parley.calls.provider.retell.RetellProvider;
import dev.parley.calls.provider.vapi.VapiProvider;
import dev.parley.config.ParleyConfig;
import io.vertx.core.Vertx;

import java.util.function.Consumer;

/**
 * The providers of one node: the one PARLEY_PROVIDER names, for live interviews, and the simulator,
 * which plays every test interview whatever PARLEY_PROVIDER says (a test interview never reaches
 * a real provider). Each live call records which of them placed it.
 */
public final class Providers {
  private final VoiceProvider live;
  private final SimulatorProvider simulator;

  public Providers(Vertx vertx, ParleyConfig config, Consumer<ProviderEvent> simulatorEvents) {
    this.simulator = new SimulatorProvider(vertx, config, simulatorEvents);
    this.live = switch (config.provider()) {
      case "http" -> new HttpProvider(vertx, config);
      case "vapi" -> new VapiProvider(vertx, config);
      case "retell" -> new RetellProvider(vertx, config);
      default -> simulator;
    };
  }

  /** The provider of live interviews. */
  public VoiceProvider live() {
    return live;
  }

  /** The provider of an interview: the simulator for a test interview. */
  public VoiceProvider forInterview(boolean test) {
    return test ? simulator : live;
  }

  /**
   * The provider that placed a call, by the name its live call recorded; null for one this node is
   * not configured with (PARLEY_PROVIDER changed while the call was live): it cannot be cancelled
   * from here, and its lease ends it.
   */
  public VoiceProvider byName(String name) {
    if (live.name().equals(name)) return live;
    if (simulator.name().equals(name)) return simulator;
    return null;
  }
}
