package dev.parley.calls;

import dev.parley.calls.provider.CallRequest;
import dev.parley.calls.provider.ProviderBusyException;
import dev.parley.calls.provider.ProviderRefusedException;
import dev.parley.calls.provider.Providers;
import dev.parley.calls.provider.VoiceProvider;
import dev.parley.calls.provider.VoiceProvider.LiveCall;
import dev.parley.calls.provider.VoiceProvider.PlacedCall;
import dev.parley.config.ParleyConfig;
import dev.parley.db.DatabaseHealth;
import dev.parley.repository.CallRows;
import dev.parley.repository.Locks;
import dev.parley.lifecycle.Draining;
import dev.parley.lifecycle.InFlight;
import dev.parley.schedule.CallWindow;
import dev.parley.schedule.CallZones;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Claims due attempts and dials them (DESIGN invariant 1 and "Techniques"):
 * <ol>
 *   <li>one transaction claims up to {@link #BATCH} due attempts, fairly across companies
 *   ({@link CallRows#claimDue}), takes their slots ({@link Locks#slots}, {@link CallRows#start}), marks
 *   attempts and interviews IN_PROGRESS, inserts their live calls with a callId each, and queues
 *   interview.started. The interview row lock serialises this with a delete: a delete that commits
 *   first leaves nothing to claim. The live call is the durable record of the callId before any
 *   create is sent;</li>
 *   <li>after the commit, each call is dialled through its provider (the simulator for a test
 *   interview), side by side, paced to the platform's rate ({@link Pacer}), holding no connection
 *   and no lock while the provider answers. A provider that keys calls by callId (the simulator,
 *   {@code http}) is sent a create again after a lost answer. One that does not (Vapi, Retell) is
 *   never sent one again before it has been asked for the call the first create may have made
 *   ({@link VoiceProvider#reconcile}), until PARLEY_PROVIDER_RECONCILE_GRACE_MS after the first
 *   create: a call found is adopted, and only a search that finds nothing lets the create go out
 *   again, with the same callId. A refusal, or no call after {@link #DIAL_TRIES} creates, ends the
 *   call with PROVIDER_ERROR (its slot freed, a retry queued); a refusal for the platform's
 *   concurrency or rate limit queues the attempt again instead;</li>
 *   <li>a dial not confirmed within PARLEY_DIAL_LEASE_SECONDS (its node died) is taken over by
 *   another node, which looks for the call the same way before it dials it again. Before a create
 *   goes out that the claim did not just lease, the dial is renewed ({@link CallRows#renewDial}):
 *   a node whose dial was taken over sends nothing more;</li>
 *   <li>a delete that commits before the call was answered asks for a cancel: sent once the dial is
 *   confirmed (at once when it already is), by the node that learns of it first; a dial not sent
 *   yet is not sent at all.</li>
 * </ol>
 * An attempt due at T is dialled at T: after each round the dispatcher arms a timer for the next
 * attempt to fall due; a create or an attempt change on this node tells it the new due time
 * ({@link #dueIn}); the poll wakes it too.
 * <p>While the node drains ({@link Draining}) it claims nothing and takes nothing over, and
 * {@link #idle} tells when the claim under way and every dial it led to have ended, so that no
 * claimed attempt is left undialled by a shutdown.
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  /** Attempts claimed per transaction. */
  static final int BATCH = 100;
  /** Creates of one call by the node that claimed it (each after a lost answer and, where needed, a search). */
  static final int DIAL_TRIES = 3;
  /** How long a claim transaction may take before the dispatcher stops waiting for it. */
  static final int CLAIM_TIMEOUT_SECONDS = 30;
  /** Take-overs of one dial before it is given up. */
  static final int MAX_TAKEOVERS = 3;
  /** A reconcile looks for calls created from this long before the first create (the platform's clock may differ). */
  static final Duration RECONCILE_LOOKBACK = Duration.ofMinutes(1);
  /** Pause between two searches for a call whose create answer was lost. */
  static final long RECONCILE_PAUSE_MS = 2_000;
  /** Creates of one call refused for the platform's rate, sent again before the attempt is queued again instead. */
  static final int RATE_RETRIES = 3;
  /** The pause before a create refused for the platform's rate takes a turn again. */
  static final long RATE_RETRY_PAUSE_MS = 500;
  /** A paced platform's creates waiting for their turn: no more than this many seconds' worth is claimed ahead. */
  static final int PACED_BACKLOG_SECONDS = 10;
  /**
   * Attempts this node's claims took or set aside before it vacuums call_attempts (at a beat with
   * no claim changes, or at once past {@link #VACUUM_AT_THE_LATEST}). Each such attempt leaves a
   * dead entry in the claim's index (it leaves the SCHEDULED part, or moves in it), which every
   * later claim of its company steps over until a vacuum removes it; autovacuum may be off, or late.
   */
  static final long VACUUM_AFTER = 20_000;
  static final long VACUUM_AT_THE_LATEST = 500_000;

  /** What happens to a call: the session of a placed call, and the end of one that cannot be placed. */
  interface Calls {
    void placed(String callId, String interviewId, String companyId);

    /** The call cannot be placed: it ends with PROVIDER_ERROR. */
    Future<Boolean> abandon(String callId, String why);

    /** The provider is at its concurrency or rate limit: the call ends and its attempt is queued again. */
    Future<Boolean> requeue(String callId, String why);
  }

  /** A claimed attempt, with the callId its dial uses every time it is sent, and the provider that places it. */
  private record Claimed(UUID callId, UUID attemptId, CallRequest request, Instant dueAt, UUID companyId, VoiceProvider provider) {}

  private final Vertx vertx;
  private final ParleyConfig config;
  private final Pool pool;
  private final Providers providers;
  private final String nodeId;
  private final Calls calls;
  private final Timer dispatchDelay;
  /** parley_dials_total by outcome: each try of a dial, and what became of the call. */
  private final Counter placed, retried, reconciled, refused, busy, failed, takenOver;
  /** parley_claim_reads_total by outcome: the attempts claims read, and what became of each. */
  private final Counter readClaimed, readOutsideWindow, readNoSlot;
  private final DatabaseHealth health;
  private final Draining draining;
  /** Spaces the live provider's creates; null when it is unpaced. */
  private final Pacer pacer;
  /** The claim under way and the dials and cancels still going on; the node's shutdown waits for them. */
  private final InFlight work = new InFlight();
  private boolean claiming;
  private boolean claimAgain;
  /** Dials the provider took, waiting for the statement that records them ({@link #confirm}). */
  private Map<UUID, Confirmation> toConfirm = new LinkedHashMap<>();
  private boolean confirming;
  private long dueTimer = -1;
  private long dueTimerAt = Long.MAX_VALUE;
  /** Attempts claimed or set aside since the last vacuum, and how many of them at the last beat. */
  private long changedSinceVacuum, changedAtLastBeat;

  /** A dial the provider took, with what it knows the call by, and who waits for its record. */
  private record Confirmation(PlacedCall call, Promise<Boolean> recorded) {}

  Dispatcher(Vertx vertx, ParleyConfig config, Pool pool, Providers providers, String nodeId, Calls calls,
             MeterRegistry registry) {
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
    this.providers = providers;
    this.nodeId = nodeId;
    this.calls = calls;
    this.dispatchDelay = Timer.builder("parley.dispatch.delay").description("from an attempt being due to its dial")
      .publishPercentileHistogram().register(registry);
    this.placed = dials(registry, "placed");
    this.retried = dials(registry, "retried");
    this.reconciled = dials(registry, "reconciled");
    this.refused = dials(registry, "refused");
    this.busy = dials(registry, "busy");
    this.failed = dials(registry, "failed");
    this.takenOver = dials(registry, "taken_over");
    this.readClaimed = claimReads(registry, "claimed");
    this.readOutsideWindow = claimReads(registry, "outside_window");
    this.readNoSlot = claimReads(registry, "no_slot");
    this.health = DatabaseHealth.of(vertx);
    this.draining = Draining.of(vertx);
    double rate = providers.live().callsPerSecond();
    this.pacer = rate > 0 ? new Pacer(vertx, rate, this::afterPacedTurn) : null;
  }

  /** Completes when no claim, dial or cancel of this dispatcher is under way. */
  Future<Void> idle() {
    return work.idle();
  }

  /** Claims, dials and cancels under way. */
  int underWay() {
    return work.running();
  }

  private static Counter dials(MeterRegistry registry, String outcome) {
    return Counter.builder("parley.dials").tag("outcome", outcome).description("tries of dials sent to the provider, "
      + "by outcome: placed, retried (failed, sent again), reconciled (answer lost, the call found at the provider), "
      + "refused, busy (the provider at its limit: queued again), failed (given up), taken_over (another node's dial)")
      .register(registry);
  }

  private static Counter claimReads(MeterRegistry registry, String outcome) {
    return Counter.builder("parley.claim.reads").tag("outcome", outcome).description("attempts read by claims, by outcome: "
      + "claimed, outside_window (moved to its window's next opening, not read again before then), no_slot (its company's "
      + "slots went to attempts before it)").register(registry);
  }

  // ---------------------------------------------------------------- claims

  /** Claims batches while there are due attempts; never two claims at once on this node. */
  void dispatch() {
    if (draining.isDraining()) return;
    if (claiming) {
      claimAgain = true;
      return;
    }
    int batch = batchSize();
    if (batch == 0) return; // the paced platform has enough waiting: the next turn claims again
    claiming = true;
    claimAgain = false;
    // bounded: a claim stuck on a stalled connection must not stop this node's dispatching for good
    work.track(() -> claimBatch(batch).timeout(CLAIM_TIMEOUT_SECONDS, TimeUnit.SECONDS)).onComplete(ar -> {
      claiming = false;
      if (ar.failed()) health.warnUnlessDown(LOG, "claim failed", ar.cause());
      boolean full = ar.succeeded() && ar.result() >= batch;
      if (full || claimAgain) dispatch();
      else armNextDue();
    });
  }

  /**
   * How many attempts the next claim may take: {@link #BATCH}, or for a paced platform no more than
   * it sends in {@link #PACED_BACKLOG_SECONDS} beyond what already waits, so that a claimed call
   * does not wait past its dial lease for its turn.
   */
  private int batchSize() {
    if (pacer == null) return BATCH;
    return Math.max(0, Math.min(BATCH, pacer.perSeconds(PACED_BACKLOG_SECONDS) - pacer.waiting()));
  }

  private void afterPacedTurn() {
    if (pacer.waiting() < pacer.perSeconds(PACED_BACKLOG_SECONDS) / 2) dispatch();
  }

  /**
   * One claim transaction; its calls are dialled once it has committed. Attempts found outside
   * their calling window are moved to its next opening instead ({@link CallRows#waitForWindow}) and
   * not read again before then. The number of attempts it read: a full batch means more may wait.
   */
  private Future<Integer> claimBatch(int batch) {
    List<Claimed> claimed = new ArrayList<>();
    List<UUID> closed = new ArrayList<>();
    return pool.withTransaction(conn -> CallRows.claimDue(conn, batch).compose(due -> {
      if (due.size() == 0) return Future.succeededFuture(0);
      Instant now = Instant.now();
      Map<UUID, List<Row>> byCompany = new LinkedHashMap<>();
      List<OffsetDateTime> openings = new ArrayList<>();
      for (Row r : due) {
        Instant opening = nextOpening(r, now);
        if (opening.isAfter(now)) {
          closed.add(r.getUUID(0));
          openings.add(opening.atOffset(ZoneOffset.UTC));
        } else {
          byCompany.computeIfAbsent(r.getUUID(2), c -> new ArrayList<>()).add(r);
        }
      }
      // sent together with the slots' lock: one round trip
      Future<?> waiting = closed.isEmpty() ? Future.succeededFuture()
        : CallRows.waitForWindow(conn, closed.toArray(UUID[]::new), openings.toArray(OffsetDateTime[]::new));
      if (byCompany.isEmpty()) return waiting.map(due.size());
      Future<RowSet<Row>> slots = Locks.slots(conn, byCompany.keySet().toArray(UUID[]::new));
      return Future.all(waiting, slots).compose(v -> {
          for (Row company : slots.result()) {
            List<Row> rows = byCompany.get(company.getUUID(0));
            int take = Math.min(rows.size(), Math.max(0, company.getInteger(1)));
            for (Row r : rows.subList(0, take)) claimed.add(claimed(r, UUID.randomUUID(), providers.forInterview(r.getBoolean(11))));
          }
          return claimed.isEmpty() ? Future.succeededFuture(due.size()) : start(conn, claimed).map(due.size());
        });
    })).onSuccess(read -> {
      changedSinceVacuum += closed.size() + claimed.size();
      // counted once committed: a claim that rolled back changed nothing
      readOutsideWindow.increment(closed.size());
      readClaimed.increment(claimed.size());
      readNoSlot.increment(read - closed.size() - claimed.size());
      claimed.forEach(this::dial);
    });
  }

  /**
   * When the attempt of a {@link CallRows#claimDue} row may be called, from {@code now} on: now when
   * its window is open, else the window's next opening in the call's zone.
   */
  private static Instant nextOpening(Row due, Instant now) {
    ZoneId zone = CallZones.of(due.getInteger(19), due.getString(20), due.getString(21));
    CallWindow window;
    try {
      window = CallWindow.parse(due.getString(22));
    } catch (IllegalArgumentException e) {
      // stored before the rules were checked: rather call all day than never
      window = CallWindow.ALL_DAY;
    }
    return window.nextOpening(now, zone);
  }

  /** A row of {@link CallRows#claimDue} or {@link CallRows#detailsOfAttempts} as a call to dial. */
  private Claimed claimed(Row due, UUID callId, VoiceProvider provider) {
    UUID interviewId = due.getUUID(1);
    int durationMinutes = due.getInteger(3);
    JsonArray questions = due.getValue(6) instanceof JsonArray a ? a : new JsonArray();
    JsonObject agent = new JsonObject().put("name", due.getString(5)).put("questions", questions)
      .put("instructions", due.getString(7)).put("voiceId", due.getString(8)).put("focus", due.getString(12))
      .put("cefrLevel", due.getString(13));
    CallRequest request = new CallRequest(callId.toString(), interviewId.toString(), due.getString(4), agent,
      due.getString(9), durationMinutes * 60, config.publicUrl() + "/v1/provider/events", due.getString(17),
      due.getString(18), due.getString(14), due.getString(15), due.getString(16));
    return new Claimed(callId, due.getUUID(0), request, due.getOffsetDateTime(10).toInstant(), due.getUUID(2), provider);
  }

  /** The claim's writes, each one statement for the whole batch. */
  private Future<Void> start(SqlConnection conn, List<Claimed> claimed) {
    int n = claimed.size();
    UUID[] callIds = new UUID[n], attemptIds = new UUID[n], interviewIds = new UUID[n], companyIds = new UUID[n];
    String[] providerNames = new String[n];
    Integer[] leases = new Integer[n];
    Map<UUID, Integer> slots = new HashMap<>();
    for (int k = 0; k < n; k++) {
      Claimed c = claimed.get(k);
      callIds[k] = c.callId();
      attemptIds[k] = c.attemptId();
      interviewIds[k] = UUID.fromString(c.request().interviewId());
      companyIds[k] = c.companyId();
      providerNames[k] = c.provider().name();
      leases[k] = config.leaseSeconds() > 0 ? config.leaseSeconds() : c.request().maxDurationSeconds() + config.leaseGraceSeconds();
      slots.merge(c.companyId(), 1, Integer::sum);
    }
    return CallRows.start(conn, new CallRows.Start(callIds, attemptIds, interviewIds, companyIds, providerNames, leases,
      slots.keySet().toArray(UUID[]::new), slots.values().toArray(Integer[]::new), nodeId, config.dialLeaseSeconds()));
  }

  /**
   * On the node's housekeeping beat: vacuums call_attempts once {@link #VACUUM_AFTER} attempts were
   * claimed or set aside here and a beat went by without more (the snapshots that could still see
   * their old versions are gone by then, and a burst of claims is over), or at once past
   * {@link #VACUUM_AT_THE_LATEST}. A million attempts set aside for their window would otherwise
   * leave a million dead index entries that every claim of their company walks.
   */
  void vacuumIfDue() {
    long changed = changedSinceVacuum;
    boolean quiet = changed == changedAtLastBeat;
    changedAtLastBeat = changed;
    if (draining.isDraining() || changed < VACUUM_AFTER || (!quiet && changed < VACUUM_AT_THE_LATEST)) return;
    changedSinceVacuum = 0;
    changedAtLastBeat = 0;
    work.track(() -> CallRows.vacuumAttempts(pool)).onFailure(e -> health.warnUnlessDown(LOG, "call_attempts not vacuumed", e));
  }

  // ---------------------------------------------------------------- dials

  private void dial(Claimed c) {
    calls.placed(c.callId().toString(), c.request().interviewId(), c.companyId().toString());
    work.track(() -> send(c, 1, null, true));
  }

  /**
   * One create of a call, at its turn; then what its answer says. Completes when the dial's outcome
   * is recorded (failures are logged where they happen).
   *
   * @param tryNumber  the creates sent for this call by this node so far, this one included
   * @param firstSent  when the first create of this call went out (null for this one): searches look from there
   * @param leased     whether the claim (or a take-over) leased the dial just now, so it needs no renewal before this create
   */
  private Future<Void> send(Claimed c, int tryNumber, Instant firstSent, boolean leased) {
    VoiceProvider provider = c.provider();
    boolean paced = pacer != null && provider == providers.live();
    // the renewal comes before the turn, so that nothing of variable length stands between a turn
    // and its create: two creates leave as far apart as their turns (the platform counts arrivals);
    // a turn is at most PACED_BACKLOG_SECONDS away, well within the lease just renewed
    return stillMine(c, leased).compose(mine -> {
      if (!mine) return Future.succeededFuture();
      return (paced ? pacer.turn() : Future.succeededFuture(0L)).compose(waited -> {
        Instant sent = Instant.now();
        Instant first = firstSent == null ? sent : firstSent;
        return provider.placeCall(c.request()).transform(ar -> answered(c, tryNumber, first, ar));
      });
    }).recover(e -> {
      health.warnUnlessDown(LOG, "dial of call " + c.callId() + " stopped (its lease lets another node take it over)", e);
      return Future.succeededFuture();
    });
  }

  /**
   * Whether this node may send a create for the call now. A provider that keys calls by callId may
   * always be sent one again; otherwise a create the claim did not just lease renews the dial first,
   * and nothing goes out when another node took it over, the call is over, or a delete asked for a
   * cancel (the call then ends here, never placed).
   */
  private Future<Boolean> stillMine(Claimed c, boolean freshlyLeased) {
    if (freshlyLeased || c.provider().idempotentCreate()) return Future.succeededFuture(true);
    return CallRows.renewDial(pool, c.callId(), nodeId, config.dialLeaseSeconds())
      .compose(rows -> {
        if (rows.size() == 0) {
          LOG.info("call {} is no longer this node's to dial (taken over, or over)", c.callId());
          return Future.succeededFuture(false);
        }
        if (rows.iterator().next().getBoolean(0)) {
          return calls.abandon(c.callId().toString(), "deleted before it was dialled").map(false);
        }
        return Future.succeededFuture(true);
      });
  }

  /** What a create's answer means for the call. */
  private Future<Void> answered(Claimed c, int tryNumber, Instant firstSent, io.vertx.core.AsyncResult<PlacedCall> ar) {
    String callId = c.callId().toString();
    if (ar.succeeded()) {
      placed.increment();
      return dialled(callId, ar.result(), c.dueAt());
    }
    Throwable cause = ar.cause();
    if (cause instanceof ProviderRefusedException) {
      refused.increment();
      LOG.warn("call {} refused by the provider: {}", callId, cause.getMessage());
      return calls.abandon(callId, "provider refused the call: " + cause.getMessage()).mapEmpty();
    }
    if (cause instanceof ProviderBusyException rate && rate.rateLimit() && tryNumber < DIAL_TRIES + RATE_RETRIES) {
      // refused for the rate of creates (the pace and the platform's clock disagree by a few ms, a
      // first connection was slow): nothing was made, so the same create goes out at a later turn
      busy.increment();
      LOG.info("create of call {} refused for the platform's rate, sent again at a later turn: {}", callId, cause.getMessage());
      Promise<Void> next = Promise.promise();
      vertx.setTimer(RATE_RETRY_PAUSE_MS, t -> send(c, tryNumber + 1, firstSent, false).onComplete(next));
      return next.future();
    }
    if (cause instanceof ProviderBusyException) {
      busy.increment();
      LOG.warn("call {} refused by the provider at its limit, queued again: {}", callId, cause.getMessage());
      return calls.requeue(callId, "provider at its limit: " + cause.getMessage()).mapEmpty();
    }
    if (!c.provider().idempotentCreate()) {
      LOG.warn("create of call {} (try {}) got no answer ({}): looking for the call before anything is sent again",
        callId, tryNumber, cause.getMessage());
      return reconcile(c, tryNumber, firstSent, firstSent.plusMillis(config.providerReconcileGraceMillis()));
    }
    if (tryNumber < DIAL_TRIES) {
      retried.increment();
      LOG.warn("dial of call {} failed (try {}), sending it again: {}", callId, tryNumber, cause.getMessage());
      Promise<Void> next = Promise.promise();
      vertx.setTimer(1000L * tryNumber * tryNumber, t -> send(c, tryNumber + 1, firstSent, false).onComplete(next));
      return next.future();
    }
    failed.increment();
    LOG.warn("dial of call {} failed {} times, giving up: {}", callId, tryNumber, cause.getMessage());
    // It may have been placed after all: cancel it before its slot goes to another call.
    return c.provider().cancelCall(new LiveCall(callId, null, null)).transform(x ->
      calls.abandon(callId, "provider did not take the call: " + cause.getMessage())).mapEmpty();
  }

  /**
   * Looks for the call a create with this callId may have made, every {@link #RECONCILE_PAUSE_MS},
   * until {@code graceEnd}; at least once. Found: adopted as placed. Not found by then: the create
   * goes out again (up to {@link #DIAL_TRIES}), else the call is given up.
   */
  private Future<Void> reconcile(Claimed c, int tryNumber, Instant firstSent, Instant graceEnd) {
    String callId = c.callId().toString();
    return c.provider().reconcile(c.request(), firstSent.minus(RECONCILE_LOOKBACK))
      .recover(e -> {
        LOG.warn("search for call {} at the provider failed: {}", callId, e.getMessage());
        return Future.succeededFuture(null);
      })
      .compose(found -> {
        if (found != null) {
          reconciled.increment();
          LOG.info("call {} found at the provider as {}: adopted, no second create", callId, found.platformCallId());
          return dialled(callId, found, c.dueAt());
        }
        long left = Duration.between(Instant.now(), graceEnd).toMillis();
        if (left > 0) {
          Promise<Void> next = Promise.promise();
          vertx.setTimer(Math.max(1, Math.min(RECONCILE_PAUSE_MS, left)),
            t -> reconcile(c, tryNumber, firstSent, graceEnd).onComplete(next));
          return next.future();
        }
        if (tryNumber < DIAL_TRIES) {
          retried.increment();
          LOG.warn("call {} not found at the provider {} ms after its first create: sending the create again",
            callId, config.providerReconcileGraceMillis());
          return send(c, tryNumber + 1, firstSent, false);
        }
        failed.increment();
        LOG.warn("call {}: {} creates unanswered and no call found at the provider, giving up", callId, tryNumber);
        return calls.abandon(callId, "provider did not take the call after " + tryNumber + " creates").mapEmpty();
      });
  }

  /** The provider took the call: recorded, and cancelled at once if a delete asked meanwhile. */
  private Future<Void> dialled(String callId, PlacedCall call, Instant dueAt) {
    if (dueAt != null) dispatchDelay.record(Duration.between(dueAt, Instant.now()));
    return confirm(UUID.fromString(callId), call).<Void>transform(ar -> {
      if (ar.failed()) {
        health.warnUnlessDown(LOG, "dial of call " + callId + " not recorded (it will be looked for and adopted)", ar.cause());
      } else if (Boolean.TRUE.equals(ar.result())) {
        cancel(callId);
      }
      return Future.succeededFuture();
    });
  }

  /**
   * Records that the provider took a call; its result: whether a delete asked for a cancel
   * meanwhile (null when the call is over or was confirmed already). Confirmations that come in
   * while one statement is under way go together in the next ({@link CallRows#dialled} takes
   * arrays): a burst of dials costs a statement per batch, not one per dial, and a lone dial
   * waits for nothing.
   */
  private Future<Boolean> confirm(UUID callId, PlacedCall call) {
    Promise<Boolean> confirmed = Promise.promise();
    Confirmation earlier = toConfirm.put(callId, new Confirmation(call, confirmed));
    if (earlier != null) confirmed.future().onComplete(earlier.recorded()); // the same call twice (a retry after a lost answer)
    if (!confirming) confirmWaiting();
    return confirmed.future();
  }

  private void confirmWaiting() {
    if (toConfirm.isEmpty()) {
      confirming = false;
      return;
    }
    confirming = true;
    Map<UUID, Confirmation> batch = toConfirm;
    toConfirm = new LinkedHashMap<>();
    String[] platformIds = batch.values().stream().map(c -> c.call().platformCallId()).toArray(String[]::new);
    String[] controlUrls = batch.values().stream().map(c -> c.call().controlUrl()).toArray(String[]::new);
    CallRows.dialled(pool, batch.keySet().toArray(UUID[]::new), platformIds, controlUrls)
      .onComplete(ar -> {
        if (ar.failed()) {
          batch.values().forEach(c -> c.recorded().fail(ar.cause()));
        } else {
          Map<UUID, Boolean> cancelAsked = new HashMap<>();
          for (Row r : ar.result()) cancelAsked.put(r.getUUID(0), r.getBoolean(1));
          batch.forEach((id, c) -> c.recorded().complete(cancelAsked.get(id)));
        }
        confirmWaiting();
      });
  }

  // ---------------------------------------------------------------- cancels

  /** Sends the cancel a delete asked for, once across the cluster; a failed one is sent again later. */
  void cancel(String callId) {
    UUID call = UUID.fromString(callId);
    work.track(() -> CallRows.takeCancel(pool, call).compose(rows -> {
      if (rows.size() == 0) return Future.succeededFuture();
      Row r = rows.iterator().next();
      VoiceProvider provider = providers.byName(r.getString(0));
      if (provider == null) {
        LOG.warn("call {} was placed by provider {}, which this node does not have: not cancelled", callId, r.getString(0));
        return Future.succeededFuture();
      }
      return provider.cancelCall(new LiveCall(callId, r.getString(1), r.getString(2))).recover(e -> {
        LOG.warn("cancel of call {} failed, sent again later: {}", callId, e.getMessage());
        return CallRows.cancelNotSent(pool, call);
      });
    }).mapEmpty());
  }

  // ---------------------------------------------------------------- recovery, on the lease check's beat

  /** Dials that lost their node, and cancels not sent yet. */
  void recover() {
    if (draining.isDraining()) return;
    CallRows.takeOverDials(pool, nodeId, config.dialLeaseSeconds()).compose(this::takeOver)
      .onFailure(e -> health.warnUnlessDown(LOG, "dial take-over failed", e));
    CallRows.pendingCancels(pool, nodeId)
      .onSuccess(rows -> rows.forEach(r -> cancel(r.getUUID(0).toString())))
      .onFailure(e -> health.warnUnlessDown(LOG, "pending cancels not read", e));
  }

  private Future<Void> takeOver(RowSet<Row> taken) {
    if (taken.size() == 0) return Future.succeededFuture();
    record Taken(UUID callId, VoiceProvider provider, Instant startedAt) {}
    Map<UUID, Taken> byAttempt = new HashMap<>();
    for (Row r : taken) {
      String callId = r.getUUID(0).toString();
      VoiceProvider provider = providers.byName(r.getString(3));
      if (r.getInteger(2) > MAX_TAKEOVERS || provider == null) {
        failed.increment();
        calls.abandon(callId, provider == null ? "placed by provider " + r.getString(3) + ", which is no longer configured"
          : "provider did not take the call after " + r.getInteger(2) + " takeovers");
      } else {
        byAttempt.put(r.getUUID(1), new Taken(r.getUUID(0), provider, r.getOffsetDateTime(4).toInstant()));
      }
    }
    if (byAttempt.isEmpty()) return Future.succeededFuture();
    return CallRows.detailsOfAttempts(pool, byAttempt.keySet().toArray(UUID[]::new))
      .map(rows -> {
        for (Row r : rows) {
          Taken t = byAttempt.get(r.getUUID(0));
          Claimed c = claimed(r, t.callId(), t.provider());
          LOG.warn("call {} was claimed but its dial never confirmed: {}", c.callId(),
            t.provider().idempotentCreate() ? "dialling it again" : "looking for it at the provider before dialling again");
          takenOver.increment();
          calls.placed(c.callId().toString(), c.request().interviewId(), c.companyId().toString());
          // its first create went out, if at all, soon after the claim
          work.track(() -> t.provider().idempotentCreate() ? send(c, 1, null, true)
            : reconcile(c, 1, t.startedAt(), t.startedAt().plusMillis(config.providerReconcileGraceMillis())));
        }
        return null;
      });
  }

  // ---------------------------------------------------------------- due at T

  /** A timer for the next attempt to fall due, by the database's clock, so it is dialled then and not at the next poll. */
  private void armNextDue() {
    CallRows.nextDueInMillis(pool).onSuccess(in -> {
      if (in != null) armIn(in);
    });
  }

  /**
   * An attempt written on this node falls due in {@code millis} (SPEC section 2: picked up within
   * a second): dispatch now, or arm the timer if it is earlier than the one armed. No query: the
   * writer said when. Other nodes learn of it at their next poll.
   */
  void dueIn(long millis) {
    if (millis <= 0) dispatch();
    else armIn(millis);
  }

  private void armIn(long in) {
    long at = System.currentTimeMillis() + Math.max(1, in);
    if (dueTimer >= 0 && dueTimerAt <= at) return; // an earlier one is armed
    if (dueTimer >= 0) vertx.cancelTimer(dueTimer);
    dueTimerAt = at;
    dueTimer = vertx.setTimer(Math.max(1, in), t -> {
      dueTimer = -1;
      dueTimerAt = Long.MAX_VALUE;
      dispatch();
    });
  }
}
