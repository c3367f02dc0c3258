package dev.parley.support;

import dev.parley.ParleyServer;
import dev.parley.admin.AdminCommand;
import dev.parley.config.ParleyConfig;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A real Parley node on its own test database and a free port, driven over HTTP. One per test
 * class: {@code static TestServer server = TestServer.start("label")} in a {@code @BeforeAll}.
 */
public final class TestServer implements AutoCloseable {
  public final TestDatabase database;
  private ParleyServer server;
  private final Map<String, String> env;
  private final String base;
  private final Path dataDir;
  private final ApiClient api;

  private final boolean ownsDatabase;

  private TestServer(TestDatabase database, ParleyServer server, int port, Path dataDir, Map<String, String> env,
                     boolean ownsDatabase) {
    this.ownsDatabase = ownsDatabase;
    this.env = env;
    this.database = database;
    this.server = server;
    this.dataDir = dataDir;
    this.base = "http://127.0.0.1:" + port;
    this.api = new ApiClient(base);
  }

  public static TestServer start(String label) {
    return start(label, Map.of());
  }

  /** @param extraEnv settings on top of the test defaults; a null value unsets that variable (HashMap) */
  public static TestServer start(String label, Map<String, String> extraEnv) {
    TestDatabase db = TestDatabase.create(label);
    try {
      return node(db, extraEnv, true);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /**
   * A node on a database that outlives it: one of several nodes of a cluster ({@link TestCluster}).
   * Closing it leaves the database.
   */
  public static TestServer node(TestDatabase db, Map<String, String> extraEnv) {
    return node(db, extraEnv, false);
  }

  /**
   * A node on the database that its settings name (DATABASE_URL or the PG* variables, TLS settings
   * and all) rather than on a {@link TestDatabase}; {@link #admin(String...)} is not for it.
   */
  public static TestServer onSettings(Map<String, String> settings) {
    return node(null, settings, false);
  }

  private static TestServer node(TestDatabase db, Map<String, String> extraEnv, boolean ownsDatabase) {
    try {
      int port = freePort();
      Map<String, String> env = new HashMap<>(System.getenv());
      if (db != null) env.put("DATABASE_URL", db.url());
      env.put("HTTP_PORT", String.valueOf(port));
      env.put("HTTP_HOST", "127.0.0.1");
      Path dataDir = Files.createTempDirectory("parley-test");
      env.put("PARLEY_DATA_DIR", dataDir.toString());
      env.put("PARLEY_PUBLIC_URL", "http://127.0.0.1:" + port);
      // tests poll the API: no rate limit unless a test sets one
      env.put("PARLEY_DEFAULT_RATE_LIMIT", "0/0");
      // no load balancer to wait for when a test stops a node; work under way gets a short bound
      env.put("PARLEY_SHUTDOWN_DRAIN_SECONDS", "0");
      env.put("PARLEY_SHUTDOWN_TIMEOUT_SECONDS", "5");
      env.putAll(TestSecrets.ENV);
      env.putAll(extraEnv);
      env.values().removeIf(java.util.Objects::isNull); // a null in extraEnv unsets the variable
      return new TestServer(db, ParleyServer.start(ParleyConfig.load(env)), port, dataDir, env, ownsDatabase);
    } catch (Exception e) {
      throw new IllegalStateException("test server did not start: " + e.getMessage(), e);
    }
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs {@code parley admin ...} with this server's settings (its secrets among them), against its
   * test database or, for a node {@link #onSettings on its settings}, the database they name.
   */
  public JsonObject admin(String... args) {
    return adminAt(env, database == null ? null : database.url(), args);
  }

  /** Runs {@code parley admin ...} against a test database; returns its one JSON object. */
  public static JsonObject admin(TestDatabase database, String... args) {
    return adminAt(database.url(), args);
  }

  /**
   * Runs {@code parley admin --database-url URL ...} in this JVM; returns its one JSON object, with
   * its exit status as {@code _exit}.
   */
  public static JsonObject adminAt(String databaseUrl, String... args) {
    return adminAt(TestSecrets.under(System.getenv(), Map.of()), databaseUrl, args);
  }

  /**
   * {@link #adminAt(String, String...)} with the settings of {@code env} (a node's, say: its
   * secrets); without {@code --database-url} when {@code databaseUrl} is null.
   */
  public static JsonObject adminAt(Map<String, String> env, String databaseUrl, String... args) {
    StringWriter out = new StringWriter();
    String[] full = args;
    if (databaseUrl != null) {
      full = new String[args.length + 2];
      full[0] = "--database-url";
      full[1] = databaseUrl;
      System.arraycopy(args, 0, full, 2, args.length);
    }
    CommandLine cli = AdminCommand.jsonErrors(new CommandLine(new AdminCommand(env)));
    cli.setOut(new PrintWriter(out));
    int status = cli.execute(full);
    String text = out.toString().trim();
    if (text.lines().count() != 1) throw new AssertionError("admin printed not one line: " + text);
    JsonObject result = new JsonObject(text);
    result.put("_exit", status);
    return result;
  }

  /** The settings this node was started with. */
  public Map<String, String> env() {
    return Map.copyOf(env);
  }

  /** Stops the node and starts a new one on the same database, port and files: a restart. */
  public void restart() {
    restart(Map.of());
  }

  /** A restart with some settings changed (a null value unsets one): a new secret, say. */
  public void restart(Map<String, String> changes) {
    env.putAll(changes);
    env.values().removeIf(java.util.Objects::isNull);
    server.stop();
    try {
      server = ParleyServer.start(ParleyConfig.load(env));
    } catch (Exception e) {
      throw new IllegalStateException("restart failed: " + e.getMessage(), e);
    }
  }

  /** A company with a key holding the given scopes: {companyId, keyId, key}. */
  public Tenant company(String name, String scopes, String... companyOptions) {
    String[] args = new String[4 + companyOptions.length];
    args[0] = "company";
    args[1] = "create";
    args[2] = "--name";
    args[3] = name;
    System.arraycopy(companyOptions, 0, args, 4, companyOptions.length);
    String companyId = admin(args).getString("id");
    JsonObject key = admin("key", "create", "--company", companyId, "--name", name + " key", "--scopes", scopes);
    return new Tenant(companyId, key.getString("id"), key.getString("key"));
  }

  public record Tenant(String companyId, String keyId, String key) {}

  /** The number {@link #callerNumber(TestDatabase, String)} gives a company when a test does not care which. */
  public static final String CALLER_NUMBER = "+421233456789";

  /**
   * Gives a company a default caller number, which live interviews need when a real provider dials
   * them (docs/providers.md, "Caller numbers"); returns the number as the admin CLI printed it.
   */
  public static JsonObject callerNumber(TestDatabase database, String companyId, String... options) {
    String[] args = new String[7 + options.length];
    System.arraycopy(new String[] {"phone-number", "create", "--company", companyId, "--number", CALLER_NUMBER, "--default"}, 0, args, 0, 7);
    System.arraycopy(options, 0, args, 7, options.length);
    JsonObject number = admin(database, args);
    if (number.getInteger("_exit") != 0) throw new AssertionError("phone-number create failed: " + number.encode());
    return number;
  }

  public record Response(int status, JsonObject body, HttpResponse<String> raw) {
    public JsonObject data() {
      return body.getJsonObject("data");
    }

    public String errorCode() {
      JsonObject error = body.getJsonObject("error");
      return error == null ? null : error.getString("code");
    }
  }

  public Response get(String path, String key) {
    return api.get(path, key);
  }

  public Response delete(String path, String key) {
    return api.delete(path, key);
  }

  public Response post(String path, String key, String body) {
    return api.post(path, key, body);
  }

  public Response send(String method, String path, String key, String body, Map<String, String> headers) {
    return api.send(method, path, key, body, headers);
  }

  /** A GET whose answer is bytes (a recording), not an envelope. */
  public HttpResponse<byte[]> download(String path, String key) {
    return api.download(path, key);
  }

  /**
   * A sample of this node's /metrics, by name and labels (given as name, value pairs); 0 when the
   * series does not exist yet.
   */
  public double metric(String name, String... labels) {
    String body = send("GET", "/metrics", null, null, Map.of()).raw().body();
    double sum = 0;
    for (String line : body.split("\n")) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) continue;
      boolean match = true;
      for (int i = 0; i < labels.length; i += 2) match &= line.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
      if (match) sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  /**
   * Sends bytes as they are, for requests an HTTP client refuses to make (a broken %-escape, an
   * over-long line): {@code "GET /x HTTP/1.1"} and extra header lines; returns the status and the
   * body. The connection is closed after the answer.
   */
  public RawResponse raw(String requestLine, String... headerLines) {
    return raw(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), requestLine, headerLines);
  }

  /** {@link #raw(String, String...)} to any server on this machine, by its port (a {@link JarProcess}). */
  public static RawResponse raw(int port, String requestLine, String... headerLines) {
    StringBuilder request = new StringBuilder(requestLine).append("\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (String h : headerLines) request.append(h).append("\r\n");
    request.append("\r\n");
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(request.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      int status = Integer.parseInt(answer.substring(9, 12));
      String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
      return new RawResponse(status, answer.substring(0, answer.indexOf("\r\n\r\n")), body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public record RawResponse(int status, String head, String body) {}

  public String baseUrl() {
    return base;
  }

  public ParleyServer node() {
    return server;
  }

  @Override
  public void close() {
    server.stop();
    if (ownsDatabase) database.close();
    try (var files = Files.walk(dataDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary directory is harmless
    }
  }
}
