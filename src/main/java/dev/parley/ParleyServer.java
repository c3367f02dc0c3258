package dev.parley;

import dev.parley.api.Api;
import dev.parley.auth.Authenticator;
import dev.parley.busapi.BusApiVerticle;
import dev.parley.cluster.ClusterSettings;
import dev.parley.calls.CallSessionVerticle;
import dev.parley.config.ParleyConfig;
import dev.parley.db.DatabaseResolver;
import dev.parley.db.DatabaseHealth;
import dev.parley.db.DatabaseSetup;
import dev.parley.db.Pools;
import dev.parley.db.DatabaseUnavailableException;
import dev.parley.db.ResolvedDatabase;
import dev.parley.db.ServerSecrets;
import dev.parley.http.HttpVerticle;
import dev.parley.persistence.PersistenceVerticle;
import dev.parley.postcall.PostCallVerticle;
import dev.parley.webhooks.WebhookVerticle;
import dev.parley.postcall.analysis.Analyzer;
import dev.parley.postcall.analysis.Analyzers;
import dev.parley.ratelimit.HazelcastRateLimiter;
import dev.parley.ratelimit.LocalRateLimiter;
import dev.parley.ratelimit.RateLimit;
import dev.parley.ratelimit.RateLimiter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.pgclient.PgConnection;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One Parley node: finds and migrates the database (blocking, before any event loop runs), then
 * starts Vert.x and deploys the verticles of DESIGN.md.
 */
public final class ParleyServer {
  private static final Logger LOG = LoggerFactory.getLogger(ParleyServer.class);
  private static final int CONNECTION_CHECK_SECONDS = 15;

  private final Vertx vertx;
  private final ResolvedDatabase database;
  private final int port;
  private final String nodeId;

  private ParleyServer(Vertx vertx, ResolvedDatabase database, int port, String nodeId) {
    this.vertx = vertx;
    this.database = database;
    this.port = port;
    this.nodeId = nodeId;
  }

  /** Starts a node; blocks the calling thread (never an event loop) until it serves or fails. */
  public static ParleyServer start(ParleyConfig config) throws DatabaseUnavailableException {
    ResolvedDatabase db = DatabaseResolver.resolve(config.env(), config.dataDir());
    LOG.info("PostgreSQL: {}", db.describe());
    DatabaseSetup.migrate(db);
    ServerSecrets secrets = DatabaseSetup.secrets(db, config);

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    int cores = config.eventLoops() > 0 ? config.eventLoops() : Runtime.getRuntime().availableProcessors();
    String nodeId = UUID.randomUUID().toString();
    VertxOptions options = new VertxOptions()
      .setEventLoopPoolSize(cores)
      // a registry name of its own: vertx-micrometer keeps registries by name, JVM-wide
      .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setRegistryName("parley-" + nodeId)
        // event-bus metrics cost a handler registration per request-reply on the hot path
        .addDisabledMetricsCategory(io.vertx.micrometer.MetricsDomain.EVENT_BUS)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    RateLimit defaultLimit;
    HazelcastClusterManager clusterManager;
    Vertx vertx;
    try {
      defaultLimit = defaultRateLimit(config);
      clusterManager = config.cluster()
        ? new HazelcastClusterManager(ClusterSettings.hazelcast(config, HazelcastRateLimiter::configure)) : null;
      if (clusterManager != null) options.setEventBusOptions(ClusterSettings.eventBus(config));
      VertxBuilder builder = Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry));
      vertx = clusterManager == null ? builder.build()
        : builder.withClusterManager(clusterManager).buildClustered().toCompletionStage().toCompletableFuture().join();
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    if (clusterManager != null) {
      LOG.info("Node {} joined cluster '{}' ({} members); Hazelcast and the event bus on {}", nodeId, config.clusterName(),
        clusterManager.getHazelcastInstance().getCluster().getMembers().size(), config.clusterHost());
    }
    try {
      checkConnection(vertx, db);
    } catch (DatabaseUnavailableException e) {
      vertx.close();
      db.close();
      throw e;
    }
    DatabaseHealth.of(vertx).metrics(registry);
    // one budget per key: across the cluster in Hazelcast, in memory on a single node
    RateLimiter limiter = clusterManager != null
      ? new HazelcastRateLimiter(vertx, clusterManager.getHazelcastInstance()) : new LocalRateLimiter();

