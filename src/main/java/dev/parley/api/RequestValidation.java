package dev.parley.api;

import dev.parley.client.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.common.UuidText;
import dev.parley.rules.Rules;
import dev.parley.schedule.CallWindow;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidationContext;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Validates a request against the OpenAPI document with vertx-openapi, and turns what it rejects
 * into VALIDATION_FAILED with one {@code {field, message}} per problem (INVALID_ID when a path ID
 * or the companyId is not a UUID).
 */
public final class RequestValidation {
  record Validated(ValidatedRequest request, JsonObject body) {}

  private static final String JSON = "application/json";
  private static final Set<String> ID_PARAMETERS = Set.of("id", "attemptId", "companyId", "company_id");

  /** The library's parameter validation, reached past its public API (see there why). */
  private final OpenApiInternals validator;
  /**
   * The body's schema validator of each operation that takes a body, built once: vertx-openapi
   * builds one per request and validates on a worker thread: a CPU profile of a POST load put a
   * fifth of the server's Java samples there. Used on this instance's event loop only.
   */
  private final Map<String, Validator> bodyValidators = new HashMap<>();
  /**
   * Operations whose only inputs are path IDs and the tenant's companyId (GET and DELETE by ID):
   * their parameters' patterns, taken from the document. The hot read path checks these with one
   * regular expression each, without building the parameter maps and schema checks of
   * {@link #validateHere}.
   */
  private final Map<String, Map<String, IdParameter>> idOnly = new HashMap<>();

  private record IdParameter(java.util.function.Predicate<String> check, boolean inPath) {}

  /** The path parameters of each operation: over HTTP the route guarantees them, a bus message may lack one. */
  private final Map<String, List<String>> pathParameters = new HashMap<>();

  RequestValidation(Vertx vertx, OpenAPIContract contract) {
    this.validator = new OpenApiInternals(vertx, contract);
    for (Operation op : contract.operations()) {
      if (op.getRequestBody() != null) {
        MediaType json = op.getRequestBody().determineContentType(JSON);
        if (json != null && json.getSchema() != null) {
          bodyValidators.put(op.getOperationId(), contract.getSchemaRepository().validator(json.getSchema()));
        }
      }
      pathParameters.put(op.getOperationId(), op.getParameters().stream()
        .filter(p -> p.getIn() == io.vertx.openapi.contract.Location.PATH).map(io.vertx.openapi.contract.Parameter::getName).toList());
      if (op.getRequestBody() != null) continue;
      Map<String, IdParameter> patterns = new HashMap<>();
      boolean simple = true;
      for (io.vertx.openapi.contract.Parameter p : op.getParameters()) {
        String pattern = p.getSchema().get("pattern");
        boolean idParam = p.getIn() == io.vertx.openapi.contract.Location.PATH
          || (p.getIn() == io.vertx.openapi.contract.Location.QUERY && ID_PARAMETERS.contains(p.getName()));
        if (!idParam || pattern == null) {
          simple = false;
          break;
        }
        patterns.put(p.getName(), new IdParameter(UuidText.checkOf(pattern), p.getIn() == io.vertx.openapi.contract.Location.PATH));
      }
      if (simple && !patterns.isEmpty()) idOnly.put(op.getOperationId(), patterns);
    }
  }

  private Future<Validated> validateIds(ApiRequest req, Map<String, IdParameter> patterns, boolean dropCompanyParam) {
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    for (Map.Entry<String, IdParameter> e : patterns.entrySet()) {
      String name = e.getKey();
      boolean inPath = e.getValue().inPath();
      if (!inPath && dropCompanyParam) continue;
      String value = inPath ? req.pathParams().get(name) : req.queryParams().get(name);
      if (value == null && !inPath) continue;
      if (value == null || !e.getValue().check().test(value)) {
        return Future.failedFuture(new ParleyException(ErrorCode.INVALID_ID, "Invalid " + name + ": not a UUID",
          new JsonObject().put("field", name)));
      }
      (inPath ? path : query).put(name, OpenApiInternals.value(value));
    }
    return Future.succeededFuture(new Validated(OpenApiInternals.validated(Map.of(), path, query, OpenApiInternals.value(null)), null));
  }

