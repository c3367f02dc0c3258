package dev.parley.invariants;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.parley.auth.Signatures;
import dev.parley.calls.provider.Synthetic;
import dev.parley.support.Receiver;
import dev.parley.support.Sql;
import dev.parley.support.TestServer;
import dev.parley.support.TestServer.Response;
import dev.parley.support.TestServer.Tenant;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A seeded, randomized run of thousands of operations against one real server, then invariants 1
 * to 7 of DESIGN.md checked in PostgreSQL, through the API, at the provider and at the webhook
 * receivers.
 *
 * <p>The server uses the {@code http} provider against {@link ScriptedProvider}, a provider in this
 * test that plays the simulator's table (the last four digits of the number decide what a call
 * does, docs/providers.md) and adds what a real provider's network does to its events: some arrive
 * before the dial is answered, twice (one after the other or at the same moment), in the wrong
 * order, or late with a stale outcome. It also holds some dials past the provider timeout (so they
 * are sent again with the same callId) and some recordings (so a delete lands during post-call
 * work). Companies have one to four concurrency slots, and webhook receivers that answer at once,
 * hold answers, or fail some with 503.
 *
 * <p>The operations: creates (now and a little later, for every kind of number), creates repeated
 * at the same moment with one Idempotency-Key, deletes aimed at each state a call goes through,
 * call-attempt invokes, moves and cancels, reads, lists and attempts on other companies' interviews.
 * While they run, a sampler checks the slots every 50 ms; once everything is quiet, every
 * interview, call, slot and delivery is checked. {@code -Dparley.seed=N} repeats a run's choices
 * (the timing of threads is not repeatable), {@code -Dparley.randomOps=N} runs more operations.
 */
class RandomizedInvariantsIT {
  static final long SEED = seed();
  static final int OPERATIONS = Integer.getInteger("parley.randomOps", 2000);

  // The provider's timings: short, so that thousands of operations fit in a minute.
  static final int RING_MS = 150;
  static final int TALK_MS = 300;
  static final int LONG_MS = 1500;
  /** How long the rings-then-no-answer number rings: well past the cancel grace, so a missing cancel shows. */
  static final int LONG_RING_MS = 3000;
  /** Longer than any call that ends (the long ring): only the call that never reports its end outlives it. */
  static final int LEASE_SECONDS = 5;
  /** One retry after a failed attempt: the failing numbers finish sooner and leave more time for operations. */
  static final int RETRIES = 1;
  static final int PROVIDER_TIMEOUT_MS = 1000;
  /** Longer than the provider timeout: a dial held this long is sent again, with the same callId. */
  static final int DIAL_HOLD_MS = 1500;
  static final int RECORDING_HOLD_MS = 1200;
  /** 16 sends in flight, each held this long, stay far under the webhook timeout (10 s): no answer is lost. */
  static final int RECEIVER_HOLD_MS = 250;
  /** How soon after a delete a call that was not answered yet must be over at the provider (invariant 1). */
  static final int CANCEL_GRACE_MS = 1200;
  /** Interviews not yet finished at once: creates wait below this, so calls keep up with the operations. */
  static final int OPEN_INTERVIEWS = 64;
  static final int WORKERS = 6;
  /** Unfinished interviews a company may have per slot before its creates wait. */
  static final int ROOM_PER_SLOT = 4;
  static final String SCOPES = "read:interviews,write:interviews,delete:interviews,read:webhooks,write:webhooks";
  static final List<String> EVENTS = List.of("interview.started", "interview.completed", "interview.failed",
    "analysis.completed", "analysis.failed");
  static final Set<String> TERMINAL = Set.of("COMPLETED", "FAILED", "CANCELLED");

  static long seed() {
    String given = System.getProperty("parley.seed");
    return given == null || given.isBlank() ? new SecureRandom().nextLong() : Long.parseLong(given.trim());
  }

  /** What the provider does with a number, by its last four digits: the simulator's table. */
  enum Script {
    COMPLETES(null, "COMPLETED", null, 36),
    NO_ANSWER("0001", "FAILED", "NO_ANSWER", 9),
    BUSY("0002", "FAILED", "BUSY", 8),
    VOICEMAIL("0003", "FAILED", "VOICEMAIL", 8),
    LONG_CALL("0004", "COMPLETED", null, 12),
    NEVER_ENDS("0005", "FAILED", "PROVIDER_ERROR", 2),
    REFUSED("0006", "FAILED", "PROVIDER_ERROR", 6),
    RINGS_THEN_NO_ANSWER("0007", "FAILED", "NO_ANSWER", 10);

    final String suffix;
    final String finalStatus;
    final String reasonCode;
    final int weight;

    Script(String suffix, String finalStatus, String reasonCode, int weight) {
      this.suffix = suffix;
      this.finalStatus = finalStatus;
      this.reasonCode = reasonCode;
      this.weight = weight;
    }

    static Script of(String phone) {
      String last = phone.substring(phone.length() - 4);
      for (Script s : values()) if (last.equals(s.suffix)) return s;
      return COMPLETES;
    }

    boolean answers() {
      return this == COMPLETES || this == LONG_CALL || this == NEVER_ENDS;
    }

    /** What the provider reports when the ring ends unanswered; null when the call is answered or rings on. */
    String endsAtRing() {
      return switch (this) {
        case NO_ANSWER -> "no-answer";
        case BUSY -> "busy";
        case VOICEMAIL -> "voicemail";
        default -> null;
      };
    }

    /** Calls that may be held at dial time without their lease running short. */
    boolean mayHoldDial() {
      return this != LONG_CALL && this != RINGS_THEN_NO_ANSWER && this != REFUSED;
    }

    static Script pick(Random random) {
      int total = 0;
      for (Script s : values()) total += s.weight;
      int n = random.nextInt(total);
      for (Script s : values()) {
        n -= s.weight;
        if (n < 0) return s;
      }
      throw new IllegalStateException();
    }
  }

  /** Where a delete landed, from its audit row and from what the provider knew of the call. */
  static final List<String> LANDINGS = List.of("scheduled", "dialling/ringing", "live", "post-call", "completed", "failed");

  record Company(String name, Tenant tenant, int slots, Receiver receiver, String receiverKind, Semaphore heldAnswers) {}

  /** What the test knows of an interview it created. */
  static final class Interview {
    final String id;
    final Company company;
    final Script script;
    final String idempotencyKey;
    final String body;
    /** The test's own operations on one interview run one at a time; the server's work races them. */
    final ReentrantLock lock = new ReentrantLock();
    volatile boolean deleted;
    volatile Instant deleteAnswered;
    volatile String statusAtDelete;
    /** When the delete's transaction began, by the database's clock (the audit row's deleted_at). */
    volatile Instant deletedAt;
    /** A call attempt was invoked: it may have ended before, and been reported ended, and then started again. */
    volatile boolean invoked;
    /** A call-attempt cancel left it CANCELLED, and no invoke came after. */
    volatile boolean cancelledLast;
    /** An ended attempt was removed: the attempts no longer tell every call that was placed. */
    volatile boolean attemptRemoved;

    Interview(String id, Company company, Script script, String idempotencyKey, String body) {
      this.id = id;
      this.company = company;
      this.script = script;
      this.idempotencyKey = idempotencyKey;
      this.body = body;
    }
  }

  static TestServer server;
  static ScriptedProvider provider;
  static final List<Company> companies = new ArrayList<>();
  static final Map<String, Interview> interviews = new ConcurrentHashMap<>();
  static final List<Interview> created = new CopyOnWriteArrayList<>();
  static final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  static final LongAdder checks = new LongAdder();
  static final List<String> violations = new CopyOnWriteArrayList<>();
  /** The interviews' statuses as the sampler last saw them, to aim deletes at a state. */
  static volatile Map<String, String> statusSeen = Map.of();
  static final Random receiverRandom = new Random(SEED * 31 + 7);

