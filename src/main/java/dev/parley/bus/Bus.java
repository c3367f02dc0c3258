package dev.parley.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one list of event-bus addresses. Each address takes a JSON object and replies with JSON, or
 * with a {@link Binary} (or fails with an {@link ErrorCode}); docs/event-bus.md documents the
 * message of each.
 *
 * <p>Requests that act for a tenant carry {@code companyId} (already authorised by the caller)
 * and, where the action is audited, {@code keyId}.
 */
public final class Bus {
  private Bus() {}

  private static final Logger LOG = LoggerFactory.getLogger(Bus.class);

  /** Every request on the bus gives up after this long; the caller answers UNAVAILABLE. */
  public static final long SEND_TIMEOUT_MS = 10_000;

  // --- PersistenceVerticle (point to point, any node) ---
  public static final String API_KEY_LOOKUP = "parley.db.api-key.lookup";
  public static final String COMPANY_OWNER = "parley.db.company.owner";
  public static final String COMPANY_CREATE = "parley.db.company.create";
  public static final String COMPANY_LIST = "parley.db.company.list";
  public static final String COMPANY_GET = "parley.db.company.get";
  public static final String COMPANY_UPDATE = "parley.db.company.update";
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
  public static final String DB_PING = "parley.db.ping";

  // --- CallSessionVerticle ---
  /** Published (to every node) after a delete of a live interview commits: {interviewId, companyId}. */
  public static final String CALLS_INTERVIEW_DELETED = "parley.calls.interview-deleted";
  /** Point to point: {companyId} → {companyId, liveCalls, sessions} as seen by the node that answers. */
  public static final String CALLS_STATUS = "parley.calls.status";

  /**
   * Point to point, any node: a provider event {@link dev.parley.calls.provider.ProviderEvent} as
   * JSON; replies once it is durably taken. Processing is driven by the database, so any node can.
   */
  public static final String CALLS_PROVIDER_EVENT = "parley.calls.provider-event";
  /** Published after a call ended on any node: {callId}. The node holding its session drops it. */
  public static final String CALLS_ENDED = "parley.calls.ended";

  // --- PostCallVerticle ---
  /** Point to point, fire and forget: there is post-call work in the outbox. */
  public static final String POSTCALL_WAKE = "parley.postcall.wake";
  /** {id, companyId} → the stored recording, a {@link Binary}. */
  public static final String INTERVIEW_RECORDING = "parley.db.interview.recording";

  // --- WebhookVerticle ---
  /** {id, companyId | partnerId}: sends a ping now → {success, deliveryId, httpStatus, durationMs, message}. */
  public static final String WEBHOOKS_TEST = "parley.webhooks.test";

  /** Per node: {callId} → the simulator's WAV recording as a buffer (simulator provider only). */
  public static String simulatorRecording(String nodeId) {
    return "parley.simulator.recording." + nodeId;
  }

  /** The message header of a binary reply that names the media type of its bytes. */
  public static final String CONTENT_TYPE = "content-type";

  /** A binary reply: the bytes are the message body (a {@link Buffer}), the media type a header. */
  public record Binary(Buffer bytes, String contentType) {}

  /** Replies with bytes and their media type. */
  public static void reply(Message<?> message, Binary binary) {
    message.reply(binary.bytes(), new DeliveryOptions().addHeader(CONTENT_TYPE, binary.contentType()));
  }

  /** Sends a request whose reply is a {@link Binary}; failures keep their {@link ErrorCode}. */
  public static Future<Binary> requestBinary(Vertx vertx, String address, JsonObject body) {
    return vertx.eventBus().<Buffer>request(address, body, options())
      .map(m -> new Binary(m.body(), m.headers().get(CONTENT_TYPE)));
  }

  public static DeliveryOptions options() {
    return new DeliveryOptions().setSendTimeout(SEND_TIMEOUT_MS);
  }

  /** Sends a request and returns the reply body; failures keep their {@link ErrorCode}. */
  public static <T> Future<T> request(Vertx vertx, String address, JsonObject body) {
    return vertx.eventBus().<T>request(address, body, options()).map(Message::body);
  }

  /** Fails a bus message so that the receiver can rebuild the same {@link ParleyException}. */
  public static void fail(Message<?> message, Throwable failure) {
    ParleyException pe;
    if (failure instanceof ParleyException p) {
      pe = p;
    } else {
      LOG.error("Request on {} failed", message.address(), failure);
      pe = new ParleyException(ErrorCode.INTERNAL, "Internal error");
    }
    JsonObject wire = new JsonObject().put("message", pe.getMessage());
    if (pe.details != null) wire.put("details", pe.details);
    message.fail(pe.code.busCode, wire.encode());
  }

  /** Turns any failure of a bus request back into a {@link ParleyException} for the API. */
  public static ParleyException toParley(Throwable failure) {
    if (failure instanceof ParleyException p) return p;
    ErrorCode code = ErrorCode.fromFailure(failure);
    if (failure instanceof ReplyException re && code != ErrorCode.UNAVAILABLE && code != ErrorCode.INTERNAL) {
      try {
        JsonObject wire = new JsonObject(re.getMessage());
        return new ParleyException(code, wire.getString("message"), wire.getJsonObject("details"));
      } catch (DecodeException | ClassCastException | NullPointerException e) {
        return new ParleyException(code, re.getMessage());
      }
    }
    if (code == ErrorCode.UNAVAILABLE) return new ParleyException(code, "Service temporarily unavailable");
    LOG.error("Unexpected failure", failure);
    return new ParleyException(ErrorCode.INTERNAL, "Internal error");
  }
}
