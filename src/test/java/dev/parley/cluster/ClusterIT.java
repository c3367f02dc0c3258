package dev.parley.cluster;

import dev.parley.api.ApiChecks;
import dev.parley.bus.Bus;
import dev.parley.support.BusClient;
import dev.parley.support.Receiver;
import dev.parley.support.Sql;
import dev.parley.support.TestCluster;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three clustered nodes on one database, and a client node inside the cluster: a delete on any
 * node, or through the public bus API, reaches a live call held by another node; hints on
 * cluster addresses are checked against PostgreSQL; a key's rate limit is one budget across nodes
 * and transports; internal addresses cannot be reached from another node.
 */
@ExtendWith(VertxExtension.class)
class ClusterIT {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String SCOPES = "read:interviews,write:interviews,delete:interviews,read:companies,write:webhooks";
  static TestCluster cluster;
  static Vertx client;
  static Receiver receiver;

  @BeforeAll
  static void start() throws Exception {
    receiver = new Receiver();
    cluster = TestCluster.start("cluster", 3, Map.of(
      "PARLEY_WEBHOOKS_ALLOW_PRIVATE", "true",
      "PARLEY_WEBHOOK_POLL_MS", "100",
      "PARLEY_SIMULATOR_RING_MS", "100",
      "PARLEY_SIMULATOR_TALK_MS", "500",
      "PARLEY_SIMULATOR_LONG_CALL_MS", "10000",
      "PARLEY_DISPATCH_POLL_MS", "200"));
    client = cluster.client(Map.of());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) cluster.close();
    receiver.close();
  }

  static TestServer node(int i) {
    return cluster.nodes.get(i);
  }

  /** A company whose window is all day, with a key and a webhook to the receiver for every event. */
  static Tenant company(String name) {
    TestServer n = node(0);
    String companyId = n.admin("company", "create", "--name", name, "--call-window", "00:00-24:00",
      "--max-concurrent-calls", "2").getString("id");
    JsonObject key = n.admin("key", "create", "--company", companyId, "--name", name, "--scopes", SCOPES);
    Tenant t = new Tenant(companyId, key.getString("id"), key.getString("key"));
    Response hook = n.post("/webhooks", t.key(), "{\"url\":\"" + receiver.url() + "\",\"events\":[\"interview.started\","
      + "\"interview.completed\",\"interview.failed\",\"analysis.completed\",\"analysis.failed\"]}");
    assertThat(hook.status()).as(hook.raw().body()).isEqualTo(201);
    return t;
  }

  static String interviewBody(String phone) {
    return "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"phoneNumber\":\"" + phone + "\"},"
      + "\"agent\":{\"name\":\"Screening\",\"questions\":[\"Why us?\",\"Tell me about a project you led.\"]}}";
  }

  static String create(TestServer via, Tenant t, String phone) {
    Response r = via.post("/interviews", t.key(), interviewBody(phone));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.data().getString("id");
  }

  /** The node whose live call this interview has, once it is dialled. */
  static TestServer holderOf(String interviewId) {
    await().atMost(WAIT).until(() -> Sql.count(cluster.database, "SELECT count(*) FROM live_calls WHERE interview_id = ?", interviewId) == 1);
    String nodeId = (String) Sql.rows(cluster.database, "SELECT node_id FROM live_calls WHERE interview_id = ?", interviewId)
      .get(0).get("node_id");
    return cluster.nodes.stream().filter(n -> n.node().nodeId().equals(nodeId)).findFirst().orElseThrow();
  }

  /**
   * Waits for the long call to be answered: a delete before that cancels the call at the provider
   * (SPEC section 3), and the call would not go on to be flagged and finish.
   */
  static void answered(String interviewId) {
    await().atMost(WAIT).until(() -> Sql.count(cluster.database,
      "SELECT count(*) FROM live_calls WHERE interview_id = ? AND answered_at IS NOT NULL", interviewId) == 1);
  }

  static TestServer another(TestServer than) {
    return cluster.nodes.stream().filter(n -> n != than).findFirst().orElseThrow();
  }

  static int activeCalls(Tenant t) {
    return node(0).get("/company/" + t.companyId(), t.key()).data().getInteger("activeCalls");
  }

  static <T> T result(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(BusClient.TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
  }

  /**
   * The call goes on after the delete and holds its slot; the node holding it flags its session
   * once PostgreSQL confirms; at its end the slot is free and nothing else exists for it.
   */
  static void assertDeletedWhileLive(Tenant t, String id, TestServer holder) {
    await().atMost(WAIT).until(() -> holder.metric("parley_cluster_hints_total", "kind", "interview-deleted", "outcome", "applied") >= 1
      && holder.metric("parley_call_sessions", "state", "post_call_skipped") == 1);
    assertThat(Sql.count(cluster.database, "SELECT count(*) FROM live_calls WHERE interview_id = ? AND post_call_skipped", id))
      .as("the call is not cut").isEqualTo(1);
    assertThat(activeCalls(t)).as("its slot is held while it lasts").isEqualTo(1);

    await().atMost(WAIT).until(() -> Sql.count(cluster.database, "SELECT count(*) FROM live_calls WHERE interview_id = ?", id) == 0);
    assertThat(activeCalls(t)).as("slot freed when the call ended").isZero();
    assertThat(Sql.rowsAbout(cluster.database, id)).as("rows about the interview").isEmpty();
    assertThat(Sql.rows(cluster.database, "SELECT status_at_delete FROM interview_deletions WHERE interview_id = ?", id))
      .extracting(r -> r.get("status_at_delete")).containsExactly("IN_PROGRESS");
    assertThat(holder.metric("parley_call_sessions", "state", "live")).isZero();
    assertThat(receiver.eventsOf(id)).doesNotContain("interview.completed", "analysis.completed", "analysis.failed");
  }

  @Test
  void aDeleteThroughAnotherNodesHttpApiReachesTheLiveCall() {
    Tenant t = company("Delete over HTTP");
    String id = create(node(0), t, "+421915120004");
    TestServer holder = holderOf(id);
    TestServer other = another(holder);
    answered(id);

    Response deleted = other.delete("/v1/interviews/" + id, t.key());
    assertThat(deleted.status()).as(deleted.raw().body()).isEqualTo(200);
    assertDeletedWhileLive(t, id, holder);
  }

  @Test
  void aDeleteThroughTheBusApiReachesTheLiveCall() throws Exception {
    Tenant t = company("Delete over the bus");
    String id = create(node(1), t, "+421915120004");
    TestServer holder = holderOf(id);
    answered(id);

    Message<Object> reply = result(BusClient.request(client, "parley.api.v1.interviews.delete", new JsonObject().put("id", id), t.key()));
    assertThat(reply.body()).isEqualTo(true);
    assertDeletedWhileLive(t, id, holder);
  }

  @Test
  void forgedHintsFromAClientChangeNothing() {
    Tenant t = company("Forged hints");
    String id = create(node(2), t, "+421915120004");
    TestServer holder = holderOf(id);
    String callId = Sql.rows(cluster.database, "SELECT call_id FROM live_calls WHERE interview_id = ?", id).get(0).get("call_id").toString();

    client.eventBus().publish(Bus.CLUSTER_INTERVIEW_DELETED, new JsonObject().put("interviewId", id));
    client.eventBus().publish(Bus.CLUSTER_CALL_ENDED, new JsonObject().put("callId", callId));
    await().atMost(WAIT).until(() -> holder.metric("parley_cluster_hints_total", "kind", "interview-deleted", "outcome", "refuted") >= 1
      && holder.metric("parley_cluster_hints_total", "kind", "call-ended", "outcome", "refuted") >= 1);

    assertThat(holder.metric("parley_call_sessions", "state", "live")).as("session kept").isEqualTo(1);
    assertThat(holder.metric("parley_call_sessions", "state", "post_call_skipped")).as("session not flagged").isZero();
    assertThat(activeCalls(t)).as("slot still held").isEqualTo(1);

    // the call ends as it would have: recording, transcript, analysis, webhooks
    await().atMost(WAIT).until(() -> "COMPLETED".equals(node(0).get("/interviews/" + id, t.key()).data().getString("status"))
      && node(0).get("/interviews/" + id, t.key()).data().getValue("analysis") != null);
    JsonObject done = node(0).get("/interviews/" + id, t.key()).data();
    assertThat(done.getJsonArray("transcript")).isNotEmpty();
    await().atMost(WAIT).until(() -> receiver.eventsOf(id).contains("analysis.completed"));
    assertThat(activeCalls(t)).isZero();
  }

  /** The recording of a call one node handled is served, byte for byte, by every node (and over the bus). */
  @Test
  void aRecordingIsServedByEveryNode() throws Exception {
    Tenant t = company("Recording on every node");
    String id = create(node(0), t, "+421915123456");
    TestServer holder = holderOf(id);
    await().atMost(WAIT).until(() -> Sql.count(cluster.database, "SELECT count(*) FROM recordings WHERE interview_id = ?", id) == 1);
    byte[] stored = Sql.recording(cluster.database, id);
    assertThat(new String(stored, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("RIFF");
    for (TestServer n : cluster.nodes) {
      java.net.http.HttpResponse<byte[]> wav = n.download("/v1/interviews/" + id + "/recording", t.key());
      assertThat(wav.statusCode()).as(n == holder ? "the node that placed the call" : "another node").isEqualTo(200);
      assertThat(wav.headers().firstValue("Content-Type")).hasValue("audio/wav");
      assertThat(wav.body()).isEqualTo(stored);
    }
    Message<Object> overBus = result(BusClient.request(client, "parley.api.v1.interviews.recording", new JsonObject().put("id", id), t.key()));
    assertThat(overBus.headers().get("content-type")).isEqualTo("audio/wav");
    assertThat(((io.vertx.core.buffer.Buffer) overBus.body()).getBytes()).isEqualTo(stored);
  }

  @Test
  void internalAddressesHaveNoHandlerForAnotherNode() throws Exception {
    Tenant t = company("Internal addresses");
    // due tomorrow: no call, so no session of this test is live while another test counts them
    Response created = node(0).post("/interviews", t.key(), new JsonObject(interviewBody("+421915123456"))
      .put("scheduledAt", java.time.Instant.now().plusSeconds(86_400).toString()).encode());
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    String id = created.data().getString("id");
    for (String address : InternalAddresses.all()) {
      Throwable failure = result(BusClient.request(client, address, new JsonObject().put("id", id).put("companyId", t.companyId()), null)
        .transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause())));
      assertThat(failure).as(address).isInstanceOf(ReplyException.class);
      assertThat(((ReplyException) failure).failureType()).as(address).isEqualTo(ReplyFailure.NO_HANDLERS);
    }
    assertThat(node(0).get("/interviews/" + id, t.key()).status()).as("still there").isEqualTo(200);
  }

  /** The example client of the docs, run as the docs say: it joins, creates, reads and deletes over the bus. */
  @Test
  void theExampleBusClientRunsAsDocumented() throws Exception {
    Tenant t = company("Example client");
    String token = node(0).admin("token", "create", "--company", t.companyId(), "--scopes",
      "read:interviews,write:interviews,delete:interviews", "--ttl", "600", "--subject", "example-client").getString("token");
    String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(javaBin, "-cp", "target/parley.jar", "examples/bus-client/BusClient.java", "demo")
      .redirectErrorStream(true);
    pb.environment().putAll(Map.of("PARLEY_TOKEN", token, "PARLEY_CLUSTER_NAME", cluster.clusterEnv().get("PARLEY_CLUSTER_NAME"),
      "PARLEY_CLUSTER_MEMBERS", cluster.clusterEnv().get("PARLEY_CLUSTER_MEMBERS"), "PARLEY_CLUSTER_HOST", "127.0.0.1"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).containsPattern("created [0-9a-f-]{36} SCHEDULED").contains("deleted true")
      .contains("read again: RESOURCE_NOT_FOUND (404) Interview with ID");
    String id = out.replaceAll("(?s).*created ([0-9a-f-]{36}).*", "$1");
    assertThat(Sql.rows(cluster.database, "SELECT token_subject FROM interview_deletions WHERE interview_id = ?", id))
      .extracting(r -> r.get("token_subject")).containsExactly("example-client");
  }

  // ---------------------------------------------------------------- the public bus API's boundary

  /**
   * What a refused request could have changed: every row of the company (and its webhooks,
   * deliveries and audit rows), and the companies of the other partner, as one digest per table.
   * Other tests' background work touches none of them.
   */
  static java.util.List<Object> snapshot(String companyId, String otherPartnerId) {
    java.util.List<Object> digests = new java.util.ArrayList<>();
    for (String[] table : new String[][] {{"companies", "id = ?"}, {"companies", "partner_id = ?"}, {"interviews", "company_id = ?"},
      {"call_attempts", "company_id = ?"}, {"candidates", "company_id = ?"}, {"agents", "company_id = ?"}, {"jobs", "company_id = ?"},
      {"webhooks", "owner_company_id = ?"}, {"webhook_deliveries", "company_id = ?"}, {"interview_deletions", "company_id = ?"},
      {"api_keys", "company_id = ?"}, {"live_calls", "company_id = ?"}}) {
      String owner = table[1].startsWith("partner_id") ? otherPartnerId : companyId;
      digests.add(Sql.rows(cluster.database, "SELECT count(*) AS n, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS d FROM "
        + table[0] + " t WHERE " + table[1], owner).get(0));
    }
    return digests;
  }

  /**
   * Every public address, given a missing, unsigned (alg none), wrongly signed, expired or
   * another partner's credential: the documented code, and nothing changes.
   */
  @Test
  void everyPublicAddressRefusesBadCredentials(Vertx vertx, VertxTestContext ctx) throws Exception {
    Tenant t = company("Refuses bad credentials");
    Response createdInterview = node(0).post("/interviews", t.key(), "{\"candidate\":{\"firstName\":\"Ada\",\"lastName\":\"Lovelace\","
      + "\"phoneNumber\":\"+421915123456\"},\"agent\":{\"name\":\"Screening\"},\"scheduledAt\":\""
      + java.time.Instant.now().plusSeconds(86_400) + "\"}");
    assertThat(createdInterview.status()).as(createdInterview.raw().body()).isEqualTo(201);
    String interview = createdInterview.data().getString("id");
    String attempt = node(0).get("/interviews/" + interview, t.key()).data().getJsonArray("callAttempts").getJsonObject(0).getString("id");
    String webhook = Sql.rows(cluster.database, "SELECT id FROM webhooks WHERE owner_company_id = ?", t.companyId()).get(0).get("id").toString();
    String candidate = Sql.rows(cluster.database, "SELECT candidate_id FROM interviews WHERE id = ?", interview).get(0).get("candidate_id").toString();
    String agent = Sql.rows(cluster.database, "SELECT agent_id FROM interviews WHERE id = ?", interview).get(0).get("agent_id").toString();
    String future = java.time.Instant.now().plusSeconds(2 * 86_400).toString();
    JsonObject person = new JsonObject().put("firstName", "Bo").put("lastName", "Ek").put("phoneNumber", "+14155550123");
    Map<String, JsonObject> messages = new java.util.HashMap<>(Map.ofEntries(
      Map.entry("createInterview", new JsonObject().put("body", new JsonObject().put("candidate", person)
        .put("agent", new JsonObject().put("name", "Screening")).put("scheduledAt", future))),
      Map.entry("listInterviews", new JsonObject()),
      Map.entry("getInterview", new JsonObject().put("id", interview)),
      Map.entry("deleteInterview", new JsonObject().put("id", interview)),
      Map.entry("getInterviewRecording", new JsonObject().put("id", interview)),
      Map.entry("invokeCallAttempt", new JsonObject().put("id", interview).put("body", new JsonObject().put("scheduledAt", future))),
      Map.entry("rescheduleCallAttempt", new JsonObject().put("id", interview).put("attemptId", attempt)
        .put("body", new JsonObject().put("scheduledAt", future))),
      Map.entry("deleteCallAttempt", new JsonObject().put("id", interview).put("attemptId", attempt)),
      Map.entry("createCandidate", new JsonObject().put("body", person)),
      Map.entry("listCandidates", new JsonObject()),
      Map.entry("getCandidate", new JsonObject().put("id", candidate)),
      Map.entry("deleteCandidate", new JsonObject().put("id", candidate)),
      Map.entry("createAgent", new JsonObject().put("body", new JsonObject().put("name", "Agent"))),
      Map.entry("listAgents", new JsonObject()),
      Map.entry("getAgent", new JsonObject().put("id", agent)),
      Map.entry("deleteAgent", new JsonObject().put("id", agent)),
      Map.entry("createWebhook", new JsonObject().put("body", new JsonObject().put("url", receiver.url())
        .put("events", new io.vertx.core.json.JsonArray().add("ping")))),
      Map.entry("listWebhooks", new JsonObject()),
      Map.entry("getWebhook", new JsonObject().put("id", webhook)),
      Map.entry("updateWebhook", new JsonObject().put("id", webhook).put("body", new JsonObject().put("name", "Renamed"))),
      Map.entry("deleteWebhook", new JsonObject().put("id", webhook)),
      Map.entry("testWebhook", new JsonObject().put("id", webhook)),
      Map.entry("resetWebhookCircuit", new JsonObject().put("id", webhook)),
      Map.entry("listWebhookDeliveries", new JsonObject().put("id", webhook)),
      Map.entry("createCompany", new JsonObject().put("body", new JsonObject().put("name", "Company"))),
      Map.entry("listCompanies", new JsonObject()),
      Map.entry("getCompany", new JsonObject().put("id", t.companyId())),
      Map.entry("updateCompany", new JsonObject().put("id", t.companyId()).put("body", new JsonObject().put("name", "Renamed"))),
      Map.entry("listCompanyPhoneNumbers", new JsonObject().put("id", t.companyId()))));
    assertThat(messages.keySet()).as("a message for every public address").isEqualTo(Bus.PUBLIC_API.keySet());

    long now = System.currentTimeMillis() / 1000;
    String secret = dev.parley.support.TestSecrets.JWT_SECRET, kid = dev.parley.support.TestSecrets.JWT_KID;
    JsonObject claims = dev.parley.support.Tokens.companyClaims(t.companyId(), now + 3600);
    String partner = node(0).admin("ats-partner", "create", "--name", "Another partner").getString("id");
    String otherPartnerKey = node(0).admin("key", "create", "--partner", partner, "--name", "other", "--scopes",
      String.join(",", dev.parley.auth.Scopes.ALL)).getString("key");
    Map<String, String> invalid = new java.util.LinkedHashMap<>();
    invalid.put("missing", null);
    invalid.put("alg none", dev.parley.support.Tokens.unsigned(claims));
    invalid.put("wrong key", dev.parley.support.Tokens.signed(vertx, "not-the-servers-secret-0123456789abcdef", kid, claims));
    invalid.put("expired", dev.parley.support.Tokens.signed(vertx, secret, kid,
      dev.parley.support.Tokens.companyClaims(t.companyId(), now - 60)));
    // the same secret and claims but a live exp pass: the refusals above are for what each changed
    String good = dev.parley.support.Tokens.signed(vertx, secret, kid, claims);
    assertThat(result(BusClient.request(client, Bus.PUBLIC_API.get("getInterview"), new JsonObject().put("id", interview), good)).body())
      .isInstanceOf(JsonObject.class);
    // another partner's key that names this company: not its partner's company
    java.util.Set<String> ownSpace = java.util.Set.of("createWebhook", "listWebhooks", "createCompany", "listCompanies");

    java.util.List<Object> before = snapshot(t.companyId(), partner);
    java.util.List<io.vertx.core.Future<Void>> checks = new java.util.ArrayList<>();
    for (Map.Entry<String, String> op : Bus.PUBLIC_API.entrySet()) {
      for (Map.Entry<String, String> credential : invalid.entrySet()) {
        checks.add(expectFailure(ctx, op.getValue() + " with a " + credential.getKey() + " credential", op.getValue(),
          messages.get(op.getKey()), credential.getValue(), 4010, "INVALID_API_KEY"));
      }
      if (!ownSpace.contains(op.getKey())) {
        checks.add(expectFailure(ctx, op.getValue() + " with another partner's key", op.getValue(),
          messages.get(op.getKey()).copy().put("companyId", t.companyId()), otherPartnerKey, 4031, "FORBIDDEN_COMPANY"));
      }
    }
    // what that key lists is its own: nothing of this company's
    checks.add(BusClient.request(client, Bus.PUBLIC_API.get("listCompanies"), new JsonObject(), otherPartnerKey)
      .map(m -> { ctx.verify(() -> assertThat(((JsonObject) m.body()).encode()).doesNotContain(t.companyId())); return null; }));
    checks.add(BusClient.request(client, Bus.PUBLIC_API.get("listWebhooks"), new JsonObject(), otherPartnerKey)
      .map(m -> { ctx.verify(() -> assertThat(((JsonObject) m.body()).encode()).doesNotContain(webhook)); return null; }));
    io.vertx.core.Future.all(checks).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      assertThat(snapshot(t.companyId(), partner)).as("the company's rows").isEqualTo(before);
      assertThat(node(0).get("/interviews/" + interview, t.key()).status()).isEqualTo(200);
      ctx.completeNow();
    })));
    assertThat(ctx.awaitCompletion(60, TimeUnit.SECONDS)).isTrue();
  }

  /** What only a bus message can get wrong is reported with HTTP's codes and in its order. */
  @Test
  void malformedBusMessagesGetHttpsCodesInHttpsOrder() throws Exception {
    Tenant t = company("Malformed messages");
    String key = node(0).admin("key", "create", "--company", t.companyId(), "--name", "all", "--scopes",
      String.join(",", dev.parley.auth.Scopes.ALL)).getString("key");
    // not a JSON object: the credential is checked first, as over HTTP
    assertThat(code(client.eventBus().request("parley.api.v1.interviews.list", "not an object",
      new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(BusClient.TIMEOUT_MS)))).isEqualTo(4010);
    assertThat(code(client.eventBus().request("parley.api.v1.interviews.list", "not an object",
      new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(BusClient.TIMEOUT_MS).addHeader("authorization", "Bearer " + key))))
      .isEqualTo(4000);
    // a missing path parameter is an invalid ID, on operations with a body and without
    assertThat(code(BusClient.request(client, "parley.api.v1.companies.update", new JsonObject().put("body",
      new JsonObject().put("name", "Renamed")), key))).isEqualTo(4002);
    assertThat(code(BusClient.request(client, "parley.api.v1.call-attempts.reschedule", new JsonObject().put("id", t.companyId())
      .put("body", new JsonObject().put("scheduledAt", java.time.Instant.now().plusSeconds(3600).toString())), key))).isEqualTo(4002);
    assertThat(code(BusClient.request(client, "parley.api.v1.interviews.get", new JsonObject(), key))).isEqualTo(4002);
    // a body over PARLEY_MAX_BODY_BYTES is refused before anything else, as HTTP's body limit does
    JsonObject huge = new JsonObject().put("name", "Agent").put("instructions", "x".repeat(300 * 1024));
    assertThat(code(BusClient.request(client, "parley.api.v1.agents.create", new JsonObject().put("body", huge), null))).isEqualTo(4130);
  }

  static int code(io.vertx.core.Future<? extends Message<?>> request) throws Exception {
    Throwable failure = result(request.transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause())));
    assertThat(failure).isInstanceOf(ReplyException.class);
    return ((ReplyException) failure).failureCode();
  }

  static io.vertx.core.Future<Void> expectFailure(VertxTestContext ctx, String what, String address, JsonObject message,
                                                   String credential, int busCode, String code) {
    return BusClient.request(client, address, message, credential).transform(ar -> {
      ctx.verify(() -> {
        assertThat(ar.succeeded()).as(what + " succeeded: " + (ar.succeeded() ? ar.result().body() : "")).isFalse();
        assertThat(ar.cause()).as(what).isInstanceOf(ReplyException.class);
        assertThat(((ReplyException) ar.cause()).failureCode()).as(what + ": " + ar.cause().getMessage()).isEqualTo(busCode);
        JsonObject error = BusClient.error(ar.cause());
        assertThat(error.getString("code")).as(what).isEqualTo(code);
        assertThat(error.getString("message")).as(what).isNotBlank();
      });
      return io.vertx.core.Future.succeededFuture();
    });
  }

  // ---------------------------------------------------------------- rate limits and JWTs

  /** A key with 3/100 is one budget: whichever node or transport its 4th request in the minute reaches, it gets 429. */
  @Test
  void aKeysRateLimitHoldsAcrossNodesAndTheBus() throws Exception {
    for (int round = 0; round < 3; round++) {
      Tenant company = company("Rate limited " + round);
      JsonObject limited = node(0).admin("key", "create", "--company", company.companyId(), "--name", "limited",
        "--scopes", "read:interviews", "--rate-limit", "3/100");
      Tenant t = new Tenant(company.companyId(), limited.getString("id"), limited.getString("key"));
      for (int i = 0; i < 3; i++) {
        boolean overBus = (round == 1) || (round == 2 && i == 1);
        if (overBus) {
          Message<Object> ok = result(BusClient.request(client, "parley.api.v1.interviews.list", new JsonObject(), t.key()));
          assertThat(ok.headers().get("x-ratelimit-remaining-minute")).isEqualTo(String.valueOf(2 - i));
          assertThat(ok.headers().get("x-ratelimit-limit-hour")).isEqualTo("100");
        } else {
          Response ok = node(i).get("/interviews", t.key());
          assertThat(ok.status()).isEqualTo(200);
          assertThat(ok.raw().headers().firstValue("X-RateLimit-Limit-Minute")).hasValue("3");
          assertThat(ok.raw().headers().firstValue("X-RateLimit-Remaining-Minute")).hasValue(String.valueOf(2 - i));
          assertThat(ok.raw().headers().firstValue("X-RateLimit-Remaining-Hour")).hasValue(String.valueOf(99 - i));
          assertThat(Long.parseLong(ok.raw().headers().firstValue("X-RateLimit-Reset-Minute").orElseThrow()))
            .isBetween(System.currentTimeMillis() / 1000, System.currentTimeMillis() / 1000 + 61);
        }
      }
      if (round == 0) {
        Response refused = node(1).get("/interviews", t.key());
        ApiChecks.assertError(refused, 429, "RATE_LIMITED");
        assertThat(Integer.parseInt(refused.raw().headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 60);
        assertThat(refused.raw().headers().firstValue("X-RateLimit-Remaining-Minute")).hasValue("0");
        assertThat(refused.body().getJsonObject("error").getJsonObject("details").getInteger("retryAfter")).isBetween(1, 60);
      } else {
        Throwable refused = result(BusClient.request(client, "parley.api.v1.interviews.list", new JsonObject(), t.key())
          .transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause())));
        assertThat(((ReplyException) refused).failureCode()).isEqualTo(4290);
        assertThat(BusClient.error(refused).getString("code")).isEqualTo("RATE_LIMITED");
        assertThat(BusClient.error(refused).getJsonObject("details").getInteger("retryAfter")).isBetween(1, 60);
        // and over HTTP too, on any node
        ApiChecks.assertError(node(2).get("/interviews", t.key()), 429, "RATE_LIMITED");
      }
    }
  }

  /** A JWT creates, reads and deletes over the bus, and the audit row names its subject. */
  @Test
  void aJwtCreatesReadsAndDeletesOverTheBus() throws Exception {
    Tenant t = company("JWT over the bus");
    String token = node(0).admin("token", "create", "--company", t.companyId(), "--scopes",
      "read:interviews,write:interviews,delete:interviews", "--ttl", "600", "--subject", "ops-bus-client").getString("token");
    JsonObject body = new JsonObject(interviewBody("+421915123456")).put("scheduledAt", java.time.Instant.now().plusSeconds(86_400).toString());
    JsonObject created = (JsonObject) result(BusClient.request(client, "parley.api.v1.interviews.create",
      new JsonObject().put("body", body), token)).body();
    String id = created.getString("id");
    assertThat(created.getString("status")).isEqualTo("SCHEDULED");
    JsonObject read = (JsonObject) result(BusClient.request(client, "parley.api.v1.interviews.get", new JsonObject().put("id", id), token)).body();
    assertThat(read.getString("companyId")).isEqualTo(t.companyId());
    assertThat(result(BusClient.request(client, "parley.api.v1.interviews.delete", new JsonObject().put("id", id), token)).body()).isEqualTo(true);
    java.util.List<Map<String, Object>> audit =
      Sql.rows(cluster.database, "SELECT token_subject, api_key_id FROM interview_deletions WHERE interview_id = ?", id);
    assertThat(audit).hasSize(1);
    assertThat(audit.get(0).get("token_subject")).isEqualTo("ops-bus-client");
    assertThat(audit.get(0).get("api_key_id")).isNull();
  }
}
