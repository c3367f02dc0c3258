package dev.parley.calls;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Spaces the creates sent to one platform at its published rate (Retell takes one outbound call per
 * second by default): each {@link #turn} completes at the next free slot, one every
 * {@code 1 / rate} seconds, in the order they were asked for. On one event loop, not thread-safe.
 */
final class Pacer {
  private final Vertx vertx;
  private final long intervalNanos;
  private final Runnable onTurn;
  private long nextNanos = System.nanoTime();
  private int waiting;

  /** @param onTurn runs after each turn that waited: the dispatcher may claim again once its backlog shrinks */
  Pacer(Vertx vertx, double perSecond, Runnable onTurn) {
    this.vertx = vertx;
    this.intervalNanos = (long) (1_000_000_000L / perSecond);
    this.onTurn = onTurn;
  }

  /** Completes at this caller's slot, with how long it waited in milliseconds. */
  Future<Long> turn() {
    long now = System.nanoTime();
    long at = Math.max(now, nextNanos);
    nextNanos = at + intervalNanos;
    long waitMillis = (at - now) / 1_000_000;
    if (waitMillis < 1) return Future.succeededFuture(0L);
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
