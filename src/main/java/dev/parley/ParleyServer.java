package dev.parley;

import dev.parley.api.Api;
import dev.parley.api.AuthFailures;
import dev.parley.auth.Authenticator;
import dev.parley.auth.Jwt;
import dev.parley.busapi.BusApiVerticle;
import dev.parley.cluster.ClusterSettings;
import dev.parley.common.RateLimit;
import dev.parley.calls.CallSessionVerticle;
import dev.parley.config.ParleyConfig;
import dev.parley.db.DatabaseResolver;
import dev.parley.db.DatabaseHealth;
import dev.parley.db.DatabaseSetup;
import dev.parley.db.Pools;
import dev.parley.db.DatabaseUnavailableException;
import dev.parley.db.ResolvedDatabase;
import dev.parley.secrets.ServerSecrets;
import dev.parley.http.HttpVerticle;
import dev.parley.lifecycle.Draining;
import dev.parley.persistence.PersistenceVerticle;
import dev.parley.postcall.PostCallVerticle;
import dev.parley.webhooks.WebhookVerticle;
import dev.parley.postcall.analysis.Analyzer;
import dev.parley.postcall.analysis.Analyzers;
import dev.parley.ratelimit.HazelcastRateLimiter;
import dev.parley.ratelimit.LocalRateLimiter;
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
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
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
  private final ParleyConfig config;
  /** The deployments in the order a shutdown undeploys them: the APIs first, the pools' owners last. */
  private final List<List<String>> stopOrder;
  private final AtomicBoolean stopping = new AtomicBoolean();

  private ParleyServer(Vertx vertx, ResolvedDatabase database, ParleyConfig config, String nodeId, List<List<String>> stopOrder) {
    this.vertx = vertx;
    this.database = database;
    this.config = config;
    this.port = config.httpPort();
    this.nodeId = nodeId;
    this.stopOrder = stopOrder;
  }

  /**
   * Starts a node; blocks the calling thread (never an event loop) until it serves or fails. Each
   * step says why it comes where it does. A failure in Vert.x's start closes the database; one in
   * the connection check or from the API document on closes Vert.x and the database.
   */
  public static ParleyServer start(ParleyConfig config) throws DatabaseUnavailableException {
    Startup node = new Startup(config);
    node.logConfigurationFile();
    node.resolveAndMigrateDatabase();
    node.startVertx();
    node.checkDatabaseConnection();
    node.startSharedServices();
    try {
      node.readApiDocument();
      node.createAnalyzer();
      node.shareConnections();
      node.deployVerticles();
      node.probeDatabase();
    } catch (RuntimeException e) {
      node.vertx.close();
      node.db.close();
      throw e;
    }
    return node.listening();
  }

  /** What the steps of {@link #start} make, as they make it. */
  private static final class Startup {
    private final ParleyConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** What live_calls.node_id says of the calls this node places. */
    private final String nodeId = UUID.randomUUID().toString();
    private final int cores;
    private ResolvedDatabase db;
    private ServerSecrets secrets;
    private HazelcastClusterManager clusterManager;
    private Vertx vertx;
    private RateLimit defaultLimit;
    private RateLimiter limiter;
    private JsonObject document;
    private JsonObject forValidator;
    private Analyzer analyzer;
    private String poolName;
    private ReadShares readShares;
    private List<List<String>> stopOrder;

    Startup(ParleyConfig config) {
      this.config = config;
      this.cores = config.eventLoops() > 0 ? config.eventLoops() : Runtime.getRuntime().availableProcessors();
    }

    /** First, so that whatever fails next is read against the file it came from. */
    void logConfigurationFile() {
      LOG.info("Configuration file: {}", config.file() == null ? "none (defaults and environment variables)" : config.file());
      if (config.ignoredFile() != null) {
        LOG.warn("{} is not read: {} beside the jar comes first (set PARLEY_CONFIG to choose)", config.ignoredFile(), config.file());
      }
    }

    /**
     * Before Vert.x: finding the database, the migrations and the server's secrets block (JDBC), and
     * nothing may block an event loop; a node without its schema must not join a cluster either.
     */
    void resolveAndMigrateDatabase() throws DatabaseUnavailableException {
      db = DatabaseResolver.resolve(config.env(), config.dataDir());
      LOG.info("PostgreSQL: {}", db.describe());
      DatabaseSetup.migrate(db);
      secrets = DatabaseSetup.secrets(db, config);
    }

    /** Once the database is ready; joins the cluster when configured. A failure closes the database. */
    void startVertx() {
      VertxOptions options = new VertxOptions()
        .setEventLoopPoolSize(cores)
        // a registry name of its own: vertx-micrometer keeps registries by name, JVM-wide
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setRegistryName("parley-" + nodeId)
          // event-bus metrics cost a handler registration per request-reply on the hot path
          .addDisabledMetricsCategory(io.vertx.micrometer.MetricsDomain.EVENT_BUS)
          // parley_http_requests_seconds times every request (by operation, not by raw path); the
          // Vert.x HTTP server meters counted each a second time, 3% of a GET's CPU in a profile
          .addDisabledMetricsCategory(io.vertx.micrometer.MetricsDomain.HTTP_SERVER)
          .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
      try {
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
    }

    /**
     * Before any pool exists: one connection the way the pools make theirs (the migrations went
     * over JDBC), so a setting only JDBC follows stops the start here. A failure closes both.
     */
    void checkDatabaseConnection() throws DatabaseUnavailableException {
      try {
        checkConnection(vertx, db);
      } catch (DatabaseUnavailableException e) {
        vertx.close();
        db.close();
        throw e;
      }
    }

    /** Needs Vert.x (and, in a cluster, Hazelcast); the APIs the verticles build take them. */
    void startSharedServices() {
      DatabaseHealth.of(vertx).metrics(registry);
      // checked with this parser when the configuration loaded, so it cannot fail here
      defaultLimit = RateLimit.parse(config.defaultRateLimit());
      // one budget per key: across the cluster in Hazelcast, in memory on a single node
      limiter = clusterManager != null
        ? new HazelcastRateLimiter(vertx, clusterManager.getHazelcastInstance()) : new LocalRateLimiter();
    }

    /** Before the verticles: both APIs validate requests against it, and HTTP serves it. */
    void readApiDocument() {
      document = new JsonObject(readResource("openapi.json"));
      forValidator = forValidator(document);
    }

    /** Before the post-call verticle, which runs it. */
    void createAnalyzer() {
      analyzer = Analyzers.create(vertx, new JsonObject()
        .put("analysis.provider", config.analysisProvider()).put("analysis.baseUrl", config.analysisBaseUrl())
        .put("analysis.model", config.analysisModel()).put("analysis.apiKey", config.analysisApiKey())
        .put("analysis.timeoutMs", config.analysisTimeoutMillis()));
    }

    /** Before the verticles, which open the pools: one shared pool by name, read connections split among instances. */
    void shareConnections() {
      poolName = "parley-" + nodeId;
      readShares = new ReadShares(config.dbReadConnections(), cores);
      LOG.info("PostgreSQL connections of this node: at most {} (pool {}, reads {})",
        config.dbPoolSize() + config.dbReadConnections(), config.dbPoolSize(), config.dbReadConnections());
    }

    /**
     * One after another, each once the one before it started: the persistence verticle that the
     * others call, then the call sessions, post-call work and webhooks, and the two APIs last, so
     * nothing is taken from a client before what serves it is up. A shutdown undeploys them the
     * other way round.
     */
    void deployVerticles() {
      int instances = config.httpInstances() > 0 ? config.httpInstances() : cores;
      Deployments deployed = new Deployments();
      Future<Void> started = OpenAPIContract.from(vertx, forValidator).compose(contract -> {
        Authenticator authenticator = new Authenticator(vertx, secrets, Jwt.verifiers(vertx, secrets, config), config.keyCacheSeconds(),
          registry);
        AuthFailures authFailures = new AuthFailures(limiter, RateLimit.parse(config.authFailureLimit()));
        Supplier<Api> api = () -> new Api(vertx, config, contract, authenticator, limiter, defaultLimit, authFailures);
        return vertx.deployVerticle(() -> new PersistenceVerticle(db.pgConnectOptions(), config.dbPoolSize(), poolName,
              readShares.next(), config.gdprSweepSeconds() * 1000L), new DeploymentOptions().setInstances(readShares.instances()))
          .onSuccess(id -> deployed.persistence = id)
          .compose(id -> vertx.deployVerticle(new CallSessionVerticle(config, db.pgConnectOptions(), poolName,
            config.dbPoolSize(), nodeId, registry)))
          .onSuccess(id -> deployed.calls = id)
          .compose(id -> vertx.deployVerticle(new PostCallVerticle(config, db.pgConnectOptions(), poolName,
            config.dbPoolSize(), analyzer)))
          .onSuccess(id -> deployed.postCall = id)
          .compose(id -> vertx.deployVerticle(new WebhookVerticle(config, db.pgConnectOptions(), poolName, config.dbPoolSize(), registry)))
          .onSuccess(id -> deployed.webhooks = id)
          .compose(id -> vertx.deployVerticle(() -> new BusApiVerticle(contract, api, config.maxBodyBytes()), new DeploymentOptions().setInstances(cores)))
          .onSuccess(id -> deployed.busApi = id)
          .compose(id -> vertx.deployVerticle(() -> new HttpVerticle(config, contract, document.toBuffer(), api, registry),
            new DeploymentOptions().setInstances(instances)))
          .onSuccess(id -> deployed.http = id)
          .mapEmpty();
      });
      started.toCompletionStage().toCompletableFuture().join();
      stopOrder = List.of(List.of(deployed.http, deployed.busApi), List.of(deployed.calls, deployed.postCall, deployed.webhooks),
        List.of(deployed.persistence));
    }

    /** After the verticles: the health probe runs on the shared pool they opened. */
    void probeDatabase() {
      DatabaseHealth.of(vertx).probe(vertx, Pools.shared(vertx, db.pgConnectOptions(), poolName, config.dbPoolSize()));
    }

    /** Last: the listeners are up once the HTTP verticle has started. */
    ParleyServer listening() {
      // the node ID is what live_calls.node_id says of the calls this node placed
      LOG.info("Parley listening on port {} (node {})", config.httpPort(), nodeId);
      return new ParleyServer(vertx, db, config, nodeId, stopOrder);
    }
  }

  /** The IDs of the node's deployments, as they come in. */
  private static final class Deployments {
    volatile String persistence, calls, postCall, webhooks, busApi, http;
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

  /**
   * The graceful shutdown of docs/operations.md ("Shutdown"), on the calling thread (never an event
   * loop): readiness turns 503 and background work stops taking new work at once; the node serves
   * on for the drain delay, so load balancers take it out; then the HTTP and bus APIs answer what
   * they have taken, the dispatcher's dials, post-call jobs and webhook sends under way end, and
   * the pools close, all within the shutdown bound. Live calls are left as they are: their leases
   * and rows are in PostgreSQL, and other nodes take their events. Runs once; later calls return.
   *
   * @return whether everything under way ended within the bound
   */
  public boolean stop() {
    if (!stopping.compareAndSet(false, true)) return true;
    Draining.of(vertx).begin();
    long drainMillis = config.shutdownDrainSeconds() * 1000L;
    LOG.info("Shutting down: readiness answers 503 and no new work is claimed; serving for {} s more, then at most {} s"
      + " for the work under way", config.shutdownDrainSeconds(), config.shutdownTimeoutSeconds());
    try {
      Thread.sleep(drainMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long deadline = System.nanoTime() + config.shutdownTimeoutSeconds() * 1_000_000_000L;
    boolean inTime = true;
    for (List<String> step : stopOrder) {
      Future<?> undeployed = Future.join(step.stream().map(vertx::undeploy).toList());
      inTime &= awaitUntil(undeployed, deadline);
      if (!inTime) break;
    }
    if (!inTime) {
      LOG.warn("Work under way did not end within {} s: closing anyway (unconfirmed dials are taken over by"
        + " another node, leased jobs and deliveries are tried again when their leases run out)", config.shutdownTimeoutSeconds());
    }
    // leaves the cluster, closes what is left (pools of verticles cut short included)
    awaitUntil(vertx.close(), System.nanoTime() + 10_000_000_000L);
    database.close();
    LOG.info("Parley stopped");
    return inTime;
  }

  private static boolean awaitUntil(Future<?> future, long deadlineNanos) {
    try {
      future.toCompletionStage().toCompletableFuture().get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      LOG.warn("Shutdown step failed: {}", e.getCause() == null ? e.toString() : e.getCause().getMessage());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
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
