package dev.parley.outbound;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The one client policy for requests to third parties (DESIGN "Outbound HTTP"): a total deadline,
 * a response body limit, redirects followed by hand and checked one by one, and the
 * special-purpose address check pinned to the connection.
 *
 * <p><b>Pinning.</b> The host is resolved once, on a worker ({@code InetAddress.getAllByName}
 * blocks). When the check applies, every address it resolves to must be an ordinary public one
 * (or one {@link AllowedTargets} lets through on that port), since a later lookup could pick any
 * of them. The request then goes to that checked address ({@link RequestOptions#setServer}),
 * while the Host header and TLS SNI stay the URL's host: the client never looks the name up
 * again, so a DNS server that answers differently the second time reaches nothing.
 *
 * <p><b>Deadline.</b> One timer covers the whole exchange. Vert.x's own timeouts are idle timeouts,
 * which a server dripping one byte a second never trips; when this timer fires, the request in
 * flight is reset (for HTTP/1.1 its connection is closed) and the exchange fails with
 * {@link DeadlineExceededException}.
 *
 * <p><b>Body limit.</b> A declared Content-Length past the limit fails the exchange before any of
 * the body is read; otherwise bytes are counted as they come, and the first chunk past the limit
 * resets the connection. No compressed encoding is asked for, so the bytes counted are the bytes
 * the caller gets.
 *
 * <p>Create one per verticle (it holds a connection pool; Vert.x closes it with the verticle) and
 * call it from that verticle's context. Each exchange runs on the context it was started from, so
 * nothing in it needs a lock and nothing blocks an event loop.
 */
public final class OutboundHttp {
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
  /** The headers that describe a request body, dropped with the body when a redirect turns the request into a GET. */
  private static final List<CharSequence> BODY_HEADERS = List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.CONTENT_LENGTH,
    HttpHeaders.CONTENT_ENCODING, HttpHeaders.TRANSFER_ENCODING);
  /**
   * The TCP connect timeout of the pool's connection attempts. Each request also bounds its wait
   * for a connection by what is left of its deadline; this bounds the attempt itself, which
   * carries on (and then serves the pool) when a request's deadline has cut its wait short.
   */
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final AllowedTargets allowedTargets;
  private final boolean allowAllSpecialPurpose;
  private final String userAgent;

  /**
   * @param allowedTargets special-purpose addresses (and ports) that may be reached anyway
   * @param allowAllSpecialPurpose no special-purpose check at all (the webhook-style "allow private"
   *   switch, for development and tests)
   * @param userAgent sent unless a request sets its own
   * @param maxConnectionsPerHost pooled connections kept per target (host and checked address)
   */
  public OutboundHttp(Vertx vertx, AllowedTargets allowedTargets, boolean allowAllSpecialPurpose, String userAgent,
                      int maxConnectionsPerHost) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.allowedTargets = Objects.requireNonNull(allowedTargets, "allowedTargets");
    this.allowAllSpecialPurpose = allowAllSpecialPurpose;
    this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
    this.client = vertx.httpClientBuilder()
      .with(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(CONNECT_TIMEOUT_MILLIS))
      .with(new PoolOptions().setHttp1MaxSize(maxConnectionsPerHost).setHttp2MaxSize(maxConnectionsPerHost))
      .build();
  }

  /**
   * Sends the request and reads the final response's body into memory.
   *
   * <p>Fails with {@link RefusedTargetException}, {@link ResponseTooLargeException},
   * {@link TooManyRedirectsException} or {@link DeadlineExceededException}, or with the network's
   * own failure (unknown host, connection refused or reset).
   */
  public Future<OutboundResponse> send(OutboundRequest request) {
    return exchange(request, null);
  }

  /**
   * Sends the request and hands a 2xx final response's body to {@code sink}, chunk by chunk: the
   * response is paused until the future the sink returned for a chunk completes, so what is held
   * in memory is one chunk plus the socket buffers, whatever the body's size. The result's body is
   * null. A non-2xx final response is not streamed: its body (within the limit) is in the result.
   * A sink's failure fails the exchange and resets the connection.
   */
  public Future<OutboundResponse> stream(OutboundRequest request, Function<Buffer, Future<Void>> sink) {
    return exchange(request, Objects.requireNonNull(sink, "sink"));
  }

  /** Closes the connection pool. */
  public Future<Void> close() {
    return client.close();
  }

  private Future<OutboundResponse> exchange(OutboundRequest request, Function<Buffer, Future<Void>> sink) {
    Context context = vertx.getOrCreateContext();
    Exchange exchange = new Exchange(context, request, sink);
    context.runOnContext(v -> exchange.start());
    return exchange.result.future();
  }

  /** Why a URL cannot be requested at all, or null. The reasons are safe to show a tenant. */
  private static String unusable(URI target) {
    String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) return "only http and https URLs can be requested";
    if (target.getRawUserInfo() != null) return "a URL must not carry credentials";
    if (target.getHost() == null || target.getHost().isBlank()) return "the URL has no host";
    return null;
  }

  private static boolean tls(URI target) {
    return target.getScheme().equalsIgnoreCase("https");
  }

  private static int port(URI target) {
    return target.getPort() > 0 ? target.getPort() : tls(target) ? 443 : 80;
  }

  /** The host to look up: an IPv6 literal without the brackets a URL writes it in. */
  private static String lookupHost(URI target) {
    String host = target.getHost();
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** The request target: the raw path (at least "/") and query; the fragment stays with the client. */
  private static String pathAndQuery(URI target) {
    String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
    return target.getRawQuery() == null ? path : path + "?" + target.getRawQuery();
  }

  private static long contentLength(HttpClientResponse response) {
    String declared = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared == null) return -1;
    try {
      return Long.parseLong(declared.trim());
    } catch (NumberFormatException e) {
      return -1; // not a length: the body is counted as it comes
    }
  }

  /**
   * Resolves a host (blocking: runs on a worker) and returns the address to connect to. When the
   * check applies, any special-purpose address among the answers, not allowed on this port,
   * refuses the target. The message names the host (which the URL gave) but never the address,
   * as it can reach a tenant and would map the internal network for them.
   */
  private InetAddress resolve(String host, int port, boolean check) throws UnknownHostException {
    InetAddress[] all = InetAddress.getAllByName(host); // a literal is parsed, not looked up
    if (check && !allowAllSpecialPurpose) {
      for (InetAddress a : all) {
        if (SpecialPurposeAddresses.blockOf(a) != null && !allowedTargets.allows(a, port)) {
          throw new RefusedTargetException(host + " resolves to a special-purpose address");
        }
      }
    }
    return all[0];
  }

  /**
   * One exchange: the hops of its redirects and the reading of the final body. Every callback runs
   * on {@link #context} (the timer, the lookup's result and the client's callbacks are bound to
   * it, the sink's acknowledgements are brought back to it), so its state needs no lock.
   */
  private final class Exchange {
    private final Context context;
    private final OutboundRequest request;
    private final Function<Buffer, Future<Void>> sink;
    private final Promise<OutboundResponse> result = Promise.promise();
    private final long startedNanos = System.nanoTime();
    /** The headers of the next hop: the caller's, less the sensitive ones after the first hop. */
    private final MultiMap headers;
    private HttpMethod method;
    private Buffer body;
    private int redirects;
    private long deadlineTimer;
    /** The request on the wire until its response has been read to the end: what a failure resets. */
    private HttpClientRequest inFlight;
    /** Body bytes of the current response so far. */
    private long received;
    private boolean finished;

    Exchange(Context context, OutboundRequest request, Function<Buffer, Future<Void>> sink) {
      this.context = context;
      this.request = request;
      this.sink = sink;
      this.headers = request.headers();
      this.method = request.method();
      this.body = request.body();
      if (!headers.contains(HttpHeaders.USER_AGENT)) headers.set(HttpHeaders.USER_AGENT, userAgent);
    }

    void start() {
      deadlineTimer = vertx.setTimer(request.deadlineMillis(), t -> fail(new DeadlineExceededException(request.deadlineMillis())));
      URI first;
      try {
        first = new URI(request.url());
      } catch (URISyntaxException e) {
        fail(new RefusedTargetException("not a valid URL"));
        return;
      }
      hop(first, request.checkTarget());
    }

    /** One request of the exchange: check the URL, resolve and check its host, then connect to the checked address. */
    private void hop(URI target, boolean check) {
      String refusal = unusable(target);
      if (refusal != null) {
        fail(new RefusedTargetException(refusal));
        return;
      }
      int port = port(target);
      vertx.executeBlocking(() -> resolve(lookupHost(target), port, check), false).onComplete(resolved -> {
        if (finished) return; // the deadline passed during the lookup
        if (resolved.failed()) fail(resolved.cause());
        else connect(target, resolved.result(), port);
      });
    }

    private void connect(URI target, InetAddress address, int port) {
      RequestOptions options = new RequestOptions()
        .setMethod(method)
        // host, port and path come from the URL parsed and checked here, not from a second parse
        .setHost(target.getHost())
        .setPort(port)
        .setSsl(tls(target))
        .setURI(pathAndQuery(target))
        // the checked address as a literal: no name left for the client to resolve
        .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
        .setFollowRedirects(false)
        .setConnectTimeout(Math.max(1, remainingMillis()))
        .setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(headers));
      client.request(options).onComplete(obtained -> {
        if (obtained.failed()) {
          // the wait for a connection is bounded by what was left of the deadline: when that ran
          // out first, the deadline is the reason, whichever of the two timers fired first
          fail(remainingMillis() <= 0 ? new DeadlineExceededException(request.deadlineMillis()) : obtained.cause());
          return;
        }
        HttpClientRequest req = obtained.result();
        if (finished) { // the deadline passed while waiting for a connection
          req.reset();
          return;
        }
        inFlight = req;
        (body == null ? req.send() : req.send(body)).onComplete(answered -> {
          if (finished) return;
          if (answered.failed()) fail(answered.cause());
          else answered(target, answered.result());
        });
      });
    }

    private void answered(URI target, HttpClientResponse response) {
      // set first: a reset reports to it, even one made before the body is read (or never is)
      response.exceptionHandler(this::fail);
      received = 0;
      String location = response.getHeader(HttpHeaders.LOCATION);
      if (request.maxRedirects() > 0 && REDIRECTS.contains(response.statusCode()) && location != null) {
        if (redirects == request.maxRedirects()) {
          fail(new TooManyRedirectsException(request.maxRedirects()));
          return;
        }
        URI next;
        try {
          // URI.resolve drops the slash of an empty base path ("http://a" + "b" gives "http://ab")
          URI base = target.getRawPath() == null || target.getRawPath().isEmpty() ? target.resolve("/") : target;
          next = base.resolve(new URI(location));
        } catch (URISyntaxException e) {
          fail(new RefusedTargetException("a redirect's Location is not a valid URL"));
          return;
        }
        // the redirect's body is read and dropped (within the limit), so its connection can serve again
        read(response, null, v -> follow(target, next, response.statusCode()));
        return;
      }
      if (sink != null && response.statusCode() / 100 == 2) {
        streamBody(target, response);
      } else {
        Buffer whole = Buffer.buffer();
        read(response, whole, v -> succeed(target, response, whole));
      }
    }

    private void follow(URI from, URI to, int status) {
      redirects++;
      // A credential is for the URL it was given for: a redirect's target, which the remote side
      // chose, gets none, on the same origin or another (Vapi's recording API answers with a 302 to
      // a presigned URL that needs no key). Once dropped they stay dropped.
      request.sensitiveHeaders().forEach(headers::remove);
      if (status != 307 && status != 308 && method != HttpMethod.GET && method != HttpMethod.HEAD) {
        // 301, 302 and 303 turn another method into a GET without a body; 307 and 308 keep both
        method = HttpMethod.GET;
        body = null;
        BODY_HEADERS.forEach(headers::remove);
      }
      // the remote side chose this target: it is always checked, whatever the first URL's setting
      hop(to, true);
    }

    /** False, after failing the exchange, when the declared length is already past the limit. */
    private boolean declaredWithinLimit(HttpClientResponse response) {
      // a HEAD answer declares the length of a body it does not carry
      if (method == HttpMethod.HEAD || contentLength(response) <= request.maxBodyBytes()) return true;
      fail(new ResponseTooLargeException(request.maxBodyBytes()));
      return false;
    }

    /** False, after failing the exchange, when this chunk took the body past the limit. */
    private boolean countWithinLimit(Buffer chunk) {
      received += chunk.length();
      if (received <= request.maxBodyBytes()) return true;
      fail(new ResponseTooLargeException(request.maxBodyBytes()));
      return false;
    }

    /** Reads a body to its end, within the limit, into {@code into} (or nowhere when null), then runs {@code then}. */
    private void read(HttpClientResponse response, Buffer into, Handler<Void> then) {
      if (!declaredWithinLimit(response)) return;
      response.handler(chunk -> {
        if (finished || !countWithinLimit(chunk)) return;
        if (into != null) into.appendBuffer(chunk);
      });
      response.endHandler(v -> {
        if (finished) return;
        inFlight = null; // read to the end: the connection is back in the pool, nothing to reset
        then.handle(null);
      });
    }

    /** Hands the body to the sink one chunk at a time, the response paused while the sink works on a chunk. */
    private void streamBody(URI target, HttpClientResponse response) {
      if (!declaredWithinLimit(response)) return;
      boolean[] sinking = {false}, ended = {false};
      response.handler(chunk -> {
        if (finished || !countWithinLimit(chunk)) return;
        response.pause();
        sinking[0] = true;
        Future<Void> acknowledged;
        try {
          acknowledged = sink.apply(chunk);
        } catch (RuntimeException e) {
          fail(e);
          return;
        }
        acknowledged.onComplete(ack -> onContext(() -> {
          if (finished) return;
          sinking[0] = false;
          if (ack.failed()) fail(ack.cause());
          else if (ended[0]) succeed(target, response, null);
          else response.resume();
        }));
      });
      response.endHandler(v -> {
        if (finished) return;
        inFlight = null;
        // the end can only come after the last chunk's acknowledgement while the response is
        // paused; should it come earlier, that acknowledgement completes the exchange
        ended[0] = true;
        if (!sinking[0]) succeed(target, response, null);
      });
    }

    /** Runs on the exchange's context: a sink may complete its future from anywhere. */
    private void onContext(Runnable action) {
      if (Vertx.currentContext() == context) action.run();
      else context.runOnContext(v -> action.run());
    }

    private long remainingMillis() {
      return request.deadlineMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    private void succeed(URI target, HttpClientResponse response, Buffer whole) {
      finished = true;
      vertx.cancelTimer(deadlineTimer);
      result.complete(new OutboundResponse(response.statusCode(), response.headers(), target.toString(), whole, received));
    }

    private void fail(Throwable cause) {
      if (finished) return;
      finished = true;
      vertx.cancelTimer(deadlineTimer);
      // HTTP/1.1 has no way to stop one response but closing its connection: reset does that, so
      // nothing more of a too-large or too-slow body is read, and the connection is not reused
      if (inFlight != null) inFlight.reset();
      result.fail(cause);
    }
  }
}
