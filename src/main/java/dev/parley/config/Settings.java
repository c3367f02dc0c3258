package dev.parley.config;

import dev.parley.common.RateLimit;
import dev.parley.config.Setting.Kind;
import dev.parley.config.Setting.Secrecy;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every setting of Parley, each declared once: environment variable, file key, values, default,
 * meaning (as the settings table of docs/configuration.md shows it; ConfigurationTableTest keeps
 * the two equal) and secrecy. {@link ParleyConfig} resolves and checks them all at start; its
 * accessors read them.
 *
 * <p>Adding a setting: one line here (in the group it belongs to; the table follows this order),
 * one accessor in ParleyConfig, and the row ConfigurationTableTest prints into docs/configuration.md.
 */
public final class Settings {
  private Settings() {}

  private static final List<Setting<?>> REGISTERED = new ArrayList<>();
  private static final int MAX = Integer.MAX_VALUE;

  // --- the configuration file and the database (environment only, as for libpq) ---
  public static final Setting<String> PARLEY_CONFIG = add(text("PARLEY_CONFIG", null, null,
    "the configuration file; when set, it must exist and hold a JSON object ([below](#the-configuration-file))")
    .defaultShownAs("`conf/config.json` beside the jar, else in the working directory"));
  public static final Setting<String> DATABASE_URL = add(databaseUrl());
  public static final Setting<String> PGHOST = add(text("PGHOST", null, null,
    "libpq: the server's host, when `DATABASE_URL` is unset (a socket directory means localhost)").defaultShownAs("`localhost`"));
  public static final Setting<Integer> PGPORT = add(integer("PGPORT", null, null, 1, 65_535, "libpq: the server's port")
    .defaultShownAs("`5432`"));
  public static final Setting<String> PGUSER = add(text("PGUSER", null, null, "libpq: the user").defaultShownAs("the OS user"));
  public static final Setting<String> PGPASSWORD = add(text("PGPASSWORD", null, null,
    "libpq: the password (else `~/.pgpass`, else none)").secret());
  public static final Setting<String> PGDATABASE = add(text("PGDATABASE", null, null, "libpq: the database")
    .defaultShownAs("the user name"));
  public static final Setting<String> PGSSLMODE = add(text("PGSSLMODE", null, null,
    "libpq: TLS to PostgreSQL, `disable`, `allow`, `prefer`, `require`, `verify-ca` or `verify-full`; `sslmode` in `DATABASE_URL` wins ([below](#tls-to-postgresql))")
    .defaultShownAs("`prefer`"));
  public static final Setting<String> PGSSLROOTCERT = add(text("PGSSLROOTCERT", null, null,
    "libpq: the root certificate (PEM) the server's certificate is checked against; `sslrootcert` in `DATABASE_URL` wins")
    .defaultShownAs("`~/.postgresql/root.crt` when it exists"));
  public static final Setting<Integer> PARLEY_EMBEDDED_PG_PORT = add(integer("PARLEY_EMBEDDED_PG_PORT", null, 54_329, 1, 65_535,
    "the embedded PostgreSQL's port"));
  public static final Setting<String> PARLEY_DATA_DIR = add(path("PARLEY_DATA_DIR", "dataDir", "./data",
    "the embedded PostgreSQL's home (`postgres/`), relative to the working directory"));
  public static final Setting<Integer> PARLEY_DB_POOL_SIZE = add(integer("PARLEY_DB_POOL_SIZE", "dbPoolSize", 8, 1, MAX,
    "PostgreSQL connections of a node's pool: transactions and writes ([below](#connections-to-postgresql))"));
  public static final Setting<Integer> PARLEY_DB_READ_CONNECTIONS = add(integer("PARLEY_DB_READ_CONNECTIONS", "dbReadConnections", 8, 1, MAX,
    "PostgreSQL connections of a node for single-statement reads, in all, whatever its core count"));

