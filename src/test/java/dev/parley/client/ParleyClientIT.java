package dev.parley.client;

import dev.parley.client.model.AgentInput;
import dev.parley.client.model.CandidateInput;
import dev.parley.client.model.Company;
import dev.parley.client.model.CompanyCreate;
import dev.parley.client.model.CompanyUpdate;
import dev.parley.client.model.Interview;
import dev.parley.client.model.InterviewCreate;
import dev.parley.client.model.InterviewFilter;
import dev.parley.client.model.Page;
import dev.parley.client.model.PageRequest;
import dev.parley.client.model.Recording;
import dev.parley.client.model.Webhook;
import dev.parley.client.model.WebhookCreate;
import dev.parley.client.model.WebhookUpdate;
import dev.parley.support.Receiver;
import dev.parley.support.Sql;
import dev.parley.support.TestCluster;
import dev.parley.support.TestServer;
import dev.parley.support.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The typed client ({@code parley-client}) against two real clustered nodes, joined as a member of
 * the cluster the way a Vert.x service would: every public operation through its typed method,
 * every error code the bus answers as a {@link ParleyException}, a create whose answer is lost and
 * that is sent again making one interview, a 429 waited out, and a JWT rotated while calls run.
 */
class ParleyClientIT {
  static final String JWT_KID = "k2026", JWT_SECRET = "client-it-signing-key-0123456789abcdef";
  static final String NEW_KID = "k2027", NEW_SECRET = "client-it-rotated-key-0123456789abcdef";
  static final List<String> SCOPES = List.of("read:interviews", "write:interviews", "delete:interviews", "read:candidates",
    "write:candidates", "delete:candidates", "read:agents", "write:agents", "delete:agents", "read:companies",
    "write:companies", "read:webhooks", "write:webhooks");

  static TestCluster cluster;
  static Vertx member;
  static Receiver receiver;
  static String companyId;
  static String key;
  /** Addresses the member sent to, by any test: every public one must be among them. */
  static final Set<String> sentTo = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start() throws Exception {
    receiver = new Receiver();
    cluster = TestCluster.start("client", 2, Map.of(
      "PARLEY_JWT_KEYS", NEW_KID + "=" + NEW_SECRET + "," + JWT_KID + "=" + JWT_SECRET,
      "PARLEY_WEBHOOKS_ALLOW_PRIVATE", "true",
      "PARLEY_SIMULATOR_RING_MS", "100",
      "PARLEY_SIMULATOR_TALK_MS", "300",
      "PARLEY_DISPATCH_POLL_MS", "100"));
    member = cluster.client(Map.of());
    member.eventBus().addOutboundInterceptor(ctx -> {
      sentTo.add(ctx.message().address());
      ctx.next();
    });
    TestServer node = cluster.nodes.get(0);
    companyId = node.admin("company", "create", "--name", "Client Co", "--call-window", "00:00-24:00").getString("id");
    key = node.admin("key", "create", "--company", companyId, "--name", "client", "--scopes", String.join(",", SCOPES))
      .getString("key");
    TestServer.callerNumber(cluster.database, companyId);
  }

  @AfterAll
  static void stop() {
    try {
      assertThat(sentTo).as("every public address was called through the typed client")
        .containsAll(Addresses.BY_OPERATION.values());
    } finally {
      if (cluster != null) cluster.close();
      receiver.close();
    }
  }

  static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** The failure of a call that must fail: always a ParleyException. */
  static ParleyException refusal(Future<?> future) throws Exception {
    Throwable failure = get(future.transform(ar -> Future.succeededFuture(ar.failed() ? ar.cause() : null)));
    assertThat(failure).as("the call failed").isNotNull();
    assertThat(failure).isInstanceOf(ParleyException.class);
    return (ParleyException) failure;
  }

  static String token(String kid, String secret, String subject) {
    JsonObject claims = Tokens.companyClaims(companyId, Instant.now().getEpochSecond() + 3600).put("sub", subject);
    return Tokens.signed(member, secret, kid, claims);
  }

  static ParleyClient client(String credential) {
    return ParleyClient.create(member, ParleyClientOptions.withCredential(credential));
  }

  static InterviewCreate interview(String phone, Instant at) {
    return InterviewCreate.of(CandidateInput.of("Ada", "Lovelace", phone), AgentInput.of("Screening")).withScheduledAt(at);
  }

