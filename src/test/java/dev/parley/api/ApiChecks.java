package dev.parley.api;

import dev.parley.support.TestServer.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Shared assertions and request bodies for the API integration tests. */
public final class ApiChecks {
  private ApiChecks() {}

  static final String TIMESTAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

  public static final String ALL = "read:interviews,write:interviews,delete:interviews,read:candidates,write:candidates,"
    + "delete:candidates,read:agents,write:agents,delete:agents";

  /** An error answer in the envelope of SPEC section 6, with the given status and code. */
  public static void assertError(Response r, int status, String code) {
    String body = r.raw().body();
    assertThat(r.status()).as("status of %s %s: %s", r.raw().request().method(), r.raw().uri(), body).isEqualTo(status);
    JsonObject b = r.body();
    assertThat(b.getBoolean("success")).as("success in %s", body).isFalse();
    assertThat(b.containsKey("data")).as("data present in %s", body).isTrue();
    assertThat(b.getValue("data")).as("data in %s", body).isNull();
    assertThat(b.getValue("error")).as("error in %s", body).isInstanceOf(JsonObject.class);
    assertThat(r.errorCode()).as("error.code in %s", body).isEqualTo(code);
    assertThat(b.getJsonObject("error").getString("message")).as("error.message in %s", body).isNotBlank();
    assertThat(b.getJsonObject("error").containsKey("details")).as("error.details in %s", body).isTrue();
    assertThat(b.getString("timestamp")).as("timestamp in %s", body).matches(TIMESTAMP);
    assertThat(body).doesNotContainIgnoringCase("exception").doesNotContain("\tat ").doesNotContainIgnoringCase("select ");
  }

  /** A success answer in the envelope. */
  public static void assertOk(Response r, int status) {
    String body = r.raw().body();
    assertThat(r.status()).as("status of %s %s: %s", r.raw().request().method(), r.raw().uri(), body).isEqualTo(status);
    assertThat(r.body().getBoolean("success")).as("success in %s", body).isTrue();
    assertThat(r.body().getValue("error")).as("error in %s", body).isNull();
    assertThat(r.body().getString("timestamp")).as("timestamp in %s", body).matches(TIMESTAMP);
  }

  /** A 400 VALIDATION_FAILED naming the field in error.details.fields[].field. */
  static void assertInvalid(Response r, String... anyOfFields) {
    assertError(r, 400, "VALIDATION_FAILED");
    assertThat(fields(r)).as("error.details.fields[].field in %s", r.raw().body()).containsAnyOf(anyOfFields);
  }

  static List<String> fields(Response r) {
    List<String> out = new ArrayList<>();
    JsonObject details = r.body().getJsonObject("error").getJsonObject("details");
    JsonArray fields = details == null ? null : details.getJsonArray("fields");
    if (fields != null) fields.forEach(f -> out.add(((JsonObject) f).getString("field")));
    return out;
  }

  /** Repeats a request until its answer satisfies {@code done} or the deadline passes; returns the last answer. */
  static Response poll(Duration within, Supplier<Response> request, Predicate<Response> done) {
    java.util.concurrent.atomic.AtomicReference<Response> last = new java.util.concurrent.atomic.AtomicReference<>();
    if (within.toMillis() <= 100) return request.get(); // the deadline has passed: the answer must be right now
    try {
      org.awaitility.Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(50))
        .until(() -> done.test(last.updateAndGet(x -> request.get())));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // the caller asserts on the last answer, which says what went wrong
    }
    return last.get();
  }

  /** An ISO 8601 UTC time this far from now. */
  static String inFuture(Duration d) {
    return Instant.now().plus(d).truncatedTo(ChronoUnit.MILLIS).toString();
  }

  /** An interview with an inline candidate and agent, scheduled a day ahead so no call is placed meanwhile. */
  static String interview(String extra) {
    return "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"phoneNumber\":\"+421915123456\","
      + "\"email\":\"ada@example.com\"},\"agent\":{\"name\":\"Screening\",\"questions\":[\"Why us?\"]},"
      + "\"scheduledAt\":\"" + inFuture(Duration.ofDays(1)) + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
  }

  static String interview() {
    return interview("");
  }

  /** A test interview due now: the simulator calls it at once (the candidate's number completes), like any call. */
  static String testInterviewDueNow() {
    return "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"phoneNumber\":\"+421915123456\"},"
      + "\"agent\":{\"name\":\"Screening\",\"questions\":[\"Why us?\"]},\"isTest\":true}";
  }
}
