package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidationContext;
import io.vertx.openapi.validation.ValidatorException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins what {@link OpenApiInternals} relies on: the vertx-openapi version it was checked against,
 * and the wording of real failures of the library (a bad query parameter, a body with a missing,
 * an unknown, a nested and a malformed property), read back into fields and messages.
 */
class OpenApiInternalsTest {
  private static final JsonObject DOCUMENT = new JsonObject("""
    {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
     "paths": {"/things": {
       "get": {"operationId": "listThings", "responses": {"200": {"description": "ok"}},
               "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}}]},
       "post": {"operationId": "createThing", "responses": {"201": {"description": "ok"}},
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                  "type": "object", "additionalProperties": false, "required": ["name"],
                  "properties": {
                    "name": {"type": "string"},
                    "phoneNumber": {"type": "string", "pattern": "^\\\\+[1-9][0-9]{1,14}$"},
                    "owner": {"type": "object", "required": ["firstName"],
                              "properties": {"firstName": {"type": "string"}}}}}}}}}}}}
    """);

  private static Vertx vertx;
  private static OpenAPIContract contract;
  private static OpenApiInternals internals;

  @BeforeAll
  static void load() throws Exception {
    vertx = Vertx.vertx();
    contract = OpenAPIContract.from(vertx, DOCUMENT).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    internals = new OpenApiInternals(vertx, contract);
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  @Test
  void theLibraryOnTheClasspathIsTheVersionTheAdapterWasCheckedAgainst() throws Exception {
    assertThat(libraryVersion())
      .as("vertx-openapi on the classpath differs from the version OpenApiInternals was checked against (%s): "
        + "go through the points in OpenApiInternals' javadoc, run this test, then move CHECKED_VERSION on",
        OpenApiInternals.CHECKED_VERSION)
      .isEqualTo(OpenApiInternals.CHECKED_VERSION);
  }

  @Test
  void aBadQueryParameterIsReportedUnderItsName() {
    ValidatorException tooSmall = parameterFailure("0");
    assertThat(OpenApiInternals.parameterName(tooSmall)).isEqualTo("limit");
    assertThat(problems(tooSmall)).containsExactly(Map.entry("limit", "0 is less than 1"));
    ValidatorException notANumber = parameterFailure("abc");
    assertThat(OpenApiInternals.parameterName(notANumber)).isEqualTo("limit");
    assertThat(problems(notANumber)).containsOnlyKeys("limit");
  }

  @Test
  void aGoodQueryParameterIsConverted() {
    assertThat(internals.validateParameter(limit(), OpenApiInternals.value("5")).get()).isEqualTo(5);
  }

  @Test
  void aMissingPropertyIsReportedUnderItsOwnName() {
    SchemaValidationException failure = bodyFailure(new JsonObject());
    assertThat(OpenApiInternals.parameterName(failure)).isEmpty();
    assertThat(failure.getOutputUnit().getErrors().stream().map(u -> OpenApiInternals.missingProperty(u.getError())))
      .contains("name");
    assertThat(problems(failure)).containsExactly(Map.entry("name", "is required"));
  }

  @Test
  void aNestedProblemIsReportedOnceUnderItsPathWithoutTheWrappers() {
    SchemaValidationException failure = bodyFailure(new JsonObject().put("name", "x").put("owner", new JsonObject()));
    assertThat(failure.getOutputUnit().getErrors()).anyMatch(OpenApiInternals::wrapper);
    assertThat(problems(failure)).containsExactly(Map.entry("owner.firstName", "is required"));
  }

  @Test
  void anUnknownPropertyIsNotAllowed() {
    SchemaValidationException failure = bodyFailure(new JsonObject().put("name", "x").put("shoeSize", 42));
    assertThat(failure.getOutputUnit().getErrors()).anyMatch(u -> OpenApiInternals.keyword(u).equals("additionalProperties"));
    assertThat(problems(failure)).containsExactly(Map.entry("shoeSize", "is not allowed"));
  }

  @Test
  void aPatternMismatchIsSaidInTermsOfTheField() {
    SchemaValidationException failure = bodyFailure(new JsonObject().put("name", "x").put("phoneNumber", "0915"));
    assertThat(failure.getOutputUnit().getErrors()).anyMatch(u -> OpenApiInternals.keyword(u).equals("pattern"));
    assertThat(problems(failure))
      .containsExactly(Map.entry("phoneNumber", dev.parley.rules.Rules.PHONE_FORM));
  }

  // ---- helpers ------------------------------------------------------------------------------------

  /** The version in the vertx-openapi jar's Maven metadata, else its manifest's. */
  static String libraryVersion() throws Exception {
    var source = ValidatorException.class.getProtectionDomain().getCodeSource();
    if (source != null && source.getLocation().getPath().endsWith(".jar")) {
      try (JarFile jar = new JarFile(source.getLocation().getPath())) {
        var entry = jar.getEntry("META-INF/maven/io.vertx/vertx-openapi/pom.properties");
        if (entry != null) {
          try (InputStream in = jar.getInputStream(entry)) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
          }
        }
      }
    }
    return ValidatorException.class.getPackage().getImplementationVersion();
  }

  private static Parameter limit() {
    return contract.operation("listThings").getParameters().get(0);
  }

  private static ValidatorException parameterFailure(String value) {
    return catchThrowableOfType(ValidatorException.class,
      () -> internals.validateParameter(limit(), OpenApiInternals.value(value)));
  }

  /** A body checked as {@link RequestValidation} checks it: the library's schema validator, its exception. */
  private static SchemaValidationException bodyFailure(JsonObject body) {
    var schema = contract.operation("createThing").getRequestBody().determineContentType("application/json").getSchema();
    OutputUnit result = contract.getSchemaRepository().validator(schema).validate(body);
    JsonSchemaValidationException invalid = catchThrowableOfType(JsonSchemaValidationException.class, result::checkValidity);
    assertThat(invalid).as("the body should be invalid").isNotNull();
    return SchemaValidationException.createInvalidValueBody(result, ValidationContext.REQUEST, invalid);
  }

  private static Map<String, String> problems(ValidatorException failure) {
    List<JsonObject> problems = RequestValidation.problems(failure);
    return problems.stream().collect(Collectors.toMap(p -> p.getString("field"), p -> p.getString("message"),
      (a, b) -> a, java.util.LinkedHashMap::new));
  }
}
