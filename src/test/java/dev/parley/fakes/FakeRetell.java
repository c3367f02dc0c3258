package dev.parley.fakes;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake of Retell's REST API and webhooks, built from Retell's published API description (schema excerpts and
 * provenance in src/test/resources/providers/retell/, facts in /work/shared/reference/voice-platforms.md section 2;
 * "[R1]" etc. below are that file's source keys).
 *
 * <p>Endpoints: {@code POST /v2/create-phone-call}, {@code GET /v2/get-call/{call_id}}, {@code POST /v3/list-calls},
 * {@code POST /v2/stop-call/{call_id}} (all with {@code Authorization: Bearer <apiKey>}), and the recording host.
 *
 * <p>What happens to a created call is the {@link Script} of its {@code to_number}; the fake POSTs signed
 * {@code {"event","call"}} webhooks to {@code agent_override.agent.webhook_url}, else the account webhook URL.
 */
public final class FakeRetell extends FakePlatform {
  private static final String DIR = "/providers/retell/";

  /** webhook_events when the agent sets none ([R2] 2.4; webhook-event.schema.json $comment). */
  public static final List<String> DEFAULT_WEBHOOK_EVENTS = List.of("call_started", "call_ended", "call_analyzed");

  /** disconnection_reason values whose call_status is not_connected (voice-platforms.md 2.4, [R2][R9]). */
  static final Set<String> NOT_CONNECTED = Set.of("dial_busy", "dial_no_answer", "user_declined", "dial_failed", "invalid_destination",
    "telephony_provider_permission_denied", "telephony_provider_unavailable", "sip_routing_error", "marked_as_spam");
  /** disconnection_reason values whose call_status is error (account problems, same source). */
  static final Set<String> ACCOUNT_ERRORS = Set.of("concurrency_limit_reached", "no_concurrency_fallback", "no_valid_payment", "scam_detected");

  private final Map<String, RetellCall> calls = new ConcurrentHashMap<>();
  private final List<RetellCall> order = new CopyOnWriteArrayList<>();
  private final List<Received> creates = new CopyOnWriteArrayList<>();
  private final List<Received> rateLimited = new CopyOnWriteArrayList<>();
  private final List<Received> concurrencyRefused = new CopyOnWriteArrayList<>();
  private final List<Received> listQueries = new CopyOnWriteArrayList<>();
  private final List<Received> callFetches = new CopyOnWriteArrayList<>();
  private final List<Received> stops = new CopyOnWriteArrayList<>();

  private final Object admission = new Object();
  private long lastAcceptedNanos;
  private boolean anyAccepted;

  private volatile double callsPerSecond = 1;
  private volatile int concurrencyLimit = 20;
  private volatile String accountWebhookUrl;
  private volatile long webhookRetryDelayMs = 200;
  private volatile int webhookMaxRetries = 3;
  private volatile long analysisDelayMs = 100;
  private volatile String boundAgentId = "agent_" + randomAlnum(26);

  /** A fake with a random API key ({@link #apiKey()}); the same key signs the webhooks. */
  public FakeRetell() {
    this("key_" + randomAlnum(28));
  }

  public FakeRetell(String apiKey) {
    super(apiKey);
    createSchema();
    callSchema();
    webhookSchema();
    listSchema();
  }

  static SchemaFile createSchema() { return SchemaFile.of(DIR + "create-phone-call.schema.json"); }

  static SchemaFile callSchema() { return SchemaFile.of(DIR + "call.schema.json"); }

  static SchemaFile webhookSchema() { return SchemaFile.of(DIR + "webhook-event.schema.json"); }

  static SchemaFile listSchema() { return SchemaFile.of(DIR + "list-calls.schema.json"); }

  // ---------------------------------------------------------------- scripts and settings

  /** What calls to {@code to_number} do. */
  @Override
  public FakeRetell onNumber(String number, Script script) {
    scripts.put(number, script);
    return this;
  }

  /** What calls to unscripted numbers do; default {@code Script.answered()}. */
  @Override
  public FakeRetell defaultScript(Script script) {
    this.defaultScript = script;
    return this;
  }

  /**
   * Outbound calls per second; default 1 ([R3] 2.6: "1 by default"). A create that arrives less than 1/rate s after
   * the previous ACCEPTED create is answered 429 and recorded in {@link #rateLimited()}.
   */
  public void setCallsPerSecond(double rate) { this.callsPerSecond = rate; }

  /** Calls (registered or ongoing) allowed at once; default 20 ([R11] 2.6). One more is answered 429. */
  public void setConcurrencyLimit(int limit) { this.concurrencyLimit = limit; }

  /** The account-level webhook URL, used when the create sets no agent_override.agent.webhook_url ([R6] 2.4). Default none. */
  public void setAccountWebhookUrl(String url) { this.accountWebhookUrl = url; }

  /** The wait before each webhook retry; default 200 ms (Retell's own spacing is not published). */
  public void setWebhookRetryDelayMs(long ms) { this.webhookRetryDelayMs = ms; }

  /** How often a webhook without a 2xx is retried; default 3 ([R6] 2.4: "retried up to 3 times"). */
  public void setWebhookMaxRetries(int retries) { this.webhookMaxRetries = retries; }

  /** The pause between call_ended and call_analyzed; default 100 ms. */
  public void setAnalysisDelayMs(long ms) { this.analysisDelayMs = ms; }

  /** The agent bound to the from number, used when the create has no override_agent_id ([R1] 2.1). */
  public void setBoundAgentId(String agentId) { this.boundAgentId = agentId; }

  // ---------------------------------------------------------------- records

  /** Every {@code POST /v2/create-phone-call} that passed auth (accepted or not); {@code callId()} is the created call. */
  public List<Received> creates() { return List.copyOf(creates); }

  /** The creates refused with 429 for the calls-per-second limit. */
  public List<Received> rateLimited() { return List.copyOf(rateLimited); }

  /** The creates refused with 429 for the concurrency limit (or {@code Script.concurrencyRefusal()}). */
  public List<Received> concurrencyRefused() { return List.copyOf(concurrencyRefused); }

  /** Every {@code POST /v3/list-calls}, with its body. */
  public List<Received> listQueries() { return List.copyOf(listQueries); }

  /** Every {@code GET /v2/get-call/{call_id}}. */
  public List<Received> callFetches() { return List.copyOf(callFetches); }

  /** Every {@code POST /v2/stop-call/{call_id}}. */
  public List<Received> stops() { return List.copyOf(stops); }

  /** The ids of the calls created so far, oldest first. */
  public List<String> callIds() { return order.stream().map(c -> c.id).toList(); }

  /** The ids of the calls created to this number, oldest first. */
  public List<String> callIdsTo(String number) {
    return order.stream().filter(c -> number.equals(c.number)).map(c -> c.id).toList();
  }

  /** The call as {@code GET /v2/get-call} would show it now, or null. */
  public JsonObject call(String callId) {
    RetellCall c = calls.get(callId);
    return c == null ? null : callJson(c, View.FULL);
  }

  /** The webhook deliveries of one event for a call. */
  public List<Delivery> deliveries(String callId, String event) {
    return deliveries(callId).stream().filter(d -> d.event().equals(event)).toList();
  }

  // ---------------------------------------------------------------- helpers for forged webhooks

  /** POSTs {@code body} signed with this fake's API key at {@code timestampMs} (stale or future on purpose). */
  public HttpResponse<String> sendSigned(String url, String body, long timestampMs) {
    return sendWithSignature(url, body, RetellSignature.sign(apiKey, body.getBytes(StandardCharsets.UTF_8), timestampMs));
  }

  /** POSTs {@code body} signed now. */
  public HttpResponse<String> sendSigned(String url, String body) {
    return sendSigned(url, body, System.currentTimeMillis());
  }

  /** POSTs {@code body} without an {@code x-retell-signature} header. */
  public HttpResponse<String> sendUnsigned(String url, String body) {
    return rawPost(url, Map.of("Content-Type", "application/json"), body);
  }

  /** POSTs {@code body} with exactly this {@code x-retell-signature} header value. */
  public HttpResponse<String> sendWithSignature(String url, String body, String header) {
    return rawPost(url, Map.of("Content-Type", "application/json", RetellSignature.HEADER, header), body);
  }

  // ---------------------------------------------------------------- HTTP

  @Override
  void handle(Exchange ex) {
    String p = ex.path;
    // every operation is under the api_key bearer scheme ([R1] 2.1)
    if (!("Bearer " + apiKey).equals(ex.header("authorization"))) {
      unauthorized.incrementAndGet();
      ex.json(401, error("Unauthorized: the API key is missing or invalid"));
      return;
    }
    if (ex.method.equals("POST") && p.equals("/v2/create-phone-call")) create(ex);
    else if (ex.method.equals("POST") && p.equals("/v3/list-calls")) list(ex);
    else if (ex.method.equals("GET") && p.startsWith("/v2/get-call/")) get(ex, p.substring("/v2/get-call/".length()));
    else if (ex.method.equals("POST") && p.startsWith("/v2/stop-call/")) stop(ex, p.substring("/v2/stop-call/".length()));
    else ex.json(404, error("Not found: " + ex.method + " " + p));
  }

  /** Retell's error body ([R1]: 400/401/402/422/429/500 answer {"error_message"}). */
  private static JsonObject error(String message) {
    return new JsonObject().put("error_message", message);
  }

  private void badRequest(Exchange ex, Received r, String operation, List<String> errors) {
    violations.add(new Violation(operation, errors, ex.bodyText()));
    ex.json(400, error(String.join("; ", errors)));
    r.status(400);
  }

  // POST /v2/create-phone-call ([R1][R2] 2.1, body CallCreatePhoneCallParams)
  private void create(Exchange ex) {
    Received r = ex.record("create");
    creates.add(r);
    JsonObject body;
    try {
      body = new JsonObject(ex.bodyText());
    } catch (DecodeException | ClassCastException e) {
      badRequest(ex, r, "POST /v2/create-phone-call", List.of("body must be a JSON object: " + e.getMessage()));
      return;
    }
    List<String> errors = new ArrayList<>(createSchema().validate(body));
    errors.addAll(unknownProperties(body));
    errors.addAll(documentedRules(body));
    if (!errors.isEmpty()) {
      badRequest(ex, r, "POST /v2/create-phone-call", errors);
      return;
    }
    String to = body.getString("to_number");
    Script script = scriptFor(to);
    if (script.createFailsWith > 0) {
      ex.json(script.createFailsWith, error("Internal server error"));
      r.status(script.createFailsWith);
      return;
    }
    RetellCall c;
    synchronized (admission) {
      long now = ex.arrivedNanos;
      // [R3] 2.6: 1 outbound call per second by default; measured between arrivals
      if (anyAccepted && now - lastAcceptedNanos < (long) (1e9 / callsPerSecond)) {
        rateLimited.add(r);
        ex.json(429, error("Too many requests: outbound call rate limit reached (" + callsPerSecond + " call(s) per second)"));
        r.status(429);
        return;
      }
      // [R11] 2.6: 20 concurrent calls by default; create-phone-call lists 429 among its errors [R1]
      long active = order.stream().filter(x -> x.status.equals("registered") || x.status.equals("ongoing")).count();
      if (script.outcome == Script.Outcome.CONCURRENCY_REFUSAL || active >= concurrencyLimit) {
        concurrencyRefused.add(r);
        ex.json(429, error("Concurrency limit reached: " + Math.min(active, concurrencyLimit) + " of " + concurrencyLimit
          + " concurrent calls in use, please retry later"));
        r.status(429);
        return;
      }
      anyAccepted = true;
      lastAcceptedNanos = now;
      c = track(new RetellCall(randomAlnum(32), to, script, body));
      calls.put(c.id, c);
      order.add(c);
    }
    r.callId(c.id);
    JsonObject answer = callJson(c, View.BASIC);
    checkOwn(callSchema(), "the 201 of POST /v2/create-phone-call", answer);
    if (script.dropCreateAnswer) {
      r.status(-1);
      run(() -> play(c));
      return;
    }
    if (script.answerCreateAfterMs >= 0) {
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
   * Stricter than the published schema: the SDK's TS interfaces are open, so create-phone-call.schema.json leaves
   * additionalProperties open (SOURCE.md). The fake treats the listed properties of the body, of agent_override and of
   * agent_override.agent as the complete set, so a misspelt field fails here instead of being silently ignored.
   */
  private static List<String> unknownProperties(JsonObject body) {
    SchemaFile s = createSchema();
    List<String> bad = new ArrayList<>(FakePlatform.unknownFields(body, s.propertiesOf(null), ""));
    if (body.getValue("agent_override") instanceof JsonObject o) {
      bad.addAll(FakePlatform.unknownFields(o, s.propertiesOf("CallCreatePhoneCallParams.AgentOverride"), "agent_override"));
      if (o.getValue("agent") instanceof JsonObject a) {
        bad.addAll(FakePlatform.unknownFields(a, s.propertiesOf("CallCreatePhoneCallParams.AgentOverride.Agent"), "agent_override.agent"));
      }
    }
    return bad.stream().map(f -> "unknown field " + f).toList();
  }

  private static List<String> documentedRules(JsonObject b) {
    List<String> errors = new ArrayList<>();
    // [R1] 2.1: from_number and to_number are E.164; ignore_e164_validation only affects from_number
    if (b.getValue("to_number") instanceof String to && !isE164(to)) errors.add("to_number must be in E.164 format");
    if (b.getValue("from_number") instanceof String from && !isE164(from) && !Boolean.TRUE.equals(b.getValue("ignore_e164_validation"))) {
      errors.add("from_number must be in E.164 format");
    }
    // [R4] 2.2: all dynamic variable values must be strings (also in the schema; said plainly here)
    if (b.getValue("retell_llm_dynamic_variables") instanceof JsonObject vars) {
      for (String k : vars.fieldNames()) {
        Object v = vars.getValue(k);
        if (!(v instanceof String)) {
          errors.add("retell_llm_dynamic_variables." + k + " must be a string, got " + (v == null ? "null" : v.getClass().getSimpleName()));
        }
      }
    }
    return errors;
  }

  // POST /v3/list-calls (list-calls.schema.json; [R2] 2.5)
  private void list(Exchange ex) {
    Received r = ex.record("list");
    listQueries.add(r);
    JsonObject body;
    try {
      body = ex.body.length == 0 ? new JsonObject() : new JsonObject(ex.bodyText());
    } catch (DecodeException | ClassCastException e) {
      badRequest(ex, r, "POST /v3/list-calls", List.of("body must be a JSON object: " + e.getMessage()));
      return;
    }
    List<String> errors = listSchema().validate(body);
    if (!errors.isEmpty()) {
      badRequest(ex, r, "POST /v3/list-calls", errors);
      return;
    }
    JsonObject criteria = body.getJsonObject("filter_criteria", new JsonObject());
    List<String> unsupported = criteria.fieldNames().stream().filter(k -> !FILTERABLE.contains(k)).toList();
    if (!unsupported.isEmpty()) {
      // valid for Retell, but this fake does not evaluate these filters: fail loudly rather than answer wrongly
      violations.add(new Violation("POST /v3/list-calls (filter not implemented by the fake)", unsupported, ex.bodyText()));
      ex.json(501, error("the fake does not implement the filters " + unsupported));
      r.status(501);
      return;
    }
    boolean ascending = "ascending".equals(body.getString("sort_order", "descending"));
    Comparator<RetellCall> byTime = Comparator.comparing((RetellCall c) -> c.createdAt).thenComparing(order::indexOf);
    List<RetellCall> matching = order.stream().filter(c -> matches(c, criteria))
      .sorted(ascending ? byTime : byTime.reversed()).toList();
    int start = body.getInteger("skip", 0);
    String key = body.getString("pagination_key");
    if (key != null) {
      int at = matching.stream().map(c -> c.id).toList().indexOf(key);
      start = at < 0 ? matching.size() : at + 1;
    }
    int limit = body.getInteger("limit", 50);
    List<RetellCall> page = matching.subList(Math.min(start, matching.size()), Math.min(matching.size(), start + limit));
    JsonArray items = new JsonArray();
    for (RetellCall c : page) {
      JsonObject item = callJson(c, View.LIST);
      checkOwn(callSchema(), "an item of POST /v3/list-calls", item);
      items.add(item);
    }
    // CallListResponse: items, pagination_key, has_more, total (SOURCE.md)
    boolean more = start + page.size() < matching.size();
    JsonObject answer = new JsonObject().put("items", items).put("has_more", more);
    if (more && !page.isEmpty()) answer.put("pagination_key", page.get(page.size() - 1).id);
    if (body.getBoolean("include_total", false)) answer.put("total", matching.size());
    ex.json(200, answer);
    r.status(200);
  }

  private static final Set<String> FILTERABLE = Set.of("metadata", "dynamic_variables", "call_id", "call_status", "disconnection_reason",
    "from_number", "to_number", "call_type", "direction", "start_timestamp", "end_timestamp", "duration_ms", "in_voicemail",
    "user_sentiment", "call_successful");

  private boolean matches(RetellCall c, JsonObject criteria) {
    JsonObject call = callJson(c, View.FULL);
    JsonObject analysis = call.getJsonObject("call_analysis", new JsonObject());
    for (String k : criteria.fieldNames()) {
      Object f = criteria.getValue(k);
      boolean ok = switch (k) {
        // CustomFieldFilter: a ValueFilter plus the key of the metadata field (list-calls.schema.json)
        case "metadata" -> ((JsonArray) f).stream().allMatch(x ->
          test((JsonObject) x, c.metadata instanceof JsonObject m ? m.getValue(((JsonObject) x).getString("key")) : null));
        case "dynamic_variables" -> ((JsonArray) f).stream().allMatch(x ->
          test((JsonObject) x, c.dynamicVariables == null ? null : c.dynamicVariables.getValue(((JsonObject) x).getString("key"))));
        case "in_voicemail", "user_sentiment", "call_successful" -> test((JsonObject) f, analysis.getValue(k));
        default -> test((JsonObject) f, call.getValue(k));
      };
      if (!ok) return false;
    }
    return true;
  }

  /** One filter of list-calls.schema.json ($defs StringFilter, EnumFilter, BooleanFilter, NumberFilter, RangeFilter, PresentFilter). */
  private static boolean test(JsonObject f, Object v) {
    String op = f.getString("op");
    switch (f.getString("type")) {
      case "string": {
        if (!(v instanceof String s)) return op.equals("ne");
        String want = f.getString("value");
        return switch (op) {
          case "eq" -> s.equals(want);
          case "ne" -> !s.equals(want);
          case "sw" -> s.startsWith(want);
          case "ew" -> s.endsWith(want);
          default -> s.contains(want); // co
        };
      }
      case "enum":
        return v instanceof String s && f.getJsonArray("value").contains(s);
      case "boolean":
        return f.getBoolean("value").equals(v);
      case "number": {
        if (!(v instanceof Number n)) return false;
        double a = n.doubleValue();
        double b = f.getDouble("value");
        return switch (op) {
          case "eq" -> a == b;
          case "ne" -> a != b;
          case "gt" -> a > b;
          case "ge" -> a >= b;
          case "lt" -> a < b;
          default -> a <= b;
        };
      }
      case "range": {
        if (!(v instanceof Number n)) return false;
        JsonArray range = f.getJsonArray("value");
        return n.doubleValue() >= range.getDouble(0) && n.doubleValue() <= range.getDouble(1);
      }
      default: // present
        return op.equals("pr") == (v != null);
    }
  }

  // GET /v2/get-call/{call_id} ([R10] 2.5: the call object, with call_analysis once ready)
  private void get(Exchange ex, String id) {
    Received r = ex.record("get").callId(id);
    callFetches.add(r);
    RetellCall c = calls.get(id);
    if (c == null) {
      ex.json(404, error("Call not found: " + id));
      r.status(404);
      return;
    }
    JsonObject answer = callJson(c, View.FULL);
    checkOwn(callSchema(), "the 200 of GET /v2/get-call", answer);
    ex.json(200, answer);
    r.status(200);
  }

  // POST /v2/stop-call/{call_id} ([R5] 2.3: 204; the call ends with manual_stopped)
  private void stop(Exchange ex, String id) {
    Received r = ex.record("stop").callId(id);
    stops.add(r);
    RetellCall c = calls.get(id);
    if (c == null) {
      ex.json(404, error("Call not found: " + id));
      r.status(404);
      return;
    }
    // Stopping a registered (ringing) call is not documented ([R5] "verify"): the fake ends it not_connected with
    // manual_stopped. Stopping an ended call has no effect and is still answered 204 (verify).
    c.cancel();
    ex.empty(204);
    r.status(204);
  }

  // ---------------------------------------------------------------- the call

  enum View { BASIC, ENDED, FULL, LIST }

  final class RetellCall extends Played {
    final JsonObject request;
    final String fromNumber;
    final String agentId;
    final int agentVersion;
    final Object metadata;
    final JsonObject dynamicVariables;
    final JsonObject sipHeaders;
    final String webhookUrl;
    final List<?> webhookEvents;
    final long webhookTimeoutMs;
    final boolean signedRecordingUrl;
    final long signedUrlExpirationMs;
    volatile String status = "registered";
    volatile Long startTimestamp;
    volatile Long endTimestamp;
    volatile String disconnectionReason;
    volatile JsonObject analysis;
    volatile JsonObject heldStarted;
    private boolean ended;

    RetellCall(String id, String number, Script script, JsonObject request) {
      super(id, number, script);
      this.request = request.copy();
      this.fromNumber = request.getString("from_number");
      this.agentId = request.getString("override_agent_id", boundAgentId);
      this.agentVersion = request.getValue("override_agent_version") instanceof Number n ? n.intValue() : 1;
      this.metadata = request.getValue("metadata") instanceof JsonObject m ? m.copy() : request.getValue("metadata");
      this.dynamicVariables = request.getJsonObject("retell_llm_dynamic_variables");
      this.sipHeaders = request.getJsonObject("custom_sip_headers");
      JsonObject override = request.getJsonObject("agent_override", new JsonObject());
      JsonObject agent = override.getJsonObject("agent", new JsonObject());
      this.webhookUrl = agent.getString("webhook_url");
      this.webhookEvents = agent.getJsonArray("webhook_events") == null ? DEFAULT_WEBHOOK_EVENTS : agent.getJsonArray("webhook_events").getList();
      this.webhookTimeoutMs = agent.getValue("webhook_timeout_ms") instanceof Number n ? n.longValue() : 10_000; // default 10 s [R6]
      this.signedRecordingUrl = Boolean.TRUE.equals(agent.getValue("opt_in_signed_url"));
      this.signedUrlExpirationMs = agent.getValue("signed_url_expiration_ms") instanceof Number n ? n.longValue() : 86_400_000; // 24 h [R2]
    }
  }

  private void play(RetellCall c) {
    Script s = c.script;
    if (c.awaitRelease()) {
      if (!isClosed()) end(c, "manual_stopped");
      return;
    }
    // Retell has no ringing event (2.4): the call stays registered while it rings
    long ring = s.outcome == Script.Outcome.RINGS_UNTIL_CANCELLED ? s.maxMs : s.ringMs;
    if (c.sleepOrCancel(ring)) {
      if (!isClosed()) end(c, "manual_stopped");
      return;
    }
    // disconnection reasons: disconnection-reasons.txt, grouped as in voice-platforms.md 2.4
    switch (s.outcome) {
      case NO_ANSWER, RINGS_UNTIL_CANCELLED -> end(c, reason(s, "dial_no_answer"));
      case BUSY -> end(c, reason(s, "dial_busy"));
      case FAILED -> end(c, reason(s, "dial_failed"));
      default -> {
        if (s.retellDisconnectionReason != null && !connectedReason(s.retellDisconnectionReason)) {
          end(c, s.retellDisconnectionReason);
          return;
        }
        c.startTimestamp = System.currentTimeMillis();
        c.status = "ongoing";
        // call_started: "basic call information" [R6]; with outOfOrder it is held back and sent after call_ended
        JsonObject started = event("call_started", c, View.BASIC);
        if (s.outOfOrder) c.heldStarted = started;
        else deliver(c, "call_started", started);
        boolean live = s.outcome == Script.Outcome.LIVE_UNTIL_CANCELLED;
        if (c.sleepOrCancel(live ? s.maxMs : s.talkMs)) {
          if (!isClosed()) end(c, "manual_stopped");
          return;
        }
        String natural = live ? "max_duration_reached"
          : s.outcome == Script.Outcome.VOICEMAIL ? "voicemail_reached"
          : s.endedByUser ? "user_hangup" : "agent_hangup";
        end(c, reason(s, natural));
      }
    }
  }

  private static boolean connectedReason(String reason) {
    return !NOT_CONNECTED.contains(reason) && !ACCOUNT_ERRORS.contains(reason);
  }

  private static String reason(Script s, String natural) {
    return s.retellDisconnectionReason != null ? s.retellDisconnectionReason : natural;
  }

  private void end(RetellCall c, String reason) {
    boolean connected;
    synchronized (c) {
      if (c.ended) return;
      c.ended = true;
      c.endTimestamp = System.currentTimeMillis();
      c.disconnectionReason = reason;
      connected = c.startTimestamp != null;
      // call_status: ended for a call that connected; not_connected / error for one that never did (2.1, 2.4)
      c.status = connected ? "ended" : ACCOUNT_ERRORS.contains(reason) ? "error" : "not_connected";
      if (connected && c.script.recording != null) {
        // recording_url is a plain link without auth; signed and expiring only with opt_in_signed_url [R2] 2.5
        storeRecording(c.id, c.script.recording, c.script.recordingContentType, !c.signedRecordingUrl);
      }
    }
    JsonObject ended = event("call_ended", c, View.ENDED);
    Runnable analyzed = () -> {
      c.analysis = analysis(c, connected);
      deliver(c, "call_analyzed", event("call_analyzed", c, View.FULL));
    };
    if (c.script.outOfOrder && c.heldStarted != null) {
      deliver(c, "call_ended", ended);
      deliver(c, "call_started", c.heldStarted);
      if (pause(analysisDelayMs)) analyzed.run();
    } else if (c.script.outOfOrder) {
      analyzed.run();
      deliver(c, "call_ended", ended);
    } else {
      // [R6] 2.4: call_ended, then call_analyzed later; never-connected calls get no call_started but both of these
      deliver(c, "call_ended", ended);
      if (pause(analysisDelayMs)) analyzed.run();
    }
  }

  /** call_analysis ([R2] 2.4): call_summary, in_voicemail, user_sentiment, call_successful. */
  private static JsonObject analysis(RetellCall c, boolean connected) {
    Script s = c.script;
    boolean voicemail = "voicemail_reached".equals(c.disconnectionReason) || s.outcome == Script.Outcome.VOICEMAIL;
    String summary = s.summary != null ? s.summary
      : !connected ? "The call did not connect."
      : voicemail ? "The call reached a voicemail box."
      : "The agent talked with the user and the call ended.";
    boolean successful = s.callSuccessful != null ? s.callSuccessful : connected && !voicemail;
    return new JsonObject().put("call_summary", summary).put("in_voicemail", voicemail)
      .put("user_sentiment", connected && !voicemail ? s.userSentiment : "Unknown").put("call_successful", successful);
  }

  private JsonObject event(String event, RetellCall c, View view) {
    return new JsonObject().put("event", event).put("call", callJson(c, view));
  }

  /**
   * One webhook ([R6][R7] 2.4): POST {"event","call"} with {@code x-retell-signature} (RetellSignature, SIGNATURE.md),
   * validated against webhook-event.schema.json before it goes. Without a 2xx it is retried up to 3 times; the first
   * attempt is awaited (so events arrive in order), retries run on their own ("events go out in order but don't block
   * each other"). Each attempt is signed afresh.
   */
  private void deliver(RetellCall c, String event, JsonObject body) {
    if (isClosed() || !c.webhookEvents.contains(event)) return;
    String url = c.webhookUrl != null ? c.webhookUrl : accountWebhookUrl;
    if (url == null) return;
    checkOwn(webhookSchema(), "the " + event + " webhook", body);
    byte[] bytes = body.encode().getBytes(StandardCharsets.UTF_8);
    Duration timeout = Duration.ofMillis(c.webhookTimeoutMs);
    int copies = c.script.repeatEvents ? 2 : 1;
    for (int copy = 0; copy < copies; copy++) {
      if (!pause(c.script.eventDelayMs)) return;
      Delivery first = signedPost(c, event, url, 1, bytes, timeout);
      if (!first.ok() && webhookMaxRetries > 0) {
        run(() -> {
          for (int attempt = 2; attempt <= 1 + webhookMaxRetries; attempt++) {
            if (!pause(webhookRetryDelayMs)) return;
            if (signedPost(c, event, url, attempt, bytes, timeout).ok()) return;
          }
        });
      }
    }
  }

  private Delivery signedPost(RetellCall c, String event, String url, int attempt, byte[] bytes, Duration timeout) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put(RetellSignature.HEADER, RetellSignature.sign(apiKey, bytes, System.currentTimeMillis()));
    return post(c.id, event, url, attempt, headers, bytes, timeout);
  }

  /**
   * The call object (PhoneCallResponse, call.schema.json). BASIC: what a registered or just-started call has; ENDED: all
   * fields but call_analysis (call_ended); FULL: with call_analysis once analyzed (get-call, call_analyzed); LIST: FULL
   * without the transcript fields (list-calls items, per the docs). metadata and dynamic variables only when set.
   */
  private JsonObject callJson(RetellCall c, View view) {
    JsonObject o = new JsonObject().put("call_id", c.id).put("call_type", "phone_call").put("agent_id", c.agentId)
      .put("agent_version", c.agentVersion).put("call_status", c.status).put("direction", "outbound")
      .put("from_number", c.fromNumber).put("to_number", c.number);
    if (c.metadata != null) o.put("metadata", c.metadata instanceof JsonObject m ? m.copy() : c.metadata);
    if (c.dynamicVariables != null) o.put("retell_llm_dynamic_variables", c.dynamicVariables.copy());
    if (c.sipHeaders != null) o.put("custom_sip_headers", c.sipHeaders.copy());
    if (c.startTimestamp != null) o.put("start_timestamp", c.startTimestamp);
    if (view == View.BASIC || c.endTimestamp == null) return o;
    o.put("end_timestamp", c.endTimestamp).put("disconnection_reason", c.disconnectionReason);
    if (c.startTimestamp != null) {
      o.put("duration_ms", c.endTimestamp - c.startTimestamp);
      if (view != View.LIST) transcript(c, o);
      if (hasRecording(c.id)) o.put("recording_url", recordingUrl(c.id, c.signedRecordingUrl ? c.signedUrlExpirationMs : 0));
    }
    if (view != View.ENDED && c.analysis != null) o.put("call_analysis", c.analysis.copy());
    return o;
  }

  /** transcript ("Agent: ...\nUser: ...") and transcript_object (role, content, words with start/end in seconds) [R2] 2.4. */
  private static void transcript(RetellCall c, JsonObject o) {
    List<Script.Line> lines = c.script.lines();
    long talked = Math.max(lines.size(), c.endTimestamp - c.startTimestamp);
    double slot = lines.isEmpty() ? 0 : talked / 1000.0 / lines.size();
    StringBuilder text = new StringBuilder();
    JsonArray utterances = new JsonArray();
    for (int i = 0; i < lines.size(); i++) {
      Script.Line l = lines.get(i);
      String role = l.role() == Script.Role.AGENT ? "agent" : "user";
      text.append(l.role() == Script.Role.AGENT ? "Agent: " : "User: ").append(l.text()).append('\n');
      String[] words = l.text().trim().isEmpty() ? new String[0] : l.text().trim().split("\\s+");
      JsonArray w = new JsonArray();
      double per = words.length == 0 ? 0 : slot * 0.8 / words.length;
      for (int k = 0; k < words.length; k++) {
        double start = i * slot + k * per;
        w.add(new JsonObject().put("word", words[k]).put("start", round(start)).put("end", round(start + per)));
      }
      utterances.add(new JsonObject().put("role", role).put("content", l.text()).put("words", w));
    }
    o.put("transcript", text.toString()).put("transcript_object", utterances);
  }

  private static double round(double seconds) {
    return Math.round(seconds * 1000) / 1000.0;
  }
}