  /**
   * @param dropCompanyParam a company key ignores companyId, even a malformed one
   */
  Future<Validated> validate(ApiRequest req, Operation op, boolean dropCompanyParam) {
    Map<String, IdParameter> ids = idOnly.get(op.getOperationId());
    if (ids != null) return validateIds(req, ids, dropCompanyParam);
    for (String name : pathParameters.get(op.getOperationId())) {
      if (req.pathParams().get(name) == null) {
        return Future.failedFuture(new ParleyException(ErrorCode.INVALID_ID, "Invalid " + name + ": not a UUID",
          new JsonObject().put("field", name)));
      }
    }
    Map<String, RequestParameter> path = new HashMap<>();
    req.pathParams().forEach((k, v) -> path.put(k, OpenApiInternals.value(v)));
    Map<String, RequestParameter> query = new HashMap<>();
    req.queryParams().forEach((k, v) -> {
      if (dropCompanyParam && (k.equals("companyId") || k.equals("company_id"))) return;
      query.put(k, OpenApiInternals.value(v));
    });
    // vertx-openapi looks headers up by their declared name
    Map<String, RequestParameter> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    req.headers().forEach((k, v) -> headers.putIfAbsent(k, OpenApiInternals.value(v)));
    try {
      JsonObject body = op.getRequestBody() == null ? null : req.body();
      return Future.succeededFuture(new Validated(validateHere(op, headers, path, query, body), body));
    } catch (ParleyException e) {
      return Future.failedFuture(e);
    } catch (ValidatorException e) {
      return Future.failedFuture(translate(e));
    }
  }

  /**
   * What {@code RequestValidator.validate} does, in the same order (parameters as declared, then
   * the body) and with the same exceptions, on the calling thread and with the body's validator
   * built once. The body is the one the API parsed (a JSON object), not parsed a second time.
   */
  private ValidatedRequest validateHere(Operation op, Map<String, RequestParameter> headers,
                                        Map<String, RequestParameter> path, Map<String, RequestParameter> query,
                                        JsonObject body) {
    Map<String, RequestParameter> validHeaders = new HashMap<>();
    Map<String, RequestParameter> validPath = new HashMap<>();
    Map<String, RequestParameter> validQuery = new HashMap<>();
    for (io.vertx.openapi.contract.Parameter p : op.getParameters()) {
      switch (p.getIn()) {
        case HEADER -> validHeaders.put(p.getName(), validator.validateParameter(p, headers.get(p.getName())));
        case PATH -> validPath.put(p.getName(), validator.validateParameter(p, path.get(p.getName())));
        case QUERY -> validQuery.put(p.getName(), validator.validateParameter(p, query.get(p.getName())));
        case COOKIE -> validator.validateParameter(p, null);
      }
    }
    RequestParameter validBody = OpenApiInternals.value(body);
    Validator bodyValidator = bodyValidators.get(op.getOperationId());
    if (bodyValidator != null) {
      OutputUnit result = bodyValidator.validate(body);
      try {
        result.checkValidity();
      } catch (JsonSchemaValidationException e) {
        throw SchemaValidationException.createInvalidValueBody(result, ValidationContext.REQUEST, e);
      }
    }
    return OpenApiInternals.validated(validHeaders, validPath, validQuery, validBody);
  }

  /** A request body as the API takes it: a JSON object, else VALIDATION_FAILED on "body". */
  public static JsonObject parseBody(Buffer buffer) {
    if (buffer == null || buffer.length() == 0) {
      throw fields(List.of(problem("body", "a JSON object is required")));
    }
    Object value;
    try {
      value = Json.decodeValue(buffer);
    } catch (DecodeException e) {
      throw fields(List.of(problem("body", "malformed JSON")));
    }
    return requireObject(value);
  }