  @Test
  void everyOperationHasATypedMethod() throws Exception {
    ParleyClient parley = client(key);
    Instant tomorrow = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plus(Duration.ofDays(1));

    // the company
    Company company = get(parley.companies().get(companyId));
    assertThat(company.name()).isEqualTo("Client Co");
    assertThat(get(parley.companies().update(companyId, CompanyUpdate.empty().withName("Client Company"))).name())
      .isEqualTo("Client Company");
    assertThat(get(parley.companies().phoneNumbers(companyId, PageRequest.first(10))).items())
      .extracting(n -> n.number()).containsExactly(TestServer.CALLER_NUMBER);

    // candidates and agents
    var candidate = get(parley.candidates().create(CandidateInput.of("Grace", "Hopper", "+421915123457").withEmail("g@example.com")));
    assertThat(get(parley.candidates().get(candidate.id())).email()).isEqualTo("g@example.com");
    assertThat(get(parley.candidates().list(PageRequest.first(50))).items()).extracting(c -> c.id()).contains(candidate.id());
    assertThat(get(parley.candidates().listAll(1, 1000))).extracting(c -> c.id()).contains(candidate.id());
    var agent = get(parley.agents().create(AgentInput.of("Typed agent").withQuestions(List.of("Why this role?"))));
    assertThat(get(parley.agents().get(agent.id())).questions()).containsExactly("Why this role?");
    assertThat(get(parley.agents().list(PageRequest.first(50))).items()).extracting(a -> a.id()).contains(agent.id());
    assertThat(get(parley.agents().listAll(1, 1000))).extracting(a -> a.id()).contains(agent.id());

    // interviews, their call attempts and a list walked by its cursor
    Interview byIds = get(parley.interviews().create(InterviewCreate.forIds(candidate.id(), agent.id()).withScheduledAt(tomorrow)));
    assertThat(byIds.status()).isEqualTo("SCHEDULED");
    assertThat(byIds.candidateId()).isEqualTo(candidate.id());
    List<String> made = new ArrayList<>(List.of(byIds.id()));
    for (int i = 0; i < 4; i++) made.add(get(parley.interviews().create(interview("+42191512345" + i, tomorrow))).id());
    Page<Interview> firstPage = get(parley.interviews().list(InterviewFilter.none().withStatus("SCHEDULED"), PageRequest.first(2)));
    assertThat(firstPage.items()).hasSize(2);
    assertThat(firstPage.hasNext()).isTrue();
    List<Interview> walked = get(parley.interviews().listAll(InterviewFilter.none().withStatus("SCHEDULED"), 2, 1000));
    assertThat(walked).extracting(Interview::id).doesNotHaveDuplicates().containsAll(made);

    // invoking moves the interview's scheduled attempt (it has one at a time)
    Interview invoked = get(parley.interviews().invokeCallAttempt(byIds.id(), tomorrow.plus(Duration.ofDays(1))));
    assertThat(invoked.callAttempts()).hasSize(1);
    String attempt = invoked.callAttempts().get(0).id();
    assertThat(get(parley.interviews().rescheduleCallAttempt(byIds.id(), attempt, tomorrow.plus(Duration.ofDays(2))))).isTrue();
    assertThat(get(parley.interviews().get(byIds.id())).callAttempts().get(0).scheduledAt())
      .isEqualTo(tomorrow.plus(Duration.ofDays(2)));
    assertThat(get(parley.interviews().deleteCallAttempt(byIds.id(), attempt))).isTrue();
    assertThat(get(parley.interviews().get(byIds.id())).status()).as("its last attempt deleted").isEqualTo("CANCELLED");
    assertThat(get(parley.interviews().delete(byIds.id()))).isTrue();
    ParleyException gone = refusal(parley.interviews().get(byIds.id()));
    assertThat(gone.code()).isEqualTo(ErrorCode.RESOURCE_NOT_FOUND);
    assertThat(gone.httpStatus()).isEqualTo(404);
    assertThat(gone.details().getString("resourceType")).isEqualTo("Interview");
    assertThat(get(parley.candidates().delete(candidate.id()))).isTrue();
    assertThat(get(parley.agents().delete(agent.id()))).isTrue();

    // webhooks: one for completed interviews, then an interview called now and completed by the
    // simulator, with its transcript, its recording and a delivery
    Webhook hook = get(parley.webhooks().create(WebhookCreate.of(receiver.url(), List.of("interview.completed", "ping"))));
    assertThat(hook.signingSecret()).isNotBlank();
    receiver.secret = hook.signingSecret();
    assertThat(get(parley.webhooks().get(hook.id())).url()).isEqualTo(receiver.url());
    assertThat(get(parley.webhooks().list(null, PageRequest.first(10))).items()).extracting(Webhook::id).contains(hook.id());
    assertThat(get(parley.webhooks().listAll(null, 1, 100))).extracting(Webhook::id).contains(hook.id());
    assertThat(get(parley.webhooks().update(hook.id(), WebhookUpdate.empty().withName("Typed hook"))).name()).isEqualTo("Typed hook");
    var tested = get(parley.webhooks().test(hook.id()));
    assertThat(tested.success()).as(tested.toString()).isTrue();
    assertThat(get(parley.webhooks().resetCircuit(hook.id())).consecutiveFailures()).isZero();

    Interview now = get(parley.interviews().create(interview("+421915123456", null)));
    Interview completed = await().atMost(Duration.ofSeconds(30)).until(() -> get(parley.interviews().get(now.id())),
      i -> "COMPLETED".equals(i.status()) && !i.transcript().isEmpty());
    assertThat(completed.transcript().get(0).text()).isNotBlank();
    Recording recording = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
      .until(() -> get(parley.interviews().recording(now.id())), r -> r.audio().length() > 0);
    assertThat(recording.contentType()).startsWith("audio/");
    await().atMost(Duration.ofSeconds(30)).until(() -> get(parley.webhooks().deliveries(hook.id(), PageRequest.first(10))).items(),
      items -> items.stream().anyMatch(d -> now.id().equals(d.interviewId()) && "interview.completed".equals(d.event())));
    assertThat(get(parley.webhooks().delete(hook.id()))).isTrue();

    // an ATS partner: its companies, and a call made for one of them
    TestServer node = cluster.nodes.get(0);
    String partnerId = node.admin("ats-partner", "create", "--name", "Typed ATS").getString("id");
    String partnerKey = node.admin("key", "create", "--partner", partnerId, "--name", "ats", "--scopes", String.join(",", SCOPES))
      .getString("key");
    ParleyClient ats = client(partnerKey);
    Company child = get(ats.companies().create(CompanyCreate.of("Partner's company")));
    assertThat(child.partnerId()).isEqualTo(partnerId);
    assertThat(get(ats.companies().list(PageRequest.first(10))).items()).extracting(Company::id).containsExactly(child.id());
    assertThat(get(ats.companies().listAll(1, 10))).extracting(Company::id).containsExactly(child.id());
    assertThat(get(ats.interviews().list(null, PageRequest.first(10), CallOptions.NONE.withCompanyId(child.id()))).items()).isEmpty();
  }

