package dev.parley.logging;

import dev.parley.api.ApiChecks;
import dev.parley.bus.Bus;
import dev.parley.support.TestServer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The public event-bus API takes a client's sane x-request-id, or makes one, and replies with it. */
class BusRequestIdIT {
  static TestServer server;
  static TestServer.Tenant acme;

  @BeforeAll
  static void start() {
    server = TestServer.start("bus_request_id");
    acme = server.company("Acme", ApiChecks.ALL);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Message<Object> list(String requestId) throws Exception {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(10_000).addHeader(Bus.AUTHORIZATION_HEADER, "Bearer " + acme.key());
    if (requestId != null) options.addHeader(RequestIds.BUS_HEADER, requestId);
    return server.node().vertx().eventBus().request(Bus.PUBLIC_API.get("listInterviews"), new JsonObject(), options)
      .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void aReplyCarriesTheClientsIdOrANewOne() throws Exception {
    assertThat(list("bus-abc-1").headers().get(RequestIds.BUS_HEADER)).isEqualTo("bus-abc-1");
    assertThat(list(null).headers().get(RequestIds.BUS_HEADER)).matches(RequestIdsTest.UUID_V4);
    assertThat(list("x".repeat(RequestIds.MAX_LENGTH + 1)).headers().get(RequestIds.BUS_HEADER)).matches(RequestIdsTest.UUID_V4);
    assertThat(list("bad\u0000id").headers().get(RequestIds.BUS_HEADER)).matches(RequestIdsTest.UUID_V4);
  }
}
