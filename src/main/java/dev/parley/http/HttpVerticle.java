package dev.parley.http;

import dev.parley.auth.Authenticator;
import dev.parley.auth.Principal;
import dev.parley.bus.Bus;
import dev.parley.bus.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.config.ParleyConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.openapi.contract.OpenAPIContract;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP API: one instance per event loop. Routes come from the OpenAPI document, where each
 * operation names its scope ({@code x-parley-scope}) and whether it acts inside one company
 * ({@code x-parley-tenant}). Every request runs the same pipeline, whose order is the error order
 * of SPEC section 3:
 * <ol>
 *   <li>authenticate the credential (401),</li>
 *   <li>find the company: an ATS key must name it with companyId (400),</li>
 *   <li>check the scope (403),</li>
 *   <li>validate against the OpenAPI document (400 INVALID_ID, VALIDATION_FAILED),</li>
 *   <li>check an ATS key reaches the company (403),</li>
 *   <li>run the operation, whose store answers 404 and then 403 for another company's resource.</li>
 * </ol>
 * Rate limiting (cluster-wide, per key) will sit between steps 1 and 2.
 */
public final class HttpVerticle extends VerticleBase {
  private final ParleyConfig config;
  private final OpenAPIContract contract;
  private final io.vertx.core.buffer.Buffer document;
  private final Authenticator authenticator;
  private final PrometheusMeterRegistry registry;
  private RequestValidation validation;

  public HttpVerticle(ParleyConfig config, OpenAPIContract contract, io.vertx.core.buffer.Buffer document,
                      Authenticator authenticator, PrometheusMeterRegistry registry) {
    this.config = config;
    this.contract = contract;
    this.document = document;
    this.authenticator = authenticator;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    validation = new RequestValidation(vertx, contract);
    Router router = Router.router(vertx);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes());

    Map<String, Operation> operations = new HashMap<>();
    new InterviewApi(vertx).register(operations);
    new DirectoryApi(vertx).register(operations);
    new CompanyApi(vertx).register(operations);
    new WebhookApi(vertx, config).register(operations);
    OpsApi ops = new OpsApi(vertx, document, registry, new ProviderApi(vertx, config));

    for (io.vertx.openapi.contract.Operation op : contract.operations()) {
      String path = op.getOpenAPIPath().replaceAll("\\{([^}]+)}", ":$1");
      List<String> paths = path.startsWith("/company")
        ? List.of(path, path.replaceFirst("^/company", "/companies")) // InstaView's guides say /companies
        : List.of(path);
      for (String prefix : List.of("", "/v1")) for (String variant : paths) {
        Route route = router.route(op.getHttpMethod(), prefix + variant);
        if (ops.serves(op.getOperationId())) {
          if (op.getRequestBody() != null) route.handler(body);
          route.handler(ops.handler(op.getOperationId()));
          continue;
        }
        Operation operation = operations.get(op.getOperationId());
        if (operation == null) {
          return Future.failedFuture(new IllegalStateException("no handler for operation " + op.getOperationId()));
        }
        if (op.getRequestBody() != null) route.handler(body);
        String scope = (String) op.getExtensions().get("x-parley-scope");
        boolean tenant = Boolean.TRUE.equals(op.getExtensions().get("x-parley-tenant"));
        route.handler(ctx -> pipeline(ctx, op, scope, tenant, operation));
      }
    }
    router.route().failureHandler(HttpVerticle::failure);
    router.errorHandler(404, ctx -> Envelope.error(ctx, ErrorCode.RESOURCE_NOT_FOUND, "No such endpoint"));
    router.errorHandler(405, ctx -> Envelope.error(ctx, ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed on this endpoint"));

    return vertx.createHttpServer(new HttpServerOptions().setPort(config.httpPort()).setHost(config.httpHost()))
      .requestHandler(router)
      .listen();
  }

  private void pipeline(RoutingContext ctx, io.vertx.openapi.contract.Operation op, String scope, boolean tenant,
                        Operation operation) {
    authenticator.authenticate(ctx.request().getHeader("Authorization"))
      .compose(principal -> {
        String companyId = tenant ? company(ctx, principal) : null;
        if (scope != null && !principal.has(scope)) {
          throw new ParleyException(ErrorCode.INSUFFICIENT_PERMISSIONS, "Insufficient permissions: required scope " + scope,
            new JsonObject().put("requiredScope", scope));
        }
        return validation.validate(ctx, op, !principal.isPartner())
          .compose(validated -> reach(principal, companyId)
            .map(v -> new ApiCall(ctx, principal, companyId, validated.request(), validated.body())));
      })
      .compose(operation::handle)
      .onSuccess(reply -> {
        if (reply.binary() == null) {
          Envelope.ok(ctx, reply.status(), reply.dataJson());
        } else {
          ctx.response().putHeader("Content-Type", reply.contentType()).end(reply.binary());
        }
      })
      .onFailure(e -> Envelope.error(ctx, Bus.toParley(e)));
  }

  /** The company a tenant operation acts in: the key's own, or the companyId an ATS key names. */
  private static String company(RoutingContext ctx, Principal principal) {
    if (!principal.isPartner()) return principal.companyId();
    String id = ctx.request().getParam("companyId");
    if (id == null) id = ctx.request().getParam("company_id");
    if (id == null || id.isBlank()) {
      throw new ParleyException(ErrorCode.COMPANY_ID_REQUIRED, "An ATS key must name the company with the companyId query parameter");
    }
    return id;
  }

  /** An ATS key reaches only the companies its partner created; unknown companies look the same. */
  private Future<Void> reach(Principal principal, String companyId) {
    if (companyId == null || !principal.isPartner()) return Future.succeededFuture();
    return authenticator.partnerOwns(principal.partnerId(), companyId).compose(owns -> owns
      ? Future.succeededFuture()
      : Future.failedFuture(new ParleyException(ErrorCode.FORBIDDEN_COMPANY, "This key cannot reach company " + companyId)));
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
