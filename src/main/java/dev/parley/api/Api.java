package dev.parley.api;

import dev.parley.auth.Authenticator;
import dev.parley.auth.Principal;
import dev.parley.bus.Bus;
import dev.parley.client.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.common.RateLimit;
import dev.parley.config.ParleyConfig;
import dev.parley.ratelimit.RateDecision;
import dev.parley.ratelimit.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import dev.parley.logging.RepeatedFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The API operations behind both transports: HTTP and the public event-bus API call the same
 * pipeline, so authentication, rate limits, tenant rules, validation and error codes cannot differ.
 * Operations come from the OpenAPI document, where each names its scope ({@code x-parley-scope})
 * and whether it acts inside one company ({@code x-parley-tenant}). The pipeline's order is the
 * error order of SPEC section 3:
 * <ol>
 *   <li>authenticate the credential (401),</li>
 *   <li>take one request from the credential's rate-limit budget (429),</li>
 *   <li>find the company: an ATS key must name it with companyId (400),</li>
 *   <li>check the scope (403),</li>
 *   <li>validate against the OpenAPI document (400 INVALID_ID, VALIDATION_FAILED),</li>
 *   <li>check an ATS key reaches the company (403),</li>
 *   <li>run the operation, whose store answers 404 and then 403 for another company's resource.</li>
 * </ol>
 * One instance per verticle instance (the validator is not shared between event loops).
 */
public final class Api {
  /** An operation of the document with what the pipeline needs to know about it. */
  private record Spec(io.vertx.openapi.contract.Operation contract, String scope, boolean tenant, Operation handler) {}

  private static final Logger LOG = LoggerFactory.getLogger(Api.class);
  /** How long a request waits for its rate-limit decision before it passes without one. */
  static final long LIMITER_TIMEOUT_MS = 2_000;

  private final Authenticator authenticator;
  private final RateLimiter limiter;
  private final AuthFailures authFailures;
  private final RateLimit defaultLimit;
  private final RequestValidation validation;
  private final Map<String, Spec> specs = new HashMap<>();
  private final RepeatedFailures failures;

  public Api(Vertx vertx, ParleyConfig config, OpenAPIContract contract, Authenticator authenticator,
             RateLimiter limiter, RateLimit defaultLimit, AuthFailures authFailures) {
    this.authenticator = authenticator;
    this.authFailures = authFailures;
    this.limiter = limiter;
    this.defaultLimit = defaultLimit;
    this.validation = new RequestValidation(vertx, contract);
    this.failures = RepeatedFailures.of(vertx);
    Map<String, Operation> handlers = new HashMap<>();
    new InterviewApi(vertx, config).register(handlers);
    new DirectoryApi(vertx, config).register(handlers);
    new CompanyApi(vertx).register(handlers);
    new WebhookApi(vertx, config).register(handlers);
    for (io.vertx.openapi.contract.Operation op : contract.operations()) {
      Operation handler = handlers.get(op.getOperationId());
      if (handler == null) continue; // operations endpoints and provider callbacks: served by HTTP alone
      specs.put(op.getOperationId(), new Spec(op, (String) op.getExtensions().get("x-parley-scope"),
        Boolean.TRUE.equals(op.getExtensions().get("x-parley-tenant")), handler));
    }
    handlers.keySet().removeAll(specs.keySet());
    if (!handlers.isEmpty()) throw new IllegalStateException("operations missing from the OpenAPI document: " + handlers.keySet());
  }

  /** The operationIds this pipeline serves: every credentialed operation of the document. */
  public Set<String> operationIds() {
    return Collections.unmodifiableSet(specs.keySet());
  }

  /**
   * Runs one request through the pipeline; the failure is the {@link ParleyException} to answer.
   * A request answered UNAVAILABLE is logged, summarised with those like it ({@link RepeatedFailures}):
   * the database being away is said once by {@link dev.parley.db.DatabaseHealth}, and a line here
   * tells how many requests it cost.
   */
  public Future<Reply> call(String operationId, ApiRequest request) {
    return run(operationId, request).recover(failure -> {
      ParleyException answer = Bus.toParley(failure);
      if (answer.code == ErrorCode.UNAVAILABLE) {
        String kind = "requests answered " + answer.code.httpStatus + " " + answer.code + " (" + answer.getMessage() + ")";
        failures.report(LOG, Level.WARN, kind, "Request " + operationId + " answered " + answer.code.httpStatus + " " + answer.code
          + ": " + answer.getMessage(), null);
      }
      return Future.failedFuture(answer);
    });
  }

