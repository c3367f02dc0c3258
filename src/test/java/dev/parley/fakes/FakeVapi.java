package dev.parley.fakes;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A fake of Vapi's REST API and server messages, built from Vapi's published OpenAPI file (schema excerpts and
 * provenance in src/test/resources/providers/vapi/, facts in /work/shared/reference/voice-platforms.md section 1;
 * "[V2]" etc. below are that file's source keys).
 *
 * <p>Endpoints: {@code POST /call}, {@code GET /call}, {@code GET /call/{id}}, {@code GET /call/{id}/mono-recording}
 * (all with {@code Authorization: Bearer <apiKey>}), {@code POST /control/{callId}} (the monitor control URL, no auth),
 * and the recording host ({@code /recordings/...}, {@code /hop/...}, {@code /storage/...}).
 *
 * <p>What happens to a created call is the {@link Script} of its {@code customer.number}; the fake POSTs
 * {@code status-update} and {@code end-of-call-report} server messages to {@code assistant.server.url}.
 */
public final class FakeVapi extends FakePlatform {
  private static final String DIR = "/providers/vapi/";

  /** The default of {@code assistant.serverMessages}, from its description in the OpenAPI file ([V2]). */
  public static final List<String> DEFAULT_SERVER_MESSAGES = List.of("conversation-update", "end-of-call-report",
    "function-call", "hang", "speech-update", "status-update", "tool-calls", "transfer-destination-request", "user-interrupted");

  private final String orgId = UUID.randomUUID().toString();
  private final Map<String, VapiCall> calls = new ConcurrentHashMap<>();
  private final List<VapiCall> order = new CopyOnWriteArrayList<>();
  private final List<Received> creates = new CopyOnWriteArrayList<>();
  private final List<Received> listQueries = new CopyOnWriteArrayList<>();
  private final List<Received> callFetches = new CopyOnWriteArrayList<>();
  private final List<Received> controls = new CopyOnWriteArrayList<>();
  private final List<Received> monoRecordingRequests = new CopyOnWriteArrayList<>();

  private volatile String serverUrlFallback;
  private volatile int concurrencyLimit;
  private volatile double backoffTimeScale = 1.0;
  private volatile long reportDelayMs = 50;

  /** A fake with a random private API key ({@link #apiKey()}). */
  public FakeVapi() {
    this("vapi-private-" + UUID.randomUUID());
  }

  public FakeVapi(String apiKey) {
    super(apiKey);
    // compile the schemas now, not on the first request (the big files take a moment)
    createSchema();
    callSchema();
    statusUpdateSchema();
    reportSchema();
    controlSchema();
    listSchema();
  }

  static SchemaFile createSchema() { return SchemaFile.of(DIR + "create-call.schema.json"); }

  static SchemaFile callSchema() { return SchemaFile.of(DIR + "call.schema.json"); }

  static SchemaFile statusUpdateSchema() { return SchemaFile.of(DIR + "server-message-status-update.schema.json"); }

  static SchemaFile reportSchema() { return SchemaFile.of(DIR + "server-message-end-of-call-report.schema.json"); }

  static SchemaFile controlSchema() { return SchemaFile.of(DIR + "control-message.schema.json"); }

  static SchemaFile listSchema() { return SchemaFile.of(DIR + "list-calls.params.json"); }

  // ---------------------------------------------------------------- scripts and settings

  /** What calls to {@code customer.number} do. */
  @Override
  public FakeVapi onNumber(String number, Script script) {
    scripts.put(number, script);
    return this;
  }

  /** What calls to unscripted numbers do; default {@code Script.answered()}. */
  @Override
  public FakeVapi defaultScript(Script script) {
    this.defaultScript = script;
    return this;
  }

  /**
   * The server URL used when the create sets no {@code assistant.server.url} (nor {@code assistantOverrides.server.url}):
   * Vapi then uses the phone number's, then the org's server URL ([V2] 1.4). Default none: no messages are sent.
   */
  public void setServerUrlFallback(String url) { this.serverUrlFallback = url; }

  /**
   * Calls beyond this many not-ended calls are refused like {@code Script.concurrencyRefusal()}. Default 0 = no limit:
   * the docs say 10 slots by default but disagree on whether extra dials wait or fail ([V9][V7], "verify"), so the
   * fake enforces nothing unless a test asks.
   */
  public void setConcurrencyLimit(int limit) { this.concurrencyLimit = limit; }

  /** Multiplies the waits of {@code server.backoffPlan} (e.g. 0.01 turns seconds into tens of ms); default 1. */
  public void setBackoffTimeScale(double scale) { this.backoffTimeScale = scale; }

  /** The pause between status-update {@code ended} and the end-of-call-report ("post-processing"); default 50 ms. */
  public void setReportDelayMs(long ms) { this.reportDelayMs = ms; }

  // ---------------------------------------------------------------- records

  /** Every {@code POST /call} that passed auth, with its body and arrival time; {@code callId()} is the created call (null if refused). */
  public List<Received> creates() { return List.copyOf(creates); }

  /** Every {@code GET /call} (list) query; the query string is {@code query()}. */
  public List<Received> listQueries() { return List.copyOf(listQueries); }

  /** Every {@code GET /call/{id}}. */
  public List<Received> callFetches() { return List.copyOf(callFetches); }

  /** Every POST to a control URL ({@code {"type":"end-call"}} and the like). */
  public List<Received> controls() { return List.copyOf(controls); }

  /** Every {@code GET /call/{id}/mono-recording} that passed auth. */
  public List<Received> monoRecordingRequests() { return List.copyOf(monoRecordingRequests); }

  public String orgId() { return orgId; }

  /** The ids of the calls created so far, oldest first. */
  public List<String> callIds() { return order.stream().map(c -> c.id).toList(); }

  /** The ids of the calls created to this number, oldest first. */
  public List<String> callIdsTo(String number) {
    return order.stream().filter(c -> number.equals(c.number)).map(c -> c.id).toList();
  }

  /** The call as {@code GET /call/{id}} would show it now, or null. */
  public JsonObject call(String callId) {
    VapiCall c = calls.get(callId);
    return c == null ? null : callJson(c, true);
  }

  /** The call's {@code status} now (queued, ringing, in-progress, ended), or null for an unknown call. */
  public String status(String callId) {
    VapiCall c = calls.get(callId);
    return c == null ? null : c.status;
  }

  /** The webhook deliveries of one message type ({@code status-update:ringing}, {@code end-of-call-report}, ...) for a call. */
  public List<Delivery> deliveries(String callId, String event) {
    return deliveries(callId).stream().filter(d -> d.event().equals(event)).toList();
  }

  // ---------------------------------------------------------------- helpers for forged messages

  /** POSTs any body as a server message (Content-Type application/json plus {@code headers}); not validated, not recorded. */
  public HttpResponse<String> sendMessage(String url, Map<String, String> headers, String body) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Type", "application/json");
    h.putAll(headers);
    return rawPost(url, h, body);
  }

  public HttpResponse<String> sendMessage(String url, Map<String, String> headers, JsonObject body) {
    return sendMessage(url, headers, body.encode());
  }

  // ---------------------------------------------------------------- HTTP

  @Override
  void handle(Exchange ex) {
    String p = ex.path;
    if (p.startsWith("/control/")) {
      control(ex, p.substring("/control/".length()));
      return;
    }
    if (!p.equals("/call") && !p.startsWith("/call/")) {
      nest(ex, 404, "Cannot " + ex.method + " " + p, "Not Found");
      return;
    }
    // the spec's security scheme is bearer with the private key ([V2]; mono-recording.operation.json "security")
    if (!("Bearer " + apiKey).equals(ex.header("authorization"))) {
      unauthorized.incrementAndGet();
      nest(ex, 401, "Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.", "Unauthorized");
      return;
    }
    if (p.equals("/call")) {
      if (ex.method.equals("POST")) create(ex);
      else if (ex.method.equals("GET")) list(ex);
      else nest(ex, 404, "Cannot " + ex.method + " " + p, "Not Found");
      return;
    }
    String rest = p.substring("/call/".length());
    if (ex.method.equals("GET") && rest.endsWith("/mono-recording") && rest.indexOf('/') == rest.length() - "/mono-recording".length()) {
      monoRecording(ex, rest.substring(0, rest.indexOf('/')));
    } else if (ex.method.equals("GET") && !rest.contains("/")) {
      get(ex, rest);
    } else {
      nest(ex, 404, "Cannot " + ex.method + " " + p, "Not Found");
    }
  }

  /** Vapi's API is NestJS: errors are {"message", "error", "statusCode"}; a 400's message is an array of strings. */
  private static void nest(Exchange ex, int status, Object message, String error) {
    ex.json(status, new JsonObject().put("message", message).put("error", error).put("statusCode", status));
  }

  private void badRequest(Exchange ex, Received r, String operation, List<String> errors) {
    violations.add(new Violation(operation, errors, ex.rawQuery != null && ex.body.length == 0 ? ex.rawQuery : ex.bodyText()));
    nest(ex, 400, new JsonArray(new ArrayList<Object>(errors)), "Bad Request");
    r.status(400);
  }

  // POST /call ([V2] CallController_create, body CreateCallDTO)
  private void create(Exchange ex) {
    Received r = ex.record("create");
    creates.add(r);
    JsonObject body;
    try {
      body = new JsonObject(ex.bodyText());
    } catch (DecodeException | ClassCastException e) {
      badRequest(ex, r, "POST /call", List.of("body must be a JSON object: " + e.getMessage()));
      return;
    }
    List<String> errors = new ArrayList<>(createSchema().validate(body));
    errors.addAll(unknownProperties(body));
    errors.addAll(documentedRules(body));
    if (!errors.isEmpty()) {
      badRequest(ex, r, "POST /call", errors);
      return;
    }
    JsonObject customer = body.getJsonObject("customer");
    String number = customer.getString("number");
    Script script = scriptFor(number);
    if (script.createFailsWith > 0) {
      nest(ex, script.createFailsWith, "Internal server error", "Internal Server Error");
      r.status(script.createFailsWith);
      return;
    }
    if (concurrencyLimit > 0 && order.stream().filter(c -> !"ended".equals(c.status)).count() >= concurrencyLimit) {
      script.outcome = Script.Outcome.CONCURRENCY_REFUSAL;
    }
    VapiCall c = track(new VapiCall(UUID.randomUUID().toString(), number, script, body));
    calls.put(c.id, c);
    order.add(c);
    r.callId(c.id);
    // 201 with a Call ([V2]: the spec's 201 is Call for one customer); status queued as in the docs' example ([V4])
    JsonObject answer = callJson(c, false);
    checkOwn(callSchema(), "the 201 of POST /call", answer);
    if (script.dropCreateAnswer) {
      // the call exists and plays; the connection closes without an answer (dispatch closes the unanswered exchange)
      r.status(-1);
      run(() -> play(c));
      return;
    }
    if (script.answerCreateAfterMs >= 0) {
      // the call exists and plays at once; only the HTTP answer waits
      run(() -> play(c));
      if (!pause(script.answerCreateAfterMs)) return;
      ex.json(201, answer);
      r.status(201);
      return;
    }
    ex.json(201, answer);
    r.status(201);
    run(() -> play(c));
  }

  /**
   * Stricter than the published schema: CreateCallDTO, CreateAssistantDTO (assistant), CreateCustomerDTO (customer,
   * customers[]) and Server (assistant.server) leave additionalProperties open (SOURCE.md, "additionalProperties"),
   * and whether the live API rejects unknown fields is not documented. The fake treats each one's listed properties
   * as the complete set, so a misspelt field fails here instead of being silently ignored. Wording as NestJS's
   * whitelist check.
   */
  private static List<String> unknownProperties(JsonObject body) {
    SchemaFile s = createSchema();
    List<String> bad = new ArrayList<>(FakePlatform.unknownFields(body, s.propertiesOf("CreateCallDTO"), ""));
    if (body.getValue("assistant") instanceof JsonObject a) {
      bad.addAll(FakePlatform.unknownFields(a, s.propertiesOf("CreateAssistantDTO"), "assistant"));
      if (a.getValue("server") instanceof JsonObject server) {
        bad.addAll(FakePlatform.unknownFields(server, s.propertiesOf("Server"), "assistant.server"));
      }
    }
    if (body.getValue("customer") instanceof JsonObject cu) {
      bad.addAll(FakePlatform.unknownFields(cu, s.propertiesOf("CreateCustomerDTO"), "customer"));
    }
    if (body.getValue("customers") instanceof JsonArray list) {
      for (int i = 0; i < list.size(); i++) {
        if (list.getValue(i) instanceof JsonObject cu) {
          bad.addAll(FakePlatform.unknownFields(cu, s.propertiesOf("CreateCustomerDTO"), "customers." + i));
        }
      }
    }
    return bad.stream().map(f -> "property " + f + " should not exist").toList();
  }

  /** Rules the docs state in prose, which the schema (with no required fields) cannot express. */
  private static List<String> documentedRules(JsonObject b) {
    List<String> errors = new ArrayList<>();
    // [V1][V2] 1.1: the assistant is exactly one of assistantId or assistant; squads and workflows are the alternatives
    long agents = List.of("assistantId", "assistant", "squadId", "squad", "workflowId", "workflow").stream().filter(b::containsKey).count();
    if (agents != 1) errors.add("exactly one of assistantId, assistant, squadId, squad, workflowId or workflow must be given (found " + agents + ")");
    // [V2] 1.1: assistantVersion only with assistantId
    if (b.containsKey("assistantVersion") && !b.containsKey("assistantId")) errors.add("assistantVersion is only allowed with assistantId");
    // [V1][V2] 1.1: from is phoneNumberId or a transient phoneNumber
    if (b.containsKey("phoneNumberId") == b.containsKey("phoneNumber")) errors.add("exactly one of phoneNumberId or phoneNumber must be given");
    // [V1][V2] 1.1: to is customer (or customerId, or customers[] for a batch)
    long to = List.of("customer", "customerId", "customers").stream().filter(b::containsKey).count();
    if (to != 1) errors.add("exactly one of customer, customerId or customers must be given");
    if (b.containsKey("customers")) errors.add("customers (batch calls, answered with a CallBatchResponse) is not supported by this fake");
    if (b.containsKey("customerId")) errors.add("customerId (a saved customer) is not supported by this fake: give customer.number");
    if (b.getValue("customer") instanceof JsonObject cu) {
      String number = cu.getString("number");
      if (number == null) {
        errors.add("customer.number must be given for an outbound phone call");
      } else if (!Boolean.FALSE.equals(cu.getBoolean("numberE164CheckEnabled")) && !isE164(number)) {
        // [V2]: customer.number is E.164 unless numberE164CheckEnabled is false
        errors.add("customer.number must be a valid phone number in E.164 format (e.g. +14155551234)");
      }
    }
    return errors;
  }

  // GET /call ([V2] CallController_findAll; list-calls.params.json)
  private void list(Exchange ex) {
    Received r = ex.record("list");
    listQueries.add(r);
    Set<String> known = listSchema().propertiesOf(null);
    JsonObject params = new JsonObject();
    List<String> errors = new ArrayList<>();
    for (Map.Entry<String, String> e : ex.query.entrySet()) {
      String k = e.getKey();
      String v = e.getValue();
      if (!known.contains(k)) {
        errors.add("property " + k + " should not exist");
      } else if (v.contains("\u0000")) {
        errors.add(k + " must be given once");
      } else if (k.equals("limit")) {
        // query values are text: coerce limit to a number before validating (list-calls.params.json $comment)
        try {
          params.put(k, Double.parseDouble(v));
        } catch (NumberFormatException nfe) {
          errors.add("limit must be a number conforming to the specified constraints");
        }
      } else {
        params.put(k, v);
      }
    }
    errors.addAll(listSchema().validate(params));
    if (!errors.isEmpty()) {
      badRequest(ex, r, "GET /call", errors);
      return;
    }
    int limit = params.containsKey("limit") ? params.getDouble("limit").intValue() : 100; // "Defaults to 100."
    List<VapiCall> found = order.stream()
      .filter(c -> !params.containsKey("id") || c.id.equals(params.getString("id")))
      .filter(c -> !params.containsKey("assistantId") || params.getString("assistantId").equals(c.request.getString("assistantId")))
      .filter(c -> !params.containsKey("phoneNumberId") || params.getString("phoneNumberId").equals(c.request.getString("phoneNumberId")))
      .filter(c -> compare(params, "createdAt", c.createdAt))
      .filter(c -> compare(params, "updatedAt", c.updatedAt))
      .sorted(Comparator.comparing((VapiCall c) -> c.createdAt).thenComparing(c -> order.indexOf(c)).reversed()) // newest first
      .limit(limit)
      .toList();
    JsonArray answer = new JsonArray();
    for (VapiCall c : found) {
      JsonObject cj = callJson(c, true);
      checkOwn(callSchema(), "an item of GET /call", cj);
      answer.add(cj);
    }
    ex.json(200, answer);
    r.status(200);
  }

  private static boolean compare(JsonObject params, String field, Instant value) {
    for (String op : List.of("Gt", "Lt", "Ge", "Le")) {
      String v = params.getString(field + op);
      if (v == null) continue;
      Instant bound;
      try {
        bound = DateTimeFormatter.ISO_DATE_TIME.parse(v, Instant::from);
      } catch (DateTimeParseException e) {
        return false;
      }
      int cmp = value.compareTo(bound);
      boolean ok = switch (op) {
        case "Gt" -> cmp > 0;
        case "Lt" -> cmp < 0;
        case "Ge" -> cmp >= 0;
        default -> cmp <= 0;
      };
      if (!ok) return false;
    }
    return true;
  }

  // GET /call/{id} ([V2] 1.5)
  private void get(Exchange ex, String id) {
    Received r = ex.record("get").callId(id);
    callFetches.add(r);
    VapiCall c = calls.get(id);
    if (c == null) {
      nest(ex, 404, "Call not found", "Not Found");
      r.status(404);
      return;
    }
    JsonObject answer = callJson(c, true);
    checkOwn(callSchema(), "the 200 of GET /call/{id}", answer);
    ex.json(200, answer);
    r.status(200);
  }

  // GET /call/{id}/mono-recording (mono-recording.operation.json: 302 to a short-lived presigned URL; 401; 404 "Artifact not found.")
  private void monoRecording(Exchange ex, String id) {
    Received r = ex.record("mono-recording").callId(id);
    monoRecordingRequests.add(r);
    VapiCall c = calls.get(id);
    if (c == null || !"ended".equals(c.status) || !hasRecording(id)) {
      nest(ex, 404, "Artifact not found.", "Not Found");
      r.status(404);
      return;
    }
    ex.redirect(302, recordingUrl(id, recordingUrlTtlMs));
    r.status(302);
  }

  // POST {monitor.controlUrl} ([V4] 1.3: {"type":"end-call"} ends the call; no auth by default [V2])
  private void control(Exchange ex, String id) {
    Received r = ex.record("control").callId(id);
    controls.add(r);
    VapiCall c = calls.get(id);
    if (c == null || !ex.method.equals("POST")) {
      nest(ex, 404, "Call not found", "Not Found");
      r.status(404);
      return;
    }
    JsonObject body;
    try {
      body = new JsonObject(ex.bodyText());
    } catch (DecodeException | ClassCastException e) {
      badRequest(ex, r, "POST control", List.of("body must be a JSON object: " + e.getMessage()));
      return;
    }
    List<String> errors = controlSchema().validate(body);
    if (!errors.isEmpty()) {
      badRequest(ex, r, "POST control", errors);
      return;
    }
    if ("end-call".equals(body.getString("type"))) {
      // Whether end-call works while queued or ringing is not documented ([V7] 1.3, "verify"); the fake ends the call in
      // any state before ended, with endedReason manually-canceled ("canceled via the API or dashboard"). On an ended
      // call it has no effect and is still answered 200 (verify).
      c.cancel();
    }
    // say, add-message, control, transfer, ...: accepted and recorded, no effect on the script
    ex.empty(200);
    r.status(200);
  }

  // ---------------------------------------------------------------- the call

  final class VapiCall extends Played {
    final JsonObject request;
    volatile String status = "queued";
    volatile Instant updatedAt;
    volatile Instant startedAt;
    volatile Instant endedAt;
    volatile String endedReason;
    private boolean ended;

    VapiCall(String id, String number, Script script, JsonObject request) {
      super(id, number, script);
      this.request = request.copy();
      this.updatedAt = createdAt;
    }

    void status(String s) {
      status = s;
      updatedAt = now();
    }

    /** The effective assistant setting: assistantOverrides over assistant ([V2] 1.2). */
    Object setting(String key) {
      JsonObject o = request.getJsonObject("assistantOverrides");
      if (o != null && o.containsKey(key)) return o.getValue(key);
      JsonObject a = request.getJsonObject("assistant");
      return a == null ? null : a.getValue(key);
    }
  }

  private static Instant now() {
    return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  }

  private void play(VapiCall c) {
    Script s = c.script;
    if (s.outcome == Script.Outcome.CONCURRENCY_REFUSAL) {
      // [V7][V9]: the call is created (201) and ends at once with this start error
      end(c, "call.start.error-subscription-concurrency-limit-reached");
      return;
    }
    if (c.awaitRelease()) {
      if (!isClosed()) end(c, "manually-canceled");
      return;
    }
    if (s.rings()) {
      c.status("ringing");
      statusUpdate(c, "ringing");
    }
    long ring = s.outcome == Script.Outcome.RINGS_UNTIL_CANCELLED ? s.maxMs : s.ringMs;
    if (c.sleepOrCancel(ring)) {
      if (!isClosed()) end(c, "manually-canceled");
      return;
    }
    // ended reasons: [V7] 1.4 and ended-reasons.txt
    switch (s.outcome) {
      case NO_ANSWER, RINGS_UNTIL_CANCELLED -> end(c, reason(s, "customer-did-not-answer"));
      case BUSY -> end(c, reason(s, "customer-busy"));
      case FAILED -> end(c, reason(s, "twilio-failed-to-connect-call"));
      default -> {
        c.startedAt = now();
        c.status("in-progress");
        statusUpdate(c, "in-progress");
        boolean live = s.outcome == Script.Outcome.LIVE_UNTIL_CANCELLED;
        if (c.sleepOrCancel(live ? s.maxMs : s.talkMs)) {
          if (!isClosed()) end(c, "manually-canceled");
          return;
        }
        String natural = live ? "exceeded-max-duration"
          : s.outcome == Script.Outcome.VOICEMAIL ? "voicemail" // [V11]: voicemail detection hangs up with reason voicemail
          : s.endedByUser ? "customer-ended-call" : "assistant-ended-call";
        end(c, reason(s, natural));
      }
    }
  }

  private static String reason(Script s, String natural) {
    return s.vapiEndedReason != null ? s.vapiEndedReason : natural;
  }

  private void end(VapiCall c, String reason) {
    synchronized (c) {
      if (c.ended) return;
      c.ended = true;
      c.endedAt = now();
      c.endedReason = reason;
      if (c.startedAt != null && c.script.recording != null) {
        storeRecording(c.id, c.script.recording, c.script.recordingContentType, false); // private: only presigned URLs serve it
      }
      c.status("ended");
    }
    // [V5] and voice-platforms.md 3: status-update ended comes first, the end-of-call-report after post-processing;
    // calls that never connect get both too (the docs don't say, "verify"; the fake sends them, without messages or recording)
    Runnable ended = () -> statusUpdate(c, "ended");
    Runnable report = () -> report(c);
    if (c.script.outOfOrder) {
      report.run();
      ended.run();
    } else {
      ended.run();
      if (pause(reportDelayMs)) report.run();
    }
  }

  private void statusUpdate(VapiCall c, String status) {
    deliver(c, "status-update", "status-update:" + status, statusUpdateSchema(), () -> {
      // ServerMessageStatusUpdate: type and status required; endedReason only with ended ([V5]); timestamp epoch ms
      JsonObject m = new JsonObject().put("type", "status-update").put("status", status)
        .put("timestamp", System.currentTimeMillis()).put("call", callJson(c, false));
      if (c.request.getValue("customer") != null) m.put("customer", c.request.getJsonObject("customer").copy());
      if (status.equals("ended")) m.put("endedReason", c.endedReason);
      return m;
    });
  }

  private void report(VapiCall c) {
    deliver(c, "end-of-call-report", "end-of-call-report", reportSchema(), () -> {
      // ServerMessageEndOfCallReport: type, endedReason, artifact, analysis required; startedAt/endedAt ISO; no duration field
      JsonObject m = new JsonObject().put("type", "end-of-call-report").put("timestamp", System.currentTimeMillis())
        .put("endedReason", c.endedReason);
      if (c.startedAt != null) m.put("startedAt", iso(c.startedAt)); // a call that never connected has no startedAt
      m.put("endedAt", iso(c.endedAt));
      m.put("artifact", artifact(c, true)).put("analysis", new JsonObject()).put("cost", 0);
      m.put("call", callJson(c, false));
      if (c.request.getValue("customer") != null) m.put("customer", c.request.getJsonObject("customer").copy());
      return m;
    });
  }

  /**
   * Sends one server message to the call's server URL, if its type is in serverMessages ([V2] 1.4), with every header
   * of server.headers; retried only as server.backoffPlan says ("Without a backoff plan nothing is retried", [V2]).
   * The message is rebuilt per attempt (timestamps and presigned URLs change between retries, [V13]).
   */
  private void deliver(VapiCall c, String type, String event, SchemaFile schema, Supplier<JsonObject> message) {
    if (isClosed()) return;
    Object listed = c.setting("serverMessages");
    List<?> types = listed instanceof JsonArray a ? a.getList() : DEFAULT_SERVER_MESSAGES;
    if (!types.contains(type)) return;
    JsonObject server = c.setting("server") instanceof JsonObject s ? s : new JsonObject();
    String url = server.getString("url", serverUrlFallback);
    if (url == null) return;
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    JsonObject custom = server.getJsonObject("headers");
    if (custom != null) {
      for (String name : custom.fieldNames()) {
        headers.keySet().removeIf(k -> k.equalsIgnoreCase(name));
        headers.put(name, String.valueOf(custom.getValue(name))); // exactly as given
      }
    }
    Duration timeout = Duration.ofMillis((long) (server.getDouble("timeoutSeconds", 20.0) * 1000)); // default 20 s
    JsonObject plan = server.getJsonObject("backoffPlan");
    int copies = c.script.repeatEvents ? 2 : 1;
    for (int copy = 0; copy < copies; copy++) {
      if (!pause(c.script.eventDelayMs)) return;
      int attempt = 1;
      while (!isClosed()) {
        JsonObject body = new JsonObject().put("message", message.get());
        checkOwn(schema, "the " + event + " server message", body);
        Delivery d = post(c.id, event, url, attempt, headers, body.encode().getBytes(StandardCharsets.UTF_8), timeout);
        if (d.ok() || plan == null || attempt > plan.getDouble("maxRetries").intValue()) break;
        JsonArray excluded = plan.getJsonArray("excludedStatusCodes");
        if (excluded != null && d.status() > 0 && excluded.stream().anyMatch(n -> ((Number) n).intValue() == d.status())) break;
        double base = plan.getDouble("baseDelaySeconds");
        double seconds = "exponential".equals(plan.getString("type")) ? base * Math.pow(2, attempt - 1) : base;
        if (!pause((long) (seconds * 1000 * backoffTimeScale))) return;
        attempt++;
      }
    }
  }

  /** The Call object: the create's fields echoed, the current state, and after the end the results ([V2] 1.1, 1.5). */
  private JsonObject callJson(VapiCall c, boolean withResults) {
    JsonObject o = new JsonObject().put("id", c.id).put("orgId", orgId)
      .put("createdAt", iso(c.createdAt)).put("updatedAt", iso(c.updatedAt))
      .put("type", "outboundPhoneCall").put("status", c.status);
    for (String k : List.of("name", "assistantId", "assistant", "assistantOverrides", "assistantVersion", "squadId", "workflowId",
      "phoneNumberId", "customer", "schedulePlan")) {
      Object v = c.request.getValue(k);
      if (v instanceof JsonObject j) o.put(k, j.copy());
      else if (v != null) o.put(k, v);
    }
    o.put("phoneCallTransport", "pstn");
    // [V4]: monitor.listenUrl (a websocket) and monitor.controlUrl, which takes the control messages
    String port = url().substring(url().lastIndexOf(':') + 1);
    o.put("monitor", new JsonObject().put("listenUrl", "ws://127.0.0.1:" + port + "/listen/" + c.id)
      .put("controlUrl", url() + "/control/" + c.id));
    if (c.startedAt != null) o.put("startedAt", iso(c.startedAt));
    if (c.endedAt != null) {
      o.put("endedAt", iso(c.endedAt)).put("endedReason", c.endedReason);
      if (withResults) o.put("artifact", artifact(c, false)).put("analysis", new JsonObject()).put("cost", 0);
    }
    return o;
  }

  /**
   * artifact ([V2][V5][V13] 1.4): messages (a system message with the prompt, then bot/user turns with time, endTime,
   * secondsFromStart, duration), transcript, and for a recorded call the stable private URLs (recordingUrl,
   * stereoRecordingUrl, recording.mono.combinedUrl, recording.stereoUrl); server messages also carry a presigned
   * presignedMonoUrl, fresh per delivery. A call that never connected has empty messages and no recording.
   */
  private JsonObject artifact(VapiCall c, boolean presigned) {
    JsonObject a = new JsonObject();
    JsonArray messages = new JsonArray();
    if (c.startedAt != null) {
      long start = c.startedAt.toEpochMilli();
      String prompt = systemPrompt(c);
      if (prompt != null) {
        messages.add(new JsonObject().put("role", "system").put("message", prompt).put("time", start).put("secondsFromStart", 0));
      }
      List<Script.Line> lines = c.script.lines();
      long talked = Math.max(lines.size(), c.endedAt.toEpochMilli() - start);
      long slot = lines.isEmpty() ? 0 : talked / lines.size();
      StringBuilder transcript = new StringBuilder();
      for (int i = 0; i < lines.size(); i++) {
        Script.Line l = lines.get(i);
        long offset = i * slot;
        long duration = Math.max(1, slot * 4 / 5);
        messages.add(new JsonObject().put("role", l.role() == Script.Role.AGENT ? "bot" : "user").put("message", l.text())
          .put("time", start + offset).put("endTime", start + offset + duration)
          .put("secondsFromStart", offset / 1000.0).put("duration", duration));
        transcript.append(l.role() == Script.Role.AGENT ? "AI: " : "User: ").append(l.text()).append('\n');
      }
      a.put("transcript", transcript.toString());
    }
    a.put("messages", messages);
    if (hasRecording(c.id)) {
      // stable identifiers of private storage: GET answers 403 (voice-platforms.md 1.5, "can't be downloaded directly")
      String mono = url() + "/storage/" + c.id + "-mono.wav";
      String stereo = url() + "/storage/" + c.id + "-stereo.wav";
      a.put("recordingUrl", mono).put("stereoRecordingUrl", stereo)
        .put("recording", new JsonObject().put("stereoUrl", stereo).put("mono", new JsonObject().put("combinedUrl", mono)));
      if (presigned) {
        String signed = recordingUrl(c.id, recordingUrlTtlMs);
        a.put("presignedMonoUrl", signed).put("presignedUrlsExpiresAt", iso(Instant.ofEpochMilli(recordingExpiry(signed))));
      }
    }
    return a;
  }

  private static String systemPrompt(VapiCall c) {
    if (!(c.setting("model") instanceof JsonObject model)) return null;
    JsonArray messages = model.getJsonArray("messages");
    if (messages == null) return null;
    for (Object m : messages) {
      if (m instanceof JsonObject j && "system".equals(j.getString("role")) && j.getString("content") != null) return j.getString("content");
    }
    return null;
  }
}
