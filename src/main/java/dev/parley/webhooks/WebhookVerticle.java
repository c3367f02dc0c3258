package dev.parley.webhooks;

import dev.parley.db.DatabaseGauges;
import dev.parley.db.DatabaseHealth;
import dev.parley.lifecycle.Draining;
import dev.parley.lifecycle.InFlight;
import dev.parley.db.Pools;
import dev.parley.auth.Signatures;
import dev.parley.bus.Bus;
import dev.parley.bus.ParleyException;
import dev.parley.config.ParleyConfig;
import dev.parley.outbound.AllowedTargets;
import dev.parley.outbound.DeadlineExceededException;
import dev.parley.outbound.OutboundHttp;
import dev.parley.outbound.OutboundRequest;
import dev.parley.outbound.RefusedTargetException;
import dev.parley.repository.Outbox;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Delivers webhook events from the outbox (SPEC section 5), at least once:
 * <ol>
 *   <li>fan-out: each event in the outbox becomes one delivery per matching subscription, in one
 *   transaction, in the order the events happened;</li>
 *   <li>send: a due delivery is claimed with a lease (so a crash retries it), sent signed with
 *   {@code Parley-Signature} and {@code Parley-Delivery-Id}, with a timeout and no redirects, to
 *   the address the SSRF guard checked. A delivery waits while an earlier one of the same
 *   subscription and interview is pending, so interview.started arrives before interview.completed;</li>
 *   <li>a failure is retried with exponential back-off and jitter; after {@code webhookMaxAttempts}
 *   tries the delivery is FAILED; {@code webhookCircuitThreshold} consecutive failures open the
 *   subscription's circuit (it stops sending, events queue) until reset-circuit.</li>
 * </ol>
 * Nothing is sent about a deleted interview: the delete drops its deliveries, and a send starts
 * only after one statement found the interview still there (share-locking it for that statement),
 * so a delete either comes before (nothing sent) or after the send started; it never waits for a
 * receiver (invariant 6).
 */