  // --- HTTP ---
  public static final Setting<Integer> HTTP_PORT = add(integer("HTTP_PORT", "httpPort", 8080, 1, 65_535, "the port the API listens on"));
  public static final Setting<String> HTTP_HOST = add(text("HTTP_HOST", "httpHost", "0.0.0.0", "the address the API listens on"));
  public static final Setting<String> PARLEY_PUBLIC_URL = add(url("PARLEY_PUBLIC_URL", "publicUrl", null,
    "the base URL providers and clients reach this server at").defaultShownAs("`http://localhost:$HTTP_PORT`"));
  public static final Setting<Integer> PARLEY_MAX_BODY_BYTES = add(integer("PARLEY_MAX_BODY_BYTES", "maxBodyBytes", 262_144, 1, MAX,
    "largest request body (larger gets 413)"));
  public static final Setting<Integer> PARLEY_EVENT_LOOPS = add(integer("PARLEY_EVENT_LOOPS", "eventLoops", 0, 0, MAX,
    "event loops of the node (0: one per core); also the HTTP, bus-API and persistence verticle instances"));
  public static final Setting<Integer> PARLEY_HTTP_INSTANCES = add(integer("PARLEY_HTTP_INSTANCES", "httpInstances", 0, 0, MAX,
    "HTTP verticle instances (0: one per event loop)"));
  public static final Setting<String> PARLEY_DEFAULT_RATE_LIMIT = add(rateLimit("PARLEY_DEFAULT_RATE_LIMIT", "defaultRateLimit", "60/2000",
    "requests per key (or JWT subject) without a limit of its own, `MINUTE/HOUR`, `0/0` for none ([api.md](api.md#rate-limits))"));
  public static final Setting<Integer> PARLEY_KEY_CACHE_SECONDS = add(integer("PARLEY_KEY_CACHE_SECONDS", "keyCacheSeconds", 5, 0, MAX,
    "how long a checked API key is trusted (revocation delay), and an unknown one remembered"));
  public static final Setting<String> PARLEY_AUTH_FAILURE_LIMIT = add(rateLimit("PARLEY_AUTH_FAILURE_LIMIT", "authFailureLimit", "30/300",
    "failed authentications per client address, `MINUTE/HOUR`, across the cluster; past it, an API key that is not "
      + "cached as valid gets 429 without a database lookup ([api.md](api.md#rate-limits)); `0/0` for none"));
  public static final Setting<Integer> PARLEY_MANAGEMENT_PORT = add(integer("PARLEY_MANAGEMENT_PORT", "managementPort", null, 1, 65_535,
    "a listener of its own for `/metrics` and the health endpoints (then `/metrics` leaves `HTTP_PORT`); unset: all on `HTTP_PORT`"));
  public static final Setting<String> PARLEY_LOG_FORMAT = add(oneOf("PARLEY_LOG_FORMAT", "logFormat", "text",
    "log lines on stderr: `text`, or `json` (one JSON object a line) ([logging.md](logging.md))", "text", "json"));
  public static final Setting<Integer> PARLEY_GDPR_SWEEP_SECONDS = add(integer("PARLEY_GDPR_SWEEP_SECONDS", "gdprSweepSeconds", 600, 1, MAX,
    "how often a node erases the candidates whose `gdprExpiryDate` has passed, with their interviews ([api.md](api.md#candidates-expiry))"));
  public static final Setting<Integer> PARLEY_METRICS_DB_READ_MS = add(integer("PARLEY_METRICS_DB_READ_MS", "metricsDatabaseReadMillis", 10_000, 1, MAX,
    "how often each node reads the database-wide figures of `/metrics` (slots, open circuits, pending deliveries) from PostgreSQL ([operations.md](operations.md#metrics))"));
  public static final Setting<Integer> PARLEY_SHUTDOWN_DRAIN_SECONDS = add(integer("PARLEY_SHUTDOWN_DRAIN_SECONDS", "shutdownDrainSeconds", 5, 0, MAX,
    "after `TERM`, how long the node serves on with readiness 503, so load balancers take it out ([operations.md](operations.md#shutdown))"));
  public static final Setting<Integer> PARLEY_SHUTDOWN_TIMEOUT_SECONDS = add(integer("PARLEY_SHUTDOWN_TIMEOUT_SECONDS", "shutdownTimeoutSeconds", 20, 0, MAX,
    "then, how long requests, bus requests, dials and background work under way may take to end"));