  public static JsonObject requireObject(Object value) {
    if (value instanceof JsonObject o) return o;
    if (value == null) throw fields(List.of(problem("body", "a JSON object is required")));
    throw fields(List.of(problem("body", "must be a JSON object")));
  }

  static JsonObject problem(String field, String message) {
    return new JsonObject().put("field", field).put("message", message);
  }

  static ParleyException fields(List<JsonObject> problems) {
    return new ParleyException(ErrorCode.VALIDATION_FAILED, "Request validation failed",
      new JsonObject().put("fields", new JsonArray(problems)));
  }

  private static Throwable translate(Throwable e) {
    if (!(e instanceof ValidatorException ve)) return e;
    List<JsonObject> problems = problems(ve);
    String first = problems.get(0).getString("field");
    if (ID_PARAMETERS.contains(first)) {
      return new ParleyException(ErrorCode.INVALID_ID, "Invalid " + first + ": not a UUID", new JsonObject().put("field", first));
    }
    return fields(problems);
  }

  /**
   * One {field, message} per problem. vertx-openapi reports the first bad parameter (its name is
   * in the message, its errors sit at "#"), or every error of the body at "#/a/b". It also reports
   * wrappers ("a subschema had errors") and, for an invalid declared property, an extra
   * additionalProperties failure: both are dropped.
   */
  public static List<JsonObject> problems(ValidatorException failure) {
    List<JsonObject> out = new ArrayList<>();
    if (!(failure instanceof SchemaValidationException sve) || sve.getOutputUnit() == null
      || sve.getOutputUnit().getErrors() == null) {
      out.add(problem("body", failure.getMessage()));
      return out;
    }
    String root = OpenApiInternals.parameterName(failure);
    List<OutputUnit> leaves = new ArrayList<>();
    for (OutputUnit u : sve.getOutputUnit().getErrors()) {
      if (!OpenApiInternals.wrapper(u)) leaves.add(u);
    }
    for (OutputUnit u : leaves) {
      String at = u.getInstanceLocation() == null ? "#" : u.getInstanceLocation();
      String keyword = OpenApiInternals.keyword(u);
      boolean additional = keyword.equals("additionalProperties");
      if (additional && leaves.stream().anyMatch(o -> o != u && o.getInstanceLocation() != null
        && (o.getInstanceLocation().equals(at) || o.getInstanceLocation().startsWith(at + "/")))) {
        continue;
      }
      String field = at.equals("#") ? root : (root.isEmpty() ? "" : root + ".") + pointerToField(at);
      String message = u.getError();
      String missing = OpenApiInternals.missingProperty(message);
      if (missing != null) {
        field = field.isEmpty() ? missing : field + "." + missing;
        message = "is required";
      } else if (additional) {
        message = "is not allowed";
      } else {
        message = plain(field, keyword, message);
      }
      if (field.isEmpty()) field = "body";
      final String f = field;
      if (out.stream().noneMatch(p -> p.getString("field").equals(f))) out.add(problem(field, message));
    }
    if (out.isEmpty()) out.add(problem(root.isEmpty() ? "body" : root, failure.getMessage()));
    return out;
  }

  /**
   * The schema validator's wording, said in terms of the field where it is vague; for the fields of
   * the shared rules, the rule's own message (the admin CLI says the same).
   */
  private static String plain(String field, String keyword, String message) {
    if (field.endsWith("maxConcurrentCalls") && keyword.equals("minimum")) return Rules.TOO_FEW_SLOTS;
    if (!keyword.equals("pattern")) return message;
    if (field.endsWith("phoneNumber")) return Rules.PHONE_FORM;
    if (field.endsWith("Id") || field.endsWith("id")) return "not a UUID";
    if (field.endsWith("callWindow")) return CallWindow.MALFORMED;
    return message;
  }

  /** "#/candidate/phoneNumber" → "candidate.phoneNumber". */
  static String pointerToField(String pointer) {
    String p = pointer.startsWith("#") ? pointer.substring(1) : pointer;
    if (p.startsWith("/")) p = p.substring(1);
    return p.replace('/', '.').replace("~1", "/").replace("~0", "~");
  }
}
