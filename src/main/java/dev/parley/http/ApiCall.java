package dev.parley.http;

import dev.parley.auth.Principal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;

/**
 * One authenticated, authorised and validated API request, as the operation handlers see it.
 *
 * @param companyId the company the request acts in (the key's own, or an ATS key's companyId); null
 *                  for operations outside a company
 */
record ApiCall(RoutingContext ctx, Principal principal, String companyId, ValidatedRequest request, JsonObject body) {

  String path(String name) {
    RequestParameter p = request.getPathParameters().get(name);
    return p == null || p.isNull() ? null : String.valueOf(p.get());
  }

  String query(String name) {
    RequestParameter p = request.getQuery().get(name);
    return p == null || p.isNull() ? null : String.valueOf(p.get());
  }

  Integer queryInt(String name) {
    RequestParameter p = request.getQuery().get(name);
    if (p == null || p.isNull()) return null;
    Object v = p.get();
    return v instanceof Number n ? n.intValue() : Integer.valueOf(v.toString());
  }

  /**
   * The bus request body of operations outside one company (companies, webhooks): who calls, as
   * the partner of an ATS key or the company of a company key.
   */
  JsonObject caller() {
    JsonObject c = principal.isPartner()
      ? new JsonObject().put("partnerId", principal.partnerId())
      : new JsonObject().put("companyId", principal.companyId());
    return c.put("keyId", principal.keyId());
  }

  /** The bus request body every tenant operation starts from. */
  JsonObject tenantRequest() {
    return new JsonObject().put("companyId", companyId).put("keyId", principal.keyId());
  }
}
