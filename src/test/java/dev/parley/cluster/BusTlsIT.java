package dev.parley.cluster;

import dev.parley.support.BusClient;
import dev.parley.support.TestCluster;
import dev.parley.support.TestServer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Event-bus TLS with mutual authentication: nodes and clients that hold a certificate of the
 * cluster's CA use the bus; a process without one (or with a certificate another CA signed) can
 * join Hazelcast but neither sends to nor receives from any address. The certificates are made
 * here with openssl.
 */
class BusTlsIT {
  static Path dir;
  static Map<String, String> tls;
  static TestCluster cluster;
  static TestServer.Tenant tenant;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("parley-bus-tls");
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=parley-test-ca",
      "-keyout", "ca.key", "-out", "ca.pem");
    certificate("node", "ca");
    // a certificate that looks the same but another CA signed
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=other-ca",
      "-keyout", "other-ca.key", "-out", "other-ca.pem");
    certificate("stranger", "other-ca");
    tls = Map.of("PARLEY_CLUSTER_TLS_CERT", dir.resolve("node.pem").toString(),
      "PARLEY_CLUSTER_TLS_KEY", dir.resolve("node.key").toString(),
      "PARLEY_CLUSTER_TLS_CA", dir.resolve("ca.pem").toString());
    cluster = TestCluster.start("bustls", 2, tls);
    tenant = cluster.nodes.get(0).company("TLS", "read:interviews,write:interviews,delete:interviews",
      "--call-window", "00:00-24:00");
  }

  @AfterAll
  static void stop() throws IOException {
    if (cluster != null) cluster.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  static void certificate(String name, String ca) throws Exception {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name, "-keyout", name + ".key", "-out", name + ".csr");
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial", "-days", "2",
      "-out", name + ".pem");
  }

  static void openssl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("openssl %s: %s", String.join(" ", args), out).isZero();
  }

  static <T> T result(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(BusClient.TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
  }

  /** Whether a request from this client got an answer from a handler (a reply, or a failure the handler sent). */
  static boolean answered(Vertx client, String address, JsonObject body, String key) throws Exception {
    AsyncResult<Message<Object>> answer = answer(client, address, body, key);
    return answer.succeeded()
      || answer.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE;
  }

  static AsyncResult<Message<Object>> answer(Vertx client, String address, JsonObject body, String key) throws Exception {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(3_000).addHeader("authorization", "Bearer " + key);
    return result(client.eventBus().<Object>request(address, body, options)
      .transform(ar -> io.vertx.core.Future.succeededFuture(ar)));
  }

  @Test
  void aClientWithTheClustersCertificateCreatesReadsAndDeletes() throws Exception {
    Vertx client = cluster.client(tls);
    JsonObject body = new JsonObject().put("candidate", new JsonObject().put("firstName", "Ada").put("lastName", "Lovelace")
        .put("phoneNumber", "+421915123456")).put("agent", new JsonObject().put("name", "Screening"))
      .put("scheduledAt", java.time.Instant.now().plusSeconds(86_400).toString());
    Message<Object> created = result(BusClient.request(client, "parley.api.v1.interviews.create", new JsonObject().put("body", body), tenant.key()));
    String id = ((JsonObject) created.body()).getString("id");
    Message<Object> read = result(BusClient.request(client, "parley.api.v1.interviews.get", new JsonObject().put("id", id), tenant.key()));
    assertThat(((JsonObject) read.body()).getString("status")).isEqualTo("SCHEDULED");
    assertThat(result(BusClient.request(client, "parley.api.v1.interviews.delete", new JsonObject().put("id", id), tenant.key())).body())
      .isEqualTo(true);
  }

  @Test
  void withoutTheClustersCertificateNothingIsSentOrReceived() throws Exception {
    Vertx member = cluster.client(tls);
    Vertx plain = cluster.client(Map.of());
    Vertx stranger = cluster.client(Map.of("PARLEY_CLUSTER_TLS_CERT", dir.resolve("stranger.pem").toString(),
      "PARLEY_CLUSTER_TLS_KEY", dir.resolve("stranger.key").toString(),
      "PARLEY_CLUSTER_TLS_CA", dir.resolve("other-ca.pem").toString()));
    // the same request with a valid key: answered for a member of the cluster (a list, or 403 for a
    // scope the key lacks), for no one else
    for (String address : List.of("parley.api.v1.interviews.list", "parley.api.v1.companies.list")) {
      assertThat(answered(member, address, new JsonObject(), tenant.key())).as(address + " from a member").isTrue();
      assertThat(answered(plain, address, new JsonObject(), tenant.key())).as(address + " without TLS").isFalse();
      assertThat(answered(stranger, address, new JsonObject(), tenant.key())).as(address + " with another CA's certificate").isFalse();
    }
    // nor does anything reach them: a consumer of theirs never gets a member's message
    for (Vertx outsider : List.of(plain, stranger)) {
      String address = "test.outsider." + UUID.randomUUID();
      AtomicInteger received = new AtomicInteger();
      result(outsider.eventBus().consumer(address, m -> {
        received.incrementAndGet();
        m.reply("got it");
      }).completion());
      // once the member knows of the consumer (no longer NO_HANDLERS), its request still gets no reply
      java.util.concurrent.atomic.AtomicReference<AsyncResult<Message<Object>>> last = new java.util.concurrent.atomic.AtomicReference<>();
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(100))
        .until(() -> {
          last.set(answer(member, address, new JsonObject(), tenant.key()));
          return !(last.get().cause() instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS);
        });
      AsyncResult<Message<Object>> sent = last.get();
      assertThat(sent.succeeded()).as("a member's request to an outsider").isFalse();
      assertThat(((ReplyException) sent.cause()).failureType()).isNotEqualTo(ReplyFailure.NO_HANDLERS);
      assertThat(received).hasValue(0);
    }
  }
}
