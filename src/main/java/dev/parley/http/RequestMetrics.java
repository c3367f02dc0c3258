package dev.parley.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code parley_http_requests_seconds}: every HTTP request by {@code operation} (the OpenAPI
 * operationId, or {@link #UNMATCHED} for a request no route took: 404, 405, and what the HTTP codec
 * could not read, 414 and 431), {@code method} and {@code status}, as a histogram with a dozen
 * fixed buckets so that quantiles can be taken across nodes. Every label has a bounded set of
 * values: a client's method is reported as {@code OTHER} unless it is a standard one.
 * <p>
 * This is on the path of every request: the timers of one operation are kept in an array by status
 * code, filled on first use, so a request costs a clock read, an end handler and one record; no
 * tag list is built per request. One instance per HTTP verticle instance, used on its event loop only.
 */
final class RequestMetrics {
  private static final String NAME = "parley.http.requests";
  private static final String UNMATCHED = "unmatched";
  /** Bucket bounds: from a cached read (about a millisecond) to the bus timeout (10 s) and beyond. */
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  private final MeterRegistry registry;

  RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The timers of one operation and method, by status code. */
  final class Timers {
    private final String operation;
    private final String method;
    private final Timer[] byStatus = new Timer[600];

    private Timers(String operation, String method) {
      this.operation = operation;
      this.method = method;
    }

    private void record(int status, long startedNanos) {
      int code = status >= 100 && status < 600 ? status : 0;
      Timer timer = byStatus[code];
      if (timer == null) {
        timer = Timer.builder(NAME).description("HTTP requests by OpenAPI operation, method and status")
          .tags("operation", operation, "method", method, "status", String.valueOf(code))
          .serviceLevelObjectives(BUCKETS).register(registry);
        byStatus[code] = timer;
      }
      timer.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * The first handler of an operation's routes: times the request until its response has gone out.
   * A platform handler, so that it may come before the body handler (and a body too large is timed too).
   */
  PlatformHandler timing(String operationId, HttpMethod method) {
    Timers timers = new Timers(operationId, method.name());
    return ctx -> {
      timeUntilEnd(ctx, timers);
      ctx.next();
    };
  }

  /** The handler of an operation's routes without a body: times the request, then hands it to {@code handler}. */
  Handler<RoutingContext> timed(String operationId, HttpMethod method, Handler<RoutingContext> handler) {
    Timers timers = new Timers(operationId, method.name());
    return ctx -> {
      timeUntilEnd(ctx, timers);
      handler.handle(ctx);
    };
  }

  /** Times a request no route took (from when the router gave up on it) until its answer has gone out. */
  void unmatched(RoutingContext ctx) {
    timeUntilEnd(ctx, unmatched(ctx.request().method()));
  }

  /**
   * Records a request the HTTP codec could not read, once its answer is written: it never reached
   * the router, and there is nothing to time but the answer.
   */
  void unreadable(HttpMethod method, int status, long startedNanos) {
    unmatched(method).record(status, startedNanos);
  }

  /**
   * Status 0: the connection closed before the answer went out. Whether the end handler is told of
   * a success says nothing here: on HTTP/2 it hears of the stream's close even after a full answer.
   */
  private static void timeUntilEnd(RoutingContext ctx, Timers timers) {
    long started = System.nanoTime();
    ctx.addEndHandler(ended -> timers.record(ctx.response().ended() ? ctx.response().getStatusCode() : 0, started));
  }

  /** The timers of requests no route took, one set per standard method (and one for the rest). */
  private final Map<String, Timers> unmatched = new HashMap<>();

  private Timers unmatched(HttpMethod method) {
    String name = METHODS.contains(method.name()) ? method.name() : "OTHER";
    return unmatched.computeIfAbsent(name, m -> new Timers(UNMATCHED, m));
  }
}
