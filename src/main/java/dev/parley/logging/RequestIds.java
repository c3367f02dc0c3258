package dev.parley.logging;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.context.storage.ContextLocal;
import org.slf4j.MDC;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The request id of each HTTP or public event-bus request (docs/logging.md): the client's
 * {@code X-Request-Id} when it is sane, else a new one. It is answered back, and it goes with the
 * request wherever the request goes: Vert.x runs each request, and each event-bus message, on a
 * context of its own (a duplicated context), which holds the id; internal bus requests carry it in
 * the {@value #BUS_HEADER} header and their consumers put it on their own context. Log lines about
 * a request get it through {@link #log(Runnable)}, which puts it in the MDC around the call only:
 * one event-loop thread serves many requests, so a thread-local MDC set once would be wrong.
 */
public final class RequestIds {
  private RequestIds() {}

  /** The HTTP header, asked and answered. */
  public static final String HTTP_HEADER = "X-Request-Id";
  /** The event-bus message header: on internal requests, and accepted on the public API. */
  public static final String BUS_HEADER = dev.parley.client.Addresses.REQUEST_ID_HEADER;
  /** The MDC key, and so the field of a JSON line and the {@code requestId=} of a text line. */
  public static final String MDC_KEY = "requestId";
  /** The longest id accepted from a client. */
  public static final int MAX_LENGTH = 128;
  /** What a client's id may be made of: letters, digits and a few marks safe in a header, a log line and a URL. */
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:/+=@-]{1," + MAX_LENGTH + "}");

  /**
   * The context-local slot of the id. Vert.x wants its locals registered before the first Vert.x
   * instance exists, hence a service provider (META-INF/services/io.vertx.core.spi.VertxServiceProvider).
   */
  public static final class Local implements VertxServiceProvider {
    static final ContextLocal<String> ID = ContextLocal.registerLocal(String.class);

    @Override
    public void init(VertxBootstrap builder) {
      // registering the local above is all
    }
  }

  /** The client's id when it is sane, else a new one; a hostile value is never passed on. */
  public static String accept(String offered) {
    return offered != null && SANE.matcher(offered).matches() ? offered : generate();
  }

  /** A new id: a random UUID (no SecureRandom: an id is not a secret, and must not wait for entropy). */
  public static String generate() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
    return new UUID(high, low).toString();
  }

  /**
   * Makes {@code id} the request id of everything that runs on the current context, when that is
   * a request's or a message's own (duplicated) context: never a verticle's, which all its
   * requests share.
   */
  public static void bind(String id) {
    if (Vertx.currentContext() instanceof ContextInternal context && context.isDuplicate()) context.putLocal(Local.ID, id);
  }

  /** The request id of what runs now, or null outside a request. */
  public static String current() {
    Context context = Vertx.currentContext();
    return context == null ? null : context.getLocal(Local.ID);
  }

  /** A bus request made while serving a request carries its id. */
  public static DeliveryOptions carry(DeliveryOptions options) {
    String id = current();
    return id == null ? options : options.addHeader(BUS_HEADER, id);
  }

  /** A bus message's consumer takes over the id of the request that sent it, when there is one. */
  public static void adopt(Message<?> message) {
    String id = message.headers().get(BUS_HEADER);
    if (id != null) bind(id);
  }

  /** Runs a log call with the current request id in the MDC (when there is one), and only for that call. */
  public static void log(Runnable logCall) {
    String id = current();
    if (id == null || id.equals(MDC.get(MDC_KEY))) {
      logCall.run();
      return;
    }
    String before = MDC.get(MDC_KEY);
    MDC.put(MDC_KEY, id);
    try {
      logCall.run();
    } finally {
      if (before == null) MDC.remove(MDC_KEY);
      else MDC.put(MDC_KEY, before);
    }
  }
}
