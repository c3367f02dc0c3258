package dev.parley.api;

import dev.parley.auth.Principal;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;

/**
 * One authenticated, authorised and validated API request, as the operation handlers see it.
 *
 * @param source    the request as its transport handed it over (headers such as Idempotency-Key)
 * @param companyId the company the request acts in (the key's own, or an ATS key's companyId); null
 *                  for operations outside a company
 */
record ApiCall(ApiRequest source, Principal principal, String companyId, ValidatedRequest validated, JsonObject body) {

  String path(String name) {
    RequestParameter p = validated.getPathParameters().get(name);
    return p == null || p.isNull() ? null : String.valueOf(p.get());
  }

  String query(String name) {
    RequestParameter p = validated.getQuery().get(name);
    return p == null || p.isNull() ? null : String.valueOf(p.get());
  }

  Integer queryInt(String name) {
    RequestParameter p = validated.getQuery().get(name);
    if (p == null || p.isNull()) return null;
    Object v = p.get();
    return v instanceof Number n ? n.intValue() : Integer.valueOf(v.toString());
  }

  String header(String name) {
    return source.headers().get(name);
  }

  /**
   * The bus request body of operations outside one company (companies, webhooks): who calls, as
   * the partner of an ATS key or the company of a company key.
   */
  JsonObject caller() {
    JsonObject c = principal.isPartner()
      ? new JsonObject().put("partnerId", principal.partnerId())
      : new JsonObject().put("companyId", principal.companyId());
    return actor(c);
  }

  /** The bus request body every tenant operation starts from. */
  JsonObject tenantRequest() {
    return actor(new JsonObject().put("companyId", companyId));
  }

  /** Who acts, for the audit: the API key's ID, or the JWT's subject. */
  private JsonObject actor(JsonObject request) {
    return principal.kind() == Principal.Kind.API_KEY
      ? request.put("keyId", principal.keyId())
      : request.put("tokenSubject", principal.subject());
  }
}