  @BeforeAll
  static void start() throws Exception {
    System.out.println("RandomizedInvariantsIT seed " + SEED + " (repeat with -Dparley.seed=" + SEED + "), "
      + OPERATIONS + " operations");
    provider = new ScriptedProvider(new Random(SEED * 31 + 3));
    server = TestServer.start("randomized", Map.ofEntries(
      Map.entry("PARLEY_PROVIDER", "http"),
      Map.entry("PARLEY_PROVIDER_URL", provider.url()),
      // the scripted provider serves its recordings on this machine: an exception to the address check
      Map.entry("PARLEY_OUTBOUND_ALLOW", provider.url().substring("http://".length())),
      Map.entry("PARLEY_PROVIDER_SECRET", ScriptedProvider.SECRET),
      Map.entry("PARLEY_PROVIDER_TIMEOUT_MS", String.valueOf(PROVIDER_TIMEOUT_MS)),
      Map.entry("PARLEY_RETRY_COUNT", String.valueOf(RETRIES)),
      Map.entry("PARLEY_RETRY_DELAY_SECONDS", "0"),
      Map.entry("PARLEY_DISPATCH_POLL_MS", "100"),
      Map.entry("PARLEY_LEASE_SECONDS", String.valueOf(LEASE_SECONDS)),
      Map.entry("PARLEY_LEASE_CHECK_MS", "250"),
      Map.entry("PARLEY_WEBHOOKS_ALLOW_PRIVATE", "true"),
      Map.entry("PARLEY_WEBHOOK_POLL_MS", "100"),
      Map.entry("PARLEY_WEBHOOK_RETRY_BASE_MS", "200"),
      Map.entry("PARLEY_WEBHOOK_RETRY_MAX_MS", "1000"),
      // a flaky receiver must never open its circuit: its events would wait for a reset nobody sends
      Map.entry("PARLEY_WEBHOOK_CIRCUIT_THRESHOLD", "1000")));
    Random setup = new Random(SEED);
    String[] kinds = {"prompt", "slow", "flaky", "prompt", "slow", "prompt", "flaky", "prompt"};
    for (int i = 0; i < kinds.length; i++) {
      // one company with a single slot (its interviews queue), the others with two to four
      int slots = i == 0 ? 1 : 2 + setup.nextInt(3);
      Tenant tenant = server.company("Company " + i, SCOPES, "--call-window", "00:00-24:00",
        "--max-concurrent-calls", String.valueOf(slots));
      TestServer.callerNumber(server.database, tenant.companyId());
      Receiver receiver = new Receiver();
      Semaphore held = new Semaphore(0);
      receiver.answer = answerOf(kinds[i], held);
      Response hook = server.post("/webhooks", tenant.key(), new JsonObject().put("url", receiver.url())
        .put("events", new JsonArray(EVENTS)).encode());
      assertThat(hook.status()).as(hook.raw().body()).isEqualTo(201);
      receiver.secret = hook.data().getString("signingSecret");
      companies.add(new Company("Company " + i, tenant, slots, receiver, kinds[i], held));
    }
  }

