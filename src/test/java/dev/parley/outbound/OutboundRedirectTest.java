package dev.parley.outbound;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redirects, followed by hand: counted, every target checked (whatever the first URL's setting),
 * sensitive headers kept from every redirect, methods changed as HTTP says. Two servers on
 * 127.0.0.1 (a special-purpose address): "a", and "b" on another port, another origin.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class OutboundRedirectTest {
  private LocalServer a, b;
  /** The headers of the last request "a" got on /to-b, the first hop of the cross-origin redirect. */
  private final AtomicReference<MultiMap> firstHopHeaders = new AtomicReference<>();

  @BeforeEach
  void startServers(Vertx vertx, VertxTestContext ctx) {
    LocalServer.start(vertx, this::echo).compose(started -> {
      b = started;
      return LocalServer.start(vertx, this::serveA);
    }).onComplete(ctx.succeeding(started -> {
      a = started;
      ctx.completeNow();
    }));
  }

  private void serveA(HttpServerRequest req) {
    String path = req.path();
    if (path.startsWith("/hops/")) {
      int left = Integer.parseInt(path.substring("/hops/".length()));
      if (left == 0) req.response().end("arrived");
      else redirect(req, 302, "/hops/" + (left - 1));
    } else if (path.equals("/to-b")) {
      firstHopHeaders.set(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
      redirect(req, 302, b.url("/echo"));
    } else if (path.equals("/same")) {
      redirect(req, 302, "/echo");
    } else if (path.matches("/status/\\d+")) {
      // relative to /status/NNN: /status/echo
      redirect(req, Integer.parseInt(path.substring("/status/".length())), "echo");
    } else {
      echo(req);
    }
  }

  private static void redirect(HttpServerRequest req, int status, String location) {
    req.response().setStatusCode(status).putHeader("Location", location).end("moved");
  }

  /** Answers with what it got: the method, the body, and the headers the tests look for. */
  private void echo(HttpServerRequest req) {
    req.body().onSuccess(body -> req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
      .put("method", req.method().name())
      .put("body", body.toString())
      .put("contentType", req.getHeader("Content-Type"))
      .put("authorization", req.getHeader("Authorization"))
      .put("apiKey", req.getHeader("X-Api-Key"))
      .put("trace", req.getHeader("X-Trace"))
      .put("host", req.getHeader("Host"))
      .encode()));
  }

  private OutboundHttp http(Vertx vertx, String allowed) {
    return new OutboundHttp(vertx, AllowedTargets.parse(allowed), false, "parley-test", 4);
  }

  private String bothServers() {
    return "127.0.0.1:" + a.port() + ",127.0.0.1:" + b.port();
  }

  @Test
  void threeRedirectsAreFollowedWhenThreeAreAllowed(Vertx vertx, VertxTestContext ctx) {
    http(vertx, "127.0.0.1:" + a.port()).send(OutboundRequest.get(a.url("/hops/3")).maxRedirects(3).build())
      .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().toString()).isEqualTo("arrived");
        assertThat(response.finalUrl()).isEqualTo(a.url("/hops/0"));
        assertThat(a.requests.get()).isEqualTo(4);
        ctx.completeNow();
      })));
  }

  @Test
  void aFourthRedirectFailsWhenThreeAreAllowed(Vertx vertx, VertxTestContext ctx) {
    LocalServer.failureOf(http(vertx, "127.0.0.1:" + a.port())
        .send(OutboundRequest.get(a.url("/hops/4")).maxRedirects(3).build()))
      .onComplete(ctx.succeeding(failure -> ctx.verify(() -> {
        assertThat(failure).isInstanceOf(TooManyRedirectsException.class).hasMessageContaining("3");
        // /hops/4, 3, 2 and 1 were asked; the fourth redirect's target never was
        assertThat(a.requests.get()).isEqualTo(4);
        ctx.completeNow();
      })));
  }

  @Test
  void withoutRedirectsAllowedA3xxIsTheAnswer(Vertx vertx, VertxTestContext ctx) {
    http(vertx, "127.0.0.1:" + a.port()).send(OutboundRequest.get(a.url("/hops/1")).build())
      .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().get("Location")).isEqualTo("/hops/0");
        assertThat(response.body().toString()).isEqualTo("moved");
        assertThat(a.requests.get()).isEqualTo(1);
        ctx.completeNow();
      })));
  }

  @Test
  void aRedirectToASpecialPurposeAddressNotAllowedIsRefused(Vertx vertx, VertxTestContext ctx) {
    LocalServer.failureOf(http(vertx, "127.0.0.1:" + a.port())
        .send(OutboundRequest.get(a.url("/to-b")).maxRedirects(5).build()))
      .onComplete(ctx.succeeding(failure -> ctx.verify(() -> {
        assertThat(failure).isInstanceOf(RefusedTargetException.class).hasMessageContaining("special-purpose");
        assertThat(a.requests.get()).isEqualTo(1);
        assertThat(b.requests.get()).isZero();
        ctx.completeNow();
      })));
  }

  /** checkTarget=false trusts the first URL only: where the remote side redirects to is still checked. */
  @Test
  void redirectTargetsAreCheckedEvenWhenTheFirstUrlIsNot(Vertx vertx, VertxTestContext ctx) {
    LocalServer.failureOf(http(vertx, "").send(OutboundRequest.get(a.url("/to-b")).maxRedirects(5).checkTarget(false).build()))
      .onComplete(ctx.succeeding(failure -> ctx.verify(() -> {
        assertThat(failure).isInstanceOf(RefusedTargetException.class);
        assertThat(a.requests.get()).isEqualTo(1);
        assertThat(b.requests.get()).isZero();
        ctx.completeNow();
      })));
  }

  @Test
  void sensitiveHeadersGoToTheFirstUrlOnlyAndOtherHeadersFollow(Vertx vertx, VertxTestContext ctx) {
    OutboundHttp http = http(vertx, bothServers());
    OutboundRequest.Builder request = OutboundRequest.get(a.url("/to-b")).maxRedirects(2)
      .header("Authorization", "Bearer secret").sensitiveHeader("X-Api-Key", "key").header("X-Trace", "t1");
    Future.all(http.send(request.build()), http.send(request.url(a.url("/same")).build()))
      .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
        // the first hop, to "a", carried them
        assertThat(firstHopHeaders.get().get("Authorization")).isEqualTo("Bearer secret");
        assertThat(firstHopHeaders.get().get("X-Api-Key")).isEqualTo("key");

        OutboundResponse crossOrigin = both.resultAt(0);
        JsonObject atB = new JsonObject(crossOrigin.body());
        assertThat(crossOrigin.finalUrl()).isEqualTo(b.url("/echo"));
        assertThat(atB.getString("authorization")).isNull();
        assertThat(atB.getString("apiKey")).isNull();
        assertThat(atB.getString("trace")).isEqualTo("t1");
        // the Host header names the URL's host and port, the one the connection was pinned for
        assertThat(atB.getString("host")).isEqualTo("127.0.0.1:" + b.port());

        OutboundResponse sameOrigin = both.resultAt(1);
        JsonObject atA = new JsonObject(sameOrigin.body());
        assertThat(sameOrigin.finalUrl()).isEqualTo(a.url("/echo"));
        // a redirect to the same origin is the remote side's choice too: no credential follows it
        assertThat(atA.getString("authorization")).isNull();
        assertThat(atA.getString("apiKey")).isNull();
        assertThat(atA.getString("trace")).isEqualTo("t1");
        ctx.completeNow();
      })));
  }

  /** 301, 302 and 303 turn a POST into a GET without its body; 307 and 308 resend it as it was. */
  @Test
  void aPostIsRepeatedOnlyAfterA307OrA308(Vertx vertx, VertxTestContext ctx) {
    OutboundHttp http = http(vertx, "127.0.0.1:" + a.port());
    OutboundRequest.Builder post = OutboundRequest.builder(HttpMethod.POST, a.url("/"))
      .header("Content-Type", "text/plain").body(Buffer.buffer("hello")).maxRedirects(1);
    int[] statuses = {301, 302, 303, 307, 308};
    Future.all(java.util.Arrays.stream(statuses).mapToObj(s -> http.send(post.url(a.url("/status/" + s)).build())).toList())
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        for (int i = 0; i < statuses.length; i++) {
          OutboundResponse response = all.resultAt(i);
          JsonObject echoed = new JsonObject(response.body());
          boolean kept = statuses[i] >= 307;
          assertThat(response.finalUrl()).as("%d", statuses[i]).isEqualTo(a.url("/status/echo"));
          assertThat(echoed.getString("method")).as("%d", statuses[i]).isEqualTo(kept ? "POST" : "GET");
          assertThat(echoed.getString("body")).as("%d", statuses[i]).isEqualTo(kept ? "hello" : "");
          assertThat(echoed.getString("contentType")).as("%d", statuses[i]).isEqualTo(kept ? "text/plain" : null);
        }
        ctx.completeNow();
      })));
  }
}
