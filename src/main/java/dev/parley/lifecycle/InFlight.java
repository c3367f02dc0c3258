package dev.parley.lifecycle;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * A count of work in progress on one verticle's context (dials, bus requests, post-call jobs,
 * webhook sends), so that its {@code stop()} can wait for that work to end before the pools close.
 * Confined to the verticle's event loop, like the rest of its state.
 */
public final class InFlight {
  private int running;
  private Promise<Void> idle;

  public void begin() {
    running++;
  }

  public void end() {
    if (--running == 0 && idle != null) {
      Promise<Void> p = idle;
      idle = null;
      p.complete();
    }
  }

  /** Runs {@code work} counted: from now until the future it returns completes. */
  public <T> Future<T> track(java.util.function.Supplier<Future<T>> work) {
    begin();
    Future<T> f;
    try {
      f = work.get();
    } catch (RuntimeException e) {
      end();
      throw e;
    }
    return f.onComplete(ar -> end());
  }

  public int running() {
    return running;
  }

  /** Completes once nothing is running (at once when nothing is). */
  public Future<Void> idle() {
    if (running == 0) return Future.succeededFuture();
    if (idle == null) idle = Promise.promise();
    return idle.future();
  }
}