  /** How a company's webhook receiver answers: at once, holding some answers, or failing some with 503. */
  static java.util.function.IntSupplier answerOf(String kind, Semaphore held) {
    return switch (kind) {
      case "slow" -> () -> {
        if (provider.holding && receiverRandom.nextInt(100) < 35) {
          count("race.webhook-answers-held");
          try {
            // released by the operations (a receiver that answers when it gets round to it), at most this long
            held.tryAcquire(RECEIVER_HOLD_MS, TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return 204;
      };
      case "flaky" -> () -> {
        if (receiverRandom.nextInt(100) < 15) {
          count("race.webhook-answers-503");
          return 503;
        }
        return 204;
      };
      default -> () -> 204;
    };
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (provider != null) provider.close();
    companies.forEach(c -> c.receiver().close());
  }

  // ---------------------------------------------------------------- bookkeeping

  static void count(String what) {
    counts.computeIfAbsent(what, k -> new LongAdder()).increment();
  }

  static long counted(String what) {
    LongAdder n = counts.get(what);
    return n == null ? 0 : n.sum();
  }

  static long countedWithPrefix(String prefix) {
    return counts.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToLong(e -> e.getValue().sum()).sum();
  }

  /** One invariant check: counted, and a violation is kept (with what it was about) instead of stopping the run. */
  static void check(boolean holds, Supplier<String> what) {
    checks.increment();
    if (!holds) violations.add(what.get());
  }

  // ---------------------------------------------------------------- the run

  @Test
  void thousandsOfRandomOperationsKeepInvariantsOneToSeven() throws Exception {
    long started = System.nanoTime();
    Random random = new Random(SEED ^ 0x9E3779B97F4A7C15L);
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    Connection sampling = server.database.connect();
    sampler.scheduleWithFixedDelay(() -> sample(sampling), 0, 50, TimeUnit.MILLISECONDS);
    ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
    Semaphore inFlight = new Semaphore(WORKERS * 2);
    List<Future<?>> running = new ArrayList<>();
    try {
      for (int op = 0; countedWithPrefix("op.") < OPERATIONS; op++) {
        Runnable operation;
        try {
          operation = nextOperation(random);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
          // no company's interviews finished for a minute: slots leaked or calls stuck; the checks say which
          violations.add("no company had room for another interview for 60 s: " + unfinishedWork());
          break;
        }
        inFlight.acquire();
        running.add(workers.submit(() -> {
          try {
            operation.run();
          } catch (RuntimeException | AssertionError e) {
            violations.add("operation failed: " + e);
          } finally {
            inFlight.release();
          }
        }));
        // a slow receiver answers when it gets round to it: now and then it lets a few held answers go
        if (op % 20 == 0) {
          companies.stream().filter(c -> c.heldAnswers().hasQueuedThreads()).forEach(c -> c.heldAnswers().release(3));
        }
      }
      for (Future<?> f : running) f.get(60, TimeUnit.SECONDS);
      long operationsDone = System.nanoTime();

      // Quiet: nothing held any more, every call over, every job and delivery done.
      provider.holding = false;
      provider.releaseAll();
      companies.forEach(c -> c.heldAnswers().release(1000));
      try {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> unfinishedWork().isEmpty());
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        // a leaked slot or a call that never ends: the checks below say which invariant broke
        violations.add("never quiet: " + unfinishedWork());
      }
      sampler.shutdown();
      assertThat(sampler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      sample(sampling);
      long quiet = System.nanoTime();

      checkSlotsAreFree();
      checkSurvivors();
      checkDeleted();
      checkProvider();
      checkWebhooks();
      checkTenants();
      long done = System.nanoTime();

      report(started, operationsDone, quiet, done);
      assertThat(violations).as("invariant violations (seed %d)", SEED).isEmpty();
      assertCoverage();
    } finally {
      workers.shutdownNow();
      sampler.shutdownNow();
      sampling.close();
    }
  }

  /** The next operation, chosen by the seeded random; its target is chosen now, its effect runs on a worker. */
  Runnable nextOperation(Random random) {
    int dice = random.nextInt(100);
    List<Interview> alive = created.stream().filter(i -> !i.deleted).toList();
    if (dice < 24 || alive.size() < 10) {
      Script script = Script.pick(random);
      String phone = phone(random, script);
      long laterMs = dice % 3 == 0 ? 1000 + random.nextInt(2000) : 0;
      Company company = companyWithRoom(random);
      return () -> create(company, script, phone, laterMs);
    }
    if (dice < 27) {
      Script script = Script.pick(random);
      String phone = phone(random, script);
      int repeats = 2 + random.nextInt(4);
      String key = "burst-" + Long.toHexString(random.nextLong());
      Company company = companyWithRoom(random);
      return () -> idempotentBurst(company, script, phone, key, repeats);
    }
    Interview target = alive.get(random.nextInt(alive.size()));
    if (dice < 29) {
      List<Interview> keyed = alive.stream().filter(i -> i.idempotencyKey != null).toList();
      Interview repeated = keyed.isEmpty() ? target : keyed.get(random.nextInt(keyed.size()));
      return () -> repeatLater(repeated);
    }
    if (dice < 40) {
      String wanted = LANDINGS.get(random.nextInt(LANDINGS.size()));
      List<Interview> inState = interviewsIn(wanted, alive);
      Interview victim = inState.isEmpty() ? target : inState.get(random.nextInt(inState.size()));
      return () -> delete(victim);
    }
    long laterMs = 1000 + random.nextInt(1500);
    if (dice < 45) return () -> invoke(target, random.nextBoolean() ? 0 : laterMs);
    // moves and cancels are aimed at interviews waiting for their call: most attempts are claimed at once
    List<Interview> waiting = interviewsIn("scheduled", alive);
    Interview scheduled = waiting.isEmpty() ? target : waiting.get(random.nextInt(waiting.size()));
    if (dice < 50) return () -> move(scheduled, laterMs);
    if (dice < 55) {
      boolean endedOnes = random.nextInt(4) == 0;
      Interview cancelled = endedOnes ? target : scheduled;
      return () -> cancelAttempt(cancelled, endedOnes);
    }
    if (dice < 63) {
      Company other = companies.stream().filter(c -> c != target.company).toList().get(random.nextInt(companies.size() - 1));
      return () -> foreign(target, other);
    }
    if (dice < 68) {
      Company company = companies.get(random.nextInt(companies.size()));
      return () -> list(company);
    }
    return () -> read(target);
  }

  static String phone(Random random, Script script) {
    String last = script.suffix != null ? script.suffix : String.valueOf(1000 + random.nextInt(9000));
    return "+421915" + (10 + random.nextInt(90)) + last;
  }

  /**
   * A company for the next create, among those with few unfinished interviews for their slots;
   * creates wait while all are busy: the calls keep up with the operations, no queue grows longer
   * than the quiet phase can wait for, and deletes find every state.
   */
  static Company companyWithRoom(Random random) {
    Company[] chosen = new Company[1];
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
      Map<String, String> seen = statusSeen;
      Map<Company, Long> open = created.stream().filter(i -> !i.deleted && !TERMINAL.contains(seen.getOrDefault(i.id, "SCHEDULED")))
        .collect(Collectors.groupingBy(i -> i.company, Collectors.counting()));
      if (open.values().stream().mapToLong(Long::longValue).sum() >= OPEN_INTERVIEWS) return false;
      List<Company> withRoom = companies.stream().filter(c -> open.getOrDefault(c, 0L) < ROOM_PER_SLOT * c.slots()).toList();
      if (withRoom.isEmpty()) return false;
      chosen[0] = withRoom.get(random.nextInt(withRoom.size()));
      return true;
    });
    return chosen[0];
  }

  /** Alive interviews in a state a delete should land in. */
  static List<Interview> interviewsIn(String wanted, List<Interview> alive) {
    Map<String, String> seen = statusSeen;
    Predicate<ScriptedProvider.Call> call = switch (wanted) {
      case "dialling/ringing" -> c -> !c.over && (!c.answered || c.dialHeld);
      case "live" -> c -> c.answered && !c.over;
      case "post-call" -> c -> c.recordingHeld;
      default -> c -> false;
    };
    Set<String> atTheProvider = provider.calls.values().stream().filter(call).map(c -> c.interviewId).collect(Collectors.toSet());
    Predicate<Interview> in = switch (wanted) {
      case "scheduled" -> i -> "SCHEDULED".equals(seen.get(i.id));
      case "completed" -> i -> "COMPLETED".equals(seen.get(i.id));
      case "failed" -> i -> "FAILED".equals(seen.get(i.id));
      default -> i -> atTheProvider.contains(i.id);
    };
    return alive.stream().filter(in).toList();
  }

  // ---------------------------------------------------------------- operations

  static String body(String phone, long laterMs) {
    JsonObject body = new JsonObject()
      .put("candidate", new JsonObject().put("firstName", "Ada").put("lastName", "Lovelace").put("phoneNumber", phone))
      .put("agent", new JsonObject().put("name", "Screening").put("questions", new JsonArray().add("Why us?").add("A project you led?")));
    if (laterMs > 0) body.put("scheduledAt", Instant.now().plusMillis(laterMs).toString());
    return body.encode();
  }

  static void create(Company company, Script script, String phone, long laterMs) {
    count(laterMs > 0 ? "op.create-later" : "op.create-now");
    String body = body(phone, laterMs);
    Response r = server.post("/interviews", company.tenant().key(), body);
    check(r.status() == 201, () -> "create answered " + r.status() + ": " + r.raw().body());
    if (r.status() == 201) register(new Interview(r.data().getString("id"), company, script, null, body));
  }

  static void register(Interview interview) {
    interviews.put(interview.id, interview);
    created.add(interview);
  }

  /** The same create, with one Idempotency-Key, sent by several clients at the same moment: one interview. */
  static void idempotentBurst(Company company, Script script, String phone, String key, int repeats) {
    String body = body(phone, 0);
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService clients = Executors.newFixedThreadPool(repeats);
    try {
      List<Future<Response>> answers = new ArrayList<>();
      for (int i = 0; i < repeats; i++) {
        answers.add(clients.submit(() -> {
          go.await();
          return server.send("POST", "/interviews", company.tenant().key(), body, Map.of("Idempotency-Key", key));
        }));
      }
      go.countDown();
      Set<String> ids = new HashSet<>();
      int conflicts = 0;
      for (Future<Response> answer : answers) {
        Response r = answer.get(30, TimeUnit.SECONDS);
        count("op.create-idempotent");
        check(r.status() / 100 == 2 || "CONFLICT".equals(r.errorCode()),
          () -> "idempotent create answered " + r.status() + ": " + r.raw().body());
        if (r.status() / 100 == 2) ids.add(r.data().getString("id"));
        else conflicts++;
      }
      count("race.idempotent-bursts");
      for (int i = 1; i < repeats; i++) count("race.idempotent-concurrent-repeats");
      if (conflicts > 0) count("race.idempotent-repeats-told-conflict");
      check(ids.size() == 1, () -> "one Idempotency-Key, " + repeats + " concurrent creates: interviews " + ids);
      if (ids.size() == 1) register(new Interview(ids.iterator().next(), company, script, key, body));
    } catch (Exception e) {
      violations.add("idempotent burst failed: " + e);
    } finally {
      clients.shutdownNow();
    }
  }

  /** A later repeat of an idempotent create returns the first one's interview. */
  static void repeatLater(Interview interview) {
    interview.lock.lock();
    try {
      if (interview.deleted || interview.idempotencyKey == null) {
        read(interview);
        return;
      }
      count("op.create-idempotent-repeat");
      Response r = server.send("POST", "/interviews", interview.company.tenant().key(), interview.body,
        Map.of("Idempotency-Key", interview.idempotencyKey));
      check(r.status() / 100 == 2 && interview.id.equals(r.data().getString("id")),
        () -> "repeat of Idempotency-Key " + interview.idempotencyKey + " answered " + r.status() + ": " + r.raw().body());
    } finally {
      interview.lock.unlock();
    }
  }

  static void delete(Interview interview) {
    interview.lock.lock();
    try {
      count("op.delete");
      if (interview.deleted) {
        Response again = server.delete("/interviews/" + interview.id, interview.company.tenant().key());
        check(again.status() == 404, () -> "a second delete of " + interview.id + " answered " + again.status());
        return;
      }
      ScriptedProvider.Call before = provider.latestCallOf(interview.id);
      boolean answeredBefore = before != null && before.answered, overBefore = before != null && before.over;
      String reasonBefore = before == null ? null : before.endReason;
      Response r = server.delete("/interviews/" + interview.id, interview.company.tenant().key());
      Instant answered = Instant.now();
      check(r.status() == 200, () -> "delete of " + interview.id + " answered " + r.status() + ": " + r.raw().body());
      if (r.status() != 200) return;
      interview.deleteAnswered = answered;
      interview.deleted = true;
      provider.release(interview.id);

      List<Map<String, Object>> audit = Sql.rows(server.database, """
        SELECT d.status_at_delete, d.deleted_at,
               (SELECT count(*) FROM live_calls l WHERE l.interview_id = d.interview_id) AS live,
               (SELECT bool_or(l.cancel_requested_at IS NOT NULL) FROM live_calls l WHERE l.interview_id = d.interview_id) AS cancelling
          FROM interview_deletions d WHERE d.interview_id = ?""", interview.id);
      check(audit.size() == 1, () -> "audit rows of deleted " + interview.id + ": " + audit);
      if (audit.isEmpty()) return;
      String status = (String) audit.get(0).get("status_at_delete");
      interview.statusAtDelete = status;
      interview.deletedAt = ((java.sql.Timestamp) audit.get(0).get("deleted_at")).toInstant();
      boolean live = ((Number) audit.get(0).get("live")).longValue() > 0;
      boolean cancelling = Boolean.TRUE.equals(audit.get(0).get("cancelling"));
      String landed = switch (status) {
        case "SCHEDULED" -> "scheduled";
        case "COMPLETED" -> "completed";
        case "FAILED" -> "failed";
        case "CANCELLED" -> "cancelled";
        case "IN_PROGRESS" -> live ? (cancelling ? "dialling/ringing" : "live")
          : overBefore && "completed".equals(reasonBefore) ? "post-call"
          : answeredBefore ? "live" : "dialling/ringing";
        default -> "unknown";
      };
      count("race.delete-landed." + landed);
    } finally {
      interview.lock.unlock();
    }
  }

  static void invoke(Interview interview, long laterMs) {
    interview.lock.lock();
    try {
      if (interview.deleted) return;
      count("op.attempt-invoke");
      String body = laterMs > 0 ? new JsonObject().put("scheduledAt", Instant.now().plusMillis(laterMs).toString()).encode() : "{}";
      Response r = server.post("/interviews/" + interview.id + "/call-attempts", interview.company.tenant().key(), body);
      check(r.status() == 201 || (r.status() == 409 && "CONFLICT".equals(r.errorCode())),
        () -> "invoke on " + interview.id + " answered " + r.status() + ": " + r.raw().body());
      if (r.status() == 201) {
        interview.cancelledLast = false;
        interview.invoked = true;
        count("race.attempts-invoked");
      } else {
        count("race.attempts-invoke-refused-while-live");
      }
    } finally {
      interview.lock.unlock();
    }
  }

  static JsonObject attemptIn(Interview interview, Predicate<JsonObject> wanted) {
    count("op.read");
    Response r = server.get("/interviews/" + interview.id, interview.company.tenant().key());
    check(r.status() == 200, () -> "read of " + interview.id + " answered " + r.status());
    if (r.status() != 200) return null;
    return r.data().getJsonArray("callAttempts").stream().map(JsonObject.class::cast).filter(wanted).findFirst().orElse(null);
  }

  static void move(Interview interview, long laterMs) {
    interview.lock.lock();
    try {
      if (interview.deleted) return;
      JsonObject attempt = attemptIn(interview, a -> "SCHEDULED".equals(a.getString("status")));
      if (attempt == null) return;
      count("op.attempt-move");
      Response r = server.send("PATCH", "/interviews/" + interview.id + "/call-attempts/" + attempt.getString("id"),
        interview.company.tenant().key(), new JsonObject().put("scheduledAt", Instant.now().plusMillis(laterMs).toString()).encode(),
        Map.of());
      // 400: the dispatcher claimed it between the read and the move
      check(r.status() == 204 || (r.status() == 400 && "VALIDATION_FAILED".equals(r.errorCode())),
        () -> "move of an attempt of " + interview.id + " answered " + r.status() + ": " + r.raw().body());
      count(r.status() == 204 ? "race.attempts-moved" : "race.attempts-claimed-before-move");
    } finally {
      interview.lock.unlock();
    }
  }

  static void cancelAttempt(Interview interview, boolean anEndedOne) {
    interview.lock.lock();
    try {
      if (interview.deleted) return;
      JsonObject attempt = attemptIn(interview, anEndedOne ? a -> Set.of("FAILED", "COMPLETED").contains(a.getString("status"))
        : a -> "SCHEDULED".equals(a.getString("status")));
      if (attempt == null) return;
      count("op.attempt-cancel");
      Response r = server.delete("/interviews/" + interview.id + "/call-attempts/" + attempt.getString("id"),
        interview.company.tenant().key());
      // 409: the dispatcher claimed it between the read and the cancel, and its call is live
      check(r.status() == 204 || (r.status() == 409 && "CONFLICT".equals(r.errorCode())),
        () -> "cancel of an attempt of " + interview.id + " answered " + r.status() + ": " + r.raw().body());
      if (r.status() != 204) {
        count("race.attempts-claimed-before-cancel");
        return;
      }
      // Only a scheduled attempt's removal cancels the interview; an ended one's leaves it as it was.
      count("op.read");
      String status = server.get("/interviews/" + interview.id, interview.company.tenant().key()).data().getString("status");
      boolean cancelled = !anEndedOne && "CANCELLED".equals(status);
      if (cancelled) interview.cancelledLast = true;
      else interview.attemptRemoved = true;
      count(cancelled ? "race.attempts-cancelled" : "race.ended-attempts-removed");
    } finally {
      interview.lock.unlock();
    }
  }

  /** Another company's key: 403 for every operation on the interview, and the interview is untouched (invariant 7). */
  static void foreign(Interview interview, Company other) {
    interview.lock.lock();
    try {
      if (interview.deleted) return;
      String path = "/interviews/" + interview.id;
      String key = other.tenant().key();
      List<Response> answers = List.of(server.get(path, key), server.delete(path, key),
        server.post(path + "/call-attempts", key, "{}"), server.get(path + "/recording", key));
      for (Response r : answers) {
        count("op.foreign-access");
        check(r.status() == 403 && "FORBIDDEN_COMPANY".equals(r.errorCode()),
          () -> "another company's key on " + interview.id + " answered " + r.status() + ": " + r.raw().body());
        check(!r.raw().body().contains("Lovelace"), () -> "another company's data in " + r.raw().body());
      }
      count("op.read");
      Response own = server.get(path, interview.company.tenant().key());
      check(own.status() == 200, () -> "after another company's delete, " + interview.id + " answered " + own.status());
    } finally {
      interview.lock.unlock();
    }
  }

  static void list(Company company) {
    count("op.list");
    Response r = server.get("/interviews?limit=100", company.tenant().key());
    check(r.status() == 200, () -> "list answered " + r.status());
    if (r.status() != 200) return;
    for (Object item : r.data().getJsonArray("items")) {
      String companyId = ((JsonObject) item).getString("companyId");
      check(company.tenant().companyId().equals(companyId), () -> "a list of " + company.name() + " showed " + item);
    }
  }

  static void read(Interview interview) {
    interview.lock.lock();
    try {
      if (interview.deleted) return;
      count("op.read");
      Response r = server.get("/interviews/" + interview.id, interview.company.tenant().key());
      check(r.status() == 200 && interview.id.equals(r.data().getString("id"))
          && interview.company.tenant().companyId().equals(r.data().getString("companyId")),
        () -> "read of " + interview.id + " answered " + r.status() + ": " + r.raw().body());
    } finally {
      interview.lock.unlock();
    }
  }

  // ---------------------------------------------------------------- while it runs

  /**
   * Invariant 2 while the operations run: in one snapshot, each company's slot count is between 0
   * and its maximum and equals its live calls (the claim and the end of a call change both in one
   * transaction). Also keeps the interviews' statuses, to aim deletes.
   */
  static void sample(Connection c) {
    try (Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("""
        SELECT c.name, c.max_concurrent_calls, c.active_calls,
               (SELECT count(*) FROM live_calls l WHERE l.company_id = c.id) AS live
          FROM companies c""")) {
        while (rs.next()) {
          String name = rs.getString(1);
          int max = rs.getInt(2), active = rs.getInt(3);
          long live = rs.getLong(4);
          check(active >= 0 && active <= max, () -> name + ": " + active + " slots held of " + max);
          check(active == live, () -> name + ": " + active + " slots held but " + live + " live calls");
          if (active == max && max > 0) count("race.samples-with-all-slots-taken");
        }
      }
      Map<String, String> statuses = new HashMap<>();
      try (ResultSet rs = s.executeQuery("SELECT id::text, status FROM interviews")) {
        while (rs.next()) statuses.put(rs.getString(1), rs.getString(2));
      }
      statusSeen = statuses;
      count("samples");
    } catch (Exception e) {
      violations.add("sampler failed: " + e);
    }
  }

