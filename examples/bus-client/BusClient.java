import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A client of Parley's public event-bus API: it joins the cluster (as a Hazelcast lite member, so
 * it holds none of the cluster's data), sends requests to parley.api.v1.* with a credential in the
 * authorization header, and prints each reply. Run it with the jar on the class path:
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
    switch (args[0]) {
      case "create": {
        JsonObject created = (JsonObject) call(vertx, token, "parley.api.v1.interviews.create", new JsonObject().put("body", interview(args[1])));
        System.out.println(created.getString("id"));
        return 0;
      }
      case "get":
        System.out.println(((JsonObject) call(vertx, token, "parley.api.v1.interviews.get", new JsonObject().put("id", args[1]))).encodePrettily());
        return 0;
      case "delete":
        System.out.println(call(vertx, token, "parley.api.v1.interviews.delete", new JsonObject().put("id", args[1])));
        return 0;
      case "demo": {
        // an interview for tomorrow: created, read and deleted through the bus, nothing dialled
        JsonObject body = interview("+421915123456").put("scheduledAt", java.time.Instant.now().plusSeconds(86_400).toString());
        JsonObject created = (JsonObject) call(vertx, token, "parley.api.v1.interviews.create", new JsonObject().put("body", body));
        String id = created.getString("id");
        System.out.println("created " + id + " " + created.getString("status"));
        JsonObject read = (JsonObject) call(vertx, token, "parley.api.v1.interviews.get", new JsonObject().put("id", id));
        System.out.println("read    " + read.getString("id") + " " + read.getString("status") + " " + read.getString("scheduledAt"));
        System.out.println("deleted " + call(vertx, token, "parley.api.v1.interviews.delete", new JsonObject().put("id", id)));
        try {
          call(vertx, token, "parley.api.v1.interviews.get", new JsonObject().put("id", id));
          return 1;
        } catch (ReplyException e) {
          System.out.println("read again: " + e.failureCode() + " " + e.getMessage());
          return e.failureCode() == 4040 ? 0 : 1;
        }
      }
      default:
        System.err.println("unknown command " + args[0]);
        return 2;
    }
  }

  /** One request: the reply body, or a ReplyException whose failureCode() is the error's bus code. */
  static Object call(Vertx vertx, String token, String address, JsonObject message) throws Exception {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(10_000).addHeader("authorization", "Bearer " + token);
    Future<Message<Object>> reply = vertx.eventBus().request(address, message, options);
    try {
      return reply.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS).body();
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  static JsonObject interview(String phone) {
    return new JsonObject()
      .put("candidate", new JsonObject().put("firstName", "Ada").put("lastName", "Lovelace").put("phoneNumber", phone))
      .put("agent", new JsonObject().put("name", "Screening").put("questions", new io.vertx.core.json.JsonArray().add("Why this role?")));
  }

  static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
