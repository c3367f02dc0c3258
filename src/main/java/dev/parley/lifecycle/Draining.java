package dev.parley.lifecycle;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

/**
 * Whether this node is shutting down (docs/operations.md, "Shutdown"). From the moment a
 * {@code TERM} arrives: readiness answers 503, every HTTP answer closes its connection, and the
 * background loops (dispatcher, lease checks, post-call work, webhook sends, the database probe)
 * take no new work. What is already running finishes; {@code ParleyServer.stop} waits for it.
 * One per node (per Vert.x instance); read on every request, hence a volatile flag.
 */
public final class Draining implements Shareable {
  private volatile boolean draining;

  /** This node's flag. */
  public static Draining of(Vertx vertx) {
    LocalMap<String, Draining> map = vertx.sharedData().getLocalMap("parley.lifecycle");
    return map.computeIfAbsent("draining", k -> new Draining());
  }

  public boolean isDraining() {
    return draining;
  }

  public void begin() {
    draining = true;
  }
}
