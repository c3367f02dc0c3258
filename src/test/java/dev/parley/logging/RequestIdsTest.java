package dev.parley.logging;

import dev.parley.bus.Bus;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** What a request id may be, and how it follows a request over the event bus on real Vert.x. */
@ExtendWith(VertxExtension.class)
class RequestIdsTest {
  static final String UUID_V4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  @Test
  void aSaneIdIsKeptAndAnythingElseReplaced() {
    assertThat(RequestIds.accept("abc-123")).isEqualTo("abc-123");
    assertThat(RequestIds.accept("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assertThat(RequestIds.accept("x".repeat(RequestIds.MAX_LENGTH))).isEqualTo("x".repeat(RequestIds.MAX_LENGTH));
    for (String hostile : new String[] {null, "", "x".repeat(RequestIds.MAX_LENGTH + 1), "evil\u001b[31m", "a\nb", "a b", "<script>", "é"}) {
      assertThat(RequestIds.accept(hostile)).as(String.valueOf(hostile)).matches(UUID_V4);
    }
    assertThat(RequestIds.generate()).isNotEqualTo(RequestIds.generate());
  }

  @Test
  void anInternalRequestCarriesTheIdOfTheRequestThatSentItAndNothingLeaks(Vertx vertx, VertxTestContext test) {
    Bus.<JsonObject>internal(vertx, "test.request-id", m -> m.reply(new JsonObject().put("seen", RequestIds.current())));
    ContextInternal verticle = (ContextInternal) vertx.getOrCreateContext();
    verticle.duplicate().runOnContext(v -> {
      RequestIds.bind("req-1");
      Bus.<JsonObject>request(vertx, "test.request-id", new JsonObject()).onComplete(test.succeeding(reply -> {
        assertThat(reply.getString("seen")).isEqualTo("req-1");
        assertThat(RequestIds.current()).as("the reply is handled on the request's context").isEqualTo("req-1");
        verticle.runOnContext(w -> {
          assertThat(RequestIds.current()).as("the shared context holds no request's id").isNull();
          RequestIds.bind("not-on-a-shared-context");
          assertThat(RequestIds.current()).isNull();
          Bus.<JsonObject>request(vertx, "test.request-id", new JsonObject()).onComplete(test.succeeding(other -> test.verify(() -> {
            assertThat(other.getString("seen")).as("a message sent outside a request has no id").isNull();
            test.completeNow();
          })));
        });
      }));
    });
  }
}