    try {
      JsonObject document = new JsonObject(readResource("openapi.json"));
      JsonObject forValidator = forValidator(document);
      int instances = config.httpInstances() > 0 ? config.httpInstances() : cores;
      String poolName = "parley-" + nodeId;
      Analyzer analyzer = Analyzers.create(vertx, new JsonObject()
        .put("analysis.provider", config.analysisProvider()).put("analysis.baseUrl", config.analysisBaseUrl())
        .put("analysis.model", config.analysisModel()).put("analysis.apiKey", config.analysisApiKey())
        .put("analysis.timeoutMs", config.analysisTimeoutMillis()));
      ReadShares readShares = new ReadShares(config.dbReadConnections(), cores);
      LOG.info("PostgreSQL connections of this node: at most {} (pool {}, reads {}, dispatcher listener 1)",
        config.dbPoolSize() + config.dbReadConnections() + 1, config.dbPoolSize(), config.dbReadConnections());
      Future<Void> started = OpenAPIContract.from(vertx, forValidator).compose(contract -> {
        Authenticator authenticator = new Authenticator(vertx, secrets, Jwt.verifiers(vertx, secrets, config), config.keyCacheSeconds());
        Supplier<Api> api = () -> new Api(vertx, config, contract, authenticator, limiter, defaultLimit);
        return vertx.deployVerticle(() -> new PersistenceVerticle(db.pgConnectOptions(), config.dbPoolSize(), poolName,
              readShares.next()), new DeploymentOptions().setInstances(readShares.instances()))
          .compose(id -> vertx.deployVerticle(new CallSessionVerticle(config, db.pgConnectOptions(), poolName,
            config.dbPoolSize(), nodeId, registry)))
          .compose(id -> vertx.deployVerticle(new PostCallVerticle(config, db.pgConnectOptions(), poolName,
            config.dbPoolSize(), analyzer)))
          .compose(id -> vertx.deployVerticle(new WebhookVerticle(config, db.pgConnectOptions(), poolName, config.dbPoolSize())))
          .compose(id -> vertx.deployVerticle(() -> new BusApiVerticle(contract, api, config.maxBodyBytes()), new DeploymentOptions().setInstances(cores)))
          .compose(id -> vertx.deployVerticle(() -> new HttpVerticle(config, contract, document.toBuffer(), api, registry),
            new DeploymentOptions().setInstances(instances)))
          .mapEmpty();
      });
      started.toCompletionStage().toCompletableFuture().join();
      DatabaseHealth.of(vertx).probe(vertx, Pools.shared(vertx, db.pgConnectOptions(), poolName, config.dbPoolSize()));
    } catch (RuntimeException e) {
      vertx.close();
      db.close();
      throw e;
    }
    LOG.info("Parley listening on port {}", config.httpPort());
    return new ParleyServer(vertx, db, config.httpPort(), nodeId);
  }

  /**
   * One connection as the pools make theirs (the migrations went over JDBC), so that a TLS setting
   * the Vert.x client cannot follow stops the start instead of failing every request.
   */
  private static void checkConnection(Vertx vertx, ResolvedDatabase db) throws DatabaseUnavailableException {
    try {
      PgConnection.connect(vertx, db.pgConnectOptions()).compose(c -> c.close())
        .toCompletionStage().toCompletableFuture().get(CONNECTION_CHECK_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw db.cannotConnect(e.getCause());
    } catch (TimeoutException e) {
      throw db.cannotConnect(new TimeoutException("no connection within " + CONNECTION_CHECK_SECONDS + " s"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw db.cannotConnect(e);
    }
  }

  private static RateLimit defaultRateLimit(ParleyConfig config) {
    try {
      return RateLimit.parse(config.defaultRateLimit());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("PARLEY_DEFAULT_RATE_LIMIT: " + e.getMessage());
    }
  }

  public int port() {
    return port;
  }

  /** This node's ID: the node_id of the live calls it placed. */
  public String nodeId() {
    return nodeId;
  }

  public Vertx vertx() {
    return vertx;
  }

  public void stop() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
    database.close();
  }

  /**
   * The document as vertx-openapi 5.0.7 can load it: it refuses relative server URLs ("/" and
   * "/v1") and response media types such as audio/wav. Neither matters to request validation,
   * so they are left out of its copy; clients get the whole document.
   */
  public static JsonObject forValidator(JsonObject document) {
    JsonObject copy = document.copy();
    copy.remove("servers");
    JsonObject paths = copy.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (item.getValue(method) instanceof JsonObject op && op.containsKey("responses")) {
          op.put("responses", new JsonObject().put("default", new JsonObject().put("description", "see the published document")));
        }
      }
    }
    return copy;
  }

  private static Buffer readResource(String name) {
    try (InputStream in = ParleyServer.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException(name + " missing from the classpath");
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The node's read connections split among the persistence instances: one instance per event
   * loop while there are connections for each, the first ones taking the remainder. The sum never
   * exceeds the budget, so the node's connection count does not grow with its cores.
   */
  static final class ReadShares {
    private final int total;
    private final int instances;
    private int handedOut;

    ReadShares(int total, int cores) {
      this.total = total;
      this.instances = Math.max(1, Math.min(cores, total));
    }

    int instances() {
      return instances;
    }

    /** The next instance's share; called once per instance (the deployment's factory runs on one thread). */
    synchronized int next() {
      int share = total / instances + (handedOut < total % instances ? 1 : 0);
      handedOut++;
      return Math.max(1, share);
    }
  }
}