  /** What keeps the server (or the provider) busy; empty once everything is over. */
  static List<String> unfinishedWork() {
    List<String> left = new ArrayList<>();
    Sql.rows(server.database, """
      SELECT 'live calls' AS what, count(*) AS n FROM live_calls
      UNION ALL SELECT 'attempts not ended', count(*) FROM call_attempts WHERE status IN ('SCHEDULED', 'IN_PROGRESS')
      UNION ALL SELECT 'outbox jobs', count(*) FROM outbox
      UNION ALL SELECT 'pending deliveries', count(*) FROM webhook_deliveries WHERE status = 'PENDING'
      UNION ALL SELECT 'interviews not finished', count(*) FROM interviews
        WHERE status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED') OR (status = 'COMPLETED' AND analysis IS NULL)
      UNION ALL SELECT 'slots held', coalesce(sum(active_calls), 0) FROM companies""").forEach(row -> {
      long n = ((Number) row.get("n")).longValue();
      if (n > 0) left.add(row.get("what") + ": " + n);
    });
    if (provider.pending.get() > 0) left.add("provider steps: " + provider.pending.get());
    return left;
  }

  // ---------------------------------------------------------------- once quiet

  /** Invariant 2 at rest: no slot held, no live call. */
  static void checkSlotsAreFree() {
    for (Map<String, Object> row : Sql.rows(server.database, "SELECT name, active_calls FROM companies")) {
      check(((Number) row.get("active_calls")).intValue() == 0, () -> "slots still held at rest: " + row);
    }
    long live = Sql.count(server.database, "SELECT count(*) FROM live_calls");
    check(live == 0, () -> live + " live calls at rest");
  }

