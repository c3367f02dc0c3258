package dev.parley.calls;

import dev.parley.db.Pools;
import dev.parley.bus.Bus;
import dev.parley.bus.ParleyException;
import dev.parley.calls.provider.ProviderEvent;
import dev.parley.calls.provider.Providers;
import dev.parley.calls.provider.VoiceProvider;
import dev.parley.calls.provider.VoiceProvider.LiveCall;
import dev.parley.config.ParleyConfig;
import dev.parley.db.DatabaseGauges;
import dev.parley.db.DatabaseHealth;
import dev.parley.lifecycle.Draining;
import dev.parley.repository.CallRows;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The live calls of this node (DESIGN "Deleting a live call", invariants 1 to 3):
 * <ul>
 *   <li>the {@link Dispatcher}: claims due attempts from the queue in PostgreSQL with their slots,
 *   woken by a timer for the next due attempt (a create on this node sets it) and a poll, and dials
 *   them after the claim commits (a delete either comes first, and there is nothing to claim, or
 *   finds the call live and has it cancelled when it was not answered yet);</li>
 *   <li>one session per live call; a delete of a live interview is written to the live_calls row,
 *   which is what the end of the call reads, so a missed message or a restart loses nothing, and
 *   is published to every node on a cluster address, where it flags the session here once the row
 *   confirms it (anyone on the bus can publish: a hint is checked, never believed);</li>
 *   <li>provider events: the end of a call frees its slot and, unless the interview was deleted,
 *   hands the call to post-call work (or retries / fails the interview);</li>
 *   <li>leases: a call that never reports its end is ended with PROVIDER_ERROR when its lease
 *   expires, by whichever node sees it first (so a crashed node's slots come back too).</li>
 * </ul>
 * One instance per node; its state is confined to one event loop, but for the session map, which
 * the metrics scrape reads from another (hence a concurrent map).
 */
public final class CallSessionVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CallSessionVerticle.class);

  /** A live call placed by this node. */
  static final class Session {
    final String callId;
    final String interviewId;
    final String companyId;
    final long startedAtMillis = System.currentTimeMillis();
    volatile boolean postCallSkipped;

    Session(String callId, String interviewId, String companyId) {
      this.callId = callId;
      this.interviewId = interviewId;
      this.companyId = companyId;
    }
  }

  private final ParleyConfig config;
  private final PgConnectOptions connectOptions;
  private final String poolName;
  private final int poolSize;
  private final String nodeId;
  private final MeterRegistry registry;
  private Counter simulatorEventsOfferedAgain;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private Pool pool;
  private Providers providers;
  private Dispatcher dispatcher;
  private DatabaseHealth health;
  private Timer slotRelease;

  public CallSessionVerticle(ParleyConfig config, PgConnectOptions connectOptions, String poolName, int poolSize,
                             String nodeId, MeterRegistry registry) {
    this.config = config;
    this.connectOptions = connectOptions;
    this.poolName = poolName;
    this.poolSize = poolSize;
    this.nodeId = nodeId;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    pool = Pools.shared(vertx, connectOptions, poolName, poolSize);
    health = DatabaseHealth.of(vertx);
    simulatorEventsOfferedAgain = Counter.builder("parley.simulator.events.offered.again")
      .description("simulator events offered again because the database was away when they came").register(registry);
    providers = new Providers(vertx, config, event -> takeSimulatorEvent(event, 1));
    slotRelease = Timer.builder("parley.slot.release").description("from call.ended received to its slot freed")
      .publishPercentileHistogram().register(registry);

    registry.gauge("parley.call.sessions", Tags.of("state", "live"), sessions, Map::size);
    registry.gauge("parley.call.sessions", Tags.of("state", "post_call_skipped"), sessions,
      s -> s.values().stream().filter(x -> x.postCallSkipped).count());
    DatabaseGauges.readEvery(vertx, config.metricsDatabaseReadMillis(), "slot figures", pool, CallRows.SLOT_TOTALS, registry, List.of(
      new DatabaseGauges.Figure("parley.slots.in.use", "concurrency slots held by live calls, all companies"),
      new DatabaseGauges.Figure("parley.slots.limit", "concurrency slots there are (maxConcurrentCalls), all companies"),
      new DatabaseGauges.Figure("parley.slots.companies.at.limit", "companies whose every slot is in use")));
    vertx.eventBus().<JsonObject>consumer(Bus.CLUSTER_INTERVIEW_DELETED, m -> interviewDeletedHint(m.body()));
    vertx.eventBus().<JsonObject>consumer(Bus.CLUSTER_CALL_ENDED, m -> callEndedHint(m.body()));
    Bus.<JsonObject>internal(vertx, Bus.DISPATCH_DUE, m -> dispatcher.dueIn(m.body().getLong("dueInMillis", 0L)));
    Bus.<JsonObject>internal(vertx, Bus.CALLS_PROVIDER_EVENT, m -> {
      // checked (or made) by ProviderCallbacks before it was sent here: a local address, trusted
      ProviderEvent event = ProviderEvent.fromBus(m.body());
      // a provider whose event gets no 2xx sends it again: 503 while the database is away
      onProviderEvent(event).onSuccess(r -> m.reply(r)).onFailure(e -> Bus.fail(m, health.translate(e)));
    });

    dispatcher = new Dispatcher(vertx, config, pool, providers, nodeId, new Dispatcher.Calls() {
      @Override
      public void placed(String callId, String interviewId, String companyId) {
        sessions.put(callId, new Session(callId, interviewId, companyId));
      }

      @Override
      public Future<Boolean> abandon(String callId, String why) {
        return endCall(ProviderEvent.ended(callId, null, "failed", null, null, null, null), why)
          .onFailure(e -> health.warnUnlessDown(LOG, "call " + callId + " not ended", e));
      }

      @Override
      public Future<Boolean> requeue(String callId, String why) {
        // what the platform answered is its "reason": the attempt keeps it
        return endCall(ProviderEvent.ended(callId, null, ProviderEvent.PROVIDER_BUSY, null, null, null,
            why.length() > 500 ? why.substring(0, 500) : why), why)
          .onFailure(e -> health.warnUnlessDown(LOG, "call " + callId + " not queued again", e));
      }
    }, registry);
    vertx.setPeriodic(config.dispatchPollMillis(), t -> dispatcher.dispatch());
    Draining draining = Draining.of(vertx);
    vertx.setPeriodic(config.leaseCheckMillis(), t -> {
      // a node that is shutting down takes on no other node's calls: the others will
      if (draining.isDraining()) return;
      reapExpiredLeases();
      lookUpUnreportedEnds();
      dispatcher.recover();
      dispatcher.vacuumIfDue();
    });
    dispatcher.dispatch(); // what fell due while no node ran, at once rather than at the first poll
    return Future.succeededFuture();
  }

  /**
   * At shutdown: the dispatcher has stopped claiming (the node drains); the claim under way and
   * its dials end first, so no claimed attempt is left undialled. Live calls stay as they are:
   * their rows and leases are in PostgreSQL, and any node takes their events.
   */
  @Override
  public Future<?> stop() {
    if (dispatcher != null && dispatcher.underWay() > 0) {
      LOG.info("Shutting down: waiting for {} dials (and claims, cancels) under way to end", dispatcher.underWay());
    }
    return dispatcher == null ? Future.succeededFuture() : dispatcher.idle();
  }

  // ---------------------------------------------------------------- hints from other nodes

  /**
   * "This live interview was deleted": flags the sessions held here, but only those PostgreSQL
   * confirms (the delete marks the live call post_call_skipped in its transaction). Anyone on the
   * bus can publish this address, so the message itself is believed for nothing.
   */
  private void interviewDeletedHint(Object body) {
    UUID interviewId = uuidField(body, "interviewId");
    if (interviewId == null) {
      hint("interview-deleted", "malformed");
      return;
    }
    if (sessions.values().stream().noneMatch(s -> s.interviewId.equals(interviewId.toString()))) {
      hint("interview-deleted", "not_held");
      return;
    }
    CallRows.skippedCallsOfInterview(pool, interviewId).onSuccess(rows -> {
      boolean applied = false;
      for (Row r : rows) {
        Session session = sessions.get(r.getUUID(0).toString());
        if (session != null) {
          session.postCallSkipped = true;
          applied = true;
          // deleted before it was answered: cancelled at the provider now (invariant 1)
          if (r.getBoolean(1)) dispatcher.cancel(session.callId);
        }
      }
      hint("interview-deleted", applied ? "applied" : "refuted");
    }).onFailure(e -> health.warnUnlessDown(LOG, "interview-deleted hint not checked", e));
  }

  /** "This call ended": drops the session held here once PostgreSQL confirms the call is no longer live. */
  private void callEndedHint(Object body) {
    UUID callId = uuidField(body, "callId");
    if (callId == null) {
      hint("call-ended", "malformed");
      return;
    }
    if (!sessions.containsKey(callId.toString())) {
      hint("call-ended", "not_held");
      return;
    }
    CallRows.isLive(pool, callId).onSuccess(live -> {
      boolean ended = !live;
      if (ended) sessions.remove(callId.toString());
      hint("call-ended", ended ? "applied" : "refuted");
    }).onFailure(e -> health.warnUnlessDown(LOG, "call-ended hint not checked", e));
  }

  private void hint(String kind, String outcome) {
    Counter.builder("parley.cluster.hints")
      .description("hints received on cluster addresses, by what checking PostgreSQL made of them")
      .tags("kind", kind, "outcome", outcome).register(registry).increment();
  }

  private static UUID uuidField(Object body, String field) {
    if (!(body instanceof JsonObject json) || !(json.getValue(field) instanceof String s)) return null;
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------- the end of a call

  /** How long the simulator's event is offered again while the database is away: as long as a platform retries its webhooks. */
  static final int SIMULATOR_EVENT_TRIES = 600;

  /**
   * The simulator's events, delivered the way the platforms deliver theirs: an event that could not
   * be committed because the database is away is offered again every second until it is taken.
   * Dropped, it would leave a call that ended during an outage live, holding its slot, until its
   * lease ran out (the agent's duration and 10 minutes).
   */
  private void takeSimulatorEvent(ProviderEvent event, int tries) {
    onProviderEvent(event).onFailure(e -> {
      if (DatabaseHealth.unavailable(e) && tries < SIMULATOR_EVENT_TRIES) {
        health.absorbed(e);
        simulatorEventsOfferedAgain.increment();
        vertx.setTimer(1000, t -> takeSimulatorEvent(event, tries + 1));
        return;
      }
      health.warnUnlessDown(LOG, "simulator event " + event.type() + " for " + event.callId() + " not taken", e);
    });
  }

  /** Takes one provider event; the future completes once its effect is committed. */
  Future<JsonObject> onProviderEvent(ProviderEvent event) {
    UUID callId = UUID.fromString(event.callId());
    switch (event.type()) {
      case ProviderEvent.ANSWERED:
        // from now on a delete lets the call run to its end instead of cancelling it (SPEC section 3)
        return CallRows.answered(pool, callId).map(this::applied);
      case ProviderEvent.PLATFORM_ENDED:
        // the end-of-call report ends it; if that never comes, the platform is asked (lookUpUnreportedEnds)
        return CallRows.platformEnded(pool, callId).map(this::applied);
      case ProviderEvent.ANALYZED:
        return keepAnalysis(callId, event.analysis()).map(this::applied);
      case ProviderEvent.ENDED:
        long received = System.nanoTime();
        return endCall(event, "call ended: " + event.endedReason()).map(ended -> {
          if (ended) slotRelease.record(System.nanoTime() - received, TimeUnit.NANOSECONDS);
          return applied(ended);
        });
      default:
        // Ringing changes nothing durable.
        return Future.succeededFuture(new JsonObject().put("accepted", true));
    }
  }

  private JsonObject applied(boolean applied) {
    return new JsonObject().put("accepted", true).put("applied", applied);
  }

  /** The platform's analysis of an ended call (Retell's call_analyzed), kept with the attempt that placed it. */
  private Future<Boolean> keepAnalysis(UUID callId, JsonObject analysis) {
    if (analysis == null) return Future.succeededFuture(false);
    return CallRows.keepAnalysis(pool, callId, analysis);
  }

  /**
   * Ends a live call ({@link CallRows#end}): frees its slot and, unless the interview was deleted,
   * queues the post-call work, the retry, or (the provider at its limit) the same attempt again.
   * False when the call is not live (a duplicate or late event): nothing changes.
   */
  private Future<Boolean> endCall(ProviderEvent end, String notes) {
    String callId = end.callId();
    String endedReason = end.endedReason();
    CallRows.Outcome outcome = "completed".equals(endedReason) ? CallRows.Outcome.COMPLETED
      : ProviderEvent.PROVIDER_BUSY.equals(endedReason) ? CallRows.Outcome.PROVIDER_BUSY
      : CallRows.Outcome.FAILED;
    JsonObject postCallJob = outcome != CallRows.Outcome.COMPLETED ? null : new JsonObject().put("callId", callId)
      .put("recordingUrl", end.recordingUrl()).put("transcript", end.transcript()).put("durationSeconds", end.durationSeconds());
    CallRows.CallEnd callEnd = new CallRows.CallEnd(UUID.fromString(callId), outcome, reasonCode(endedReason), notes,
      end.durationSeconds(), end.platformCallId(), end.providerReason(), postCallJob);
    CallRows.RetryRules rules = new CallRows.RetryRules(config.retryCount(), config.retryDelaySeconds(),
      config.providerBusyRetrySeconds());
    return CallRows.end(pool, callEnd, rules, () -> {
      // a flag here was confirmed against the live call's (invariant 3)
      Session session = sessions.get(callId);
      return session != null && session.postCallSkipped;
    }).map(ended -> {
      sessions.remove(callId); // not live any more, whoever ended it
      if (ended == CallRows.Ended.NOT_LIVE) return false;
      vertx.eventBus().publish(Bus.CLUSTER_CALL_ENDED, new JsonObject().put("callId", callId));
      if (ended == CallRows.Ended.COMPLETED) Bus.send(vertx, Bus.POSTCALL_WAKE, new JsonObject());
      if (ended == CallRows.Ended.REQUEUED) dispatcher.dueIn(config.providerBusyRetrySeconds() * 1000L);
      dispatcher.dispatch(); // a slot is free
      return true;
    });
  }

  static String reasonCode(String endedReason) {
    return switch (endedReason) {
      case "no-answer" -> "NO_ANSWER";
      case "busy" -> "BUSY";
      case "voicemail" -> "VOICEMAIL";
      default -> "PROVIDER_ERROR";
    };
  }

  /**
   * Drops the sessions whose call is no longer live: another node ended it and its call-ended
   * hint was lost. Only sessions older than a minute, so a claim still committing is never dropped.
   */
  private void sweepSessions() {
    long before = System.currentTimeMillis() - 60_000;
    UUID[] old = sessions.values().stream().filter(s -> s.startedAtMillis < before).map(s -> UUID.fromString(s.callId))
      .toArray(UUID[]::new);
    if (old.length == 0) return;
    CallRows.stillLive(pool, old).onSuccess(rows -> {
      java.util.Set<String> live = new java.util.HashSet<>();
      for (Row r : rows) live.add(r.getUUID(0).toString());
      for (UUID callId : old) if (!live.contains(callId.toString())) sessions.remove(callId.toString());
    });
  }

  /**
   * Ends the calls whose lease ran out, on whichever node they were placed. A platform that can be
   * asked is asked first: the call's real end, when it has one, is taken instead of a failure.
   */
  private void reapExpiredLeases() {
    sweepSessions();
    CallRows.expiredLeases(pool).onSuccess(rows -> {
      for (Row r : rows) {
        String callId = r.getUUID(0).toString();
        lookUpEnd(callId, r.getString(1), r.getString(2), r.getString(3)).compose(end -> {
          if (end != null) return endCall(end, "call ended: " + end.endedReason() + " (asked the provider at lease expiry)");
          LOG.warn("call {} never reported its end: lease expired, slot reclaimed", callId);
          return endCall(ProviderEvent.ended(callId, null, "failed", null, null, null, null),
            "the call never reported its end: lease expired");
        }).onFailure(e -> health.warnUnlessDown(LOG, "lease expiry of " + callId + " failed", e));
      }
    }).onFailure(e -> health.warnUnlessDown(LOG, "expired leases not read", e));
  }

  /**
   * Calls a platform said were over (Vapi's status-update "ended") whose end-of-call report has not
   * come after PARLEY_PROVIDER_END_REPORT_WAIT_SECONDS: the platform is asked for the call, and its
   * end taken from the answer. One node takes each such call per wait.
   */
  private void lookUpUnreportedEnds() {
    CallRows.takeUnreportedEnds(pool, config.providerEndReportWaitSeconds()).onSuccess(rows -> {
      for (Row r : rows) {
        String callId = r.getUUID(0).toString();
        lookUpEnd(callId, r.getString(1), r.getString(2), r.getString(3)).compose(end -> end == null
            ? Future.succeededFuture(false) : endCall(end, "call ended: " + end.endedReason() + " (asked the provider: no end-of-call report)"))
          .onFailure(e -> LOG.warn("end of call {} not looked up at the provider: {}", callId, e.getMessage()));
      }
    }).onFailure(e -> health.warnUnlessDown(LOG, "unreported call ends not read", e));
  }

  /** The call's end as its provider tells it now, or null (not ended, or a provider that cannot say). */
  private Future<ProviderEvent> lookUpEnd(String callId, String providerName, String platformCallId, String controlUrl) {
    VoiceProvider provider = providers.byName(providerName);
    if (provider == null || platformCallId == null) return Future.succeededFuture(null);
    return provider.lookupEnd(new LiveCall(callId, platformCallId, controlUrl)).recover(e -> {
      LOG.warn("provider {} not asked about call {}: {}", providerName, callId, e.getMessage());
      return Future.succeededFuture(null);
    });
  }
}