  /** Every error code the bus API can answer, each as a ParleyException with its status, message and details. */
  @Test
  void everyErrorTheBusAnswersIsAParleyException() throws Exception {
    TestServer node = cluster.nodes.get(0);
    ParleyClient parley = client(key);
    String other = node.admin("company", "create", "--name", "Other Co").getString("id");
    String otherKey = node.admin("key", "create", "--company", other, "--name", "other", "--scopes", "read:interviews,write:interviews")
      .getString("key");
    String othersInterview = get(client(otherKey).interviews().create(interview("+421915123456", Instant.now().plus(Duration.ofDays(1))))).id();
    JsonObject readOnly = node.admin("key", "create", "--company", companyId, "--name", "read only", "--scopes", "read:interviews");
    JsonObject suspended = node.admin("key", "create", "--company", companyId, "--name", "suspended", "--scopes", "read:interviews");
    node.admin("key", "suspend", suspended.getString("id"), "--reason", "billing");
    String partnerId = node.admin("ats-partner", "create", "--name", "Errors ATS").getString("id");
    String partnerKey = node.admin("key", "create", "--partner", partnerId, "--name", "ats", "--scopes", "read:interviews")
      .getString("key");
    String limitedKey = node.admin("key", "create", "--company", companyId, "--name", "limited", "--scopes", "read:interviews",
      "--rate-limit", "1/0").getString("key");
    get(client(limitedKey).interviews().list(null, PageRequest.first(1)));
    String idempotency = "errors-" + UUID.randomUUID();
    get(parley.interviews().create(interview("+421915123456", Instant.now().plus(Duration.ofDays(1))),
      CallOptions.NONE.withIdempotencyKey(idempotency)));

    Map<ErrorCode, Future<?>> calls = new LinkedHashMap<>();
    calls.put(ErrorCode.INVALID_API_KEY, client("sk_live_" + "x".repeat(43)).interviews().get(othersInterview));
    calls.put(ErrorCode.API_KEY_SUSPENDED, client(suspended.getString("key")).interviews().list(null, null));
    calls.put(ErrorCode.COMPANY_ID_REQUIRED, client(partnerKey).interviews().list(null, null));
    calls.put(ErrorCode.INSUFFICIENT_PERMISSIONS, client(readOnly.getString("key")).candidates().create(CandidateInput.of("A", "B", "+421915123456")));
    calls.put(ErrorCode.FORBIDDEN_COMPANY, parley.interviews().get(othersInterview));
    calls.put(ErrorCode.VALIDATION_FAILED, parley.candidates().create(CandidateInput.of("A", "B", "not a phone")));
    calls.put(ErrorCode.INVALID_ID, parley.interviews().get("not-a-uuid"));
    calls.put(ErrorCode.RESOURCE_NOT_FOUND, parley.agents().get(UUID.randomUUID().toString()));
    calls.put(ErrorCode.CONFLICT, parley.interviews().create(interview("+421915123450", Instant.now().plus(Duration.ofDays(2))),
      CallOptions.NONE.withIdempotencyKey(idempotency)));
    calls.put(ErrorCode.PAYLOAD_TOO_LARGE, parley.agents().create(AgentInput.of("Huge").withInstructions("x".repeat(300 * 1024))));
    calls.put(ErrorCode.RATE_LIMITED, client(limitedKey).interviews().list(null, PageRequest.first(1)));
    // a call given less time than any answer takes: the bus times it out, reported as UNAVAILABLE (HTTP's 503)
    calls.put(ErrorCode.UNAVAILABLE, parley.<JsonObject>call("getInterview", ParleyClient.withId(othersInterview), ParleyClient.Kind.READ,
      CallOptions.NONE.withTimeout(Duration.ofMillis(1))));

    for (Map.Entry<ErrorCode, Future<?>> call : calls.entrySet()) {
      ParleyException e = refusal(call.getValue());
      assertThat(e.code()).as(call.getKey() + ": " + e).isEqualTo(call.getKey());
      assertThat(e.httpStatus()).as(call.getKey().name()).isEqualTo(call.getKey().httpStatus);
      assertThat(e.getMessage()).as(call.getKey().name()).isNotBlank();
      assertThat(e.requestId()).as(call.getKey().name()).isNotBlank();
    }
    ParleyException limited = refusal(client(limitedKey).interviews().list(null, PageRequest.first(1)));
    assertThat(limited.retryAfter()).isPositive();
    assertThat(limited.details().getInteger("limit")).isEqualTo(1);
    ParleyException invalid = refusal(parley.candidates().create(CandidateInput.of("A", "B", "not a phone")));
    assertThat(invalid.details().getJsonArray("fields")).extracting(f -> ((JsonObject) f).getString("field")).contains("phoneNumber");
    assertThat(refusal(client(suspended.getString("key")).interviews().list(null, null)).details().getString("reason")).isEqualTo("billing");
  }