  // --- the server's secrets (docs/operations.md#secrets): never kept in PostgreSQL ---
  public static final Setting<String> PARLEY_SECRETS_FILE = add(path("PARLEY_SECRETS_FILE", "secretsFile", null,
    "a JSON file, readable by the server's user only, with the JWT keys and the API-key peppers ([operations.md](operations.md#secrets))")
    .defaultShownAs("none; a single node without `DATABASE_URL` generates `secrets.json` into `PARLEY_DATA_DIR`"));
  public static final Setting<String> PARLEY_JWT_SECRET = add(text("PARLEY_JWT_SECRET", "jwtSecret", null,
    "HS256 key of the JWTs, key ID `default` (instead of the secrets file's `jwtKeys`)").secret());
  public static final Setting<String> PARLEY_JWT_KEYS = add(new Setting<>("PARLEY_JWT_KEYS", "jwtKeys",
    new Kind<>("kid1=secret1,kid2=secret2", Settings::isText, text -> {
      jwtKeyPairs(text);
      return text;
    }), null, null, "several HS256 keys by key ID, `kid1=secret1,kid2=secret2`: the first signs, all verify (instead of `PARLEY_JWT_SECRET`)",
    Secrecy.WHOLE));
  public static final Setting<String> PARLEY_KEY_PEPPERS = add(new Setting<>("PARLEY_KEY_PEPPERS", "keyPeppers",
    new Kind<>("version1=hex,version2=hex, each at least 32 hex digits", Settings::isText, text -> {
      pepperPairs(text);
      return text;
    }), null, null, "the keys API keys are hashed under, by version, `p2=hex,p1=hex`: the first hashes new keys, all find keys "
      + "(instead of the secrets file's `keyPeppers`)", Secrecy.WHOLE));

  // --- JWTs ---
  public static final Setting<String> PARLEY_JWT_ISSUER = add(text("PARLEY_JWT_ISSUER", "jwtIssuer", "parley", "enforced `iss` of the JWTs"));
  public static final Setting<String> PARLEY_JWT_AUDIENCE = add(text("PARLEY_JWT_AUDIENCE", "jwtAudience", "parley", "enforced `aud` of the JWTs"));

