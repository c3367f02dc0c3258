package dev.parley.bus;

import dev.parley.client.Addresses;
import dev.parley.client.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import dev.parley.logging.RepeatedFailures;
import dev.parley.logging.RequestIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.Map;

/**
 * The one list of event-bus addresses, in three kinds (DESIGN "The event bus in a cluster";
 * docs/event-bus.md documents the message of each):
 * <ul>
 *   <li><b>internal</b> ({@code parley.db.*} and the other {@code INTERNAL_*} constants): registered
 *   as local consumers and always sent with {@link #options()} (local only), so no other node and
 *   no client can reach them. They trust their caller: the {@code companyId} in the body is taken
 *   as already authorised;</li>
 *   <li><b>cluster</b> ({@code parley.cluster.*}): what one node tells the others. They carry hints
 *   that grant no tenant authority; a node that receives one checks PostgreSQL before it acts;</li>
 *   <li><b>public</b> ({@code parley.api.v1.*}, {@link #PUBLIC_API}): one address per HTTP
 *   operation, for clients inside the cluster, authenticated like HTTP by the same code.</li>
 * </ul>
 * Each address takes a JSON object and replies with JSON, or with a {@link Binary} (or fails with an
 * {@link ErrorCode}).
 */
public final class Bus {
  private Bus() {}

  private static final Logger LOG = LoggerFactory.getLogger(Bus.class);

  /** Every internal request gives up after this long; the caller answers UNAVAILABLE. */
  public static final long SEND_TIMEOUT_MS = 10_000;

  // ------------------------------------------------------------------ internal (local consumers)
  // PersistenceVerticle: requests act for the companyId they carry (and keyId or tokenSubject where audited).
  public static final String API_KEY_LOOKUP = "parley.db.api-key.lookup";
  /** {from, to, version}: a key found under an older pepper, hashed again under the current one. */
  public static final String API_KEY_REHASH = "parley.db.api-key.rehash";
  public static final String COMPANY_OWNER = "parley.db.company.owner";
  public static final String COMPANY_CREATE = "parley.db.company.create";
  public static final String COMPANY_LIST = "parley.db.company.list";
  public static final String COMPANY_GET = "parley.db.company.get";
  public static final String COMPANY_UPDATE = "parley.db.company.update";
  /** {id, companyId | partnerId, page, limit, cursor} → the company's caller numbers, a list. */
  public static final String COMPANY_PHONE_NUMBERS = "parley.db.company.phone-numbers";
  public static final String INTERVIEW_CREATE = "parley.db.interview.create";
  public static final String INTERVIEW_LIST = "parley.db.interview.list";
  public static final String INTERVIEW_GET = "parley.db.interview.get";
  public static final String INTERVIEW_DELETE = "parley.db.interview.delete";
  public static final String CANDIDATE_CREATE = "parley.db.candidate.create";
  public static final String CANDIDATE_LIST = "parley.db.candidate.list";
  public static final String CANDIDATE_GET = "parley.db.candidate.get";
  public static final String CANDIDATE_DELETE = "parley.db.candidate.delete";
  public static final String AGENT_CREATE = "parley.db.agent.create";
  public static final String AGENT_LIST = "parley.db.agent.list";
  public static final String AGENT_GET = "parley.db.agent.get";
  public static final String AGENT_DELETE = "parley.db.agent.delete";
  public static final String ATTEMPT_INVOKE = "parley.db.call-attempt.invoke";
  public static final String ATTEMPT_RESCHEDULE = "parley.db.call-attempt.reschedule";
  public static final String ATTEMPT_DELETE = "parley.db.call-attempt.delete";
  public static final String WEBHOOK_CREATE = "parley.db.webhook.create";
  public static final String WEBHOOK_LIST = "parley.db.webhook.list";
  public static final String WEBHOOK_GET = "parley.db.webhook.get";
  public static final String WEBHOOK_UPDATE = "parley.db.webhook.update";
  public static final String WEBHOOK_DELETE = "parley.db.webhook.delete";
  public static final String WEBHOOK_RESET = "parley.db.webhook.reset-circuit";
  public static final String WEBHOOK_DELIVERIES = "parley.db.webhook.deliveries";
  /** {id, companyId} → the stored recording. */
  public static final String INTERVIEW_RECORDING = "parley.db.interview.recording";
  public static final String DB_PING = "parley.db.ping";
  /**
   * CallSessionVerticle: a provider event {@code ProviderEvent} as JSON,
   * already authenticated by its signature; replies once it is durably taken. Processing is driven
   * by the database, so the node that received the event handles it.
   */
  public static final String CALLS_PROVIDER_EVENT = "parley.calls.provider-event";
  /**
   * CallSessionVerticle, fire and forget: {dueInMillis}: an attempt committed on this node falls due
   * then (a create, a new or moved attempt). Instead of a NOTIFY, which serialises every commit
   * that sends one.
   */
  public static final String DISPATCH_DUE = "parley.calls.dispatch-due";
  /** PostCallVerticle, fire and forget: there is post-call work in the outbox. */
  public static final String POSTCALL_WAKE = "parley.postcall.wake";
  /** WebhookVerticle: {id, companyId | partnerId}: sends a ping now → {success, deliveryId, httpStatus, durationMs, message}. */
  public static final String WEBHOOKS_TEST = "parley.webhooks.test";