  /**
   * The answer to the first send of a create is lost (dropped on its way back to this member), so
   * the call times out, which is a 503; the client sends it again with the same Idempotency-Key
   * and gets the interview the first send made: one interview, not two.
   */
  @Test
  void aCreateWhoseAnswerIsLostIsSentAgainAndMakesOneInterview() throws Exception {
    ParleyClient parley = ParleyClient.create(member, ParleyClientOptions.withCredential(key).withRetries(2, Duration.ofSeconds(10)));
    String requestId = "lost-answer-" + UUID.randomUUID();
    String marker = "lost-answer-" + UUID.randomUUID();
    AtomicInteger dropped = new AtomicInteger(), sends = new AtomicInteger();
    String createAddress = Addresses.of("createInterview");
    member.eventBus().addOutboundInterceptor(ctx -> {
      if (createAddress.equals(ctx.message().address()) && requestId.equals(ctx.message().headers().get(Addresses.REQUEST_ID_HEADER))) {
        sends.incrementAndGet();
      }
      ctx.next();
    });
    member.eventBus().addInboundInterceptor(ctx -> {
      if (requestId.equals(ctx.message().headers().get(Addresses.REQUEST_ID_HEADER)) && dropped.compareAndSet(0, 1)) return;
      ctx.next();
    });
    Interview created = get(parley.interviews().create(
      interview("+421915123456", Instant.now().plus(Duration.ofDays(1))).withMetadata(new JsonObject().put("marker", marker)),
      CallOptions.NONE.withRequestId(requestId).withTimeout(Duration.ofSeconds(2))));

    assertThat(dropped.get()).as("the first answer was lost").isEqualTo(1);
    assertThat(sends.get()).as("the create was sent twice").isEqualTo(2);
    List<Map<String, Object>> rows = Sql.rows(cluster.database, "SELECT id::text AS id FROM interviews WHERE metadata->>'marker' = ?", marker);
    assertThat(rows).as("one interview for the two sends").hasSize(1);
    assertThat(rows.get(0).get("id")).isEqualTo(created.id());
  }