  /** Rows of a query, keyed by the text of its first column. */
  static Map<String, List<Map<String, Object>>> byFirstColumn(String sql) {
    Map<String, List<Map<String, Object>>> out = new HashMap<>();
    for (Map<String, Object> row : Sql.rows(server.database, sql)) {
      out.computeIfAbsent(String.valueOf(row.values().iterator().next()), k -> new ArrayList<>()).add(row);
    }
    return out;
  }

  /**
   * Invariant 5 (every 201 is there, nothing else is), the terminal state each number leads to, and
   * what the API shows agreeing with the database.
   */
  static void checkSurvivors() {
    Map<String, List<Map<String, Object>>> rows = byFirstColumn("""
      SELECT id::text AS id, company_id::text AS company, status, analysis IS NOT NULL AS analysed,
             transcript IS NOT NULL AS transcribed FROM interviews""");
    Map<String, List<Map<String, Object>>> attempts = byFirstColumn("""
      SELECT interview_id::text AS interview, id::text AS id, status, reason_code, called_at IS NOT NULL AS claimed
        FROM call_attempts ORDER BY scheduled_at, id""");
    Set<String> recordings = byFirstColumn("SELECT interview_id::text FROM recordings").keySet();

    Set<String> expected = created.stream().filter(i -> !i.deleted).map(i -> i.id).collect(Collectors.toSet());
    Set<String> unknown = new HashSet<>(rows.keySet());
    unknown.removeAll(expected);
    Set<String> missing = new HashSet<>(expected);
    missing.removeAll(rows.keySet());
    check(unknown.isEmpty(), () -> "interviews no 201 told of (a repeated create made two?): " + unknown);
    check(missing.isEmpty(), () -> "interviews acknowledged with 201 and never deleted, but gone: " + missing);

    for (Interview interview : created.stream().filter(i -> !i.deleted).toList()) {
      Map<String, Object> row = rows.getOrDefault(interview.id, List.of(Map.of())).get(0);
      List<Map<String, Object>> its = attempts.getOrDefault(interview.id, List.of());
      String status = String.valueOf(row.get("status"));
      String where = interview.id + " (" + interview.script + ", " + interview.company.name() + ")";

      // the API says what the database holds
      count("check.api-read");
      Response r = server.get("/interviews/" + interview.id, interview.company.tenant().key());
      check(r.status() == 200, () -> "GET " + where + " answered " + r.status());
      JsonObject api = r.status() == 200 ? r.data() : new JsonObject();
      check(status.equals(api.getString("status")), () -> where + ": database " + status + ", API " + api.getString("status"));
      check(interview.company.tenant().companyId().equals(api.getString("companyId")), () -> where + ": API companyId " + api.getString("companyId"));
      List<String> apiAttempts = api.getJsonArray("callAttempts", new JsonArray()).stream()
        .map(a -> ((JsonObject) a).getString("id") + ":" + ((JsonObject) a).getString("status")).sorted().toList();
      List<String> dbAttempts = its.stream().map(a -> a.get("id") + ":" + a.get("status")).sorted().toList();
      check(apiAttempts.equals(dbAttempts), () -> where + ": attempts in the database " + dbAttempts + ", in the API " + apiAttempts);
      check((api.getValue("analysis") != null) == Boolean.TRUE.equals(row.get("analysed")), () -> where + ": analysis differs");
      check((api.getValue("transcript") != null) == Boolean.TRUE.equals(row.get("transcribed")), () -> where + ": transcript differs");

      // a terminal state, the one its number leads to
      String wanted = interview.cancelledLast ? "CANCELLED" : interview.script.finalStatus;
      check(status.equals(wanted), () -> where + " ended " + status + ", expected " + wanted + "; attempts " + its);
      if (status.equals("COMPLETED")) {
        check(Boolean.TRUE.equals(row.get("analysed")) && Boolean.TRUE.equals(row.get("transcribed")) && recordings.contains(interview.id),
          () -> where + " COMPLETED without its analysis, transcript or recording: " + row);
        check(interview.attemptRemoved || its.stream().anyMatch(a -> "COMPLETED".equals(a.get("status"))),
          () -> where + " COMPLETED without a completed attempt: " + its);
      }
      if (status.equals("FAILED")) {
        check((interview.attemptRemoved || !its.isEmpty()) && its.stream().allMatch(a -> "FAILED".equals(a.get("status"))
            && interview.script.reasonCode.equals(a.get("reason_code"))),
          () -> where + " FAILED with attempts " + its + ", expected all " + interview.script.reasonCode);
      }
      check(its.stream().noneMatch(a -> Set.of("SCHEDULED", "IN_PROGRESS").contains(a.get("status"))),
        () -> where + ": attempts not ended " + its);

      // invariant 1: each claimed attempt was one call at the provider, with one callId
      long claimed = its.stream().filter(a -> Boolean.TRUE.equals(a.get("claimed"))).count();
      long dialled = provider.callsOf(interview.id).size();
      check(interview.attemptRemoved ? dialled >= claimed : dialled == claimed,
        () -> where + ": " + claimed + " attempts claimed, " + dialled + " callIds dialled; status " + status + ", attempts " + its
          + ", calls " + provider.callsOf(interview.id).stream().map(ScriptedProvider.Call::describe).toList()
          + (interview.cancelledLast ? ", cancelled" : "") + (interview.invoked ? ", invoked" : ""));
    }
  }

