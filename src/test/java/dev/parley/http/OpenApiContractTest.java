package dev.parley.http;

import dev.parley.api.RequestValidation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Loads src/main/resources/openapi.json and checks it with vertx-openapi 5.0.7 exactly the way the
 * server validates requests: raw strings for path/query/header values, the body as a Buffer.
 */
@ExtendWith(VertxExtension.class)
class OpenApiContractTest {

  private static final String ID = "3f2b9c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
  private static final String GOOD_CREATE = "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"+421915123456\",\"email\":\"ada@example.com\",\"gdprExpiryDate\":\"2027-01-31\"},"
      + "\"agent\":{\"name\":\"Screener\",\"language\":\"SK\",\"duration\":20,\"questions\":[\"Why us?\"]},"
      + "\"job\":{\"title\":\"Developer\",\"salary\":{\"min\":1}},\"scheduledAt\":\"2026-11-29T10:00:00+10:30\","
      + "\"metadata\":{\"externalInterviewId\":\"INT-789\"},\"isTest\":true}";

  private static JsonObject document;
  private static OpenAPIContract contract;
  private static RequestValidator validator;

  @BeforeAll
  static void load(Vertx vertx) throws Exception {
    try (InputStream in = OpenApiContractTest.class.getResourceAsStream("/openapi.json")) {
      document = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    contract = await(OpenAPIContract.from(vertx, forValidator(document)));
    validator = RequestValidator.create(vertx, contract);
  }

  /** The copy the server gives vertx-openapi (without servers and response media types). */
  static JsonObject forValidator(JsonObject doc) {
    return dev.parley.ParleyServer.forValidator(doc);
  }

  // ---- the recipe -------------------------------------------------------------------------------

  static Map<String, RequestParameter> params(String... nameValue) {
    Map<String, RequestParameter> map = new HashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      map.put(nameValue[i], new RequestParameterImpl(nameValue[i + 1]));
    }
    return map;
  }

  static Future<ValidatedRequest> validate(String operationId, Map<String, RequestParameter> headers,
      Map<String, RequestParameter> path, Map<String, RequestParameter> query, String jsonBody) {
    RequestParameter body = jsonBody == null ? null : new RequestParameterImpl(Buffer.buffer(jsonBody));
    return validator.validate(new ValidatableRequestImpl(Map.of(), headers, path, query, body, "application/json"),
        operationId);
  }

  static Future<ValidatedRequest> body(String operationId, String jsonBody) {
    return validate(operationId, Map.of(), Map.of(), Map.of(), jsonBody);
  }

  static Future<ValidatedRequest> query(String operationId, String... nameValue) {
    return validate(operationId, Map.of(), Map.of(), params(nameValue), null);
  }

  // ---- mapping failures to {field, message} (reference for the server) ---------------------------

