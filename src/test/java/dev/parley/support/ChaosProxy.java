package dev.parley.support;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy between a server under test and its PostgreSQL that can fail on command: cut (close
 * every connection and refuse new ones), stall (hold every byte in both directions, connections
 * open) and restore. Built on Vert.x's own TCP server and client.
 */
public final class ChaosProxy implements AutoCloseable {
  private enum Mode { PASS, CUT, STALL }

  private final Vertx vertx;
  private final NetServer server;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private volatile Mode mode = Mode.PASS;

  private ChaosProxy(Vertx vertx, String targetHost, int targetPort) {
    this.vertx = vertx;
    this.client = vertx.createNetClient();
    this.server = vertx.createNetServer().connectHandler(downstream -> {
      if (mode == Mode.CUT) {
        downstream.close();
        return;
      }
      downstream.pause();
      sockets.add(downstream);
      client.connect(targetPort, targetHost).onComplete(ar -> {
        if (ar.failed() || mode == Mode.CUT) {
          downstream.close();
          if (ar.succeeded()) ar.result().close();
          return;
        }
        NetSocket upstream = ar.result();
        sockets.add(upstream);
        pipe(downstream, upstream);
        pipe(upstream, downstream);
        if (mode == Mode.PASS) {
          downstream.resume();
        } else {
          upstream.pause();
        }
      });
    });
  }

  private void pipe(NetSocket from, NetSocket to) {
    from.handler(to::write);
    from.closeHandler(v -> {
      sockets.remove(from);
      to.close();
    });
  }

  /** A proxy on a free loopback port in front of {@code targetHost:targetPort}. */
  public static ChaosProxy start(Vertx vertx, String targetHost, int targetPort) throws Exception {
    ChaosProxy proxy = new ChaosProxy(vertx, targetHost, targetPort);
    proxy.server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return proxy;
  }

  public int port() {
    return server.actualPort();
  }

  /** PostgreSQL goes away: every connection is closed, and new ones are refused. */
  public void cut() {
    mode = Mode.CUT;
    for (NetSocket s : sockets) s.close();
  }

  /** PostgreSQL stops answering: connections stay open, and no byte moves either way. */
  public void stall() {
    mode = Mode.STALL;
    for (NetSocket s : sockets) s.pause();
  }

  /** PostgreSQL is back: new connections are accepted, and stalled ones move again. */
  public void restore() {
    mode = Mode.PASS;
    for (NetSocket s : sockets) s.resume();
  }

  @Override
  public void close() throws Exception {
    cut();
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    client.close();
  }
}
