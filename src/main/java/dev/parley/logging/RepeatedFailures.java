package dev.parley.logging;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import org.slf4j.Logger;
import org.slf4j.event.Level;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failures that repeat, logged as a summary instead of a line each: the first of a kind is logged
 * in full (with the request id of the request it happened to), and while more like it follow, one
 * line an interval says how many ("… and 412 more like it in the last 10 s: …"). An interval with
 * none closes the kind: the next one is logged in full again. One per node (per Vert.x instance).
 */
public final class RepeatedFailures implements Shareable {
  /** The interval of the summary lines. */
  public static final long INTERVAL_MS = 10_000;

  private static final class Kind {
    boolean open;
    long more;
  }

  private final Vertx vertx;
  /** By kind; kinds are named by the code (an operation, an address, an error code, a class), never by input. */
  private final Map<String, Kind> kinds = new ConcurrentHashMap<>();

  private RepeatedFailures(Vertx vertx) {
    this.vertx = vertx;
  }

  /** This node's summariser. */
  public static RepeatedFailures of(Vertx vertx) {
    LocalMap<String, RepeatedFailures> map = vertx.sharedData().getLocalMap("parley.logging");
    return map.computeIfAbsent("repeated-failures", k -> new RepeatedFailures(vertx));
  }

  /**
   * Reports one failure where no Vert.x instance is at hand: through the node's summariser when
   * the caller runs on a Vert.x context, else logged as it is.
   */
  public static void reportHere(Logger log, Level level, String kind, String message, Throwable stackTrace) {
    Context context = Vertx.currentContext();
    if (context != null) {
      of(context.owner()).report(log, level, kind, message, stackTrace);
    } else {
      RequestIds.log(() -> log.atLevel(level).setCause(stackTrace).log(message));
    }
  }

  /**
   * One failure of a kind.
   *
   * @param kind       what the failures of this kind have in common, as the summary line says it
   * @param message    the line of the first one
   * @param stackTrace logged with the first one only, or null (an expected failure: none)
   */
  public void report(Logger log, Level level, String kind, String message, Throwable stackTrace) {
    Kind k = kinds.computeIfAbsent(kind, x -> new Kind());
    synchronized (k) {
      if (k.open) {
        k.more++;
        return;
      }
      k.open = true;
    }
    RequestIds.log(() -> log.atLevel(level).setCause(stackTrace).log(message));
    vertx.setPeriodic(INTERVAL_MS, timer -> {
      long more;
      synchronized (k) {
        more = k.more;
        k.more = 0;
        if (more == 0) {
          k.open = false;
          vertx.cancelTimer(timer);
        }
      }
      if (more > 0) log.atLevel(level).log("… and {} more like it in the last {} s: {}", more, INTERVAL_MS / 1000, kind);
    });
  }
}