  // --- the voice provider (docs/providers.md) ---
  public static final Setting<String> PARLEY_PROVIDER = add(oneOf("PARLEY_PROVIDER", "provider", "simulator",
    "the voice-agent provider of live interviews: `simulator`, `http`, `vapi` or `retell` (test interviews always use the simulator)",
    "simulator", "http", "vapi", "retell"));
  public static final Setting<String> PARLEY_PROVIDER_URL = add(url("PARLEY_PROVIDER_URL", "providerUrl", null,
    "the `http` provider's base URL (needed with `http`)"));
  public static final Setting<String> PARLEY_PROVIDER_SECRET = add(text("PARLEY_PROVIDER_SECRET", "providerSecret", null,
    "the secret both sides sign with (needed with `http`)").secret());
  public static final Setting<Integer> PARLEY_PROVIDER_TIMEOUT_MS = add(integer("PARLEY_PROVIDER_TIMEOUT_MS", "providerTimeoutMillis", 10_000, 1, MAX,
    "how long a provider may take to answer one request (a create, a cancel, a lookup), start to end"));
  public static final Setting<Integer> PARLEY_PROVIDER_MAX_CONNECTIONS = add(integer("PARLEY_PROVIDER_MAX_CONNECTIONS", "providerMaxConnections", 256, 1, MAX,
    "connections to the provider (dials run side by side)"));
  public static final Setting<Integer> PARLEY_PROVIDER_RECONCILE_GRACE_MS = add(integer("PARLEY_PROVIDER_RECONCILE_GRACE_MS", "providerReconcileGraceMillis", 30_000, 0, MAX,
    "`vapi`, `retell`: after a create whose answer was lost, how long Parley looks for the call it may have made before it dials again"));
  public static final Setting<Double> PARLEY_PROVIDER_CALLS_PER_SECOND = add(new Setting<>("PARLEY_PROVIDER_CALLS_PER_SECOND", "providerCallsPerSecond",
    decimal(0, 1000), null, "`1` for `retell`, `10` for `vapi`, `0` (unpaced) otherwise",
    "creates per second one node sends to the provider (`0`: unpaced)", Secrecy.NONE));
  public static final Setting<Integer> PARLEY_PROVIDER_BUSY_RETRY_SECONDS = add(integer("PARLEY_PROVIDER_BUSY_RETRY_SECONDS", "providerBusyRetrySeconds", 30, 0, MAX,
    "a call the provider refused for its concurrency or rate limit is queued again this much later (not a failed attempt)"));
  public static final Setting<Integer> PARLEY_PROVIDER_END_REPORT_WAIT_SECONDS = add(integer("PARLEY_PROVIDER_END_REPORT_WAIT_SECONDS", "providerEndReportWaitSeconds", 60, 1, MAX,
    "`vapi`: after a call's status-update `ended`, how long its end-of-call report may take before Parley asks Vapi for the call"));
  public static final Setting<Integer> PARLEY_PROVIDER_EVENT_MAX_BYTES = add(integer("PARLEY_PROVIDER_EVENT_MAX_BYTES", "providerEventMaxBytes", 4 * 1024 * 1024, 1, MAX,
    "largest webhook body a platform may post (a long call's end-of-call report carries its whole transcript)"));
  public static final Setting<Integer> PARLEY_DIAL_LEASE_SECONDS = add(integer("PARLEY_DIAL_LEASE_SECONDS", "dialLeaseSeconds", 60, 1, MAX,
    "how long a claimed call may stay undialled before another node takes its dial over (its node died)"));
  public static final Setting<String> PARLEY_VAPI_API_KEY = add(text("PARLEY_VAPI_API_KEY", "vapiApiKey", null,
    "`vapi`: the private API key (needed with `vapi`)").secret());
  public static final Setting<String> PARLEY_VAPI_BASE_URL = add(url("PARLEY_VAPI_BASE_URL", "vapiBaseUrl", "https://api.vapi.ai",
    "`vapi`: the API's base URL"));
  public static final Setting<String> PARLEY_VAPI_VOICES = add(path("PARLEY_VAPI_VOICES", "vapiVoices", null,
    "`vapi`: a JSON file that replaces the voice and transcriber table ([providers.md](providers.md#voices-and-languages))")
    .defaultShownAs("the table in providers.md"));
  public static final Setting<String> PARLEY_RETELL_API_KEY = add(text("PARLEY_RETELL_API_KEY", "retellApiKey", null,
    "`retell`: the API key, one with the webhook badge: it also signs Retell's webhooks (needed with `retell`)").secret());
  public static final Setting<String> PARLEY_RETELL_BASE_URL = add(url("PARLEY_RETELL_BASE_URL", "retellBaseUrl", "https://api.retellai.com",
    "`retell`: the API's base URL"));
  public static final Setting<String> PARLEY_RETELL_AGENT_ID = add(text("PARLEY_RETELL_AGENT_ID", "retellAgentId", null,
    "`retell`: the template agent every call overrides ([providers.md](providers.md#retell)) (needed with `retell`)"));
  public static final Setting<Integer> PARLEY_SIMULATOR_RING_MS = add(integer("PARLEY_SIMULATOR_RING_MS", "simulatorRingMillis", 1500, 0, MAX,
    "the simulator: how long a call rings"));
  public static final Setting<Integer> PARLEY_SIMULATOR_TALK_MS = add(integer("PARLEY_SIMULATOR_TALK_MS", "simulatorTalkMillis", 8000, 0, MAX,
    "the simulator: how long an answered call talks"));
  public static final Setting<Integer> PARLEY_SIMULATOR_LONG_CALL_MS = add(integer("PARLEY_SIMULATOR_LONG_CALL_MS", "simulatorLongCallMillis", 120_000, 0, MAX,
    "the simulator: how long its long calls last"));

