package dev.parley.outbound;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The total deadline: a server that keeps the connection busy with one byte every half second,
 * forever, defeats any idle timeout; the deadline still cuts it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class OutboundDeadlineTest {
  private static final long DEADLINE_MILLIS = 2_000;
  /** Timer and scheduling slack allowed past the deadline. */
  private static final long MARGIN_MILLIS = 750;

  /** How an exchange ended, and when, counted from its start. */
  private record Outcome(Throwable failure, long elapsedMillis) {}

  /** Starts a response and then sends one byte every 500 ms until the connection closes. */
  private static void drip(HttpServerResponse response, AtomicInteger dripped, Vertx vertx) {
    response.setChunked(true).putHeader("Content-Type", "text/plain").write("x");
    long timer = vertx.setPeriodic(500, t -> response.write("x").onSuccess(v -> dripped.incrementAndGet()));
    response.closeHandler(v -> vertx.cancelTimer(timer));
  }

  @Test
  void aDrippingServerIsCutAtTheDeadline(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger dripped = new AtomicInteger();
    OutboundHttp http = new OutboundHttp(vertx, AllowedTargets.parse("127.0.0.1"), false, "parley-test", 4);
    LocalServer.start(vertx, req -> drip(req.response(), dripped, vertx)).compose(server -> {
      long started = System.nanoTime();
      OutboundRequest request = OutboundRequest.get(server.url("/drip")).deadlineMillis(DEADLINE_MILLIS).build();
      return LocalServer.failureOf(http.send(request))
        .map(failure -> new Outcome(failure, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)))
        // and the server sees its connection closed: the drip is over, not just ignored
        .compose(outcome -> server.connectionClosed.future().map(outcome));
    }).onComplete(ctx.succeeding(outcome -> ctx.verify(() -> {
      assertThat(outcome.failure()).isInstanceOf(DeadlineExceededException.class)
        .hasMessageContaining(DEADLINE_MILLIS + " ms");
      assertThat(outcome.elapsedMillis()).isBetween(DEADLINE_MILLIS, DEADLINE_MILLIS + MARGIN_MILLIS);
      // the server was still dripping when it was cut (so it was a drip, not a silence, that was cut)
      assertThat(dripped.get()).isGreaterThanOrEqualTo(2);
      ctx.completeNow();
    })));
  }

  /** The same deadline when streaming: the sink gets the drip's bytes, and the exchange is still cut. */
  @Test
  void aDrippingServerIsCutAtTheDeadlineWhileStreaming(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger dripped = new AtomicInteger(), sunk = new AtomicInteger();
    OutboundHttp http = new OutboundHttp(vertx, AllowedTargets.parse("127.0.0.1"), false, "parley-test", 4);
    LocalServer.start(vertx, req -> drip(req.response(), dripped, vertx)).compose(server -> {
      long started = System.nanoTime();
      OutboundRequest request = OutboundRequest.get(server.url("/drip")).deadlineMillis(DEADLINE_MILLIS).build();
      return LocalServer.failureOf(http.stream(request, chunk -> {
          sunk.addAndGet(chunk.length());
          return Future.<Void>succeededFuture();
        }))
        .map(failure -> new Outcome(failure, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
    }).onComplete(ctx.succeeding(outcome -> ctx.verify(() -> {
      assertThat(outcome.failure()).isInstanceOf(DeadlineExceededException.class);
      assertThat(outcome.elapsedMillis()).isBetween(DEADLINE_MILLIS, DEADLINE_MILLIS + MARGIN_MILLIS);
      assertThat(sunk.get()).isGreaterThanOrEqualTo(2);
      ctx.completeNow();
    })));
  }
}
