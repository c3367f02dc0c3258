package dev.parley.outbound;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
 * Streaming a body to a slow sink: every byte arrives, in order, and the response waits for the
 * sink, so what is held at once stays bounded however large the body.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class OutboundStreamTest {
  private static final int BODY_BYTES = 5 * 1024 * 1024;
  private static final int SERVER_CHUNK = 64 * 1024;
  /**
   * Handed to the sink and not yet acknowledged, at most. Vert.x hands a body over in chunks of at
   * most 8 KiB (HttpClientOptions maxChunkSize); a response that did not wait for the sink would
   * have it hold megabytes. (The kernel's socket buffers, outside the JVM, are not counted.)
   */
  private static final long MAX_UNACKNOWLEDGED = 64 * 1024;

  /** The body's byte at an offset: a pattern that shows a lost, repeated or swapped chunk. */
  private static byte expected(long offset) {
    return (byte) (offset % 251);
  }

  /** Sends BODY_BYTES of the pattern, chunked, each write after the last one reached the socket. */
  private static void sendPattern(HttpServerResponse response, long offset) {
    if (offset >= BODY_BYTES) {
      response.end();
      return;
    }
    int length = (int) Math.min(SERVER_CHUNK, BODY_BYTES - offset);
    byte[] chunk = new byte[length];
    for (int i = 0; i < length; i++) chunk[i] = expected(offset + i);
    response.write(Buffer.buffer(chunk)).onSuccess(v -> sendPattern(response, offset + length));
  }

  /**
   * A sink that works through its chunks one at a time, a timer tick each, as a file or an upload
   * would: it acknowledges a chunk once the ones before it are done. Handed chunks faster than
   * that, it would hold them all; it counts what it holds at most.
   */
  private static final class SlowSink {
    private final Vertx vertx;
    private Future<Void> queue = Future.succeededFuture();
    long received, acknowledged, maxUnacknowledged;
    long firstWrongOffset = -1;

    SlowSink(Vertx vertx) {
      this.vertx = vertx;
    }

    Future<Void> accept(Buffer chunk) {
      for (int i = 0; i < chunk.length(); i++) {
        if (firstWrongOffset < 0 && chunk.getByte(i) != expected(received + i)) firstWrongOffset = received + i;
      }
      received += chunk.length();
      maxUnacknowledged = Math.max(maxUnacknowledged, received - acknowledged);
      queue = queue.compose(v -> {
        Promise<Void> done = Promise.promise();
        vertx.setTimer(1, t -> {
          acknowledged += chunk.length();
          done.complete();
        });
        return done.future();
      });
      return queue;
    }
  }

  @Test
  void aLargeBodyReachesASlowSinkInOrderWithBoundedBuffering(Vertx vertx, VertxTestContext ctx) {
    SlowSink sink = new SlowSink(vertx);
    OutboundHttp http = new OutboundHttp(vertx, AllowedTargets.parse("127.0.0.1"), false, "parley-test", 4);
    LocalServer.start(vertx, req -> {
      req.response().setChunked(true);
      sendPattern(req.response(), 0);
    }).compose(server -> http.stream(OutboundRequest.get(server.url("/recording")).maxBodyBytes(BODY_BYTES).build(),
        sink::accept))
      .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
        // the response waited for the sink: it never held more than about a chunk
        assertThat(sink.maxUnacknowledged).isLessThanOrEqualTo(MAX_UNACKNOWLEDGED);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isNull();
        assertThat(response.bytes()).isEqualTo(BODY_BYTES);
        assertThat(sink.received).isEqualTo(BODY_BYTES);
        // the exchange ends only once the sink has acknowledged the last chunk
        assertThat(sink.acknowledged).isEqualTo(BODY_BYTES);
        assertThat(sink.firstWrongOffset).as("first byte out of order").isEqualTo(-1);
        ctx.completeNow();
      })));
  }

  @Test
  void aNon2xxAnswerIsReadIntoMemoryAndNotStreamed(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger sinkCalls = new AtomicInteger();
    OutboundHttp http = new OutboundHttp(vertx, AllowedTargets.parse("127.0.0.1"), false, "parley-test", 4);
    LocalServer.start(vertx, req -> req.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("no such recording"))
      .compose(server -> http.stream(OutboundRequest.get(server.url("/recording")).build(), chunk -> {
        sinkCalls.incrementAndGet();
        return Future.succeededFuture();
      }))
      .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.contentType()).isEqualTo("text/plain");
        assertThat(response.body().toString()).isEqualTo("no such recording");
        assertThat(sinkCalls.get()).isZero();
        ctx.completeNow();
      })));
  }

  @Test
  void aStreamedBodyPastTheLimitFailsAndResetsTheConnection(Vertx vertx, VertxTestContext ctx) {
    SlowSink sink = new SlowSink(vertx);
    OutboundHttp http = new OutboundHttp(vertx, AllowedTargets.parse("127.0.0.1"), false, "parley-test", 4);
    LocalServer.start(vertx, req -> {
      req.response().setChunked(true);
      sendPattern(req.response(), 0);
    }).compose(server -> LocalServer.failureOf(http.stream(
        OutboundRequest.get(server.url("/recording")).maxBodyBytes(BODY_BYTES / 2).build(), sink::accept))
      .compose(failure -> server.connectionClosed.future().map(failure)))
      .onComplete(ctx.succeeding(failure -> ctx.verify(() -> {
        assertThat(failure).isInstanceOf(ResponseTooLargeException.class);
        // the sink got no more than the limit
        assertThat(sink.received).isLessThanOrEqualTo(BODY_BYTES / 2);
        ctx.completeNow();
      })));
  }

  /** A sink that cannot take the body (a full disk, a failed upload) ends the exchange and its connection. */
  @Test
  void aSinkFailureFailsTheExchangeAndResetsTheConnection(Vertx vertx, VertxTestContext ctx) {
    IllegalStateException diskFull = new IllegalStateException("disk full");
    OutboundHttp http = new OutboundHttp(vertx, AllowedTargets.parse("127.0.0.1"), false, "parley-test", 4);
    LocalServer.start(vertx, req -> {
      req.response().setChunked(true);
      sendPattern(req.response(), 0);
    }).compose(server -> LocalServer.failureOf(http.stream(OutboundRequest.get(server.url("/recording")).build(),
        chunk -> Future.failedFuture(diskFull)))
      .compose(failure -> server.connectionClosed.future().map(failure)))
      .onComplete(ctx.succeeding(failure -> ctx.verify(() -> {
        assertThat(failure).isSameAs(diskFull);
        ctx.completeNow();
      })));
  }
}