  // --- calls ---
  public static final Setting<Integer> PARLEY_RETRY_COUNT = add(integer("PARLEY_RETRY_COUNT", "retryCount", 2, 0, MAX,
    "retries after no answer, busy, voicemail or a provider error"));
  public static final Setting<Integer> PARLEY_RETRY_DELAY_SECONDS = add(integer("PARLEY_RETRY_DELAY_SECONDS", "retryDelaySeconds", 900, 0, MAX,
    "the wait before a retry"));
  public static final Setting<Integer> PARLEY_LEASE_GRACE_SECONDS = add(integer("PARLEY_LEASE_GRACE_SECONDS", "leaseGraceSeconds", 600, 0, MAX,
    "a live call's lease is the agent's duration plus this grace; then its slot is reclaimed"));
  public static final Setting<Integer> PARLEY_LEASE_SECONDS = add(integer("PARLEY_LEASE_SECONDS", "leaseSeconds", 0, 0, MAX,
    "when above 0, every lease is this long instead"));
  public static final Setting<Integer> PARLEY_DISPATCH_POLL_MS = add(integer("PARLEY_DISPATCH_POLL_MS", "dispatchPollMillis", 500, 1, MAX,
    "the dispatcher's poll: how other nodes see a new attempt, and the backstop"));
  public static final Setting<Integer> PARLEY_LEASE_CHECK_MS = add(integer("PARLEY_LEASE_CHECK_MS", "leaseCheckMillis", 2000, 1, MAX,
    "how often live calls are checked for expired leases"));

  // --- after the call ---
  public static final Setting<Integer> PARLEY_POSTCALL_LEASE_SECONDS = add(integer("PARLEY_POSTCALL_LEASE_SECONDS", "postCallLeaseSeconds", 120, 1, MAX,
    "how long a post-call job is its worker's before another node may take it (longer than the recording download plus the analysis)"));
  public static final Setting<Long> PARLEY_RECORDING_MAX_BYTES = add(new Setting<>("PARLEY_RECORDING_MAX_BYTES", "recordingMaxBytes",
    wholeNumber(1L, Long.MAX_VALUE, Long::parseLong), 50L * 1024 * 1024, "`52428800` (50 MB)", "largest recording downloaded", Secrecy.NONE));
  public static final Setting<Integer> PARLEY_RECORDING_TIMEOUT_MS = add(integer("PARLEY_RECORDING_TIMEOUT_MS", "recordingTimeoutMillis", 30_000, 1, MAX,
    "how long a recording download may take"));
  public static final Setting<String> PARLEY_ANALYSIS_PROVIDER = add(oneOf("PARLEY_ANALYSIS_PROVIDER", "analysisProvider", "rules",
    "the transcript analyzer: `rules` or `openai`", "rules", "openai"));
  public static final Setting<String> PARLEY_ANALYSIS_BASE_URL = add(url("PARLEY_ANALYSIS_BASE_URL", "analysisBaseUrl",
    "https://api.openai.com/v1", "the OpenAI-compatible analyzer's base URL"));
  public static final Setting<String> PARLEY_ANALYSIS_MODEL = add(text("PARLEY_ANALYSIS_MODEL", "analysisModel", "gpt-4o-mini",
    "the analyzer's model"));
  public static final Setting<String> PARLEY_ANALYSIS_API_KEY = add(text("PARLEY_ANALYSIS_API_KEY", "analysisApiKey", null,
    "the analyzer's bearer token").secret());
  public static final Setting<Integer> PARLEY_ANALYSIS_TIMEOUT_MS = add(integer("PARLEY_ANALYSIS_TIMEOUT_MS", "analysisTimeoutMillis", 30_000, 1, MAX,
    "how long an analysis may take"));

