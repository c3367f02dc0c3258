package dev.parley.http;

import dev.parley.api.Api;
import dev.parley.api.Reply;
import dev.parley.bus.Bus;
import dev.parley.client.ErrorCode;
import dev.parley.calls.ProviderCallbacks;
import dev.parley.config.ParleyConfig;
import dev.parley.lifecycle.Draining;
import dev.parley.logging.RequestIds;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import dev.parley.bus.ParleyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.openapi.contract.OpenAPIContract;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The HTTP API: one instance per event loop. Routes come from the OpenAPI document; every
 * credentialed operation runs through {@link Api}, the pipeline the event-bus API runs too, and
 * the answer goes out in the envelope with the rate-limit headers. Operations endpoints and
 * provider callbacks are served here alone ({@link OpsApi}).
 */
public final class HttpVerticle extends VerticleBase {
  private final ParleyConfig config;
  private final OpenAPIContract contract;
  private final io.vertx.core.buffer.Buffer document;
  private final Supplier<Api> api;
  private final PrometheusMeterRegistry registry;
  private HttpServer server;
  /** The management listener (PARLEY_MANAGEMENT_PORT), or null. */
  private HttpServer management;
  /** What the management listener serves: the metrics and the health endpoints. */
  static final java.util.Set<String> MANAGEMENT_OPERATIONS = java.util.Set.of("getMetrics", "getLiveness", "getReadiness");

  public HttpVerticle(ParleyConfig config, OpenAPIContract contract, io.vertx.core.buffer.Buffer document,
                      Supplier<Api> api, PrometheusMeterRegistry registry) {
    this.config = config;
    this.contract = contract;
    this.document = document;
    this.api = api;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    Api operations = api.get();
    Router router = Router.router(vertx);
    Integer managementPort = config.managementPort();
    Router managementRouter = managementPort == null ? null : Router.router(vertx);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes());
    // the operations endpoints that take a body are the providers' callbacks: a platform's end-of-call
    // report carries the whole transcript of a long call
    BodyHandler providerBody = BodyHandler.create(false).setBodyLimit(config.providerEventMaxBytes());
    OpsApi ops = new OpsApi(vertx, document, registry, new ProviderCallbacks(vertx, config));
    RequestMetrics metrics = new RequestMetrics(registry);

