package dev.parley.api;

import dev.parley.bus.Bus;
import dev.parley.config.ParleyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;

/** The interviews endpoints. */
final class InterviewApi {
  private final Vertx vertx;
  private final ParleyConfig config;

  InterviewApi(Vertx vertx, ParleyConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  /**
   * What a create must check of the caller number (docs/api.md, "Caller numbers"): a live
   * interview that a real provider dials needs one, and Vapi needs the number's phoneNumberId. A
   * test interview (an sk_test_ key, or isTest) is played by the simulator and needs none.
   */
  static JsonObject callerRules(ParleyConfig config, boolean live, JsonObject request) {
    boolean required = live && config.realProvider();
    return request.put("livemode", live).put("callerRequired", required)
      .put("callerNeedsProviderRef", required && "vapi".equals(config.provider()));
  }

  void register(Map<String, Operation> operations) {
    operations.put("createInterview", this::create);
    operations.put("listInterviews", this::list);
    operations.put("getInterview", call -> read(vertx, Bus.INTERVIEW_GET, call));
    operations.put("deleteInterview", this::delete);
    operations.put("invokeCallAttempt", this::invokeAttempt);
    operations.put("rescheduleCallAttempt", this::rescheduleAttempt);
    operations.put("deleteCallAttempt", call -> Bus.request(vertx, Bus.ATTEMPT_DELETE,
      call.tenantRequest().put("id", call.path("id")).put("attemptId", call.path("attemptId"))).map(v -> Reply.noContent()));
    operations.put("getInterviewRecording", call -> Bus.requestBinary(vertx, Bus.INTERVIEW_RECORDING,
      call.tenantRequest().put("id", call.path("id"))).map(r -> Reply.binary(r.bytes(), r.contentType())));
  }

  /** A new attempt now or at scheduledAt, replacing the scheduled ones: 201 with the interview. */
  private Future<Reply> invokeAttempt(ApiCall call) {
    InputRules rules = new InputRules();
    OffsetDateTime at = rules.time("scheduledAt", call.body().getString("scheduledAt"));
    rules.schedule("scheduledAt", at);
    rules.throwIfAny();
    String when = (at == null ? OffsetDateTime.now(ZoneOffset.UTC) : at).toString();
    return Bus.<String>request(vertx, Bus.ATTEMPT_INVOKE, call.tenantRequest().put("id", call.path("id"))
      .put("scheduledAt", when)).map(Reply::created);
  }

  /** Moves a SCHEDULED attempt to a future time: 204. */
  private Future<Reply> rescheduleAttempt(ApiCall call) {
    InputRules rules = new InputRules();
    OffsetDateTime at = rules.time("scheduledAt", call.body().getString("scheduledAt"));
    if (at != null && !at.toInstant().isAfter(java.time.Instant.now())) rules.add("scheduledAt", "must be in the future");
    else rules.schedule("scheduledAt", at);
    rules.throwIfAny();
    return Bus.request(vertx, Bus.ATTEMPT_RESCHEDULE, call.tenantRequest().put("id", call.path("id"))
      .put("attemptId", call.path("attemptId")).put("scheduledAt", at.toString())).map(v -> Reply.noContent());
  }

  private Future<Reply> create(ApiCall call) {
    JsonObject b = call.body();
    InputRules rules = new InputRules();
    exactlyOne(rules, b, "candidateId", "candidate");
    exactlyOne(rules, b, "agentId", "agent");
    if (b.containsKey("jobId") && b.containsKey("job")) rules.add("job", "give jobId or job, not both");
    JsonObject candidate = b.getJsonObject("candidate");
    if (candidate != null) {
      if (candidate.containsKey("jobId") && (b.containsKey("jobId") || b.containsKey("job"))) {
        rules.add("candidate.jobId", "cannot be combined with jobId or job");
      }
      if (candidate.getString("phoneNumber") == null) rules.add("candidate.phoneNumber", "is required");
      rules.phone("candidate.phoneNumber", candidate.getString("phoneNumber"));
      rules.metadata("candidate.metadata", candidate.getJsonObject("metadata"));
    }
    if (b.getJsonObject("agent") != null) rules.metadata("agent.metadata", b.getJsonObject("agent").getJsonObject("metadata"));
    rules.metadata("metadata", b.getJsonObject("metadata"));

    String field = b.containsKey("scheduledAt") ? "scheduledAt" : "scheduleTime";
    String raw = b.getString(field);
    if (b.containsKey("scheduledAt") && b.containsKey("scheduleTime") && !b.getString("scheduledAt").equals(b.getString("scheduleTime"))) {
      rules.add("scheduleTime", "give scheduledAt or scheduleTime, not two different times");
    }
    OffsetDateTime at = rules.time(field, raw);
    rules.schedule(field, at);
    rules.throwIfAny();

    boolean live = call.principal().livemode() && !b.getBoolean("isTest", false);
    JsonObject request = callerRules(config, live, call.tenantRequest().put("body", b));
    if (at == null) {
      request.put("scheduledAt", OffsetDateTime.now(ZoneOffset.UTC).toString());
    } else {
      request.put("scheduledAt", at.toString());
      // An explicit offset other than Z says where the candidate is: the calling window uses it.
      if (!raw.endsWith("Z") && !raw.endsWith("z")) request.put("scheduleOffset", at.getOffset().getTotalSeconds());
    }
    String idempotencyKey = call.header("Idempotency-Key");
    if (idempotencyKey != null && !idempotencyKey.isBlank()) {
      request.put("idempotencyKey", idempotencyKey.trim()).put("requestHash", sha256(b.encode()));
    }
    return Bus.<String>request(vertx, Bus.INTERVIEW_CREATE, request).map(Reply::created);
  }

  private static void exactlyOne(InputRules rules, JsonObject b, String idField, String inlineField) {
    boolean id = b.getValue(idField) != null, inline = b.getValue(inlineField) != null;
    if (id == inline) rules.add(inlineField, id ? "give " + idField + " or " + inlineField + ", not both" : "give " + idField + " or " + inlineField);
  }

  private Future<Reply> list(ApiCall call) {
    InputRules rules = new InputRules();
    OffsetDateTime from = rules.time("scheduledFrom", call.query("scheduledFrom"));
    OffsetDateTime to = rules.time("scheduledTo", call.query("scheduledTo"));
    rules.throwIfAny();
    String status = call.query("status");
    if ("CANCELED".equals(status)) status = "CANCELLED";
    JsonObject request = call.tenantRequest().put("status", status).put("candidateId", call.query("candidateId"))
      .put("agentId", call.query("agentId"))
      .put("scheduledFrom", from == null ? null : from.toString()).put("scheduledTo", to == null ? null : to.toString());
    return Bus.<String>request(vertx, Bus.INTERVIEW_LIST, paging(call, request)).map(Reply::ok);
  }

  static JsonObject paging(ApiCall call, JsonObject request) {
    Integer page = call.queryInt("page"), limit = call.queryInt("limit");
    return request.put("page", page == null ? 1 : page).put("limit", limit == null ? 20 : limit)
      .put("cursor", call.query("cursor"));
  }

  /** A GET by ID: the store checks existence (404) and then the company (403). */
  static Future<Reply> read(Vertx vertx, String address, ApiCall call) {
    return Bus.<String>request(vertx, address, call.tenantRequest().put("id", call.path("id"))).map(Reply::ok);
  }

  private Future<Reply> delete(ApiCall call) {
    return Bus.<JsonObject>request(vertx, Bus.INTERVIEW_DELETE, call.tenantRequest().put("id", call.path("id")))
      .map(deleted -> Reply.ok("true"));
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