  // --- webhooks ---
  public static final Setting<Boolean> PARLEY_WEBHOOKS_ALLOW_PRIVATE = add(flag("PARLEY_WEBHOOKS_ALLOW_PRIVATE", "webhooksAllowPrivate", false,
    "allow webhook targets on loopback and private networks"));
  public static final Setting<Integer> PARLEY_WEBHOOK_RETRY_BASE_MS = add(integer("PARLEY_WEBHOOK_RETRY_BASE_MS", "webhookRetryBaseMillis", 30_000, 1, MAX,
    "the first wait before a delivery is tried again; each next one twice as long (with jitter)"));
  public static final Setting<Integer> PARLEY_WEBHOOK_RETRY_MAX_MS = add(integer("PARLEY_WEBHOOK_RETRY_MAX_MS", "webhookRetryMaxMillis", 3_600_000, 1, MAX,
    "the longest wait between two tries of a delivery"));
  public static final Setting<Integer> PARLEY_WEBHOOK_MAX_ATTEMPTS = add(integer("PARLEY_WEBHOOK_MAX_ATTEMPTS", "webhookMaxAttempts", 8, 1, MAX,
    "tries of one delivery before it is `FAILED`"));
  public static final Setting<Integer> PARLEY_WEBHOOK_CIRCUIT_THRESHOLD = add(integer("PARLEY_WEBHOOK_CIRCUIT_THRESHOLD", "webhookCircuitThreshold", 10, 1, MAX,
    "consecutive failed tries that open a subscription's circuit"));
  public static final Setting<Integer> PARLEY_WEBHOOK_TIMEOUT_MS = add(integer("PARLEY_WEBHOOK_TIMEOUT_MS", "webhookTimeoutMillis", 10_000, 1, MAX,
    "how long one webhook send may take"));
  public static final Setting<Integer> PARLEY_WEBHOOK_POLL_MS = add(integer("PARLEY_WEBHOOK_POLL_MS", "webhookPollMillis", 500, 1, MAX,
    "the webhook outbox's poll"));

  // --- outbound requests (webhooks' own switch above) ---
  public static final Setting<String> PARLEY_OUTBOUND_ALLOW = add(new Setting<>("PARLEY_OUTBOUND_ALLOW", "outboundAllow",
    new Kind<>("a comma-separated list of address[/prefix][:port], e.g. 10.0.0.5:8443,[::1]:9000", Settings::isText, text -> {
      dev.parley.outbound.AllowedTargets.parse(text);
      return text;
    }), null, null, "special-purpose addresses (private, loopback, ...) that URLs a platform supplied (recordings, "
      + "Vapi's control URLs) may reach anyway: `address[/prefix][:port],…` ([providers.md](providers.md#recordings))", Secrecy.NONE));

  // --- cluster mode (docs/cluster.md) ---
  public static final Setting<Boolean> CLUSTER = add(flag("CLUSTER", "cluster", false, "join a cluster ([cluster.md](cluster.md))"));
  public static final Setting<String> PARLEY_CLUSTER_NAME = add(text("PARLEY_CLUSTER_NAME", "clusterName", "parley",
    "Hazelcast cluster name; nodes with another name never join"));
  public static final Setting<String> PARLEY_CLUSTER_MEMBERS = add(new Setting<>("PARLEY_CLUSTER_MEMBERS", "clusterMembers",
    new Kind<>("a comma-separated list of host, host:port or host:port-port", Settings::isText, text -> {
      ClusterMembers.parse(text);
      return text;
    }), "127.0.0.1:5701", null,
    "the TCP-IP member list, `host:port,…` (`host` alone means port 5701; `host:5701-5703` each port of the range)", Secrecy.NONE));
  public static final Setting<String> PARLEY_CLUSTER_HOST = add(text("PARLEY_CLUSTER_HOST", "clusterHost", "127.0.0.1",
    "the address this node binds and announces, for Hazelcast and the event bus"));
  public static final Setting<Integer> PARLEY_CLUSTER_PORT = add(integer("PARLEY_CLUSTER_PORT", "clusterPort", 5701, 1, 65_535,
    "Hazelcast's port; the next free one is taken when it is busy"));
  public static final Setting<Integer> PARLEY_CLUSTER_BUS_PORT = add(integer("PARLEY_CLUSTER_BUS_PORT", "clusterBusPort", 0, 0, 65_535,
    "the event bus's own TCP port (announced through Hazelcast); `0` takes a free one"));
  public static final Setting<Boolean> PARLEY_CLUSTER_KUBERNETES = add(flag("PARLEY_CLUSTER_KUBERNETES", "clusterKubernetes", false,
    "find members through Hazelcast's Kubernetes discovery instead of the member list"));
  public static final Setting<String> PARLEY_CLUSTER_KUBERNETES_SERVICE = add(text("PARLEY_CLUSTER_KUBERNETES_SERVICE", "clusterKubernetesService", null,
    "with Kubernetes discovery, the service whose endpoints are the members").defaultShownAs("all pods of the namespace"));
  public static final Setting<String> PARLEY_CLUSTER_TLS_CERT = add(path("PARLEY_CLUSTER_TLS_CERT", "clusterTlsCert", null,
    "event-bus TLS with mutual authentication (all three files or none): this node's certificate chain (PEM)"));
  public static final Setting<String> PARLEY_CLUSTER_TLS_KEY = add(path("PARLEY_CLUSTER_TLS_KEY", "clusterTlsKey", null,
    "… its private key (PEM, PKCS#8 or PKCS#1)"));
  public static final Setting<String> PARLEY_CLUSTER_TLS_CA = add(path("PARLEY_CLUSTER_TLS_CA", "clusterTlsCa", null,
    "… and the CA (PEM) that signs every node's certificate"));

