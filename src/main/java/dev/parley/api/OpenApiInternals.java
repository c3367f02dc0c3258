package dev.parley.api;

import io.vertx.core.Vertx;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything Parley takes from vertx-openapi beyond its public API, in one place: its {@code impl}
 * classes and the wording of its (and vertx-json-schema's) error messages.
 *
 * <p>Why: the public {@code RequestValidator.validate} (5.0.x) validates on a worker thread
 * ({@code executeBlocking}) and builds the body's schema validator on every request, which a CPU
 * profile of a POST load put at a fifth of the server's Java samples. {@link RequestValidation}
 * validates on the event loop with validators built once, so it needs the library's
 * per-parameter validation ({@link RequestValidatorImpl#validateParameter}) and its value classes,
 * which are not public API. The library reports problems as text and JSON-schema output units; the
 * field a problem belongs to is read from them here.
 *
 * <p>On a library upgrade: {@link #CHECKED_VERSION} makes {@code OpenApiInternalsTest} fail until
 * someone checks that (1) the three {@code impl} classes still exist with these constructors and
 * {@code validateParameter}'s behaviour; (2) a bad parameter's message still starts with
 * {@code "The value of <in> parameter <name> is invalid"}; (3) a missing property still says
 * {@code required property "<name>"}, an output unit's keyword location still ends with the keyword
 * that failed, and subschema wrappers end theirs with {@code /properties}, {@code /$ref} and the
 * like; then moves {@link #CHECKED_VERSION} on. The test feeds this class real failures of the
 * library, so a change of wording goes red there. If the public API has by then gained an
 * event-loop validation with validators built once, this class can go.
 */
final class OpenApiInternals {
  /** The vertx-openapi version this class was checked against. */
  static final String CHECKED_VERSION = "5.0.7";

  private static final Pattern PARAMETER = Pattern.compile("^The value of \\w+ parameter (\\S+) is invalid");
  private static final Pattern REQUIRED = Pattern.compile("required property \"([^\"]+)\"");
  /** Keyword locations of entries that only say "a subschema had errors": the real error is reported on its own too. */
  private static final Pattern WRAPPER =
    Pattern.compile(".*/(properties|\\$ref|items|prefixItems|allOf|anyOf|oneOf|dependentSchemas)$");

  private final RequestValidatorImpl validator;

  OpenApiInternals(Vertx vertx, OpenAPIContract contract) {
    this.validator = new RequestValidatorImpl(vertx, contract);
  }

  /**
   * One parameter checked against its declaration, on the calling thread: the value converted to
   * its schema's type, or a {@link ValidatorException} as the library's own validation throws it.
   */
  RequestParameter validateParameter(Parameter declared, RequestParameter value) {
    return validator.validateParameter(declared, value);
  }

  /** A raw value (a string, a JSON object, or null) as the library's validation takes it. */
  static RequestParameter value(Object value) {
    return new RequestParameterImpl(value);
  }

  /** The outcome of a validation done here, in the type the library's validator returns. */
  static ValidatedRequest validated(Map<String, RequestParameter> headers, Map<String, RequestParameter> path,
                                    Map<String, RequestParameter> query, RequestParameter body) {
    return new ValidatedRequestImpl(Map.of(), headers, path, query, body);
  }

  /** The name of the bad parameter a failure names ({@code "limit"}), or "" when it names none (a body's). */
  static String parameterName(ValidatorException failure) {
    Matcher m = PARAMETER.matcher(failure.getMessage() == null ? "" : failure.getMessage());
    return m.find() ? m.group(1) : "";
  }

  /** The property an error says is missing, or null when it says something else. */
  static String missingProperty(String error) {
    Matcher m = REQUIRED.matcher(error == null ? "" : error);
    return m.find() ? m.group(1) : null;
  }

  /** Whether an output unit only wraps the errors of a subschema, which are reported on their own. */
  static boolean wrapper(OutputUnit unit) {
    return unit.getKeywordLocation() != null && WRAPPER.matcher(unit.getKeywordLocation()).matches();
  }

  /** The schema keyword an output unit failed ({@code "pattern"}, {@code "minimum"}, {@code "additionalProperties"}), or "". */
  static String keyword(OutputUnit unit) {
    String at = unit.getKeywordLocation();
    return at == null ? "" : at.substring(at.lastIndexOf('/') + 1);
  }

}