public final class WebhookVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookVerticle.class);
  /** Sends at a time on one node; a send holds no connection, so a slow receiver takes only its own share. */
  private static final int MAX_IN_FLIGHT = 16;
  /**
   * The share of this node's sends one company's deliveries may hold at once: a company whose
   * receivers are slow, or drip their answers, waits for its own sends and leaves the rest to
   * the others.
   */
  static final int MAX_SENDS_PER_COMPANY = 4;
  static final String USER_AGENT = "Parley-Webhooks/1";
  /** The most of a receiver's answer that is read; a longer one fails the try. */
  static final long MAX_ANSWER_BYTES = 64 * 1024;

  /**
   * Leases the next due delivery for {@code $1} seconds, of a company not in {@code $2} (those that
   * hold their share of this node's sends already).
   */
  private static final String CLAIM = """
    UPDATE webhook_deliveries d SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $1)
     WHERE d.id = (
       SELECT d1.id FROM webhook_deliveries d1 JOIN webhooks w ON w.id = d1.webhook_id
        WHERE d1.status = 'PENDING' AND d1.next_attempt_at <= now() AND w.is_active
          AND d1.company_id <> ALL($2::uuid[])
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d0
                           WHERE d0.webhook_id = d1.webhook_id AND d0.interview_id = d1.interview_id
                             AND d0.status = 'PENDING' AND d0.seq < d1.seq)
        ORDER BY d1.next_attempt_at, d1.seq LIMIT 1 FOR UPDATE OF d1 SKIP LOCKED)
    RETURNING d.id, d.webhook_id, d.interview_id, d.body, d.attempts, d.company_id""";
  private static final String WEBHOOK = "SELECT url, signing_secret, headers, is_active, events FROM webhooks WHERE id = $1";
  /**
   * The start of a send: the delivery is still there and so is its interview. The interview row is
   * share-locked for this one statement only, so a delete that has it locked is waited for (and
   * then nothing is sent), and a delete that comes later waits at most for this statement, never
   * for the send (invariant 6).
   */
  private static final String STILL_TO_SEND = """
    SELECT 1 FROM webhook_deliveries d
     WHERE d.id = $1 AND (d.interview_id IS NULL
                          OR EXISTS (SELECT 1 FROM interviews i WHERE i.id = d.interview_id FOR KEY SHARE))""";
  private static final String DROP = "DELETE FROM webhook_deliveries WHERE id = $1";
  private static final String DELIVERED = """
    UPDATE webhook_deliveries SET status = 'DELIVERED', delivered_at = now(), last_status = $2, last_error = NULL,
           log = log || $3::text::jsonb WHERE id = $1""";
  private static final String FAILED_TRY = """
    UPDATE webhook_deliveries SET status = CASE WHEN $4 THEN 'FAILED' ELSE 'PENDING' END,
           next_attempt_at = now() + make_interval(secs => $5), last_status = $2, last_error = $3,
           log = log || $6::text::jsonb WHERE id = $1""";
  private static final String SUCCESS = "UPDATE webhooks SET consecutive_failures = 0 WHERE id = $1";
  private static final String FAILURE = """
    UPDATE webhooks SET consecutive_failures = consecutive_failures + 1,
           circuit_opened_at = CASE WHEN consecutive_failures + 1 >= $2 AND circuit_opened_at IS NULL THEN now()
                                    ELSE circuit_opened_at END,
           is_active = CASE WHEN consecutive_failures + 1 >= $2 THEN false ELSE is_active END
     WHERE id = $1""";
  private static final String PING_DELIVERY = """
    INSERT INTO webhook_deliveries (id, webhook_id, company_id, event_type, body, attempts, next_attempt_at)
    VALUES ($1, $2, $3, 'ping', $4, 1, now() + interval '2 minutes')""";
  private static final String OWNER = "SELECT owner_company_id, partner_id, company_id FROM webhooks WHERE id = $1";
  /** For the metrics: subscriptions whose circuit is open, and deliveries still to make (their backlog). */
  private static final String FIGURES = """
    SELECT (SELECT count(*) FROM webhooks WHERE circuit_opened_at IS NOT NULL),
           (SELECT count(*) FROM webhook_deliveries WHERE status = 'PENDING')""";

  private final ParleyConfig config;
  private final PgConnectOptions connectOptions;
  private final String poolName;
  private final int poolSize;
  private final MeterRegistry registry;
  /** parley_webhook_deliveries_total by outcome, counted once the outcome is recorded. */
  private Counter delivered, failedTry, gaveUp, dropped;
  private Pool pool;
  private DatabaseHealth health;
  private OutboundHttp http;
  /** This node's sends under way, by company. */
  private final Map<UUID, Integer> sendsByCompany = new HashMap<>();
  /** Whether a claim is on its way to PostgreSQL: one at a time, so the companies' shares hold. */
  private boolean claiming;
  /** Sends under way, and the fan-out query; a shutdown lets them end before the pool closes. */
  private final InFlight sends = new InFlight();
  private final InFlight fanOuts = new InFlight();
  private Draining draining;

  public WebhookVerticle(ParleyConfig config, PgConnectOptions connectOptions, String poolName, int poolSize,
                         MeterRegistry registry) {
    this.config = config;
    this.connectOptions = connectOptions;
    this.poolName = poolName;
    this.poolSize = poolSize;
    this.registry = registry;
  }

  private Counter deliveries(String outcome) {
    return Counter.builder("parley.webhook.deliveries").tag("outcome", outcome).description("tries of webhook deliveries, "
      + "by outcome: delivered, failed_try (tried again later), gave_up (the delivery is FAILED), dropped (its interview was deleted)")
      .register(registry);
  }

  @Override
  public Future<?> start() {
    pool = Pools.shared(vertx, connectOptions, poolName, poolSize);
    health = DatabaseHealth.of(vertx);
    draining = Draining.of(vertx);
    // the one outbound policy (DESIGN "Outbound HTTP"): total deadline, answer limit, the address
    // check pinned to the connection; no redirect is followed (a 3xx is the receiver's answer)
    // (as many pooled connections per receiver as the node has sends: companies that share a
    // receiver's host never wait for each other's connections)
    http = new OutboundHttp(vertx, AllowedTargets.none(), config.webhooksAllowPrivate(), USER_AGENT, MAX_IN_FLIGHT);
    delivered = deliveries("delivered");
    failedTry = deliveries("failed_try");
    gaveUp = deliveries("gave_up");
    dropped = deliveries("dropped");
    DatabaseGauges.readEvery(vertx, config.metricsDatabaseReadMillis(), "webhook figures", pool, FIGURES, registry, List.of(
      new DatabaseGauges.Figure("parley.webhook.circuits.open", "webhook subscriptions whose circuit is open (not sending)"),
      new DatabaseGauges.Figure("parley.webhook.deliveries.pending", "webhook deliveries still to make, all subscriptions")));
    Bus.<JsonObject>internal(vertx, Bus.WEBHOOKS_TEST, m -> ping(m.body())
      .onSuccess(m::reply).onFailure(e -> Bus.fail(m, health.translate(e))));
    vertx.setPeriodic(config.webhookPollMillis(), t -> {
      fanOut();
      send();
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return Future.join(sends.idle(), fanOuts.idle()).compose(v -> http.close());
  }

  private void fanOut() {
    if (draining.isDraining() || fanOuts.running() > 0) return;
    fanOuts.track(() -> Outbox.fanOutWebhookEvents(pool))
      .onComplete(ar -> {
        if (ar.failed()) health.warnUnlessDown(LOG, "webhook fan-out failed", ar.cause());
        else if (ar.result() > 0) send();
      });
  }

  /**
   * Sends due deliveries while there are some: at most MAX_IN_FLIGHT at a time on this node, and
   * at most MAX_SENDS_PER_COMPANY of them for one company. One claim is on its way at a time (a
   * few milliseconds); the sends it starts run side by side.
   */
  private void send() {
    if (draining.isDraining() || claiming || sends.running() >= MAX_IN_FLIGHT) return;
    claiming = true;
    // The claim is a lease: if this node dies mid-send, the delivery is tried again when it runs
    // out. It outlasts the send's deadline, so a delivery is never sent twice at once.
    double lease = Math.max(5, 2 * config.webhookTimeoutMillis() / 1000.0);
    UUID[] full = sendsByCompany.entrySet().stream().filter(e -> e.getValue() >= MAX_SENDS_PER_COMPANY)
      .map(Map.Entry::getKey).toArray(UUID[]::new);
    pool.preparedQuery(CLAIM).execute(Tuple.of(lease).addArrayOfUUID(full)).onComplete(ar -> {
      claiming = false;
      if (ar.failed()) {
        health.warnUnlessDown(LOG, "webhook delivery not claimed", ar.cause());
        return;
      }
      if (ar.result().size() == 0) return;
      Row d = ar.result().iterator().next();
      UUID company = d.getUUID(5);
      sendsByCompany.merge(company, 1, Integer::sum);
      sends.track(() -> deliver(d.getUUID(0), d.getUUID(1), d.getUUID(2), d.getString(3), d.getInteger(4))
        .recover(e -> {
          health.warnUnlessDown(LOG, "delivery " + d.getUUID(0) + " not recorded", e);
          return Future.succeededFuture();
        })).onComplete(done -> {
          sendsByCompany.computeIfPresent(company, (c, n) -> n > 1 ? n - 1 : null);
          send();
        });
      send();
    });
  }

  /**
   * One try of a delivery. No transaction and no pooled connection is held while the receiver
   * answers: the send starts only once {@link #STILL_TO_SEND} found the interview still there, and
   * its outcome is recorded in a short transaction of its own.
   */
  private Future<Void> deliver(UUID deliveryId, UUID webhookId, UUID interviewId, String body, int attempt) {
    return pool.preparedQuery(WEBHOOK).execute(Tuple.of(webhookId)).compose(w -> {
      if (w.size() == 0) return Future.succeededFuture();
      Row hook = w.iterator().next();
      return pool.preparedQuery(STILL_TO_SEND).execute(Tuple.of(deliveryId)).compose(still -> {
        if (still.size() == 0) {
          // the interview was deleted meanwhile (its deliveries went with it): nothing is sent
          return pool.preparedQuery(DROP).execute(Tuple.of(deliveryId)).onSuccess(r -> dropped.increment()).mapEmpty();
        }
        return post(hook.getString(0), hook.getString(1), hook.getValue(2) instanceof JsonArray h ? h : new JsonArray(),
          deliveryId, body).compose(outcome -> record(deliveryId, webhookId, attempt, outcome));
      });
    });
  }

  /** What one HTTP try gave. */
  record Outcome(int status, String error, long durationMs, boolean permanent) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  /** Records a try in a short transaction of its own, and counts it once committed. */
  private Future<Void> record(UUID deliveryId, UUID webhookId, int attempt, Outcome o) {
    boolean last = !o.ok() && (o.permanent() || attempt >= config.webhookMaxAttempts());
    return pool.withTransaction(conn -> writeTry(conn, deliveryId, webhookId, attempt, o, last))
      .onSuccess(v -> (o.ok() ? delivered : last ? gaveUp : failedTry).increment());
  }

  private Future<Void> writeTry(SqlConnection conn, UUID deliveryId, UUID webhookId, int attempt, Outcome o, boolean last) {
    JsonObject entry = new JsonObject().put("attempt", attempt).put("at", dev.parley.common.ApiTime.now())
      .put("status", o.status() == 0 ? null : o.status()).put("error", o.error()).put("durationMs", o.durationMs());
    String log = new JsonArray().add(entry).encode();
    if (o.ok()) {
      return conn.preparedQuery(DELIVERED).execute(Tuple.of(deliveryId, o.status(), log))
        .compose(v -> conn.preparedQuery(SUCCESS).execute(Tuple.of(webhookId))).mapEmpty();
    }
    return conn.preparedQuery(FAILED_TRY).execute(Tuple.from(new Object[] {deliveryId, o.status() == 0 ? null : o.status(),
        o.error(), last, backoffSeconds(attempt), log}))
      .compose(v -> conn.preparedQuery(FAILURE).execute(Tuple.of(webhookId, config.webhookCircuitThreshold()))).mapEmpty();
  }

  /** Exponential back-off with ±20% jitter: base, 2×base, 4×base … (30 s … 32 min by default). */
  double backoffSeconds(int attempt) {
    double wait = Math.min(config.webhookRetryBaseMillis() * Math.pow(2, Math.max(0, attempt - 1)), config.webhookRetryMaxMillis());
    return wait / 1000.0 * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble());
  }

  /**
   * Posts a signed body to the target through the outbound policy: the address check pinned to
   * the connection, a total deadline of PARLEY_WEBHOOK_TIMEOUT_MS for the whole exchange (a
   * receiver that drips its answer is cut off at it), at most {@link #MAX_ANSWER_BYTES} of the
   * answer read, no redirect followed.
   */
  private Future<Outcome> post(String url, String secret, JsonArray headers, UUID deliveryId, String body) {
    long started = System.nanoTime();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    OutboundRequest.Builder request = OutboundRequest.builder(HttpMethod.POST, url)
      .header("Content-Type", "application/json")
      .sensitiveHeader(Signatures.HEADER, Signatures.sign(secret, System.currentTimeMillis() / 1000, bytes))
      .header("Parley-Delivery-Id", deliveryId.toString())
      .body(Buffer.buffer(bytes))
      .deadlineMillis(config.webhookTimeoutMillis())
      .maxBodyBytes(MAX_ANSWER_BYTES)
      .maxRedirects(0)
      .checkTarget(true);
    for (Object h : headers) {
      JsonObject header = (JsonObject) h;
      request.sensitiveHeader(header.getString("name"), header.getString("value"));
    }
    return http.send(request.build())
      .map(r -> new Outcome(r.statusCode(), r.statusCode() / 100 == 2 ? null : "receiver answered " + r.statusCode(),
        elapsed(started), false))
      .recover(e -> Future.succeededFuture(e instanceof RefusedTargetException
        ? new Outcome(0, "refused by the SSRF guard: " + e.getMessage(), elapsed(started), true)
        : e instanceof DeadlineExceededException
        ? new Outcome(0, "no complete answer within " + config.webhookTimeoutMillis() + " ms", elapsed(started), false)
        : new Outcome(0, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), elapsed(started), false)));
  }

  private static long elapsed(long startedNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
  }

  /** POST /webhooks/{id}/test: a ping, sent now and logged like any delivery. */
  private Future<JsonObject> ping(JsonObject q) {
    UUID id = UUID.fromString(q.getString("id"));
    return pool.preparedQuery(OWNER).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) return Future.failedFuture(ParleyException.notFound("Webhook", id.toString()));
      Row r = rows.iterator().next();
      boolean mine = q.getString("partnerId") != null ? q.getString("partnerId").equals(String.valueOf(r.getUUID(1)))
        : q.getString("companyId") != null && q.getString("companyId").equals(String.valueOf(r.getUUID(0)));
      if (!mine) return Future.failedFuture(ParleyException.forbiddenCompany("Webhook"));
      UUID company = r.getUUID(2) != null ? r.getUUID(2) : r.getUUID(0);
      return pool.preparedQuery(WEBHOOK).execute(Tuple.of(id)).compose(w -> {
        Row hook = w.iterator().next();
        if (!hook.getBoolean(3)) return Future.succeededFuture(result(false, null, null, 0, "Webhook is disabled or its circuit is open: no delivery was created"));
        if (!java.util.Arrays.asList(hook.getArrayOfStrings(4)).contains("ping")) {
          return Future.succeededFuture(result(false, null, null, 0, "Webhook is not subscribed to ping: no delivery was created"));
        }
        UUID deliveryId = UUID.randomUUID();
        String body = new JsonObject().put("event", "ping").put("timestamp", dev.parley.common.ApiTime.now())
          .put("deliveryId", deliveryId.toString()).put("data", new JsonObject().put("webhookId", id.toString())
            .put("message", "This is a test delivery from Parley")).encode();
        return pool.preparedQuery(PING_DELIVERY).execute(Tuple.of(deliveryId, id, company, body))
          .compose(v -> post(hook.getString(0), hook.getString(1), hook.getValue(2) instanceof JsonArray h ? h : new JsonArray(), deliveryId, body))
          // a test ping is not retried: its answer is the result
          .map(o -> o.ok() ? o : new Outcome(o.status(), o.error(), o.durationMs(), true))
          .compose(o -> record(deliveryId, id, 1, o).map(o))
          .map(o -> result(o.ok(), deliveryId, o.status() == 0 ? null : o.status(), o.durationMs(),
            o.ok() ? "Delivered" : "Delivery failed: " + o.error()));
      });
    });
  }

  private static JsonObject result(boolean success, UUID deliveryId, Integer status, long durationMs, String message) {
    return new JsonObject().put("success", success).put("deliveryId", deliveryId == null ? null : deliveryId.toString())
      .put("httpStatus", status).put("durationMs", durationMs).put("message", message);
  }
}