  /** Every setting, in the order of the table. */
  public static final List<Setting<?>> ALL = Collections.unmodifiableList(REGISTERED);

  private static <T> Setting<T> add(Setting<T> setting) {
    for (Setting<?> s : REGISTERED) {
      if (s.variable().equals(setting.variable()) || (s.key() != null && s.key().equals(setting.key()))) {
        throw new IllegalStateException("two settings named " + setting.variable() + " / " + setting.key());
      }
    }
    REGISTERED.add(setting);
    return setting;
  }

  /** The setting read from this environment variable, or null. */
  static Setting<?> byVariable(String variable) {
    for (Setting<?> s : ALL) if (variable.equals(s.variable())) return s;
    return null;
  }

  /** The setting whose file key this is, or null. */
  static Setting<?> byKey(String key) {
    for (Setting<?> s : ALL) if (key.equals(s.key())) return s;
    return null;
  }

  /** {@code kid1=secret1,kid2=secret2} as ordered (key ID, secret) pairs. */
  static List<Map.Entry<String, String>> jwtKeyPairs(String text) {
    List<Map.Entry<String, String>> pairs = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (String entry : text.split(",")) {
      int eq = entry.indexOf('=');
      String id = eq < 0 ? "" : entry.substring(0, eq).trim(), secret = eq < 0 ? "" : entry.substring(eq + 1).trim();
      if (id.isEmpty() || secret.isEmpty() || !ids.add(id)) throw new IllegalArgumentException("kid1=secret1,kid2=secret2");
      pairs.add(new SimpleImmutableEntry<>(id, secret));
    }
    return pairs;
  }

  /** {@code version1=hex,version2=hex} as ordered (version, pepper) pairs; each pepper at least 16 bytes. */
  public static List<Map.Entry<String, byte[]>> pepperPairs(String text) {
    List<Map.Entry<String, byte[]>> peppers = new ArrayList<>();
    for (Map.Entry<String, String> pair : jwtKeyPairs(text)) peppers.add(new SimpleImmutableEntry<>(pair.getKey(), pepper(pair.getValue())));
    return peppers;
  }

  /** A pepper written as hex: at least 32 hex digits (16 bytes), as {@code openssl rand -hex 32} prints 64. */
  public static byte[] pepper(String hex) {
    if (hex.length() < 32 || hex.length() % 2 != 0) throw new IllegalArgumentException("at least 32 hex digits");
    try {
      return java.util.HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("at least 32 hex digits");
    }
  }

  // --- kinds of values ---

  private static boolean isText(Object json) {
    return json instanceof String;
  }