  /** field -> message, through the server's own mapping. */
  static Map<String, String> details(Throwable failure) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!(failure instanceof SchemaValidationException sve)) {
      out.put("", failure.getMessage());
      return out;
    }
    for (JsonObject p : RequestValidation.problems(sve)) {
      out.putIfAbsent(p.getString("field"), p.getString("message"));
    }
    return out;
  }

  // ---- the document itself -----------------------------------------------------------------------

  @Test
  void declaresServersSecurityAndOperationExtensions() {
    assertThat(document.getString("openapi")).isEqualTo("3.1.0");
    assertThat(document.getJsonArray("servers").stream().map(s -> ((JsonObject) s).getString("url")))
        .containsExactly("/", "/v1");
    JsonObject bearer = document.getJsonObject("components").getJsonObject("securitySchemes").getJsonObject("bearerAuth");
    assertThat(bearer.getString("type")).isEqualTo("http");
    assertThat(bearer.getString("scheme")).isEqualTo("bearer");
    assertThat(document.getJsonArray("security").getJsonObject(0).fieldNames()).containsExactly("bearerAuth");
    String[][] expected = {
        {"createInterview", "write:interviews", "true"}, {"listInterviews", "read:interviews", "true"},
        {"getInterview", "read:interviews", "true"}, {"deleteInterview", "delete:interviews", "true"},
        {"createCandidate", "write:candidates", "true"}, {"listCandidates", "read:candidates", "true"},
        {"getCandidate", "read:candidates", "true"}, {"deleteCandidate", "delete:candidates", "true"},
        {"createAgent", "write:agents", "true"}, {"listAgents", "read:agents", "true"},
        {"getAgent", "read:agents", "true"}, {"deleteAgent", "delete:agents", "true"},
        {"createCompany", "write:companies", "false"}, {"listCompanies", "read:companies", "false"},
        {"getCompany", "read:companies", "false"}, {"updateCompany", "write:companies", "false"},
        {"listCompanyPhoneNumbers", "read:companies", "false"},
        {"getLiveness", null, null}, {"getReadiness", null, null}, {"getMetrics", null, null},
        {"getOpenApi", null, null},
        {"invokeCallAttempt", "write:interviews", "true"}, {"rescheduleCallAttempt", "write:interviews", "true"},
        {"deleteCallAttempt", "write:interviews", "true"}, {"getInterviewRecording", "read:interviews", "true"},
        {"receiveProviderEvent", null, null}, {"receiveVapiEvent", null, null}, {"receiveRetellEvent", null, null},
        {"createWebhook", "write:webhooks", "false"}, {"listWebhooks", "read:webhooks", "false"},
        {"getWebhook", "read:webhooks", "false"}, {"updateWebhook", "write:webhooks", "false"},
        {"deleteWebhook", "write:webhooks", "false"}, {"testWebhook", "write:webhooks", "false"},
        {"resetWebhookCircuit", "write:webhooks", "false"}, {"listWebhookDeliveries", "read:webhooks", "false"}};
    assertThat(contract.operations()).hasSize(expected.length);
    for (String[] e : expected) {
      Operation op = contract.operation(e[0]);
      assertThat(op).as(e[0]).isNotNull();
      assertThat(op.getExtensions().get("x-parley-scope")).as(e[0]).isEqualTo(e[1]);
      assertThat(op.getExtensions().get("x-parley-tenant")).as(e[0]).isEqualTo(e[2] == null ? null : Boolean.valueOf(e[2]));
      assertThat(op.getSecurityRequirements()).as(e[0]).hasSize(e[1] == null ? 0 : 1);
    }
  }

  /** The document lists every error code the server answers with, and no other. */
  @Test
  void theErrorCodesOfTheDocumentAreThoseOfTheServer() {
    List<Object> documented = document.getJsonObject("components").getJsonObject("schemas").getJsonObject("Error")
      .getJsonObject("properties").getJsonObject("code").getJsonArray("enum").getList();
    assertThat(documented).containsExactly(java.util.Arrays.stream(dev.parley.client.ErrorCode.values()).map(Enum::name).toArray());
  }

  /** The document names each operation's public bus address, and they are exactly those the server serves. */
  @Test
  void everyCredentialedOperationHasItsPublicBusAddress() {
    Map<String, String> inDocument = new TreeMap<>();
    JsonObject paths = document.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      if (!(paths.getValue(path) instanceof JsonObject item)) continue;
      for (String method : item.fieldNames()) {
        if (!(item.getValue(method) instanceof JsonObject op) || !op.containsKey("x-parley-scope")) continue;
        inDocument.put(op.getString("operationId"), op.getString("x-parley-bus-address"));
        JsonObject responses = op.getJsonObject("responses");
        String success = responses.fieldNames().stream().filter(c -> c.startsWith("2")).findFirst().orElseThrow();
        JsonObject headers = responses.getJsonObject(success).getJsonObject("headers", new JsonObject());
        assertThat(headers.containsKey("X-RateLimit-Remaining-Minute")).as("rate-limit headers of %s", op.getString("operationId")).isTrue();
      }
    }
    assertThat(inDocument).isEqualTo(new TreeMap<>(dev.parley.bus.Bus.PUBLIC_API));
  }

  @Test
  void vertxOpenapiRejectsTheRelativeServerUrlsSoTheyAreStripped(Vertx vertx) {
    Throwable failure = catchThrowable(() -> await(OpenAPIContract.from(vertx, document)));
    assertThat(failure).hasMessageContaining("The specified URL is malformed: /");
  }

  // ---- good requests ------------------------------------------------------------------------------

  @Test
  void validCreateWithInlineCandidateAndAgent() throws Exception {
    ValidatedRequest ok = await(validate("createInterview", params("Idempotency-Key", "k-1"), Map.of(),
        params("companyId", ID), GOOD_CREATE));
    assertThat(ok.getBody().getJsonObject().getJsonObject("candidate").getString("firstName")).isEqualTo("Ada");
    assertThat(ok.getQuery().get("companyId").getString()).isEqualTo(ID);
  }

  @Test
  void queryIntegersAreConvertedAndDefaultsAreNotApplied() throws Exception {
    ValidatedRequest ok = await(query("listInterviews", "page", "5", "status", "CANCELED", "cursor", "12345",
        "scheduledFrom", "2026-01-01T00:00:00Z"));
    assertThat(ok.getQuery().get("page").get()).isEqualTo(5);
    assertThat(ok.getQuery().get("cursor").get()).isEqualTo("12345");
    assertThat(ok.getQuery().get("limit").isNull()).isTrue();
  }

  @Test
  void operationsWithoutScopeNeedNoCredentialAndSecurityIsNeverEnforced() throws Exception {
    assertThat(await(validate("getLiveness", Map.of(), Map.of(), Map.of(), null))).isNotNull();
    assertThat(await(validate("getInterview", Map.of(), params("id", ID), Map.of(), null))).isNotNull();
  }

  @Test
  void headerNamesAreLookedUpExactlyAsDeclared() {
    Map<String, RequestParameter> lower = params("idempotency-key", "");
    assertThat(catchThrowable(() -> await(validate("createInterview", lower, Map.of(), Map.of(), GOOD_CREATE))))
        .isNull(); // silently ignored: a plain map with lower-case keys hides the header
    Map<String, RequestParameter> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    caseInsensitive.putAll(lower);
    assertThat(details(failure(validate("createInterview", caseInsensitive, Map.of(), Map.of(), GOOD_CREATE))))
        .containsOnlyKeys("Idempotency-Key");
  }

  // ---- bad requests -------------------------------------------------------------------------------

  @Test
  void badPhone() {
    Throwable f = failure(body("createInterview", GOOD_CREATE.replace("+421915123456", "0915 123 456")));
    assertThat(f).isInstanceOf(SchemaValidationException.class);
    assertThat(((ValidatorException) f).type()).isEqualTo(ValidatorErrorType.INVALID_VALUE);
    assertThat(details(f)).containsExactly(Map.entry("candidate.phoneNumber", dev.parley.rules.Rules.PHONE_FORM));
  }

  @Test
  void missingFirstNameAndSeveralErrorsAreAllReported() {
    Throwable f = failure(body("createInterview",
        GOOD_CREATE.replace("\"firstName\":\"Ada\",", "").replace("\"duration\":20", "\"duration\":0")));
    assertThat(details(f)).containsOnlyKeys("candidate.firstName", "agent.duration")
        .containsEntry("candidate.firstName", "is required");
  }

  @Test
  void unknownPropertiesAreRejectedAtAnyDepth() {
    assertThat(details(failure(body("createInterview", GOOD_CREATE.replace("{\"candidate\"", "{\"foo\":1,\"candidate\"")))))
        .containsExactly(Map.entry("foo", "is not allowed"));
    assertThat(details(failure(body("createInterview", GOOD_CREATE.replace("\"lastName\"", "\"nick\":\"x\",\"lastName\"")))))
        .containsExactly(Map.entry("candidate.nick", "is not allowed"));
  }

  @Test
  void bodyThatIsNotAnObject() {
    for (String json : List.of("[]", "\"x\"", "null")) {
      Throwable f = failure(body("createCandidate", json));
      assertThat(f).as(json).isInstanceOf(SchemaValidationException.class);
      assertThat(details(f)).as(json).containsOnlyKeys("body");
    }
    assertThat(((ValidatorException) failure(body("createCandidate", "{\"a\":"))).type())
        .isEqualTo(ValidatorErrorType.ILLEGAL_VALUE); // not JSON at all
    assertThat(((ValidatorException) failure(body("createCandidate", null))).type())
        .isEqualTo(ValidatorErrorType.MISSING_REQUIRED_PARAMETER);
  }

  @Test
  void unknownStatusZeroLimitAndNonNumericLimit() {
    assertThat(details(failure(query("listInterviews", "status", "DONE")))).containsOnlyKeys("status");
    assertThat(details(failure(query("listInterviews", "limit", "0")))).containsExactly(Map.entry("limit", "0 is less than 1"));
    assertThat(details(failure(query("listInterviews", "limit", "abc"))))
        .containsExactly(Map.entry("limit", "Instance type string is invalid. Expected integer"));
    assertThat(details(failure(query("listCompanies", "page", "10001")))).containsOnlyKeys("page");
  }

  @Test
  void idThatIsNotAUuid() {
    Throwable f = failure(validate("getInterview", Map.of(), params("id", "not-a-uuid"), Map.of(), null));
    assertThat(f).isInstanceOf(SchemaValidationException.class)
        .hasMessageStartingWith("The value of path parameter id is invalid");
    assertThat(details(f)).containsOnlyKeys("id");
    assertThat(details(failure(validate("deleteAgent", Map.of(), params("id", ID), params("companyId", "42"), null))))
        .containsOnlyKeys("companyId");
  }

  @Test
  void companyPatchNeedsAtLeastOneKnownField() {
    Map<String, RequestParameter> path = params("id", ID);
    assertThat(details(failure(validate("updateCompany", Map.of(), path, Map.of(), "{}")))).containsOnlyKeys("body");
    assertThat(details(failure(validate("updateCompany", Map.of(), path, Map.of(), "{\"callWindow\":\"9-17\"}"))))
        .containsExactly(Map.entry("callWindow", dev.parley.schedule.CallWindow.MALFORMED));
    assertThat(details(failure(validate("updateCompany", Map.of(), path, Map.of(), "{\"maxConcurrentCalls\":0}"))))
        .containsExactly(Map.entry("maxConcurrentCalls", dev.parley.rules.Rules.TOO_FEW_SLOTS));
  }

  @Test
  void bodyMustBeABufferNotAParsedJsonObject() {
    RequestParameter parsed = new RequestParameterImpl(new JsonObject(GOOD_CREATE));
    Throwable f = failure(validator.validate(
        new ValidatableRequestImpl(Map.of(), Map.of(), Map.of(), Map.of(), parsed, "application/json"), "createInterview"));
    assertThat(((ValidatorException) f).type()).isEqualTo(ValidatorErrorType.ILLEGAL_VALUE);
  }

  // ---- helpers ------------------------------------------------------------------------------------

  static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  static Throwable failure(Future<?> future) {
    Throwable t = catchThrowable(() -> await(future));
    assertThat(t).as("validation should fail").isNotNull();
    return t;
  }
}
