package dev.parley.calls;

import dev.parley.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * Holds the live calls of this node: one session per call, keyed by interview. A delete of a live
 * interview is published to every node; the node holding the call flags the session so that,
 * when the call ends, its slot is freed and no post-call work runs. The same flag is written in
 * the live_calls table in the delete transaction, so a missed message cannot lose it.
 *
 * <p>Deployed as a single instance per node: its state is confined to one event loop.
 */
public final class CallSessionVerticle extends VerticleBase {
  /** A live call on this node. */
  static final class Session {
    final String callId;
    final String interviewId;
    final String companyId;
    boolean postCallSkipped;

    Session(String callId, String interviewId, String companyId) {
      this.callId = callId;
      this.interviewId = interviewId;
      this.companyId = companyId;
    }
  }

  private final Map<String, Session> sessionsByInterview = new HashMap<>();

  @Override
  public Future<?> start() {
    vertx.eventBus().<JsonObject>consumer(Bus.CALLS_INTERVIEW_DELETED, m -> {
      Session s = sessionsByInterview.get(m.body().getString("interviewId"));
      if (s != null) s.postCallSkipped = true;
    });
    vertx.eventBus().<JsonObject>consumer(Bus.CALLS_STATUS, m -> {
      String companyId = m.body().getString("companyId");
      long live = sessionsByInterview.values().stream().filter(s -> s.companyId.equals(companyId)).count();
      m.reply(new JsonObject().put("companyId", companyId).put("liveSessions", live));
    });
    return Future.succeededFuture();
  }
}