  /** A 429 is waited out: the call is sent again after the Retry-After the refusal named, and passes. */
  @Test
  void aRateLimitedCallIsSentAgainAfterItsRetryAfter() throws Exception {
    TestServer node = cluster.nodes.get(1);
    String limitedKey = node.admin("key", "create", "--company", companyId, "--name", "limited twice", "--scopes", "read:interviews",
      "--rate-limit", "2/0").getString("key");
    ParleyClient once = client(limitedKey);
    ParleyClient patient = ParleyClient.create(member, ParleyClientOptions.withCredential(limitedKey).withRetries(2, Duration.ofSeconds(70)));
    get(once.interviews().list(null, PageRequest.first(1)));
    get(once.interviews().list(null, PageRequest.first(1)));
    ParleyException refused = refusal(once.interviews().list(null, PageRequest.first(1)));
    assertThat(refused.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    long started = System.nanoTime();
    Page<Interview> page = patient.interviews().list(null, PageRequest.first(1)).toCompletionStage().toCompletableFuture()
      .get(150, TimeUnit.SECONDS);
    Duration waited = Duration.ofNanos(System.nanoTime() - started);
    assertThat(page.items()).isNotNull();
    // the budget comes back at the window's reset: the call could not have passed before
    assertThat(waited).isGreaterThanOrEqualTo(refused.retryAfter().minusSeconds(1));

    // a refusal asking for a longer wait than the client allows is handed over at once
    ParleyClient hasty = ParleyClient.create(member, ParleyClientOptions.withCredential(limitedKey).withRetries(3, Duration.ofSeconds(1)));
    get(once.interviews().list(null, PageRequest.first(1)));
    ParleyException notWaited = refusal(hasty.interviews().list(null, PageRequest.first(1)));
    assertThat(notWaited.code()).isEqualTo(ErrorCode.RATE_LIMITED);
  }

  /**
   * The credential supplier is asked before every send: calls running while the JWT rotates pass
   * with whichever token was current, and what each deleted is audited under that token's subject.
   */
  @Test
  void aJwtRotatedWhileCallsRunIsUsedFromTheNextCall() throws Exception {
    AtomicReference<String> current = new AtomicReference<>(token(JWT_KID, JWT_SECRET, "service-before"));
    List<String> used = new CopyOnWriteArrayList<>();
    ParleyClient parley = ParleyClient.create(member, ParleyClientOptions.withCredential(() -> {
      String token = current.get();
      used.add(token);
      return token;
    }));
    Instant tomorrow = Instant.now().plus(Duration.ofDays(1));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) ids.add(get(parley.interviews().create(interview("+421915123456", tomorrow))).id());

    List<Future<Boolean>> deletes = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      if (i == 10) current.set(token(NEW_KID, NEW_SECRET, "service-after")); // rotated while the first deletes run
      deletes.add(parley.interviews().delete(ids.get(i)));
    }
    for (Future<Boolean> d : deletes) assertThat(get(d)).isTrue();

    assertThat(new HashSet<>(used)).hasSize(2);
    Map<String, Object> subjects = new java.util.HashMap<>();
    for (Map<String, Object> row : Sql.rows(cluster.database, "SELECT interview_id::text AS id, token_subject FROM interview_deletions"
      + " WHERE interview_id = ANY(?::uuid[])", new JsonArray(ids).encode().replace('[', '{').replace(']', '}').replace("\"", ""))) {
      subjects.put((String) row.get("id"), row.get("token_subject"));
    }
    for (int i = 0; i < ids.size(); i++) {
      assertThat(subjects.get(ids.get(i))).as("delete " + i).isEqualTo(i < 10 ? "service-before" : "service-after");
    }
  }
}
