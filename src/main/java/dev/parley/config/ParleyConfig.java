package dev.parley.config;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Server configuration: {@code conf/config.json} (or the file named by {@code PARLEY_CONFIG}),
 * overridden by environment variables. The keys of the file are the camel-case names below; the
 * variables are those of SPEC section 8. docs/configuration.md lists them all.
 */
public final class ParleyConfig {
  private final JsonObject file;
  private final Map<String, String> env;

  private ParleyConfig(JsonObject file, Map<String, String> env) {
    this.file = file;
    this.env = Map.copyOf(env);
  }

  /** The configuration of this process: its environment and the config file. */
  public static ParleyConfig load() {
    return load(System.getenv());
  }

  public static ParleyConfig load(Map<String, String> env) {
    Path path = Path.of(env.getOrDefault("PARLEY_CONFIG", "conf/config.json"));
    JsonObject file = new JsonObject();
    if (Files.isRegularFile(path)) {
      try {
        file = new JsonObject(Files.readString(path));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + path, e);
      }
    }
    return new ParleyConfig(file, env);
  }

  /** A copy with some variables replaced (tests and the CLI's --database-url use this). */
  public ParleyConfig withEnv(Map<String, String> overrides) {
    Map<String, String> merged = new HashMap<>(env);
    merged.putAll(overrides);
    return new ParleyConfig(file, merged);
  }

  /** The environment as the database resolver sees it (DATABASE_URL, PG* variables). */
  public Map<String, String> env() {
    return env;
  }

  private String string(String variable, String key, String fallback) {
    String v = env.get(variable);
    if (v != null && !v.isBlank()) return v.trim();
    Object f = file.getValue(key);
    return f == null ? fallback : f.toString();
  }

  private int integer(String variable, String key, int fallback) {
    String v = string(variable, key, null);
    if (v == null) return fallback;
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(variable + " must be a whole number, got '" + v + "'");
    }
  }

  private boolean bool(String variable, String key, boolean fallback) {
    String v = string(variable, key, null);
    return v == null ? fallback : Boolean.parseBoolean(v);
  }

  public int httpPort() { return integer("HTTP_PORT", "httpPort", 8080); }
  public String httpHost() { return string("HTTP_HOST", "httpHost", "0.0.0.0"); }
  public String provider() { return string("PARLEY_PROVIDER", "provider", "simulator"); }
  public String providerUrl() { return string("PARLEY_PROVIDER_URL", "providerUrl", null); }
  public String providerSecret() { return string("PARLEY_PROVIDER_SECRET", "providerSecret", null); }
  /** How long the http provider may take to answer a dial or a cancel before it is tried again. */
  public int providerTimeoutMillis() { return integer("PARLEY_PROVIDER_TIMEOUT_MS", "providerTimeoutMillis", 10_000); }
  /** Connections to the http provider: dials run side by side, one connection each. */
  public int providerMaxConnections() { return integer("PARLEY_PROVIDER_MAX_CONNECTIONS", "providerMaxConnections", 256); }
  public String publicUrl() { return string("PARLEY_PUBLIC_URL", "publicUrl", "http://localhost:" + httpPort()); }
  public boolean webhooksAllowPrivate() { return bool("PARLEY_WEBHOOKS_ALLOW_PRIVATE", "webhooksAllowPrivate", false); }
  public String jwtSecret() { return string("PARLEY_JWT_SECRET", "jwtSecret", null); }
  public String jwtKeys() { return string("PARLEY_JWT_KEYS", "jwtKeys", null); }
  public String jwtIssuer() { return string("PARLEY_JWT_ISSUER", "jwtIssuer", "parley"); }
  public String jwtAudience() { return string("PARLEY_JWT_AUDIENCE", "jwtAudience", "parley"); }
  public Path dataDir() { return Path.of(string("PARLEY_DATA_DIR", "dataDir", "./data")); }
  public String defaultRateLimit() { return string("PARLEY_DEFAULT_RATE_LIMIT", "defaultRateLimit", "60/2000"); }
  // --- cluster mode (SPEC section 9, docs/cluster.md) ---
  public boolean cluster() { return bool("CLUSTER", "cluster", false); }
  /** Hazelcast cluster name: nodes with another name never join. */
  public String clusterName() { return string("PARLEY_CLUSTER_NAME", "clusterName", "parley"); }
  /** Comma-separated host:port list for Hazelcast's TCP-IP join. */
  public String clusterMembers() { return string("PARLEY_CLUSTER_MEMBERS", "clusterMembers", "127.0.0.1:5701"); }
  /** The address this node binds and announces, for Hazelcast and the event bus. */
  public String clusterHost() { return string("PARLEY_CLUSTER_HOST", "clusterHost", "127.0.0.1"); }
  /** Hazelcast's port; the next free one is taken when it is busy. */
  public int clusterPort() { return integer("PARLEY_CLUSTER_PORT", "clusterPort", 5701); }
  /** The event bus's own TCP port; 0 picks a free one (it is announced through Hazelcast). */
  public int clusterBusPort() { return integer("PARLEY_CLUSTER_BUS_PORT", "clusterBusPort", 0); }
  /** Discover members through Hazelcast's Kubernetes discovery instead of the member list. */
  public boolean clusterKubernetes() { return bool("PARLEY_CLUSTER_KUBERNETES", "clusterKubernetes", false); }
  /** With Kubernetes discovery: the service whose endpoints are the members (all pods of the namespace when unset). */
  public String clusterKubernetesService() { return string("PARLEY_CLUSTER_KUBERNETES_SERVICE", "clusterKubernetesService", null); }
  /** Event-bus TLS with mutual authentication: this node's certificate chain (PEM). */
  public String clusterTlsCert() { return string("PARLEY_CLUSTER_TLS_CERT", "clusterTlsCert", null); }
  /** ... its private key (PEM, PKCS#8 or PKCS#1). */
  public String clusterTlsKey() { return string("PARLEY_CLUSTER_TLS_KEY", "clusterTlsKey", null); }
  /** ... and the CA (PEM) that every node's and client's certificate must be signed by. */
  public String clusterTlsCa() { return string("PARLEY_CLUSTER_TLS_CA", "clusterTlsCa", null); }
  /** How long a checked API key is trusted before it is read again; a revocation takes effect within it. */
  public int keyCacheSeconds() { return integer("PARLEY_KEY_CACHE_SECONDS", "keyCacheSeconds", 5); }
  /** Largest request body accepted, in bytes (larger gets 413 PAYLOAD_TOO_LARGE). */
  public int maxBodyBytes() { return integer("PARLEY_MAX_BODY_BYTES", "maxBodyBytes", 256 * 1024); }
  /** Connections in the PostgreSQL pool of one node: transactions and writes. */
  public int dbPoolSize() { return integer("PARLEY_DB_POOL_SIZE", "dbPoolSize", 8); }
  /**
   * Pipelined connections of one node for single-statement reads, in all, whatever the core count
   * (docs/configuration.md, "Connections to PostgreSQL").
   */
  public int dbReadConnections() {
    int n = integer("PARLEY_DB_READ_CONNECTIONS", "dbReadConnections", 8);
    if (n < 1) throw new IllegalArgumentException("PARLEY_DB_READ_CONNECTIONS must be at least 1, got " + n);
    return n;
  }
  // --- call lifecycle (SPEC section 2) ---
  /** Retries after no answer, busy, voicemail or a provider failure. */
  public int retryCount() { return integer("PARLEY_RETRY_COUNT", "retryCount", 2); }
  public int retryDelaySeconds() { return integer("PARLEY_RETRY_DELAY_SECONDS", "retryDelaySeconds", 15 * 60); }
  /** A live call's lease is the agent's duration plus this grace; then its slot is reclaimed. */
  public int leaseGraceSeconds() { return integer("PARLEY_LEASE_GRACE_SECONDS", "leaseGraceSeconds", 10 * 60); }
  /** When set (> 0), every lease is this long instead: for tests and operators. */
  public int leaseSeconds() { return integer("PARLEY_LEASE_SECONDS", "leaseSeconds", 0); }
  /** The dispatcher's poll: how other nodes see a new attempt, and the backstop behind the wake-ups. */
  public int dispatchPollMillis() { return integer("PARLEY_DISPATCH_POLL_MS", "dispatchPollMillis", 500); }
  /** How often live calls are checked for expired leases. */
  public int leaseCheckMillis() { return integer("PARLEY_LEASE_CHECK_MS", "leaseCheckMillis", 2000); }
  public int simulatorRingMillis() { return integer("PARLEY_SIMULATOR_RING_MS", "simulatorRingMillis", 1500); }
  public int simulatorTalkMillis() { return integer("PARLEY_SIMULATOR_TALK_MS", "simulatorTalkMillis", 8000); }
  public int simulatorLongCallMillis() { return integer("PARLEY_SIMULATOR_LONG_CALL_MS", "simulatorLongCallMillis", 120_000); }
  /**
   * How long a post-call job is a worker's before another may take it (the worker died): longer
   * than its slowest step, the recording download plus the analysis.
   */
  public int postCallLeaseSeconds() { return integer("PARLEY_POSTCALL_LEASE_SECONDS", "postCallLeaseSeconds", 120); }
  public long recordingMaxBytes() { return integer("PARLEY_RECORDING_MAX_BYTES", "recordingMaxBytes", 50 * 1024 * 1024); }
  public int recordingTimeoutMillis() { return integer("PARLEY_RECORDING_TIMEOUT_MS", "recordingTimeoutMillis", 30_000); }
  public String analysisProvider() { return string("PARLEY_ANALYSIS_PROVIDER", "analysisProvider", "rules"); }
  public String analysisBaseUrl() { return string("PARLEY_ANALYSIS_BASE_URL", "analysisBaseUrl", null); }
  public String analysisModel() { return string("PARLEY_ANALYSIS_MODEL", "analysisModel", null); }
  public String analysisApiKey() { return string("PARLEY_ANALYSIS_API_KEY", "analysisApiKey", null); }
  public int analysisTimeoutMillis() { return integer("PARLEY_ANALYSIS_TIMEOUT_MS", "analysisTimeoutMillis", 30_000); }

  // --- webhooks (SPEC section 5) ---
  /** The first retry waits this long; each next one twice as long (with jitter). */
  public int webhookRetryBaseMillis() { return integer("PARLEY_WEBHOOK_RETRY_BASE_MS", "webhookRetryBaseMillis", 30_000); }
  /** The longest wait between two tries of a delivery. */
  public int webhookRetryMaxMillis() { return integer("PARLEY_WEBHOOK_RETRY_MAX_MS", "webhookRetryMaxMillis", 60 * 60_000); }
  /** Tries of one delivery before it is FAILED: 8 tries span about an hour with the default base. */
  public int webhookMaxAttempts() { return integer("PARLEY_WEBHOOK_MAX_ATTEMPTS", "webhookMaxAttempts", 8); }
  /** Consecutive failed tries that open a subscription's circuit (it stops sending until reset). */
  public int webhookCircuitThreshold() { return integer("PARLEY_WEBHOOK_CIRCUIT_THRESHOLD", "webhookCircuitThreshold", 10); }
  public int webhookTimeoutMillis() { return integer("PARLEY_WEBHOOK_TIMEOUT_MS", "webhookTimeoutMillis", 10_000); }
  public int webhookPollMillis() { return integer("PARLEY_WEBHOOK_POLL_MS", "webhookPollMillis", 500); }

  /** Event loops of the node; 0 means one per core. */
  public int eventLoops() { return integer("PARLEY_EVENT_LOOPS", "eventLoops", 0); }

  /** How log lines are written: {@code text} (plain lines) or {@code json} (one JSON object a line); docs/logging.md. */
  public String logFormat() {
    String v = string("PARLEY_LOG_FORMAT", "logFormat", "text").trim().toLowerCase(java.util.Locale.ROOT);
    if (!v.equals("text") && !v.equals("json")) {
      throw new IllegalArgumentException("PARLEY_LOG_FORMAT must be text or json, got '" + string("PARLEY_LOG_FORMAT", "logFormat", "") + "'");
    }
    return v;
  }

  /** HTTP verticle instances; 0 means one per event loop. */
  public int httpInstances() { return integer("PARLEY_HTTP_INSTANCES", "httpInstances", 0); }
}
