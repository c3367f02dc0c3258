package dev.parley.outbound;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The response body limit: past it the exchange fails and the connection is reset at once, so
 * the server sees it closed long before it could write what it meant to.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class OutboundBodyLimitTest {
  private static final int LIMIT = 64 * 1024;
  /** What the servers mean to send: far more than the limit, and than the socket buffers hold. */
  private static final long HUGE = 256L * 1024 * 1024;
  private static final Buffer CHUNK = Buffer.buffer(new byte[16 * 1024]);

  private static OutboundHttp http(Vertx vertx) {
    return new OutboundHttp(vertx, AllowedTargets.parse("127.0.0.1"), false, "parley-test", 4);
  }

  private static OutboundRequest get(String url) {
    return OutboundRequest.get(url).maxBodyBytes(LIMIT).deadlineMillis(15_000).build();
  }

  @Test
  void aDeclaredLengthPastTheLimitFailsAndTheServerSeesTheConnectionClosed(Vertx vertx, VertxTestContext ctx) {
    AtomicLong written = new AtomicLong();
    LocalServer.start(vertx, req -> {
      req.response().putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(HUGE));
      LocalServer.writeRepeatedly(req.response(), CHUNK, HUGE, written);
    }).compose(server -> LocalServer.failureOf(http(vertx).send(get(server.url("/big"))))
        .compose(failure -> server.connectionClosed.future().map(failure)))
      .onComplete(ctx.succeeding(failure -> ctx.verify(() -> {
        assertThat(failure).isInstanceOf(ResponseTooLargeException.class).hasMessageContaining(String.valueOf(LIMIT));
        assertThat(written.get()).isLessThan(HUGE);
        ctx.completeNow();
      })));
  }

  @Test
  void aChunkedBodyPastTheLimitFailsAndTheServerSeesTheConnectionClosed(Vertx vertx, VertxTestContext ctx) {
    AtomicLong written = new AtomicLong();
    LocalServer.start(vertx, req -> {
      req.response().setChunked(true);
      LocalServer.writeRepeatedly(req.response(), CHUNK, HUGE, written);
    }).compose(server -> LocalServer.failureOf(http(vertx).send(get(server.url("/big"))))
        .compose(failure -> server.connectionClosed.future().map(failure)))
      .onComplete(ctx.succeeding(failure -> ctx.verify(() -> {
        assertThat(failure).isInstanceOf(ResponseTooLargeException.class);
        // cut after the limit, not after the server was done: a client that read on would see all of HUGE
        assertThat(written.get()).isLessThan(HUGE);
        ctx.completeNow();
      })));
  }

  /** The limit is the most allowed, not the first refused, whether the length is declared or counted. */
  @Test
  void aBodyOfExactlyTheLimitIsRead(Vertx vertx, VertxTestContext ctx) {
    Buffer exactly = Buffer.buffer(new byte[LIMIT]);
    LocalServer.start(vertx, req -> {
      if (req.path().equals("/chunked")) req.response().setChunked(true);
      req.response().end(exactly);
    }).compose(server -> {
      OutboundHttp http = http(vertx);
      return Future.all(http.send(get(server.url("/declared"))), http.send(get(server.url("/chunked"))));
    }).onComplete(ctx.succeeding(both -> ctx.verify(() -> {
      for (int i = 0; i < 2; i++) {
        OutboundResponse response = both.resultAt(i);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().length()).isEqualTo(LIMIT);
        assertThat(response.bytes()).isEqualTo(LIMIT);
      }
      ctx.completeNow();
    })));
  }
}