  private static <N extends Comparable<N>> Kind<N> wholeNumber(N min, N max, java.util.function.Function<String, N> parse) {
    String range = max.equals(Integer.MAX_VALUE) || max.equals(Long.MAX_VALUE) ? "a whole number, at least " + min
      : "a whole number from " + min + " to " + max;
    return new Kind<>(range, json -> json instanceof Integer || json instanceof Long, text -> {
      N n = parse.apply(text); // NumberFormatException is an IllegalArgumentException
      if (n.compareTo(min) < 0 || n.compareTo(max) > 0) throw new IllegalArgumentException(range);
      return n;
    });
  }

  /** A decimal number from min to max (a rate). */
  private static Kind<Double> decimal(double min, double max) {
    String range = "a number from " + (long) min + " to " + (long) max;
    return new Kind<>(range, json -> json instanceof Number, text -> {
      double d = Double.parseDouble(text); // NumberFormatException is an IllegalArgumentException
      if (!(d >= min && d <= max)) throw new IllegalArgumentException(range);
      return d;
    });
  }

  private static Setting<Integer> integer(String variable, String key, Integer defaultValue, int min, int max, String meaning) {
    return new Setting<>(variable, key, wholeNumber(min, max, Integer::parseInt), defaultValue, null, meaning, Secrecy.NONE);
  }

  private static Setting<Boolean> flag(String variable, String key, boolean defaultValue, String meaning) {
    return new Setting<>(variable, key, new Kind<>("true or false", json -> json instanceof Boolean, text -> {
      if (text.equalsIgnoreCase("true")) return true;
      if (text.equalsIgnoreCase("false")) return false;
      throw new IllegalArgumentException("true or false");
    }), defaultValue, null, meaning, Secrecy.NONE);
  }

  private static Setting<String> text(String variable, String key, String defaultValue, String meaning) {
    return new Setting<>(variable, key, new Kind<>("a text", Settings::isText, text -> text), defaultValue, null, meaning, Secrecy.NONE);
  }

  private static Setting<String> path(String variable, String key, String defaultValue, String meaning) {
    return new Setting<>(variable, key, new Kind<>("a file path", Settings::isText, text -> Path.of(text).toString()),
      defaultValue, null, meaning, Secrecy.NONE);
  }

  private static Setting<String> oneOf(String variable, String key, String defaultValue, String meaning, String... words) {
    String expected = "one of " + String.join(", ", words);
    return new Setting<>(variable, key, new Kind<>(expected, Settings::isText, text -> {
      String word = text.toLowerCase(Locale.ROOT);
      if (!List.of(words).contains(word)) throw new IllegalArgumentException(expected);
      return word;
    }), defaultValue, null, meaning, Secrecy.NONE);
  }

  private static Setting<String> url(String variable, String key, String defaultValue, String meaning) {
    return new Setting<>(variable, key, new Kind<>("an http:// or https:// URL", Settings::isText, text -> {
      try {
        URI uri = new URI(text);
        if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) || uri.getHost() == null) {
          throw new IllegalArgumentException("an http:// or https:// URL");
        }
        return text;
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("an http:// or https:// URL");
      }
    }), defaultValue, null, meaning, Secrecy.URL_PASSWORD);
  }

  private static Setting<String> rateLimit(String variable, String key, String defaultValue, String meaning) {
    return new Setting<>(variable, key, new Kind<>("MINUTE/HOUR, two whole numbers such as 60/2000 (0/0 for none)", Settings::isText,
      text -> RateLimit.parse(text).toString()), defaultValue, null, meaning, Secrecy.NONE);
  }

  /** DATABASE_URL: checked where it is used (DatabaseUrl); its password never shown. */
  private static Setting<String> databaseUrl() {
    return new Setting<>("DATABASE_URL", null, new Kind<>("a postgresql:// URL", Settings::isText, text -> text), null, null,
      "`postgresql://user:pass@host:port/db` (also `postgres://`, `jdbc:postgresql://`); else the `PG*` variables "
        + "([below](#finding-postgresql))", Secrecy.URL_PASSWORD);
  }
}
