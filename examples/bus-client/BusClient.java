import com.hazelcast.config.Config;
import dev.parley.client.ErrorCode;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyClientOptions;
import dev.parley.client.ParleyException;
import dev.parley.client.model.AgentInput;
import dev.parley.client.model.CandidateInput;
import dev.parley.client.model.Interview;
import dev.parley.client.model.InterviewCreate;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A client of Parley's public event-bus API, through the typed client library (parley-client):
 * it joins the cluster (as a Hazelcast lite member, so it holds none of the cluster's data), then
 * creates, reads and deletes interviews with {@link ParleyClient}, which sends the credential,
 * retries what may be retried, and turns refusals into {@link ParleyException}s. It needs the
 * client jar, vertx-core and vertx-hazelcast, nothing of the server (ClientJarIT compiles it so);
 * the server's jar holds all three, so it runs with that jar on the class path:
 *
 * <pre>
 *   java -cp target/parley.jar examples/bus-client/BusClient.java demo
 *   java -cp target/parley.jar examples/bus-client/BusClient.java create +421915120004
 *   java -cp target/parley.jar examples/bus-client/BusClient.java get ID
 *   java -cp target/parley.jar examples/bus-client/BusClient.java delete ID
 * </pre>
 *
 * Settings come from the same variables as a node's: PARLEY_CLUSTER_NAME, PARLEY_CLUSTER_MEMBERS,
 * PARLEY_CLUSTER_HOST and, when the cluster's bus uses TLS, PARLEY_CLUSTER_TLS_CERT, _KEY and _CA.
 * PARLEY_TOKEN is the credential: a JWT from `admin token create`, or an API key.
 */
public class BusClient {
  public static void main(String[] args) throws Exception {
    String token = env("PARLEY_TOKEN", null);
    if (token == null || args.length == 0) {
      System.err.println("usage: PARLEY_TOKEN=<JWT or API key> java -cp target/parley.jar examples/bus-client/BusClient.java "
        + "demo | create PHONE | get ID | delete ID");
      System.exit(2);
    }
    Vertx vertx = join();
    int status = 0;
    try {
      status = run(vertx, token, args);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    System.exit(status);
  }

  /** Joins the cluster: the Hazelcast member list, no multicast, and the event bus on this host. */
  static Vertx join() throws Exception {
    System.setProperty("hazelcast.logging.type", "none"); // a command-line client: failures surface as exceptions
    String host = env("PARLEY_CLUSTER_HOST", "127.0.0.1");
    Config hazelcast = ConfigUtil.loadConfig().setClusterName(env("PARLEY_CLUSTER_NAME", "parley")).setLiteMember(true);
    hazelcast.setProperty("hazelcast.local.localAddress", host);
    hazelcast.getNetworkConfig().setPort(5701).setPortAutoIncrement(true);
    JoinConfig join = hazelcast.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(Arrays.asList(env("PARLEY_CLUSTER_MEMBERS", "127.0.0.1:5701").split(",")));

    EventBusOptions bus = new EventBusOptions().setHost(host).setClusterPublicHost(host);
    String cert = env("PARLEY_CLUSTER_TLS_CERT", null);
    if (cert != null) {
      bus.setSsl(true).setClientAuth(ClientAuth.REQUIRED)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert).setKeyPath(env("PARLEY_CLUSTER_TLS_KEY", null)))
        .setTrustOptions(new PemTrustOptions().addCertPath(env("PARLEY_CLUSTER_TLS_CA", null)));
    }
    return Vertx.builder().with(new VertxOptions().setEventBusOptions(bus))
      .withClusterManager(new HazelcastClusterManager(hazelcast))
      .buildClustered().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static int run(Vertx vertx, String token, String[] args) throws Exception {
    ParleyClient parley = ParleyClient.create(vertx, ParleyClientOptions.withCredential(token)
      .withRetries(3, Duration.ofSeconds(30))); // 429 and 503 are waited out; a retried create makes one interview
    switch (args[0]) {
      case "create":
        System.out.println(await(parley.interviews().create(interview(args[1]))).id());
        return 0;
      case "get":
        System.out.println(await(parley.interviews().get(args[1])));
        return 0;
      case "delete":
        System.out.println(await(parley.interviews().delete(args[1])));
        return 0;
      case "demo": {
        // an interview for tomorrow: created, read and deleted through the bus, nothing dialled
        Interview created = await(parley.interviews().create(interview("+421915123456").withScheduledAt(Instant.now().plusSeconds(86_400))));
        System.out.println("created " + created.id() + " " + created.status());
        Interview read = await(parley.interviews().get(created.id()));
        System.out.println("read    " + read.id() + " " + read.status() + " " + read.scheduledAt());
        System.out.println("deleted " + await(parley.interviews().delete(created.id())));
        try {
          await(parley.interviews().get(created.id()));
          return 1;
        } catch (ParleyException e) {
          System.out.println("read again: " + e.code() + " (" + e.httpStatus() + ") " + e.getMessage());
          return e.code() == ErrorCode.RESOURCE_NOT_FOUND ? 0 : 1;
        }
      }
      default:
        System.err.println("unknown command " + args[0]);
        return 2;
    }
  }

  /** A command line waits for each answer; a service would compose the futures instead. */
  static <T> T await(Future<T> call) throws Exception {
    try {
      return call.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  static InterviewCreate interview(String phone) {
    return InterviewCreate.of(CandidateInput.of("Ada", "Lovelace", phone),
      AgentInput.of("Screening").withQuestions(List.of("Why this role?")));
  }

  static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
