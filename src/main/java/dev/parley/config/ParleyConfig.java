package dev.parley.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration of a process: every setting of {@link Settings}, resolved and checked at once
 * when it is loaded. Each takes, in this order, a command-line option (the admin CLI's
 * {@code --database-url}), its environment variable, its key in the configuration file, its
 * default. The file is the one {@code PARLEY_CONFIG} names, else {@code conf/config.json} beside
 * the jar, else {@code conf/config.json} in the working directory (docs/configuration.md).
 *
 * <p>{@link #load} throws {@link ConfigException}, one line naming the setting, for an unknown
 * key in the file or a value a setting does not take; the accessors then cannot fail.
 */
public final class ParleyConfig {
  static final Path DEFAULT_FILE = Path.of("conf", "config.json");

  /** Where a value came from, as {@code admin config print} shows it. */
  public record Source(String text) {
    static final Source DEFAULT = new Source("default");

    static Source environment(Setting<?> s) {
      return new Source("env:" + s.variable());
    }

    static Source file(Path path) {
      return new Source("file:" + path);
    }

    static Source option(String name) {
      return new Source("option:" + name);
    }
  }

  private record Resolved(Object value, Source source) {}

  private record Option(String name, String value) {}

  private final Map<String, String> env;
  private final ConfigFile file;
  private final Map<Setting<?>, Option> options;
  private final Map<Setting<?>, Resolved> values = new IdentityHashMap<>();

  private ParleyConfig(Map<String, String> env, ConfigFile file, Map<Setting<?>, Option> options) {
    this.env = Map.copyOf(env);
    this.file = file;
    this.options = options;
    for (String key : file.json().fieldNames()) {
      if (Settings.byKey(key) == null) throw new ConfigException("unknown key \"" + key + "\" in " + file.path() + suggestion(key));
    }
    for (String variable : new java.util.TreeSet<>(env.keySet())) {
      if (variable.startsWith("PARLEY_") && Settings.byVariable(variable) == null && !NOT_SETTINGS.contains(variable)) {
        throw new ConfigException("unknown environment variable " + variable + variableSuggestion(variable));
      }
    }
    for (Setting<?> s : Settings.ALL) values.put(s, resolve(s));
    if ("http".equals(provider()) && (providerUrl() == null || providerSecret() == null)) {
      throw new ConfigException("PARLEY_PROVIDER=http needs PARLEY_PROVIDER_URL and PARLEY_PROVIDER_SECRET");
    }
    if ("vapi".equals(provider()) && vapiApiKey() == null) {
      throw new ConfigException("PARLEY_PROVIDER=vapi needs PARLEY_VAPI_API_KEY (the private key of the Vapi account)");
    }
    if ("retell".equals(provider()) && (retellApiKey() == null || retellAgentId() == null)) {
      throw new ConfigException("PARLEY_PROVIDER=retell needs PARLEY_RETELL_API_KEY and PARLEY_RETELL_AGENT_ID (the template agent)");
    }
    if (realPlatform() && get(Settings.PARLEY_PUBLIC_URL) == null) {
      throw new ConfigException("PARLEY_PROVIDER=" + provider() + " needs PARLEY_PUBLIC_URL: the https URL the platform posts call events to");
    }
  }

  /** The configuration of this process: its environment and the config file. */
  public static ParleyConfig load() {
    return load(System.getenv());
  }

  public static ParleyConfig load(Map<String, String> env) {
    return load(env, jarDirectory(), Path.of("").toAbsolutePath());
  }

  /** With the directory of the jar (null when not run from a jar) and the working directory given. */
  static ParleyConfig load(Map<String, String> env, Path jarDirectory, Path workingDirectory) {
    return new ParleyConfig(env, ConfigFile.find(nonBlank(env.get(Settings.PARLEY_CONFIG.variable())), jarDirectory, workingDirectory), Map.of());
  }

  /** A copy where a command-line option sets a setting (the admin CLI's --database-url): it wins over everything. */
  public ParleyConfig withOption(String option, Setting<?> setting, String value) {
    Map<Setting<?>, Option> more = new IdentityHashMap<>(options);
    more.put(setting, new Option(option, value));
    return new ParleyConfig(env, file, more);
  }

  /**
   * The environment as the database resolver sees it (DATABASE_URL, PG* variables), with the
   * command-line options in place of the variables they set.
   */
  public Map<String, String> env() {
    Map<String, String> merged = new HashMap<>(env);
    options.forEach((setting, option) -> merged.put(setting.variable(), option.value()));
    return merged;
  }

  /** The configuration file read, or null when there is none. */
  public Path file() {
    return file.path();
  }

  /** A conf/config.json in the working directory left unread because the one beside the jar wins, or null. */
  public Path ignoredFile() {
    return file.ignored();
  }

  /** A setting's value (its default when it is unset; null when it has none). */
  @SuppressWarnings("unchecked")
  public <T> T get(Setting<T> setting) {
    return (T) values.get(setting).value();
  }

  public Source source(Setting<?> setting) {
    return values.get(setting).source();
  }

  /**
   * The effective configuration as {@code admin config print} shows it: the file read and, for
   * every setting by variable, its key, its value (secrets masked) and where the value came from.
   */
  public JsonObject effective() {
    JsonObject settings = new JsonObject();
    for (Setting<?> s : Settings.ALL) {
      // PARLEY_PUBLIC_URL's default follows HTTP_PORT: show the URL in effect
      Object value = s == Settings.PARLEY_PUBLIC_URL ? publicUrl() : get(s);
      settings.put(s.variable(), new JsonObject().put("key", s.key()).put("value", s.shown(value)).put("source", source(s).text()));
    }
    JsonObject result = new JsonObject().put("configFile", file() == null ? null : file().toString());
    if (ignoredFile() != null) result.put("ignoredConfigFile", ignoredFile().toString());
    return result.put("settings", settings);
  }

  private Resolved resolve(Setting<?> s) {
    Option option = options.get(s);
    if (option != null) {
      return parsed(s, option.value().trim(), Source.option(option.name()), "option " + option.name() + " " + s.quoted(option.value()));
    }
    String text = nonBlank(env.get(s.variable()));
    if (text != null) {
      return parsed(s, text, Source.environment(s), s.variable() + "=" + s.quoted(text) + " from the environment");
    }
    Object json = s.key() == null ? null : file.json().getValue(s.key());
    if (json != null) {
      String where = "\"" + s.key() + "\": " + s.quoted(Json.encode(json)) + " in " + file.path() + " (" + s.variable() + ")";
      try {
        return new Resolved(s.fromFile(json), Source.file(file.path()));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(where + " must be " + s.expected());
      }
    }
    return new Resolved(s.defaultValue(), Source.DEFAULT);
  }

  private static Resolved parsed(Setting<?> s, String text, Source source, String where) {
    try {
      return new Resolved(s.parse(text), source);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(where + " must be " + s.expected());
    }
  }

  /**
   * PARLEY_ variables that are not the server's settings but those of Parley's own tools, which a
   * shell that starts the server may hold too: the bus-client example's credential, the tests'
   * database, the benchmarks' jar. The server ignores them; any other unknown PARLEY_ variable is
   * a misspelt setting and stops the start.
   */
  static final java.util.Set<String> NOT_SETTINGS = java.util.Set.of("PARLEY_TOKEN", "PARLEY_TEST_DATABASE_URL", "PARLEY_JAR");

  private static String variableSuggestion(String unknown) {
    // PARLEY_HTTP_PORT for HTTP_PORT: a setting whose variable has no PARLEY_ prefix
    Setting<?> unprefixed = Settings.byVariable(unknown.substring("PARLEY_".length()));
    if (unprefixed != null) return " (did you mean " + unprefixed.variable() + "?)";
    Setting<?> nearest = null;
    int best = Integer.MAX_VALUE;
    for (Setting<?> s : Settings.ALL) {
      int d = editDistance(unknown, s.variable());
      if (d < best) {
        best = d;
        nearest = s;
      }
    }
    return nearest != null && best <= Math.max(3, unknown.length() / 4)
      ? " (did you mean " + nearest.variable() + "?)"
      : " (the variables are those of the settings table in docs/configuration.md)";
  }

  private static String suggestion(String unknown) {
    for (Setting<?> s : Settings.ALL) {
      if (s.key() != null && editDistance(unknown.toLowerCase(), s.key().toLowerCase()) <= 2) {
        return " (did you mean \"" + s.key() + "\"?)";
      }
    }
    return " (the keys are those of the settings table in docs/configuration.md)";
  }

  private static int editDistance(String a, String b) {
    int[] row = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) row[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      int diagonal = row[0];
      row[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int above = row[j];
        row[j] = Math.min(Math.min(row[j] + 1, row[j - 1] + 1), diagonal + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length()];
  }

  private static String nonBlank(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  /** The directory holding the jar Parley runs from, or null when its classes are not in a jar (tests). */
  static Path jarDirectory() {
    try {
      CodeSource code = ParleyConfig.class.getProtectionDomain().getCodeSource();
      if (code == null) return null;
      Path location = Path.of(code.getLocation().toURI());
      return Files.isRegularFile(location) ? location.toAbsolutePath().getParent() : null;
    } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
      return null;
    }
  }

  /** The configuration file found, its JSON object (empty when there is none), and one left unread. */
  record ConfigFile(Path path, JsonObject json, Path ignored) {
    static ConfigFile find(String named, Path jarDirectory, Path workingDirectory) {
      if (named != null) {
        Path path = workingDirectory.resolve(named).toAbsolutePath().normalize();
        if (!Files.exists(path)) throw new ConfigException("PARLEY_CONFIG=" + named + ": no such file");
        return new ConfigFile(path, read(path, "PARLEY_CONFIG=" + named), null);
      }
      Path besideJar = jarDirectory == null ? null : jarDirectory.resolve(DEFAULT_FILE).toAbsolutePath().normalize();
      Path inWorkingDirectory = workingDirectory.resolve(DEFAULT_FILE).toAbsolutePath().normalize();
      if (besideJar != null && Files.exists(besideJar)) {
        Path ignored = Files.exists(inWorkingDirectory) && !sameFile(besideJar, inWorkingDirectory) ? inWorkingDirectory : null;
        return new ConfigFile(besideJar, read(besideJar, besideJar.toString()), ignored);
      }
      if (Files.exists(inWorkingDirectory)) return new ConfigFile(inWorkingDirectory, read(inWorkingDirectory, inWorkingDirectory.toString()), null);
      return new ConfigFile(null, new JsonObject(), null);
    }

    private static JsonObject read(Path path, String name) {
      String text;
      try {
        text = Files.readString(path);
      } catch (IOException e) {
        throw new ConfigException(name + ": cannot read it (" + (e.getMessage() == null ? e : e.getClass().getSimpleName() + " " + e.getMessage()) + ")");
      }
      Object value;
      try {
        value = text.isBlank() ? null : Json.decodeValue(text);
      } catch (DecodeException e) {
        throw new ConfigException(name + ": not valid JSON (" + firstLine(e.getMessage()) + ")");
      }
      if (!(value instanceof JsonObject object)) throw new ConfigException(name + ": not a JSON object");
      return object;
    }

    private static boolean sameFile(Path a, Path b) {
      try {
        return Files.isSameFile(a, b);
      } catch (IOException e) {
        return false;
      }
    }

    private static String firstLine(String message) {
      if (message == null) return "";
      String line = message.lines().findFirst().orElse("");
      return line.startsWith("Failed to decode:") ? line.substring("Failed to decode:".length()).trim() : line;
    }
  }

  // --- the accessors: the code reads its settings through these ---

  public int httpPort() { return get(Settings.HTTP_PORT); }
  /** How often the database-wide figures of /metrics (slots, open circuits) are read from PostgreSQL. */
  public int metricsDatabaseReadMillis() { return get(Settings.PARLEY_METRICS_DB_READ_MS); }
  /** After TERM: how long the node goes on serving, readiness 503, before it stops taking connections. */
  public int shutdownDrainSeconds() { return get(Settings.PARLEY_SHUTDOWN_DRAIN_SECONDS); }
  /** Then: how long requests, bus requests, dials and background work under way may take to end. */
  public int shutdownTimeoutSeconds() { return get(Settings.PARLEY_SHUTDOWN_TIMEOUT_SECONDS); }
  public String httpHost() { return get(Settings.HTTP_HOST); }
  public String provider() { return get(Settings.PARLEY_PROVIDER); }
  public String providerUrl() { return get(Settings.PARLEY_PROVIDER_URL); }
  public String providerSecret() { return get(Settings.PARLEY_PROVIDER_SECRET); }
  public int providerTimeoutMillis() { return get(Settings.PARLEY_PROVIDER_TIMEOUT_MS); }
  public int providerMaxConnections() { return get(Settings.PARLEY_PROVIDER_MAX_CONNECTIONS); }
  /** Whether live interviews reach a real provider (anything but the simulator): they need a caller number then. */
  public boolean realProvider() { return !"simulator".equals(provider()); }
  /** Whether the provider is a hosted platform with an adapter inside Parley (vapi, retell). */
  public boolean realPlatform() { return "vapi".equals(provider()) || "retell".equals(provider()); }
  public int providerReconcileGraceMillis() { return get(Settings.PARLEY_PROVIDER_RECONCILE_GRACE_MS); }
  /** Creates per second to the provider: the setting, else 1 for Retell and 10 for Vapi (their published limits), else unpaced. */
  public double providerCallsPerSecond() {
    Double set = get(Settings.PARLEY_PROVIDER_CALLS_PER_SECOND);
    if (set != null) return set;
    return switch (provider()) {
      case "retell" -> 1;
      case "vapi" -> 10;
      default -> 0;
    };
  }
  public int providerBusyRetrySeconds() { return get(Settings.PARLEY_PROVIDER_BUSY_RETRY_SECONDS); }
  public int providerEndReportWaitSeconds() { return get(Settings.PARLEY_PROVIDER_END_REPORT_WAIT_SECONDS); }
  public int providerEventMaxBytes() { return get(Settings.PARLEY_PROVIDER_EVENT_MAX_BYTES); }
  public int dialLeaseSeconds() { return get(Settings.PARLEY_DIAL_LEASE_SECONDS); }
  public String vapiApiKey() { return get(Settings.PARLEY_VAPI_API_KEY); }
  public String vapiBaseUrl() { return get(Settings.PARLEY_VAPI_BASE_URL).replaceAll("/+$", ""); }
  public String vapiVoices() { return get(Settings.PARLEY_VAPI_VOICES); }
  public String retellApiKey() { return get(Settings.PARLEY_RETELL_API_KEY); }
  public String retellBaseUrl() { return get(Settings.PARLEY_RETELL_BASE_URL).replaceAll("/+$", ""); }
  public String retellAgentId() { return get(Settings.PARLEY_RETELL_AGENT_ID); }
  public String publicUrl() {
    String url = get(Settings.PARLEY_PUBLIC_URL);
    return url != null ? url : "http://localhost:" + httpPort();
  }
  public boolean webhooksAllowPrivate() { return get(Settings.PARLEY_WEBHOOKS_ALLOW_PRIVATE); }
  public String jwtSecret() { return get(Settings.PARLEY_JWT_SECRET); }
  public String jwtKeys() { return get(Settings.PARLEY_JWT_KEYS); }
  /** PARLEY_JWT_KEYS as ordered (key ID, secret) pairs; empty when it is unset. */
  public List<Map.Entry<String, String>> jwtKeyPairs() { return jwtKeys() == null ? List.of() : Settings.jwtKeyPairs(jwtKeys()); }
  /** PARLEY_KEY_PEPPERS as ordered (version, pepper) pairs; empty when it is unset. */
  public List<Map.Entry<String, byte[]>> keyPepperPairs() {
    String text = get(Settings.PARLEY_KEY_PEPPERS);
    return text == null ? List.of() : Settings.pepperPairs(text);
  }
  public Path secretsFile() { String file = get(Settings.PARLEY_SECRETS_FILE); return file == null ? null : Path.of(file); }
  public String jwtIssuer() { return get(Settings.PARLEY_JWT_ISSUER); }
  public String jwtAudience() { return get(Settings.PARLEY_JWT_AUDIENCE); }
  public Path dataDir() { return Path.of(get(Settings.PARLEY_DATA_DIR)); }
  public String defaultRateLimit() { return get(Settings.PARLEY_DEFAULT_RATE_LIMIT); }
  public boolean cluster() { return get(Settings.CLUSTER); }
  public String clusterName() { return get(Settings.PARLEY_CLUSTER_NAME); }
  /** PARLEY_CLUSTER_MEMBERS as Hazelcast's TCP-IP join takes it, ranges of ports expanded. */
  public List<String> clusterMembers() { return ClusterMembers.parse(get(Settings.PARLEY_CLUSTER_MEMBERS)); }
  public String clusterHost() { return get(Settings.PARLEY_CLUSTER_HOST); }
  public int clusterPort() { return get(Settings.PARLEY_CLUSTER_PORT); }
  public int clusterBusPort() { return get(Settings.PARLEY_CLUSTER_BUS_PORT); }
  public boolean clusterKubernetes() { return get(Settings.PARLEY_CLUSTER_KUBERNETES); }
  public String clusterKubernetesService() { return get(Settings.PARLEY_CLUSTER_KUBERNETES_SERVICE); }
  public String clusterTlsCert() { return get(Settings.PARLEY_CLUSTER_TLS_CERT); }
  public String clusterTlsKey() { return get(Settings.PARLEY_CLUSTER_TLS_KEY); }
  public String clusterTlsCa() { return get(Settings.PARLEY_CLUSTER_TLS_CA); }
  public int keyCacheSeconds() { return get(Settings.PARLEY_KEY_CACHE_SECONDS); }
  public String authFailureLimit() { return get(Settings.PARLEY_AUTH_FAILURE_LIMIT); }
  public int gdprSweepSeconds() { return get(Settings.PARLEY_GDPR_SWEEP_SECONDS); }
  /** The management listener's port, or null when /metrics and the health endpoints are served on HTTP_PORT. */
  public Integer managementPort() { return get(Settings.PARLEY_MANAGEMENT_PORT); }
  public int maxBodyBytes() { return get(Settings.PARLEY_MAX_BODY_BYTES); }
  public int dbPoolSize() { return get(Settings.PARLEY_DB_POOL_SIZE); }
  public int dbReadConnections() { return get(Settings.PARLEY_DB_READ_CONNECTIONS); }
  public int retryCount() { return get(Settings.PARLEY_RETRY_COUNT); }
  public int retryDelaySeconds() { return get(Settings.PARLEY_RETRY_DELAY_SECONDS); }
  public int leaseGraceSeconds() { return get(Settings.PARLEY_LEASE_GRACE_SECONDS); }
  public int leaseSeconds() { return get(Settings.PARLEY_LEASE_SECONDS); }
  public int dispatchPollMillis() { return get(Settings.PARLEY_DISPATCH_POLL_MS); }
  public int leaseCheckMillis() { return get(Settings.PARLEY_LEASE_CHECK_MS); }
  public int simulatorRingMillis() { return get(Settings.PARLEY_SIMULATOR_RING_MS); }
  public int simulatorTalkMillis() { return get(Settings.PARLEY_SIMULATOR_TALK_MS); }
  public int simulatorLongCallMillis() { return get(Settings.PARLEY_SIMULATOR_LONG_CALL_MS); }
  public int postCallLeaseSeconds() { return get(Settings.PARLEY_POSTCALL_LEASE_SECONDS); }
  public long recordingMaxBytes() { return get(Settings.PARLEY_RECORDING_MAX_BYTES); }
  public int recordingTimeoutMillis() { return get(Settings.PARLEY_RECORDING_TIMEOUT_MS); }
  public String analysisProvider() { return get(Settings.PARLEY_ANALYSIS_PROVIDER); }
  public String analysisBaseUrl() { return get(Settings.PARLEY_ANALYSIS_BASE_URL); }
  public String analysisModel() { return get(Settings.PARLEY_ANALYSIS_MODEL); }
  public String analysisApiKey() { return get(Settings.PARLEY_ANALYSIS_API_KEY); }
  public int analysisTimeoutMillis() { return get(Settings.PARLEY_ANALYSIS_TIMEOUT_MS); }
  public int webhookRetryBaseMillis() { return get(Settings.PARLEY_WEBHOOK_RETRY_BASE_MS); }
  public int webhookRetryMaxMillis() { return get(Settings.PARLEY_WEBHOOK_RETRY_MAX_MS); }
  public int webhookMaxAttempts() { return get(Settings.PARLEY_WEBHOOK_MAX_ATTEMPTS); }
  public int webhookCircuitThreshold() { return get(Settings.PARLEY_WEBHOOK_CIRCUIT_THRESHOLD); }
  public int webhookTimeoutMillis() { return get(Settings.PARLEY_WEBHOOK_TIMEOUT_MS); }
  public int webhookPollMillis() { return get(Settings.PARLEY_WEBHOOK_POLL_MS); }
  /** PARLEY_OUTBOUND_ALLOW: special-purpose addresses outbound requests may reach anyway (checked at load). */
  public dev.parley.outbound.AllowedTargets outboundAllow() {
    String text = get(Settings.PARLEY_OUTBOUND_ALLOW);
    return text == null ? dev.parley.outbound.AllowedTargets.none() : dev.parley.outbound.AllowedTargets.parse(text);
  }
  public int eventLoops() { return get(Settings.PARLEY_EVENT_LOOPS); }
  public int httpInstances() { return get(Settings.PARLEY_HTTP_INSTANCES); }
  /** How log lines are written: {@code text} (plain lines) or {@code json} (one JSON object a line); docs/logging.md. */
  public String logFormat() { return get(Settings.PARLEY_LOG_FORMAT); }
}