    for (io.vertx.openapi.contract.Operation op : inDocumentOrder(contract, document)) {
      String path = op.getOpenAPIPath().replaceAll("\\{([^}]+)}", ":$1");
      List<String> paths = path.startsWith("/company")
        ? List.of(path, path.replaceFirst("^/company", "/companies")) // InstaView's guides say /companies
        : List.of(path);
      String operationId = op.getOperationId();
      if (!ops.serves(operationId) && !operations.operationIds().contains(operationId)) {
        return Future.failedFuture(new IllegalStateException("no handler for operation " + operationId));
      }
      Handler<RoutingContext> handler = ops.serves(operationId) ? ops.handler(operationId) : ctx -> {
        HttpApiRequest request = new HttpApiRequest(ctx);
        operations.call(operationId, request).onComplete(ar -> {
          if (request.rate() != null) request.rate().headers().forEach(ctx.response()::putHeader);
          if (ar.succeeded()) answer(ctx, ar.result());
          else Envelope.error(ctx, Bus.toParley(ar.cause()));
        });
      };
      // the timing first (a platform handler may precede the body handler), so a body too large is
      // timed too; without a body, one handler: the router matches a route's path again for each
      // of its handlers, and for a path with a parameter that is a regular expression each time
      PlatformHandler timing = op.getRequestBody() != null ? metrics.timing(operationId, op.getHttpMethod()) : null;
      Handler<RoutingContext> timed = timing == null ? metrics.timed(operationId, op.getHttpMethod(), handler) : null;
      if (managementRouter != null && MANAGEMENT_OPERATIONS.contains(operationId)) {
        for (String prefix : List.of("/v1", "")) managementRouter.route(op.getHttpMethod(), prefix + path).handler(handler);
        // the metrics leave the API's port; the health endpoints stay there too (load balancers probe it)
        if (operationId.equals("getMetrics")) continue;
      }
      for (String prefix : List.of("/v1", "")) for (String variant : paths) {
        Route route = router.route(op.getHttpMethod(), prefix + variant);
        if (timing != null) route.handler(timing).handler(ops.serves(operationId) ? providerBody : body).handler(handler);
        else route.handler(timed);
      }
    }
    router.route().failureHandler(HttpVerticle::failure);
    router.errorHandler(404, ctx -> {
      metrics.unmatched(ctx);
      Envelope.error(ctx, ErrorCode.RESOURCE_NOT_FOUND, "No such endpoint");
    });
    router.errorHandler(405, ctx -> {
      metrics.unmatched(ctx);
      Envelope.error(ctx, ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed on this endpoint");
    });

    Draining draining = Draining.of(vertx);
    server = vertx.createHttpServer(new HttpServerOptions().setPort(config.httpPort()).setHost(config.httpHost())
        // no WebSockets here: without these, every connection carries a WebSocket-extension handler
        // that looks at each request and response (about 1% of a GET's CPU in a profile)
        .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false))
      .invalidRequestHandler(request -> {
        long started = System.nanoTime();
        unreadable(request);
        metrics.unreadable(request.method(), request.response().getStatusCode(), started);
      })
      .requestHandler(request -> {
        // before the router, for every request and every answer, errors included: its id, on its own context
        requestId(request);
        if (draining.isDraining()) closeAfterAnswer(request);
        router.handle(request);
      });
    if (managementRouter == null) return server.listen();
    managementRouter.errorHandler(404, ctx -> Envelope.error(ctx, ErrorCode.RESOURCE_NOT_FOUND, "No such endpoint"));
    management = vertx.createHttpServer(new HttpServerOptions().setPort(managementPort).setHost(config.httpHost()))
      .requestHandler(request -> {
        requestId(request);
        managementRouter.handle(request);
      });
    return server.listen().compose(listening -> management.listen());
  }

  /**
   * The operations in the order the document lists their paths (the interviews first), each
   * path's methods as listed. The router tries its routes one after another, matching each path
   * with a parameter as a regular expression, so this order is what a request pays before its
   * route is found: about 8% of a GET's CPU in a profile, when the routes came in vertx-openapi's
   * hash order. No two paths of the document match the same URL, so the order changes which route
   * is tried first, never which one answers.
   */
  private static List<io.vertx.openapi.contract.Operation> inDocumentOrder(OpenAPIContract contract,
                                                                          io.vertx.core.buffer.Buffer document) {
    io.vertx.core.json.JsonObject byPath = new io.vertx.core.json.JsonObject(document).getJsonObject("paths");
    Map<String, Integer> rank = new HashMap<>();
    for (String path : byPath.fieldNames()) {
      for (String method : byPath.getJsonObject(path).fieldNames()) rank.put(method.toUpperCase(Locale.ROOT) + " " + path, rank.size());
    }
    List<io.vertx.openapi.contract.Operation> ordered = new ArrayList<>(contract.operations());
    ordered.sort(Comparator.comparingInt(op -> rank.getOrDefault(op.getHttpMethod().name() + " " + op.getOpenAPIPath(), Integer.MAX_VALUE)));
    return ordered;
  }

  /**
   * At shutdown, once the drain delay is over: no new connection is taken, the requests under way
   * are answered, then every connection closes; after the bound, whatever is left is cut.
   */
  @Override
  public Future<?> stop() {
    Future<Void> api = server == null ? Future.succeededFuture() : server.shutdown(config.shutdownTimeoutSeconds(), TimeUnit.SECONDS);
    return management == null ? api : Future.join(api, management.close());
  }

  /**
   * While the node drains it still answers, but closes each HTTP/1.x connection after its answer
   * (and says so, {@code Connection: close}), so that clients open their next connection to a node
   * that stays, and none is left idle here to be cut when the listener closes. HTTP/2 connections
   * are left alone until then: their way to say it is GOAWAY, which some clients (the JDK's
   * HttpClient of Java 17) take as the failure of the streams still in flight.
   */
  private void closeAfterAnswer(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2) return;
    request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    request.connection().shutdown(config.shutdownTimeoutSeconds(), TimeUnit.SECONDS);
  }

  /** The client's X-Request-Id when it is sane, else a new one: answered back, and on the log lines about the request. */
  private static void requestId(HttpServerRequest request) {
    String id = RequestIds.accept(request.getHeader(RequestIds.HTTP_HEADER));
    RequestIds.bind(id);
    request.response().putHeader(RequestIds.HTTP_HEADER, id);
  }

  private static void answer(RoutingContext ctx, Reply reply) {
    if (reply.binary() == null) {
      Envelope.ok(ctx, reply.status(), reply.dataJson());
    } else {
      ctx.response().putHeader("Content-Type", reply.contentType()).end(reply.binary());
    }
  }

  /**
   * A request the HTTP codec could not read (a URL or headers over its limits, a broken request
   * line): answered in the envelope too, and the connection closed, since what follows on it
   * cannot be trusted to start a request.
   */
  private static void unreadable(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ParleyException e = cause instanceof TooLongHttpLineException
      ? new ParleyException(ErrorCode.URI_TOO_LONG, "URL longer than " + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH + " characters")
      : cause instanceof TooLongHttpHeaderException
        ? new ParleyException(ErrorCode.HEADERS_TOO_LARGE, "Request headers larger than " + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE + " bytes")
        : new ParleyException(ErrorCode.VALIDATION_FAILED, "Malformed HTTP request");
    requestId(request);
    request.response().putHeader("Connection", "close");
    Envelope.error(request.response(), e);
  }

  private static void failure(RoutingContext ctx) {
    if (ctx.failure() != null) {
      Envelope.error(ctx, Bus.toParley(ctx.failure()));
      return;
    }
    switch (ctx.statusCode()) {
      case 413 -> Envelope.error(ctx, ErrorCode.PAYLOAD_TOO_LARGE, "Request body larger than allowed");
      case 404 -> Envelope.error(ctx, ErrorCode.RESOURCE_NOT_FOUND, "No such endpoint");
      case 400 -> Envelope.error(ctx, ErrorCode.VALIDATION_FAILED, "Bad request");
      default -> Envelope.error(ctx, ErrorCode.INTERNAL, "Internal error");
    }
  }
}
