package dev.parley.outbound;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** A real Vert.x HTTP server on 127.0.0.1 and a free port, counting the requests it gets. */
final class LocalServer {
  final AtomicInteger requests = new AtomicInteger();
  /** Completed when a connection this server accepted is closed (by either side). */
  final Promise<Void> connectionClosed = Promise.promise();
  private HttpServer server;

  private LocalServer() {}

  static Future<LocalServer> start(Vertx vertx, Handler<HttpServerRequest> handler) {
    LocalServer local = new LocalServer();
    return vertx.createHttpServer()
      .requestHandler(req -> {
        local.requests.incrementAndGet();
        req.connection().closeHandler(v -> local.connectionClosed.tryComplete());
        handler.handle(req);
      })
      .listen(0, "127.0.0.1")
      .map(server -> {
        local.server = server;
        return local;
      });
  }

  int port() {
    return server.actualPort();
  }

  String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /**
   * Writes {@code chunk} again and again, each write after the last one reached the socket (so the
   * client's reading paces it), until {@code total} bytes are out or the connection closes;
   * {@code written} counts what went out.
   */
  static void writeRepeatedly(HttpServerResponse response, Buffer chunk, long total, AtomicLong written) {
    if (written.get() >= total) {
      response.end();
      return;
    }
    response.write(chunk).onSuccess(v -> {
      written.addAndGet(chunk.length());
      writeRepeatedly(response, chunk, total, written);
    });
  }

  /** A failed future's cause as a success, or a failure saying a failure was expected. */
  static <T> Future<Throwable> failureOf(Future<T> future) {
    return future.transform(ar -> ar.failed() ? Future.succeededFuture(ar.cause())
      : Future.failedFuture(new AssertionError("expected a failure, got " + ar.result())));
  }
}