  // ------------------------------------------------------------------ cluster (hints between nodes)
  /**
   * Published after a delete of a live interview commits: {interviewId}. The node holding its
   * session flags it once PostgreSQL confirms the live call is marked post_call_skipped.
   */
  public static final String CLUSTER_INTERVIEW_DELETED = "parley.cluster.interview-deleted";
  /**
   * Published after a call's end is committed on any node: {callId}. The node holding its session
   * drops it once PostgreSQL confirms the call is no longer live.
   */
  public static final String CLUSTER_CALL_ENDED = "parley.cluster.call-ended";

  /** The message header of a binary reply that names the media type of its bytes. */
  public static final String CONTENT_TYPE = Addresses.CONTENT_TYPE_HEADER;

  /** A binary reply: the bytes are the message body (a {@link Buffer}), the media type a header. */
  public record Binary(Buffer bytes, String contentType) {}

  /** Replies with bytes and their media type. */
  public static void reply(Message<?> message, Binary binary) {
    message.reply(binary.bytes(), new DeliveryOptions().addHeader(CONTENT_TYPE, binary.contentType()));
  }

  /** Sends a request whose reply is a {@link Binary}; failures keep their {@link ErrorCode}. */
  public static Future<Binary> requestBinary(Vertx vertx, String address, JsonObject body) {
    return vertx.eventBus().<Buffer>request(address, body, RequestIds.carry(options()))
      .map(m -> new Binary(m.body(), m.headers().get(CONTENT_TYPE)));
  }

  // ------------------------------------------------------------------ public API (SPEC section 9)
  /** The public address of each API operation, by its OpenAPI operationId. */
  public static final Map<String, String> PUBLIC_API = Addresses.BY_OPERATION;

  /** The message header that carries {@code Bearer <credential>} on the public API. */
  public static final String AUTHORIZATION_HEADER = Addresses.AUTHORIZATION_HEADER;

  // ------------------------------------------------------------------ helpers

  /**
   * Registers a handler on an internal address: a local consumer, invisible to other nodes. What
   * it logs about a message carries the request id the message came with.
   */
  public static <T> MessageConsumer<T> internal(Vertx vertx, String address, Handler<Message<T>> handler) {
    return vertx.eventBus().localConsumer(address, message -> {
      RequestIds.adopt(message);
      handler.handle(message);
    });
  }

  /** Delivery of an internal request: this node only, with a timeout. */
  public static DeliveryOptions options() {
    return new DeliveryOptions().setSendTimeout(SEND_TIMEOUT_MS).setLocalOnly(true);
  }

  /** Fires an internal message (no reply) to this node's consumer. */
  public static void send(Vertx vertx, String address, JsonObject body) {
    vertx.eventBus().send(address, body, new DeliveryOptions().setLocalOnly(true));
  }

  /**
   * Sends an internal request and returns the reply body; failures keep their {@link ErrorCode}.
   * Sent while serving a request, it carries that request's id.
   */
  public static <T> Future<T> request(Vertx vertx, String address, JsonObject body) {
    return vertx.eventBus().<T>request(address, body, RequestIds.carry(options())).map(Message::body);
  }

  /** Fails a bus message so that the receiver can rebuild the same {@link ParleyException}. */
  public static void fail(Message<?> message, Throwable failure) {
    ParleyException pe;
    if (failure instanceof ParleyException p) {
      pe = p;
    } else {
      RepeatedFailures.reportHere(LOG, Level.ERROR, "requests on " + message.address() + " failed with " + failure.getClass().getName(),
        "Request on " + message.address() + " failed", failure);
      pe = new ParleyException(ErrorCode.INTERNAL, "Internal error");
    }
    message.fail(pe.code.busCode, wire(pe).encode());
  }

  /** The message of a failed reply: the JSON of the HTTP error, {code, message, details}. */
  public static JsonObject wire(ParleyException pe) {
    return new JsonObject().put("code", pe.code.name()).put("message", pe.getMessage())
      .put("details", pe.details == null ? new JsonObject() : pe.details);
  }

  /** Turns any failure of a bus request back into a {@link ParleyException} for the API. */
  public static ParleyException toParley(Throwable failure) {
    if (failure instanceof ParleyException p) return p;
    ErrorCode code = ErrorCode.fromFailure(failure);
    // a failure its handler replied (with the wire JSON), not a bus timeout or a missing handler
    if (failure instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE && code != ErrorCode.INTERNAL) {
      try {
        JsonObject wire = new JsonObject(re.getMessage());
        return new ParleyException(code, wire.getString("message"), wire.getJsonObject("details"));
      } catch (DecodeException | ClassCastException | NullPointerException e) {
        return new ParleyException(code, re.getMessage());
      }
    }
    if (code == ErrorCode.UNAVAILABLE) return new ParleyException(code, "Service temporarily unavailable");
    RepeatedFailures.reportHere(LOG, Level.ERROR, "unexpected failures, " + failure.getClass().getName(), "Unexpected failure", failure);
    return new ParleyException(ErrorCode.INTERNAL, "Internal error");
  }
}