  /** Invariants 1, 3, 4 and 6 for every deleted interview. */
  static void checkDeleted() {
    Map<String, List<Receiver.Hit>> hitsByInterview = new HashMap<>();
    for (Company c : companies) {
      for (Receiver.Hit h : c.receiver().hits) {
        if (h.interviewId() != null) hitsByInterview.computeIfAbsent(h.interviewId(), k -> new ArrayList<>()).add(h);
      }
    }
    List<Interview> deleted = created.stream().filter(i -> i.deleted).toList();
    Map<String, Map<String, Long>> leftBehind = Sql.rowsAbout(server.database, deleted.stream().map(i -> i.id).toList());
    Map<String, List<Map<String, Object>>> audits = byFirstColumn("SELECT interview_id::text AS interview, status_at_delete FROM interview_deletions");
    for (Interview interview : deleted) {
      String where = interview.id + " (" + interview.script + ", deleted when " + interview.statusAtDelete + ")";
      Map<String, Long> left = leftBehind.getOrDefault(interview.id, Map.of());
      check(left.isEmpty(), () -> where + " left rows behind: " + left);
      int auditRows = audits.getOrDefault(interview.id, List.of()).size();
      check(auditRows == 1, () -> where + ": " + auditRows + " audit rows");
      count("check.api-read");
      Response read = server.get("/interviews/" + interview.id, interview.company.tenant().key());
      check(read.status() == 404, () -> "GET of deleted " + where + " answered " + read.status());
      count("op.delete");
      Response again = server.delete("/interviews/" + interview.id, interview.company.tenant().key());
      check(again.status() == 404, () -> "a second delete of " + where + " answered " + again.status());

      // invariant 3 and 6: nothing about its end after a delete that came before the end
      List<Receiver.Hit> hits = hitsByInterview.getOrDefault(interview.id, List.of());
      // never invoked again, an interview deleted before it finished never reported a finish
      if (!interview.invoked && Set.of("SCHEDULED", "IN_PROGRESS").contains(interview.statusAtDelete)) {
        check(hits.stream().allMatch(h -> "interview.started".equals(h.event())),
          () -> where + ": its receiver got " + hits.stream().map(Receiver.Hit::event).toList());
      }
      // no event about it was produced after its delete began (every producer locks the interview first)
      for (Receiver.Hit hit : hits) {
        Instant produced = Instant.parse(hit.body().getString("timestamp"));
        check(interview.deletedAt != null && !produced.isAfter(interview.deletedAt), () -> where + ": " + hit.event() + " produced at " + produced
          + ", after its delete at " + interview.deletedAt);
      }
      // at most the one send already on the wire (deliveries of one interview go one at a time) arrives after it
      Set<String> afterDelete = hits.stream().filter(h -> h.at().isAfter(interview.deleteAnswered))
        .map(Receiver.Hit::deliveryId).collect(Collectors.toSet());
      check(afterDelete.size() <= 1, () -> where + ": deliveries received after the delete answered: " + afterDelete);

      // invariant 1: no call placed after a delete that found it scheduled; a call not answered is cancelled at once
      for (ScriptedProvider.Call call : provider.callsOf(interview.id)) {
        if ("SCHEDULED".equals(interview.statusAtDelete)) {
          check(call.firstDialAt.isBefore(interview.deleteAnswered),
            () -> where + ": call " + call.callId + " placed " + call.firstDialAt + ", after the delete answered " + interview.deleteAnswered);
        }
        boolean wasLiveUnanswered = !call.answeredBy(interview.deleteAnswered) && !call.overBy(interview.deleteAnswered);
        if ("IN_PROGRESS".equals(interview.statusAtDelete) && wasLiveUnanswered && call.script != ScriptedProvider.REFUSED_SCRIPT) {
          // Parley cancels once its dial is confirmed (DESIGN invariant 1): a held dial is confirmed
          // no sooner than its release, so the grace runs from then
          Instant dialConfirmable = call.holdDial ? call.firstDialAt.plusMillis(DIAL_HOLD_MS) : call.firstDialAt;
          Instant from = dialConfirmable.isAfter(interview.deleteAnswered) ? dialConfirmable : interview.deleteAnswered;
          check(call.cancelAt != null || (call.overAt != null && call.overAt.isBefore(from.plusMillis(CANCEL_GRACE_MS))),
            () -> where + ": call " + call.callId + " not answered at the delete, not cancelled; over at " + call.overAt
              + ", delete answered " + interview.deleteAnswered);
        }
      }
    }
  }

  /** Invariant 1 at the provider: a callId's end applies once, and every dial of a callId is of one interview. */
  static void checkProvider() {
    for (ScriptedProvider.Call call : provider.calls.values()) {
      check(call.endsApplied.get() <= 1, () -> "call " + call.callId + ": " + call.endsApplied.get() + " ends applied");
      check(call.otherInterviewDialled == null,
        () -> "callId " + call.callId + " dialled for " + call.interviewId + " and " + call.otherInterviewDialled);
    }
    provider.lateApplied.forEach(v -> violations.add(v));
    checks.add(provider.lateChecked.sum());
  }

  /** Invariant 6 at the receivers, and the delivery log agreeing with what arrived. */
  static void checkWebhooks() {
    Map<String, List<Map<String, Object>>> deliveries = byFirstColumn("""
      SELECT id::text AS id, interview_id::text AS interview, status, event_type FROM webhook_deliveries""");
    for (Company company : companies) {
      Map<String, Long> twice = company.receiver().delivered().stream()
        .collect(Collectors.groupingBy(Receiver.Hit::deliveryId, Collectors.counting()));
      twice.values().removeIf(n -> n == 1);
      check(twice.isEmpty(), () -> company.name() + " got deliveries twice: " + twice);
      for (Receiver.Hit hit : company.receiver().hits) {
        check(hit.signatureValid(), () -> company.name() + " got a badly signed delivery " + hit.deliveryId());
        Interview about = hit.interviewId() == null ? null : interviews.get(hit.interviewId());
        check(about != null && about.company == company, () -> company.name() + " got a delivery about " + hit.interviewId()
          + (about == null ? ", which it never created" : ", of " + about.company.name()));
      }
      // every delivery about a surviving interview is logged DELIVERED and arrived, with its own id
      Set<String> arrived = company.receiver().delivered().stream().map(Receiver.Hit::deliveryId).collect(Collectors.toSet());
      for (Interview interview : created.stream().filter(i -> !i.deleted && i.company == company).toList()) {
        List<Receiver.Hit> got = company.receiver().delivered().stream().filter(h -> interview.id.equals(h.interviewId())).toList();
        List<Map<String, Object>> logged = deliveries.values().stream().flatMap(List::stream)
          .filter(d -> interview.id.equals(d.get("interview"))).toList();
        check(logged.stream().allMatch(d -> "DELIVERED".equals(d.get("status")) && arrived.contains((String) d.get("id"))),
          () -> interview.id + ": deliveries not received: " + logged);
        Set<String> loggedIds = logged.stream().map(d -> (String) d.get("id")).collect(Collectors.toSet());
        check(got.stream().allMatch(h -> loggedIds.contains(h.deliveryId())), () -> interview.id + ": received deliveries the log does not have");
        List<String> events = got.stream().map(Receiver.Hit::event).toList();
        String status = statusSeen.get(interview.id);
        if ("COMPLETED".equals(status)) {
          check(events.contains("interview.completed") && events.contains("analysis.completed"),
            () -> interview.id + " COMPLETED, its receiver got " + events);
        }
        if ("FAILED".equals(status)) check(events.contains("interview.failed"), () -> interview.id + " FAILED, its receiver got " + events);
      }
    }
  }

  /** Invariant 7 at rest: each company lists exactly its own surviving interviews. */
  static void checkTenants() {
    for (Company company : companies) {
      Set<String> listed = new HashSet<>();
      String cursor = null;
      do {
        count("op.list");
        Response page = server.get("/interviews?limit=100" + (cursor == null ? "" : "&cursor=" + cursor), company.tenant().key());
        check(page.status() == 200, () -> "list answered " + page.status() + ": " + page.raw().body());
        if (page.status() != 200) break;
        JsonArray items = page.data().getJsonArray("items");
        items.forEach(i -> listed.add(((JsonObject) i).getString("id")));
        cursor = items.isEmpty() ? null : page.data().getJsonObject("pagination").getString("nextCursor");
      } while (cursor != null);
      Set<String> own = created.stream().filter(i -> !i.deleted && i.company == company).map(i -> i.id).collect(Collectors.toSet());
      check(listed.equals(own), () -> company.name() + " lists " + listed.size() + " interviews, owns " + own.size());
    }
  }

  // ---------------------------------------------------------------- the figures

