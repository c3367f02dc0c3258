import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.parley.client.Addresses;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyClientOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The typed client's overhead against a raw event-bus request, in one run: a member of the cluster
 * reads one interview over and over, CONCURRENCY requests in flight, in alternating rounds of
 * ROUND_SECONDS, raw ({@code eventBus().request} with the headers set by hand) then through
 * {@code ParleyClient.interviews().get} (typed answer, request id, error mapping), and prints the
 * requests per second of each round and the ratio of the medians. bench/bus-client.sh runs it.
 */
public class ClientOverhead {
  public static void main(String[] args) throws Exception {
    String token = System.getenv("PARLEY_TOKEN"), id = System.getenv("INTERVIEW_ID");
    int concurrency = Integer.parseInt(env("CONCURRENCY", "32")), rounds = Integer.parseInt(env("ROUNDS", "4"));
    long roundMillis = Long.parseLong(env("ROUND_SECONDS", "15")) * 1000;
    Vertx vertx = join();
    try {
      ParleyClient parley = ParleyClient.create(vertx, ParleyClientOptions.withCredential(token));
      DeliveryOptions raw = new DeliveryOptions().setSendTimeout(10_000).addHeader(Addresses.AUTHORIZATION_HEADER, "Bearer " + token);
      String address = Addresses.of("getInterview");
      JsonObject message = new JsonObject().put("id", id);
      Supplier<Future<?>> rawGet = () -> vertx.eventBus().request(address, message, raw);
      Supplier<Future<?>> clientGet = () -> parley.interviews().get(id);
      run(vertx, rawGet, concurrency, 5_000); // warm-up of both paths, not counted
      run(vertx, clientGet, concurrency, 5_000);
      double[] rawRates = new double[rounds], clientRates = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        rawRates[r] = run(vertx, rawGet, concurrency, roundMillis);
        clientRates[r] = run(vertx, clientGet, concurrency, roundMillis);
        System.out.printf("round %d: raw %.0f/s, client %.0f/s%n", r + 1, rawRates[r], clientRates[r]);
      }
      double rawMedian = median(rawRates), clientMedian = median(clientRates);
      System.out.printf("median: raw %.0f/s, client %.0f/s, client/raw %.3f%n", rawMedian, clientMedian, clientMedian / rawMedian);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** Requests per second over {@code millis}, with {@code concurrency} in flight; a failure stops the run. */
  static double run(Vertx vertx, Supplier<Future<?>> request, int concurrency, long millis) throws Exception {
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + millis * 1_000_000;
    Promise<Void> finished = Promise.promise();
    AtomicLong running = new AtomicLong(concurrency);
    vertx.runOnContext(v -> {
      for (int i = 0; i < concurrency; i++) loop(request, done, end, running, finished);
    });
    long started = System.nanoTime();
    finished.future().toCompletionStage().toCompletableFuture().get(millis + 60_000, TimeUnit.MILLISECONDS);
    return done.get() / ((System.nanoTime() - started) / 1e9);
  }

  static void loop(Supplier<Future<?>> request, AtomicLong done, long end, AtomicLong running, Promise<Void> finished) {
    if (System.nanoTime() >= end) {
      if (running.decrementAndGet() == 0) finished.tryComplete();
      return;
    }
    request.get().onComplete(ar -> {
      if (ar.failed()) {
        finished.tryFail(ar.cause());
        return;
      }
      done.incrementAndGet();
      loop(request, done, end, running, finished);
    });
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  }

  static Vertx join() throws Exception {
    System.setProperty("hazelcast.logging.type", "none");
    Config hazelcast = ConfigUtil.loadConfig().setClusterName(env("PARLEY_CLUSTER_NAME", "parley")).setLiteMember(true);
    hazelcast.setProperty("hazelcast.local.localAddress", "127.0.0.1");
    hazelcast.getNetworkConfig().setPort(Integer.parseInt(env("CLIENT_PORT", "5702"))).setPortAutoIncrement(true);
    JoinConfig join = hazelcast.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(Arrays.asList(env("PARLEY_CLUSTER_MEMBERS", "127.0.0.1:5701").split(",")));
    return Vertx.builder().with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setClusterPublicHost("127.0.0.1")))
      .withClusterManager(new HazelcastClusterManager(hazelcast))
      .buildClustered().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
