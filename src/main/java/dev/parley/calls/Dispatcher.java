package dev.parley.calls;

import dev.parley.calls.provider.CallRequest;
import dev.parley.calls.provider.ProviderRefusedException;
import dev.parley.calls.provider.VoiceProvider;
import dev.parley.config.ParleyConfig;
import dev.parley.db.DatabaseHealth;
import dev.parley.db.OutboxSql;
import dev.parley.lifecycle.Draining;
import dev.parley.lifecycle.InFlight;
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
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
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
 *   ({@link CallSql#CLAIM_DUE}), takes their slots ({@code LOCK_SLOTS}, {@code TAKE_SLOTS}), marks
 *   attempts and interviews IN_PROGRESS, inserts their live calls with a callId each, and queues
 *   interview.started. The interview row lock serialises this with a delete: a delete that commits
 *   first leaves nothing to claim;</li>
 *   <li>after the commit, each call is dialled, side by side, holding no connection and no lock
 *   while the provider answers. A dial that times out or fails is sent again with the same callId
 *   (the provider's idempotency key): no second call. A refusal, or no answer after
 *   {@link #DIAL_TRIES} tries, ends the call with PROVIDER_ERROR (its slot freed, a retry queued);</li>
 *   <li>a dial not confirmed within {@link #DIAL_LEASE_SECONDS} (its node died) is taken over by
 *   another node and dialled again, with the same callId;</li>
 *   <li>a delete that commits before the call was answered asks for a cancel: sent once the dial is
 *   confirmed (at once when it already is), by the node that learns of it first.</li>
 * </ol>
 * An attempt due at T is dialled at T: after each round the dispatcher arms a timer for the next
 * attempt to fall due; a create or an attempt change on this node tells it the new due time
 * ({@link #dueIn}); the poll and LISTEN/NOTIFY wake it too.
 * <p>While the node drains ({@link Draining}) it claims nothing and takes nothing over, and
 * {@link #idle} tells when the claim under way and every dial it led to have ended, so that no
 * claimed attempt is left undialled by a shutdown.
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  /** Attempts claimed per transaction. */
  static final int BATCH = 100;
  /** Tries of one dial by the node that claimed it, with the same callId. */
  static final int DIAL_TRIES = 3;
  /** How long a dial may stay unconfirmed before another node takes it over (covers all the tries). */
  static final int DIAL_LEASE_SECONDS = 60;
  /** How long a claim transaction may take before the dispatcher stops waiting for it. */
  static final int CLAIM_TIMEOUT_SECONDS = 30;
  /** Take-overs of one dial before it is given up. */
  static final int MAX_TAKEOVERS = 3;

  /** What happens to a call: the session of a placed call, and the end of one that cannot be placed. */
  interface Calls {
    void placed(String callId, String interviewId, String companyId);

    Future<Boolean> abandon(String callId, String why);
  }

  /** A claimed attempt, with the callId its dial uses every time it is sent. */
  private record Claimed(UUID callId, UUID attemptId, CallRequest request, Instant dueAt, UUID companyId) {}

  private final Vertx vertx;
  private final ParleyConfig config;
  private final Pool pool;
  private final VoiceProvider provider;
  private final String nodeId;
  private final Calls calls;
  private final Timer dispatchDelay;
  /** parley_dials_total by outcome: each try of a dial, and what became of the call. */
  private final Counter placed, retried, refused, failed, takenOver;
  private final DatabaseHealth health;
  private final Draining draining;
  /** The claim under way and the dials and cancels still going on; the node's shutdown waits for them. */
  private final InFlight work = new InFlight();
  private boolean claiming;
  private boolean claimAgain;
  /** Dials the provider took, waiting for the statement that records them ({@link #confirm}). */
  private Map<UUID, Promise<Boolean>> toConfirm = new LinkedHashMap<>();
  private boolean confirming;
  private long dueTimer = -1;
  private long dueTimerAt = Long.MAX_VALUE;

  Dispatcher(Vertx vertx, ParleyConfig config, Pool pool, VoiceProvider provider, String nodeId, Calls calls,
             MeterRegistry registry) {
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
    this.provider = provider;
    this.nodeId = nodeId;
    this.calls = calls;
    this.dispatchDelay = Timer.builder("parley.dispatch.delay").description("from an attempt being due to its dial")
      .publishPercentileHistogram().register(registry);
    this.placed = dials(registry, "placed");
    this.retried = dials(registry, "retried");
    this.refused = dials(registry, "refused");
    this.failed = dials(registry, "failed");
    this.takenOver = dials(registry, "taken_over");
    this.health = DatabaseHealth.of(vertx);
    this.draining = Draining.of(vertx);
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
      + "by outcome: placed, retried (failed, sent again), refused, failed (given up), taken_over (another node's dial)")
      .register(registry);
  }

  // ---------------------------------------------------------------- claims

  /** Claims batches while there are due attempts; never two claims at once on this node. */
  void dispatch() {
    if (draining.isDraining()) return;
    if (claiming) {
      claimAgain = true;
      return;
    }
    claiming = true;
    claimAgain = false;
    // bounded: a claim stuck on a stalled connection must not stop this node's dispatching for good
    work.track(() -> claimBatch().timeout(CLAIM_TIMEOUT_SECONDS, TimeUnit.SECONDS)).onComplete(ar -> {
      claiming = false;
      if (ar.failed()) health.warnUnlessDown(LOG, "claim failed", ar.cause());
      boolean full = ar.succeeded() && ar.result() >= BATCH;
      if (full || claimAgain) dispatch();
      else armNextDue();
    });
  }

  /** One claim transaction; its calls are dialled once it has committed. The number of attempts it found due. */
  private Future<Integer> claimBatch() {
    List<Claimed> claimed = new ArrayList<>();
    return pool.withTransaction(conn -> conn.preparedQuery(CallSql.CLAIM_DUE).execute(Tuple.of(BATCH)).compose(due -> {
      if (due.size() == 0) return Future.succeededFuture(0);
      Map<UUID, List<Row>> byCompany = new LinkedHashMap<>();
      for (Row r : due) byCompany.computeIfAbsent(r.getUUID(2), c -> new ArrayList<>()).add(r);
      return conn.preparedQuery(CallSql.LOCK_SLOTS).execute(Tuple.tuple().addArrayOfUUID(byCompany.keySet().toArray(UUID[]::new)))
        .compose(free -> {
          for (Row company : free) {
            List<Row> rows = byCompany.get(company.getUUID(0));
            int take = Math.min(rows.size(), Math.max(0, company.getInteger(1)));
            for (Row r : rows.subList(0, take)) claimed.add(claimed(r, UUID.randomUUID()));
          }
          return claimed.isEmpty() ? Future.succeededFuture(due.size()) : start(conn, claimed).map(due.size());
        });
    })).onSuccess(n -> claimed.forEach(this::dial));
  }

  /** A row of {@link CallSql#CLAIM_DUE} or {@link CallSql#DETAILS_OF_ATTEMPTS} as a call to dial. */
  private Claimed claimed(Row due, UUID callId) {
    UUID interviewId = due.getUUID(1);
    int durationMinutes = due.getInteger(3);
    JsonArray questions = due.getValue(6) instanceof JsonArray a ? a : new JsonArray();
    JsonObject agent = new JsonObject().put("name", due.getString(5)).put("questions", questions)
      .put("instructions", due.getString(7)).put("voiceId", due.getString(8));
    CallRequest request = new CallRequest(callId.toString(), interviewId.toString(), due.getString(4), agent,
      due.getString(9), durationMinutes * 60, config.publicUrl() + "/v1/provider/events");
    return new Claimed(callId, due.getUUID(0), request, due.getOffsetDateTime(10).toInstant(), due.getUUID(2));
  }

  /** The claim's writes, each one statement for the whole batch. */
  private Future<Void> start(SqlConnection conn, List<Claimed> claimed) {
    int n = claimed.size();
    UUID[] callIds = new UUID[n], attemptIds = new UUID[n], interviewIds = new UUID[n], companyIds = new UUID[n];
    Integer[] leases = new Integer[n];
    Map<UUID, Integer> slots = new HashMap<>();
    for (int k = 0; k < n; k++) {
      Claimed c = claimed.get(k);
      callIds[k] = c.callId();
      attemptIds[k] = c.attemptId();
      interviewIds[k] = UUID.fromString(c.request().interviewId());
      companyIds[k] = c.companyId();
      leases[k] = config.leaseSeconds() > 0 ? config.leaseSeconds() : c.request().maxDurationSeconds() + config.leaseGraceSeconds();
      slots.merge(c.companyId(), 1, Integer::sum);
    }
    // None needs another's result: sent together, they reach PostgreSQL as one pipeline on the
    // claim's connection, run in this order, and the claim waits for one round trip, not five.
    // If one fails, those after it fail too (the transaction is aborted) and the claim rolls back.
    return Future.all(List.of(
      conn.preparedQuery(CallSql.TAKE_SLOTS).execute(Tuple.tuple().addArrayOfUUID(slots.keySet().toArray(UUID[]::new))
        .addArrayOfInteger(slots.values().toArray(Integer[]::new))),
      conn.preparedQuery(CallSql.START_ATTEMPTS).execute(Tuple.tuple().addArrayOfUUID(attemptIds)),
      conn.preparedQuery(CallSql.START_INTERVIEWS).execute(Tuple.tuple().addArrayOfUUID(interviewIds)),
      conn.preparedQuery(CallSql.INSERT_LIVE_CALLS).execute(Tuple.tuple().addArrayOfUUID(callIds)
        .addArrayOfUUID(attemptIds).addArrayOfUUID(interviewIds).addArrayOfUUID(companyIds).addString(nodeId)
        .addString(provider.name()).addArrayOfInteger(leases).addInteger(DIAL_LEASE_SECONDS)),
      conn.preparedQuery(OutboxSql.WEBHOOK_EVENTS).execute(Tuple.tuple().addArrayOfUUID(interviewIds)
        .addString("interview.started").addArrayOfUUID(attemptIds).addString("{}"))))
      .mapEmpty();
  }

  // ---------------------------------------------------------------- dials

  private void dial(Claimed c) {
    calls.placed(c.callId().toString(), c.request().interviewId(), c.companyId().toString());
    work.track(() -> dial(c.request(), c.dueAt(), 1));
  }

  /**
   * One try of a dial; the next goes out after a pause, with the same callId. Completes when the
   * dial's outcome is recorded (failures are logged where they happen).
   */
  private Future<Void> dial(CallRequest request, Instant dueAt, int attempt) {
    return provider.placeCall(request).<Void>transform(ar -> {
      if (ar.succeeded()) {
        placed.increment();
        return dialled(request.callId(), dueAt);
      }
      if (ar.cause() instanceof ProviderRefusedException) {
        refused.increment();
        LOG.warn("call {} refused by the provider: {}", request.callId(), ar.cause().getMessage());
        return calls.abandon(request.callId(), "provider refused the call: " + ar.cause().getMessage()).mapEmpty();
      }
      if (attempt < DIAL_TRIES) {
        retried.increment();
        LOG.warn("dial of call {} failed (try {}), sending it again: {}", request.callId(), attempt, ar.cause().getMessage());
        Promise<Void> next = Promise.promise();
        vertx.setTimer(1000L * attempt * attempt, t -> dial(request, dueAt, attempt + 1).onComplete(next));
        return next.future();
      }
      failed.increment();
      LOG.warn("dial of call {} failed {} times, giving up: {}", request.callId(), attempt, ar.cause().getMessage());
      // It may have been placed after all: cancel it before its slot goes to another call.
      return provider.cancelCall(request.callId()).transform(x ->
        calls.abandon(request.callId(), "provider did not take the call: " + ar.cause().getMessage())).mapEmpty();
    }).recover(e -> Future.succeededFuture());
  }

  /** The provider took the call: recorded, and cancelled at once if a delete asked meanwhile. */
  private Future<Void> dialled(String callId, Instant dueAt) {
    if (dueAt != null) dispatchDelay.record(Duration.between(dueAt, Instant.now()));
    return confirm(UUID.fromString(callId)).<Void>transform(ar -> {
      if (ar.failed()) {
        health.warnUnlessDown(LOG, "dial of call " + callId + " not recorded (it will be dialled again)", ar.cause());
      } else if (Boolean.TRUE.equals(ar.result())) {
        cancel(callId);
      }
      return Future.succeededFuture();
    });
  }

  /**
   * Records that the provider took a call; its result: whether a delete asked for a cancel
   * meanwhile (null when the call is over or was confirmed already). Confirmations that come in
   * while one statement is under way go together in the next ({@link CallSql#DIALLED} takes an
   * array): a burst of dials costs a statement per batch, not one per dial, and a lone dial
   * waits for nothing.
   */
  private Future<Boolean> confirm(UUID callId) {
    Promise<Boolean> confirmed = Promise.promise();
    Promise<Boolean> earlier = toConfirm.put(callId, confirmed);
    if (earlier != null) confirmed.future().onComplete(earlier); // the same call twice (a retry after a lost answer)
    if (!confirming) confirmWaiting();
    return confirmed.future();
  }

  private void confirmWaiting() {
    if (toConfirm.isEmpty()) {
      confirming = false;
      return;
    }
    confirming = true;
    Map<UUID, Promise<Boolean>> batch = toConfirm;
    toConfirm = new LinkedHashMap<>();
    pool.preparedQuery(CallSql.DIALLED).execute(Tuple.tuple().addArrayOfUUID(batch.keySet().toArray(UUID[]::new)))
      .onComplete(ar -> {
        if (ar.failed()) {
          batch.values().forEach(p -> p.fail(ar.cause()));
        } else {
          Map<UUID, Boolean> cancelAsked = new HashMap<>();
          for (Row r : ar.result()) cancelAsked.put(r.getUUID(0), r.getBoolean(1));
          batch.forEach((id, p) -> p.complete(cancelAsked.get(id)));
        }
        confirmWaiting();
      });
  }

  // ---------------------------------------------------------------- cancels

  /** Sends the cancel a delete asked for, once across the cluster; a failed one is sent again later. */
  void cancel(String callId) {
    UUID call = UUID.fromString(callId);
    work.track(() -> pool.preparedQuery(CallSql.TAKE_CANCEL).execute(Tuple.of(call)).compose(rows -> {
      if (rows.size() == 0) return Future.succeededFuture();
      return provider.cancelCall(callId).recover(e -> {
        LOG.warn("cancel of call {} failed, sent again later: {}", callId, e.getMessage());
        return pool.preparedQuery(CallSql.CANCEL_NOT_SENT).execute(Tuple.of(call)).mapEmpty();
      });
    }).mapEmpty());
  }

  // ---------------------------------------------------------------- recovery, on the lease check's beat

  /** Dials that lost their node, and cancels not sent yet. */
  void recover() {
    if (draining.isDraining()) return;
    pool.preparedQuery(CallSql.TAKE_OVER_DIALS).execute(Tuple.of(nodeId, DIAL_LEASE_SECONDS)).compose(this::takeOver)
      .onFailure(e -> health.warnUnlessDown(LOG, "dial take-over failed", e));
    pool.preparedQuery(CallSql.PENDING_CANCELS).execute(Tuple.of(nodeId))
      .onSuccess(rows -> rows.forEach(r -> cancel(r.getUUID(0).toString())))
      .onFailure(e -> health.warnUnlessDown(LOG, "pending cancels not read", e));
  }

  private Future<Void> takeOver(RowSet<Row> taken) {
    if (taken.size() == 0) return Future.succeededFuture();
    Map<UUID, UUID> callOfAttempt = new HashMap<>();
    for (Row r : taken) {
      String callId = r.getUUID(0).toString();
      if (r.getInteger(2) > MAX_TAKEOVERS) {
        failed.increment();
        calls.abandon(callId, "provider did not take the call after " + r.getInteger(2) + " takeovers");
      } else {
        callOfAttempt.put(r.getUUID(1), r.getUUID(0));
      }
    }
    if (callOfAttempt.isEmpty()) return Future.succeededFuture();
    return pool.preparedQuery(CallSql.DETAILS_OF_ATTEMPTS).execute(Tuple.tuple().addArrayOfUUID(callOfAttempt.keySet().toArray(UUID[]::new)))
      .map(rows -> {
        for (Row r : rows) {
          Claimed c = claimed(r, callOfAttempt.get(r.getUUID(0)));
          LOG.warn("call {} was claimed but its dial never confirmed: dialling it again", c.callId());
          takenOver.increment();
          calls.placed(c.callId().toString(), c.request().interviewId(), c.companyId().toString());
          work.track(() -> dial(c.request(), null, 1));
        }
        return null;
      });
  }

  // ---------------------------------------------------------------- due at T

  /** A timer for the next attempt to fall due, by the database's clock, so it is dialled then and not at the next poll. */
  private void armNextDue() {
    pool.query(CallSql.NEXT_DUE_IN).execute().onSuccess(rows -> {
      Long in = rows.iterator().next().getLong(0);
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
