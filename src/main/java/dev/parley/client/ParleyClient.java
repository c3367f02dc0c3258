package dev.parley.client;

import dev.parley.client.model.Page;
import dev.parley.client.model.PageRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * A typed client of Parley's public event-bus API ({@code parley.api.v1.*}), for a Vert.x service
 * that is a member of Parley's cluster (docs/event-bus.md). Every call returns a {@link Future}
 * completed on the caller's context; a refusal fails it with a {@link ParleyException}. Nothing
 * blocks.
 *
 * <pre>{@code
 * ParleyClient parley = ParleyClient.create(vertx, ParleyClientOptions.withCredential(jwt));
 * parley.interviews().delete(id).onSuccess(deleted -> ...);
 * }</pre>
 */
public final class ParleyClient {
  /** How a call may be sent again after a refusal: see {@link #retryable}. */
  enum Kind { READ, WRITE, IDEMPOTENT_CREATE }

  private final Vertx vertx;
  private final ParleyClientOptions options;
  private final Interviews interviews = new Interviews(this);
  private final Candidates candidates = new Candidates(this);
  private final Agents agents = new Agents(this);
  private final Webhooks webhooks = new Webhooks(this);
  private final Companies companies = new Companies(this);

  private ParleyClient(Vertx vertx, ParleyClientOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.options = Objects.requireNonNull(options, "options");
  }

  /** A client on a clustered Vert.x that has joined Parley's cluster (or a node's own Vert.x). */
  public static ParleyClient create(Vertx vertx, ParleyClientOptions options) {
    return new ParleyClient(vertx, options);
  }

  public Interviews interviews() {
    return interviews;
  }

  public Candidates candidates() {
    return candidates;
  }

  public Agents agents() {
    return agents;
  }

  public Webhooks webhooks() {
    return webhooks;
  }

  /** The company (or, for an ATS partner, its companies). */
  public Companies companies() {
    return companies;
  }

  public ParleyClientOptions options() {
    return options;
  }

  /**
   * Sends one operation's message and returns the reply's body; refusals are retried as the
   * options allow. A create of an interview that may be retried carries an Idempotency-Key from
   * its first send, the same on every send, so that a create whose answer was lost and then sent
   * again makes one interview.
   */
  <T> Future<T> call(String operationId, JsonObject message, Kind kind, CallOptions call) {
    return this.<T>callForMessage(operationId, message, kind, call).map(Message::body);
  }

  /** {@link #call}, answering the reply message itself: its headers (a recording's media type) with the body. */
  <T> Future<Message<T>> callForMessage(String operationId, JsonObject message, Kind kind, CallOptions call) {
    CallOptions effective = call == null ? CallOptions.NONE : call;
    if (effective.requestId() == null) effective = effective.withRequestId(newId());
    if (kind == Kind.IDEMPOTENT_CREATE && effective.idempotencyKey() == null && options.maxRetries() > 0) {
      effective = effective.withIdempotencyKey(UUID.randomUUID().toString()); // a key: unguessable, so SecureRandom
    }
    if (effective.companyId() != null) message.put("companyId", effective.companyId());
    return send(Addresses.of(operationId), message, kind, effective, 0);
  }

  private <T> Future<Message<T>> send(String address, JsonObject message, Kind kind, CallOptions call, int retried) {
    String credential;
    try {
      credential = options.credential().get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    DeliveryOptions delivery = new DeliveryOptions()
      .setSendTimeout((call.timeout() != null ? call.timeout() : options.timeout()).toMillis())
      .addHeader(Addresses.AUTHORIZATION_HEADER, "Bearer " + credential)
      .addHeader(Addresses.REQUEST_ID_HEADER, call.requestId());
    if (call.idempotencyKey() != null) delivery.addHeader(Addresses.IDEMPOTENCY_KEY_HEADER, call.idempotencyKey());
    // the same message on a retry: nothing changes it once built, and the bus copies or encodes it per send
    return vertx.eventBus().<T>request(address, message, delivery)
      .recover(failure -> {
        ParleyException refused = ParleyException.of(failure, call.requestId());
        if (retried >= options.maxRetries() || !retryable(refused, kind)) return Future.failedFuture(refused);
        return after(refused.retryAfter().toMillis()).compose(v -> this.<T>send(address, message, kind, call, retried + 1));
      });
  }

  /**
   * Whether sending the call again is safe and may help: a 429 (nothing was done), a 503 a node
   * answered (nothing half-done is acknowledged), and a call that got no answer in time when
   * doing it twice cannot do harm (a read, a create with its Idempotency-Key). A wait longer than
   * {@link ParleyClientOptions#maxRetryWait()} is not waited for.
   */
  private boolean retryable(ParleyException refused, Kind kind) {
    if (refused.retryAfter() == null || refused.retryAfter().compareTo(options.maxRetryWait()) > 0) return false;
    if (refused.code() == ErrorCode.RATE_LIMITED) return true;
    if (refused.code() != ErrorCode.UNAVAILABLE) return false;
    return refused.answered() || kind != Kind.WRITE;
  }

  private Future<Void> after(long millis) {
    if (millis <= 0) return Future.succeededFuture();
    Promise<Void> waited = Promise.promise();
    vertx.setTimer(millis, id -> waited.complete());
    return waited.future();
  }

  /**
   * Walks a list page by page, by its cursor where the list has one, else by page number, and
   * collects at most {@code max} items.
   */
  static <T> Future<List<T>> all(Function<PageRequest, Future<Page<T>>> fetch, int pageSize, int max) {
    List<T> items = new ArrayList<>();
    return walk(fetch, PageRequest.first(pageSize), 1, pageSize, max, items).map(v -> items);
  }

  private static <T> Future<Void> walk(Function<PageRequest, Future<Page<T>>> fetch, PageRequest request, int pageNumber,
                                       int pageSize, int max, List<T> items) {
    return fetch.apply(request).compose(page -> {
      for (T item : page.items()) {
        if (items.size() >= max) return Future.succeededFuture();
        items.add(item);
      }
      if (items.size() >= max || !page.hasNext() || page.items().isEmpty()) return Future.succeededFuture();
      String cursor = page.pagination() == null ? null : page.pagination().nextCursor();
      PageRequest next = cursor != null ? PageRequest.afterCursor(cursor, pageSize) : PageRequest.page(pageNumber + 1, pageSize);
      return walk(fetch, next, pageNumber + 1, pageSize, max, items);
    });
  }

  /**
   * A request id: a random UUID from {@link ThreadLocalRandom}, not {@link UUID#randomUUID()}'s
   * SecureRandom, whose cost showed in the client's overhead (bench/bus-client.sh): the id only
   * finds a call in the logs, it protects nothing.
   */
  static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L, low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  /** A message with the operation's path parameter {@code id}. */
  static JsonObject withId(String id) {
    return new JsonObject().put("id", Objects.requireNonNull(id, "id"));
  }
}
