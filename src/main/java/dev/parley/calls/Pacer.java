package dev.parley.calls;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Spaces the creates sent to one platform at its published rate (Retell takes one outbound call per
 * second by default): each {@link #turn} completes at the next free slot, one every
 * {@code 1 / rate} seconds and {@link #MARGIN} more, in the order they were asked for. The margin
 * keeps a timer that fires a little early, or a create that travels faster than the one before
 * it, from arriving sooner than the platform allows. On one event loop, not thread-safe.
 */
final class Pacer {
  /** How much longer than {@code 1 / rate} the space between two creates is. */
  static final double MARGIN = 0.02;
  private final Vertx vertx;
  private final long intervalNanos;
  private final Runnable onTurn;
  private long nextNanos = System.nanoTime();
  private int waiting;

  /** @param onTurn runs after each turn that waited: the dispatcher may claim again once its backlog shrinks */
  Pacer(Vertx vertx, double perSecond, Runnable onTurn) {
    this.vertx = vertx;
    this.intervalNanos = (long) (1_000_000_000L / perSecond * (1 + MARGIN));
    this.onTurn = onTurn;
  }

  /** Completes at this caller's slot, with how long it waited in milliseconds. */
  Future<Long> turn() {
    long now = System.nanoTime();
    long at = Math.max(now, nextNanos);
    nextNanos = at + intervalNanos;
    // rounded up: a timer never fires before its slot
    long waitMillis = (at - now + 999_999) / 1_000_000;
    if (at <= now) return Future.succeededFuture(0L);
    waiting++;
    Promise<Long> slot = Promise.promise();
    vertx.setTimer(waitMillis, t -> {
      waiting--;
      slot.complete(waitMillis);
      onTurn.run();
    });
    return slot.future();
  }

  /** Creates waiting for their turn. */
  int waiting() {
    return waiting;
  }

  /** How many creates this pacer sends in the given number of seconds (at least one). */
  int perSeconds(int seconds) {
    return (int) Math.max(1, seconds * 1_000_000_000L / intervalNanos);
  }
}
