package dev.parley.outbound;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The special-purpose address check on the first URL: a loopback server is reached only when the
 * operator allows it (or the request skips the check), however the URL writes its address.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class OutboundTargetCheckTest {
  private LocalServer server;

  @BeforeEach
  void startServer(Vertx vertx, VertxTestContext ctx) {
    LocalServer.start(vertx, req -> req.response().end("reached " + req.getHeader("Host")))
      .onComplete(ctx.succeeding(started -> {
        server = started;
        ctx.completeNow();
      }));
  }

  private static OutboundHttp http(Vertx vertx, AllowedTargets allowed) {
    return new OutboundHttp(vertx, allowed, false, "parley-test", 4);
  }

  /**
   * Loopback written as a dotted quad, a single decimal number, hexadecimal, an IPv4-mapped IPv6
   * literal and a name. Java reads the decimal form as 127.0.0.1 and refuses the check; it cannot
   * resolve the hexadecimal one at all. Either way nothing reaches the server.
   */
  @Test
  void loopbackInEveryNotationIsRefusedWithoutAnAllowance(Vertx vertx, VertxTestContext ctx) {
    int port = server.port();
    List<String> urls = List.of("http://127.0.0.1:" + port + "/", "http://2130706433:" + port + "/",
      "http://0x7f000001:" + port + "/", "http://[::ffff:127.0.0.1]:" + port + "/", "http://localhost:" + port + "/");
    OutboundHttp http = http(vertx, AllowedTargets.none());
    Future.all(urls.stream().map(url -> LocalServer.failureOf(http.send(OutboundRequest.get(url).build()))).toList())
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        for (int i = 0; i < urls.size(); i++) {
          Throwable failure = all.resultAt(i);
          assertThat(failure).as(urls.get(i)).isInstanceOfAny(RefusedTargetException.class, UnknownHostException.class);
        }
        assertThat((Throwable) all.resultAt(0)).hasMessageContaining("special-purpose");
        assertThat((Throwable) all.resultAt(1)).isInstanceOf(RefusedTargetException.class);
        // a name's refusal names the name, never the address it resolved to
        assertThat((Throwable) all.resultAt(4)).isInstanceOf(RefusedTargetException.class)
          .hasMessage("localhost resolves to a special-purpose address");
        assertThat(server.requests.get()).isZero();
        ctx.completeNow();
      })));
  }

  /** The same server is reachable, so the refusals above are the check's doing. */
  @Test
  void anAllowanceForThePortOrSkippingTheCheckReachesIt(Vertx vertx, VertxTestContext ctx) {
    int port = server.port();
    OutboundHttp allowed = http(vertx, AllowedTargets.parse("127.0.0.1:" + port));
    OutboundHttp otherPortOnly = http(vertx, AllowedTargets.parse("127.0.0.1:" + (port == 65535 ? 1 : port + 1)));
    Future.all(
        allowed.send(OutboundRequest.get("http://127.0.0.1:" + port + "/").build()),
        allowed.send(OutboundRequest.get("http://2130706433:" + port + "/").build()),
        otherPortOnly.send(OutboundRequest.get("http://127.0.0.1:" + port + "/").checkTarget(false).build()),
        LocalServer.failureOf(otherPortOnly.send(OutboundRequest.get("http://127.0.0.1:" + port + "/").build())))
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        assertThat(((OutboundResponse) all.resultAt(0)).body().toString()).isEqualTo("reached 127.0.0.1:" + port);
        // the Host header keeps the URL's spelling; the connection went to the address it was checked as
        assertThat(((OutboundResponse) all.resultAt(1)).body().toString()).isEqualTo("reached 2130706433:" + port);
        assertThat(((OutboundResponse) all.resultAt(2)).statusCode()).isEqualTo(200);
        assertThat((Throwable) all.resultAt(3)).isInstanceOf(RefusedTargetException.class);
        assertThat(server.requests.get()).isEqualTo(3);
        ctx.completeNow();
      })));
  }

  @Test
  void allowingEverySpecialPurposeAddressReachesIt(Vertx vertx, VertxTestContext ctx) {
    new OutboundHttp(vertx, AllowedTargets.none(), true, "parley-test", 4)
      .send(OutboundRequest.get("http://localhost:" + server.port() + "/").build())
      .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
        assertThat(response.body().toString()).isEqualTo("reached localhost:" + server.port());
        ctx.completeNow();
      })));
  }

  @Test
  void otherSchemesCredentialsAndNonUrlsAreRefused(Vertx vertx, VertxTestContext ctx) {
    int port = server.port();
    List<String> urls = List.of("ftp://127.0.0.1:" + port + "/", "file:///etc/passwd", "http://user:pw@127.0.0.1:" + port + "/",
      "http://127.0.0.1:" + port + "/a b", "/relative/only", "http://127.1:" + port + "/");
    // even with every special-purpose address allowed: these are refused for what they are
    OutboundHttp http = new OutboundHttp(vertx, AllowedTargets.none(), true, "parley-test", 4);
    Future.all(urls.stream().map(url -> LocalServer.failureOf(http.send(OutboundRequest.get(url).build()))).toList())
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        for (int i = 0; i < urls.size(); i++) {
          assertThat((Throwable) all.resultAt(i)).as(urls.get(i)).isInstanceOf(RefusedTargetException.class);
        }
        assertThat((Throwable) all.resultAt(2)).hasMessageContaining("credentials");
        assertThat(server.requests.get()).isZero();
        ctx.completeNow();
      })));
  }
}
