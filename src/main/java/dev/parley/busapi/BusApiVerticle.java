package dev.parley.busapi;

import dev.parley.api.Api;
import dev.parley.api.Reply;
import dev.parley.bus.Bus;
import dev.parley.client.ErrorCode;
import dev.parley.bus.ParleyException;
import dev.parley.lifecycle.InFlight;
import io.vertx.core.AsyncResult;
import dev.parley.logging.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.Json;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The public event-bus API (SPEC section 9): one clustered consumer per operation on
 * {@code parley.api.v1.<resource>.<action>} ({@link Bus#PUBLIC_API}), running the same
 * {@link Api} pipeline as HTTP. The reply body is what HTTP returns in {@code data}; a failure is
 * a {@code ReplyException} whose code is the error's bus code and whose message is the JSON of the
 * HTTP error. Rate-limit figures travel as reply headers, named as the HTTP headers in lower case.
 * One instance per event loop; the instances and nodes share the traffic.
 */
public final class BusApiVerticle extends VerticleBase {
  /** An answer that has no data over HTTP (204) is {@code true} on the bus. */
  private static final String NO_CONTENT = "true";

  private final OpenAPIContract contract;
  private final Supplier<Api> api;
  private final int maxBodyBytes;
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();
  /** Requests taken and not yet answered: a shutdown answers them before the node leaves. */
  private final InFlight requests = new InFlight();

  /** @param maxBodyBytes the largest request body, as over HTTP (PARLEY_MAX_BODY_BYTES) */
  public BusApiVerticle(OpenAPIContract contract, Supplier<Api> api, int maxBodyBytes) {
    this.contract = contract;
    this.api = api;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public Future<?> start() {
    Api operations = api.get();
    List<Future<Void>> registered = new ArrayList<>();
    for (Operation op : contract.operations()) {
      String address = Bus.PUBLIC_API.get(op.getOperationId());
      if (address == null) continue;
      if (!operations.operationIds().contains(op.getOperationId())) {
        return Future.failedFuture(new IllegalStateException("no operation behind " + address));
      }
      Set<String> pathNames = op.getParameters().stream().filter(p -> p.getIn() == Location.PATH)
        .map(Parameter::getName).collect(Collectors.toUnmodifiableSet());
      MessageConsumer<Object> consumer = vertx.eventBus().consumer(address,
        message -> handle(operations, op.getOperationId(), pathNames, message));
      consumers.add(consumer);
      registered.add(consumer.completion());
    }
    return Future.all(registered);
  }

  /**
   * At shutdown: the addresses are given up first, so the cluster sends new requests to other
   * nodes, then the requests already taken are answered.
   */
  @Override
  public Future<?> stop() {
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList()).transform(ar -> requests.idle());
  }

  private void handle(Api operations, String operationId, Set<String> pathNames, Message<Object> message) {
    // the client's x-request-id when it is sane, else a new one: on the log lines about the request, and on a reply
    String requestId = RequestIds.accept(message.headers().get(RequestIds.BUS_HEADER));
    RequestIds.bind(requestId);
    BusApiRequest request = new BusApiRequest(message, pathNames);
    if (request.bodySize() > maxBodyBytes) {
      // first, as HTTP's body limit answers before anything else is looked at
      fail(message, new ParleyException(ErrorCode.PAYLOAD_TOO_LARGE, "Request body larger than allowed"));
      return;
    }
    requests.begin();
    operations.call(operationId, request).onComplete(ar -> {
      try {
        answer(message, request, requestId, ar);
      } finally {
        requests.end();
      }
    });
  }

  private static void answer(Message<Object> message, BusApiRequest request, String requestId, AsyncResult<Reply> ar) {
    DeliveryOptions options = new DeliveryOptions().addHeader(RequestIds.BUS_HEADER, requestId);
    if (request.rate() != null) request.rate().headers().forEach((k, v) -> options.addHeader(k.toLowerCase(), v));
    if (ar.failed()) {
      fail(message, Bus.toParley(ar.cause()));
      return;
    }
    Reply reply = ar.result();
    if (reply.binary() != null) {
      message.reply(reply.binary(), options.addHeader(Bus.CONTENT_TYPE, reply.contentType()));
      return;
    }
    message.reply(Json.decodeValue(reply.dataJson() == null ? NO_CONTENT : reply.dataJson()), options);
  }

  private static void fail(Message<?> message, ParleyException e) {
    message.fail(e.code.busCode, Bus.wire(e).encode());
  }
}