  private Future<Reply> run(String operationId, ApiRequest request) {
    Spec spec = specs.get(operationId);
    if (spec == null) return Future.failedFuture(new ParleyException(ErrorCode.RESOURCE_NOT_FOUND, "No such operation"));
    String address = request.clientAddress();
    long blockedFor = authFailures.blockedSeconds(address);
    return authenticator.authenticate(request.authorization(), blockedFor == 0)
      .recover(failure -> authenticationFailed(address, blockedFor, failure))
      .compose(principal -> limit(principal, request).map(principal))
      .compose(principal -> {
        String companyId = spec.tenant() ? company(request, principal) : null;
        if (spec.scope() != null && !principal.has(spec.scope())) {
          throw new ParleyException(ErrorCode.INSUFFICIENT_PERMISSIONS, "Insufficient permissions: required scope " + spec.scope(),
            new JsonObject().put("requiredScope", spec.scope()));
        }
        if (request.malformed() != null) throw request.malformed();
        return validation.validate(request, spec.contract(), !principal.isPartner())
          .compose(validated -> reach(principal, companyId)
            .map(v -> new ApiCall(request, principal, companyId, validated.request(), validated.body())));
      })
      .compose(spec.handler()::handle);
  }

  /**
   * A credential that did not pass: counted against its client address's budget of failures; the
   * request itself is answered with its own failure. A request refused without a lookup (the
   * address is past its budget) is answered 429 with the seconds until the address may try again.
   */
  private Future<Principal> authenticationFailed(String address, long blockedFor, Throwable failure) {
    if (!(failure instanceof ParleyException refusal)) return Future.failedFuture(failure);
    if (refusal.code == ErrorCode.RATE_LIMITED) {
      return Future.failedFuture(new ParleyException(ErrorCode.RATE_LIMITED, "Too many failed authentications from this "
        + "address: retry after " + blockedFor + " s", new JsonObject().put("retryAfter", blockedFor).put("window", "authentication")));
    }
    // a known key that is suspended is no guess; an address already past its budget is not counted again
    if (refusal.code != ErrorCode.INVALID_API_KEY || blockedFor > 0) return Future.failedFuture(failure);
    Future<RateDecision> counted = authFailures.failed(address);
    if (!counted.isComplete()) counted = counted.timeout(LIMITER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    return counted.transform(ignored -> Future.failedFuture(failure));
  }

  /** One request from the credential's budget, shared by every node and both transports (SPEC section 4). */
  private Future<Void> limit(Principal principal, ApiRequest request) {
    RateLimit limit = principal.rateLimit() != null ? principal.rateLimit() : defaultLimit;
    if (limit.isUnlimited()) return Future.succeededFuture();
    Future<RateDecision> taken = limiter.take(principal.budgetKey(), limit);
    if (!taken.isComplete()) taken = taken.timeout(LIMITER_TIMEOUT_MS, TimeUnit.MILLISECONDS); // the local limiter answers at once
    return taken.recover(e -> {
      // The budget's store (Hazelcast) did not answer in time: the request passes rather than the
      // API going down with it, and the operator hears of it once, then a count per interval.
      failures.report(LOG, Level.WARN, "requests passed unlimited (rate limiter unavailable)",
        "rate limiter unavailable, requests pass unlimited meanwhile: " + e, null);
      return Future.succeededFuture(null);
    }).compose(decision -> {
      if (decision == null) return Future.succeededFuture();
      request.rate(decision);
      if (decision.allowed()) return Future.succeededFuture();
      return Future.failedFuture(new ParleyException(ErrorCode.RATE_LIMITED,
        "Rate limit exceeded: retry after " + decision.retryAfterSeconds() + " s", rateDetails(decision)));
    });
  }

  /**
   * The figures of a refused request, as InstaView's 429 body gives them (retryAfter, limit,
   * remaining, reset), for the spent window that resets last: the one retryAfter waits for.
   */
  private static JsonObject rateDetails(RateDecision d) {
    boolean minuteSpent = d.minuteLimit() > 0 && d.minuteRemaining() == 0;
    boolean hourSpent = d.hourLimit() > 0 && d.hourRemaining() == 0;
    boolean hour = hourSpent && (!minuteSpent || d.hourResetSeconds() > d.minuteResetSeconds());
    return new JsonObject().put("retryAfter", d.retryAfterSeconds())
      .put("limit", hour ? d.hourLimit() : d.minuteLimit())
      .put("remaining", 0)
      .put("reset", hour ? d.hourResetSeconds() : d.minuteResetSeconds())
      .put("window", hour ? "hour" : "minute");
  }

  /** The company a tenant operation acts in: the key's own, or the companyId an ATS key names. */
  private static String company(ApiRequest request, Principal principal) {
    if (!principal.isPartner()) return principal.companyId();
    String id = request.queryParams().get("companyId");
    if (id == null) id = request.queryParams().get("company_id");
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
}