  static void report(long started, long operationsDone, long quiet, long done) {
    Map<String, Long> ops = new TreeMap<>(), races = new TreeMap<>(), events = new TreeMap<>();
    counts.forEach((k, v) -> {
      if (k.startsWith("op.")) ops.put(k.substring(3), v.sum());
      else if (k.startsWith("race.")) races.put(k.substring(5), v.sum());
      else if (k.startsWith("event.")) events.put(k.substring(6), v.sum());
    });
    long operations = ops.values().stream().mapToLong(Long::longValue).sum();
    long eventsSent = events.values().stream().mapToLong(Long::longValue).sum();
    System.out.println("RandomizedInvariantsIT seed " + SEED + ": " + (operations + eventsSent) + " operations (" + operations
      + " API " + ops + ", " + eventsSent + " provider events " + events + "), " + created.size() + " interviews, "
      + provider.calls.size() + " calls, " + checks.sum() + " invariant checks (" + counted("samples") + " slot samples), "
      + violations.size() + " violations; " + ms(started, operationsDone) + " ms operations, " + ms(operationsDone, quiet)
      + " ms to quiet, " + ms(quiet, done) + " ms checks");
    System.out.println("RandomizedInvariantsIT coverage: " + races);
    violations.stream().limit(30).forEach(v -> System.out.println("  VIOLATION " + v));
  }

  static long ms(long from, long to) {
    return TimeUnit.NANOSECONDS.toMillis(to - from);
  }

  /** A run that never reached the races proves nothing: each is asserted reached a few times. */
  static void assertCoverage() {
    for (String landing : LANDINGS) {
      assertThat(counted("race.delete-landed." + landing)).as("deletes landed in %s", landing).isGreaterThanOrEqualTo(3);
    }
    for (String race : List.of("duplicate-events", "concurrent-duplicate-events", "out-of-order-events", "early-events",
      "late-events", "dials-sent-again-same-callId", "cancels-at-provider", "idempotent-concurrent-repeats",
      "webhook-answers-held", "webhook-answers-503", "attempts-invoked", "attempts-moved", "attempts-cancelled",
      "recordings-held", "samples-with-all-slots-taken")) {
      assertThat(counted("race." + race)).as("times reached: %s", race).isGreaterThanOrEqualTo(3);
    }
    assertThat(countedWithPrefix("op.") + countedWithPrefix("event.")).as("operations").isGreaterThanOrEqualTo(OPERATIONS);
  }

  // ---------------------------------------------------------------- the provider

  /**
   * A voice-agent provider of the {@code http} kind that plays the simulator's table of numbers,
   * and sends its events the way a real network may: early, twice, out of order, late.
   */
  static final class ScriptedProvider implements AutoCloseable {
    static final String SECRET = "randomized-provider-secret";
    static final Script REFUSED_SCRIPT = Script.REFUSED;
    static final byte[] WAV = Synthetic.wav(1).getBytes();

    /** One call, by callId: what the provider did with it and when. */
    static final class Call {
      final String callId;
      final String interviewId;
      final String eventsUrl;
      final Script script;
      final Instant firstDialAt = Instant.now();
      final boolean early, outOfOrder, duplicates, late, holdDial, holdRecording;
      final CountDownLatch dialReleased = new CountDownLatch(1);
      final CountDownLatch recordingReleased = new CountDownLatch(1);
      final List<Step> steps = Collections.synchronizedList(new ArrayList<>());
      final AtomicInteger endsApplied = new AtomicInteger();
      /** POST /calls requests for this callId: more than one when Parley sent the dial again. */
      final AtomicInteger dials = new AtomicInteger(1);
      volatile boolean dialHeld, recordingHeld, answered, over;
      volatile Instant answeredAt, overAt, cancelAt;
      volatile String endReason;
      volatile String otherInterviewDialled;

      Call(String callId, String interviewId, String eventsUrl, Script script, Random random) {
        this.callId = callId;
        this.interviewId = interviewId;
        this.eventsUrl = eventsUrl;
        this.script = script;
        this.early = random.nextInt(100) < 15;
        this.outOfOrder = random.nextInt(100) < 15;
        this.duplicates = random.nextInt(100) < 20;
        this.late = random.nextInt(100) < 20;
        this.holdDial = !early && script.mayHoldDial() && random.nextInt(100) < 10;
        this.holdRecording = random.nextInt(100) < 30;
      }

      String describe() {
        return callId + " dialled " + firstDialAt + " x" + dials.get() + (answeredAt == null ? "" : ", answered " + answeredAt)
          + (overAt == null ? "" : ", over " + overAt + " " + endReason) + (cancelAt == null ? "" : ", cancel " + cancelAt)
          + ", ends applied " + endsApplied.get();
      }

      boolean answeredBy(Instant t) {
        Instant a = answeredAt;
        return a != null && !a.isAfter(t);
      }

      boolean overBy(Instant t) {
        Instant o = overAt;
        return o != null && !o.isAfter(t);
      }
    }

