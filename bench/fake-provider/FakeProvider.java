import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.FileWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * A voice-agent provider of the http kind for bench/dispatch.sh: it answers every POST (a dial,
 * POST /calls, or a cancel) with 202 after LATENCY_MS, sends no events, and logs each dial it takes
 * as "<epoch seconds> <callId> <interviewId>". Loopback only.
 *
 *   java -cp target/parley.jar bench/fake-provider/FakeProvider.java PORT LATENCY_MS LOG_FILE
 *
 * It is a Vert.x server, one event loop per core (as bench/raw-get/RawGetServer.java), and waits
 * on a timer, not on a thread: the provider must not be what limits the dials per second that the
 * benchmark reports. (A thread per connection in Python, the first version of this fake, topped
 * out at 450-800 dials/s here.)
 */
public class FakeProvider extends VerticleBase {
  private static int port;
  private static long latencyMs;
  private static PrintWriter log;

  public static void main(String[] args) throws IOException {
    port = Integer.parseInt(args[0]);
    latencyMs = Long.parseLong(args[1]);
    log = new PrintWriter(new FileWriter(args[2], StandardCharsets.UTF_8, true));
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(FakeProvider::new, new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()))
      .onSuccess(id -> {
        System.out.println("fake provider on 127.0.0.1:" + port + ", answering after " + latencyMs + " ms");
        // flushed on a timer, not per dial: the script counts the lines as they come
        vertx.setPeriodic(100, t -> flush());
      })
      .onFailure(e -> {
        e.printStackTrace();
        System.exit(1);
      });
  }

  private static synchronized void dialled(String callId, String interviewId) {
    log.printf("%.6f %s %s%n", System.currentTimeMillis() / 1000.0, callId, interviewId);
  }

  private static synchronized void flush() {
    log.flush();
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      boolean dial = "/calls".equals(request.path());
      vertx.setTimer(Math.max(1, latencyMs), t -> {
        if (dial) {
          JsonObject call = body.toJsonObject();
          dialled(call.getString("callId"), call.getString("interviewId"));
        }
        request.response().setStatusCode(202).end();
      });
    })).listen(port, "127.0.0.1");
  }
}