    final Map<String, Call> calls = new ConcurrentHashMap<>();
    /** Script steps and event sends not done yet. */
    final AtomicInteger pending = new AtomicInteger();
    final List<String> lateApplied = new CopyOnWriteArrayList<>();
    final LongAdder lateChecked = new LongAdder();
    volatile boolean holding = true;
    private final Random random;
    private final HttpServer server;
    private final ScheduledExecutorService steps = Executors.newScheduledThreadPool(6);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ScriptedProvider(Random random) throws IOException {
      this.random = random;
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/calls", this::onCallRequest);
      server.createContext("/recordings/", this::onRecording);
      // a thread per request: held dials and recordings must not hold up the others
      server.setExecutor(Executors.newCachedThreadPool());
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Call> callsOf(String interviewId) {
      return calls.values().stream().filter(c -> c.interviewId.equals(interviewId)).toList();
    }

    Call latestCallOf(String interviewId) {
      return callsOf(interviewId).stream().max(Comparator.comparing(c -> c.firstDialAt)).orElse(null);
    }

    /** Lets the held dials and recording fetches of an interview go (it was just deleted). */
    void release(String interviewId) {
      callsOf(interviewId).forEach(c -> {
        c.dialReleased.countDown();
        c.recordingReleased.countDown();
      });
    }

    void releaseAll() {
      calls.values().forEach(c -> {
        c.dialReleased.countDown();
        c.recordingReleased.countDown();
      });
    }

    private void onCallRequest(HttpExchange exchange) throws IOException {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String path = exchange.getRequestURI().getPath();
      boolean signed = Signatures.verify(SECRET, exchange.getRequestHeaders().getFirst(Signatures.HEADER), body,
        System.currentTimeMillis() / 1000);
      check(signed, () -> "unsigned request to the provider: " + path);
      if (!signed) {
        answer(exchange, 401);
      } else if (path.endsWith("/cancel")) {
        onCancel(exchange, path.substring("/calls/".length(), path.length() - "/cancel".length()));
      } else {
        onDial(exchange, new JsonObject(new String(body, StandardCharsets.UTF_8)));
      }
    }

    private void onDial(HttpExchange exchange, JsonObject dial) {
      String callId = dial.getString("callId");
      Script script = Script.of(dial.getString("to"));
      Call fresh = new Call(callId, dial.getString("interviewId"), dial.getString("eventsUrl"), script, random);
      Call known = calls.putIfAbsent(callId, fresh);
      if (known != null) {
        // Parley sent the dial again (it timed out waiting): the same call, never a second one
        count("race.dials-sent-again-same-callId");
        known.dials.incrementAndGet();
        if (!known.interviewId.equals(fresh.interviewId)) known.otherInterviewDialled = fresh.interviewId;
        answerQuietly(exchange, script == Script.REFUSED ? 422 : 202);
        return;
      }
      Call call = fresh;
      count("provider.calls");
      if (script == Script.REFUSED) {
        call.over = true;
        call.overAt = Instant.now();
        answerQuietly(exchange, 422);
        return;
      }
      if (call.holdDial && holding) {
        count("race.dials-held");
        call.dialHeld = true;
        awaitRelease(call.dialReleased, DIAL_HOLD_MS);
        call.dialHeld = false;
      }
      if (call.early) {
        // events about the call before Parley has heard that the provider took it
        count("race.early-events");
        send(call, event(call, "call.ringing"));
        if (script.answers()) answer(call);
        else if (script.endsAtRing() != null && random.nextBoolean()) finish(call, script.endsAtRing());
      }
      // a held dial's caller may have given up waiting: the call goes on all the same
      answerQuietly(exchange, 202);
      play(call);
    }

    private void play(Call call) {
      if (!call.early) later(call, 1, () -> send(call, event(call, "call.ringing")));
      switch (call.script) {
        case NO_ANSWER, BUSY, VOICEMAIL -> later(call, RING_MS, () -> finish(call, call.script.endsAtRing()));
        case RINGS_THEN_NO_ANSWER -> later(call, LONG_RING_MS, () -> finish(call, "no-answer"));
        case NEVER_ENDS -> later(call, RING_MS, () -> answer(call));
        case COMPLETES, LONG_CALL -> {
          later(call, RING_MS, () -> answer(call));
          later(call, RING_MS + (call.script == Script.LONG_CALL ? LONG_MS : TALK_MS), () -> finish(call, "completed"));
        }
        default -> throw new IllegalStateException(call.script.name());
      }
    }

    private void answer(Call call) {
      synchronized (call) {
        if (call.over || call.answered) return;
        call.answered = true;
        call.answeredAt = Instant.now();
      }
      // out of order: the answer is sent after the end
      if (!call.outOfOrder) send(call, event(call, "call.answered"));
    }

    /** Ends the call at the provider, once, and reports it (early, twice, out of order or late as the call was dealt). */
    void finish(Call call, String reason) {
      synchronized (call) {
        if (call.over) return;
        call.over = true;
        call.overAt = Instant.now();
        call.endReason = reason;
        for (Step step : call.steps) step.cancel();
      }
      JsonObject ended = ended(call, reason);
      if (call.duplicates && random.nextBoolean()) {
        // the same event twice at the same moment: one of them ends the call, the other changes nothing
        count("race.concurrent-duplicate-events");
        count("race.duplicate-events");
        CountDownLatch go = new CountDownLatch(1);
        pending.incrementAndGet();
        Future<?> twin = steps.submit(() -> {
          try {
            awaitRelease(go, 1000);
            send(call, ended);
          } finally {
            pending.decrementAndGet();
          }
        });
        go.countDown();
        send(call, ended);
        try {
          twin.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          violations.add("duplicate event of " + call.callId + " not sent: " + e);
        }
      } else {
        send(call, ended);
        if (call.duplicates) {
          count("race.duplicate-events");
          send(call, ended);
        }
      }
      if (call.outOfOrder) {
        count("race.out-of-order-events");
        JsonObject stale = call.answered ? event(call, "call.answered") : event(call, "call.ringing");
        send(call, stale);
      }
      if (call.late) {
        // long after the end, a stale end with another outcome and a stale answer: both change nothing
        pending.incrementAndGet();
        steps.schedule(() -> {
          try {
            count("race.late-events");
            String other = "completed".equals(reason) ? "no-answer" : "completed";
            expectNotApplied(call, ended(call, other));
            expectNotApplied(call, event(call, "call.answered"));
          } finally {
            pending.decrementAndGet();
          }
        }, 200 + random.nextInt(600), TimeUnit.MILLISECONDS);
      }
    }

    private void expectNotApplied(Call call, JsonObject event) {
      boolean applied = send(call, event);
      lateChecked.increment();
      if (applied && event.getString("type").equals("call.ended")) {
        lateApplied.add("a late " + event.getString("endedReason") + " for call " + call.callId + " was applied");
      }
    }

    private void onCancel(HttpExchange exchange, String callId) throws IOException {
      Call call = calls.get(callId);
      if (call == null) {
        answer(exchange, 404);
        return;
      }
      count("race.cancels-at-provider");
      if (call.cancelAt == null) call.cancelAt = Instant.now();
      call.dialReleased.countDown();
      answer(exchange, 202);
      pending.incrementAndGet();
      steps.submit(() -> {
        try {
          finish(call, "canceled");
        } finally {
          pending.decrementAndGet();
        }
      });
    }

    private void onRecording(HttpExchange exchange) throws IOException {
      String name = exchange.getRequestURI().getPath().substring("/recordings/".length());
      Call call = calls.get(name.replace(".wav", ""));
      if (call != null && call.holdRecording && holding) {
        // post-call work waits for the recording: a delete may land now
        count("race.recordings-held");
        call.recordingHeld = true;
        awaitRelease(call.recordingReleased, RECORDING_HOLD_MS);
        call.recordingHeld = false;
      }
      exchange.getResponseHeaders().add("Content-Type", "audio/wav");
      exchange.sendResponseHeaders(200, WAV.length);
      exchange.getResponseBody().write(WAV);
      exchange.close();
    }

    /** A step of a call's script; done once, whether it runs or the end of the call cancels it. */
    final class Step {
      private final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
      private volatile ScheduledFuture<?> future;

      void run(Call call, Runnable action) {
        if (!done.compareAndSet(false, true)) return;
        try {
          action.run();
        } catch (RuntimeException e) {
          violations.add("provider step of " + call.callId + " failed: " + e);
        } finally {
          pending.decrementAndGet();
        }
      }

      void cancel() {
        if (!done.compareAndSet(false, true)) return;
        ScheduledFuture<?> f = future;
        if (f != null) f.cancel(false);
        pending.decrementAndGet();
      }
    }

    private void later(Call call, long delayMs, Runnable action) {
      synchronized (call) {
        if (call.over) return;
        pending.incrementAndGet();
        Step step = new Step();
        call.steps.add(step);
        step.future = steps.schedule(() -> step.run(call, action), delayMs, TimeUnit.MILLISECONDS);
      }
    }

    private static JsonObject event(Call call, String type) {
      return new JsonObject().put("type", type).put("callId", call.callId).put("at", Instant.now().toString());
    }

    private JsonObject ended(Call call, String reason) {
      JsonObject e = event(call, "call.ended").put("endedReason", reason).put("durationSeconds", "completed".equals(reason) ? 1 : 0);
      if ("completed".equals(reason)) {
        e.put("recordingUrl", url() + "/recordings/" + call.callId + ".wav").put("transcript", new JsonArray()
          .add(new JsonObject().put("role", "agent").put("text", "Why us?").put("startMs", 0))
          .add(new JsonObject().put("role", "candidate").put("text", "I led a team of five.").put("startMs", 900)));
      }
      return e;
    }

    /** Sends an event, signed, until Parley takes it (a provider sends again what got no 2xx); whether it was applied. */
    boolean send(Call call, JsonObject event) {
      count("event." + event.getString("type").substring("call.".length()));
      byte[] body = event.encode().getBytes(StandardCharsets.UTF_8);
      String last = null;
      for (int attempt = 1; attempt <= 5; attempt++) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(call.eventsUrl)).timeout(Duration.ofSeconds(20))
          .header("Content-Type", "application/json")
          .header(Signatures.HEADER, Signatures.sign(SECRET, System.currentTimeMillis() / 1000, body))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
          HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            boolean applied = new JsonObject(r.body()).getJsonObject("data").getBoolean("applied", false);
            if (applied && event.getString("type").equals("call.ended")) call.endsApplied.incrementAndGet();
            return applied;
          }
          last = r.statusCode() + " " + r.body();
        } catch (IOException e) {
          last = e.toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
        count("provider.events-sent-again");
      }
      String why = last;
      violations.add("event " + event.encode() + " never taken: " + why);
      return false;
    }

    private static void answer(HttpExchange exchange, int status) throws IOException {
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    }

    private static void answerQuietly(HttpExchange exchange, int status) {
      try {
        answer(exchange, status);
      } catch (IOException e) {
        exchange.close();
      }
    }

    private static void awaitRelease(CountDownLatch latch, long atMostMs) {
      try {
        latch.await(atMostMs, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      server.stop(0);
      steps.shutdownNow();
    }
  }
}
