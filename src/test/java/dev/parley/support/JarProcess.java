package dev.parley.support;

import dev.parley.config.Settings;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server as users run it, {@code java -jar target/parley.jar}, in a process of its own: to be
 * killed with {@code kill -9} and started again. Its output goes to a file.
 */
public final class JarProcess implements AutoCloseable {
  /** The jar the build made. */
  public static final Path BUILT_JAR = Path.of("target", "parley.jar");
  /** For status checks, as a load balancer's are: HTTP/1.1, a short connect timeout. */
  private static final HttpClient STATUS = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(2)).build();

  private final Path jar;
  private final Path workingDirectory;
  private final Map<String, String> env;
  private final boolean ownSettingsOnly;
  private final Path log;
  private final String baseUrl;
  private final ApiClient api;
  private Process process;

  private JarProcess(Path jar, Path workingDirectory, Map<String, String> env, boolean ownSettingsOnly, Path log, int port) {
    this.jar = jar;
    this.workingDirectory = workingDirectory;
    this.env = env;
    this.ownSettingsOnly = ownSettingsOnly;
    this.log = log;
    this.baseUrl = "http://127.0.0.1:" + port;
    this.api = new ApiClient(baseUrl);
  }

  /** Starts the jar on a free port with this environment on top of the test's, and waits until it is ready. */
  public static JarProcess start(Map<String, String> env, Path log) throws IOException {
    int port = TestServer.freePort();
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("HTTP_HOST", "127.0.0.1");
    all.put("HTTP_PORT", String.valueOf(port));
    all.putIfAbsent("PARLEY_PUBLIC_URL", "http://127.0.0.1:" + port);
    all.putIfAbsent("PARLEY_DEFAULT_RATE_LIMIT", "0/0");
    all.putIfAbsent("PARLEY_EVENT_LOOPS", "1");
    all.putIfAbsent("PARLEY_DB_POOL_SIZE", "4");
    JarProcess jar = new JarProcess(BUILT_JAR, null, all, false, log, port);
    jar.launch();
    return jar;
  }

  /**
   * Starts a jar (a copy somewhere else, say) in a working directory with no Parley setting from
   * the test's environment, only {@code env}, and waits until it is ready on {@code port}, which
   * its configuration sets.
   */
  public static JarProcess start(Path jar, Path workingDirectory, Map<String, String> env, int port, Path log) throws IOException {
    JarProcess process = new JarProcess(jar, workingDirectory, env, true, log, port);
    process.launch();
    return process;
  }

  /** How a jar run to its end ended: its status, standard output and standard error. */
  public record Finished(int exit, String stdout, String stderr) {
    /** The last line of standard error: where a failed start says why. */
    public String lastErrorLine() {
      String[] lines = stderr.strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  /**
   * Runs a jar to its end (an admin command, a start that fails) in a working directory, with no
   * Parley setting from the test's environment, only {@code env}.
   */
  public static Finished run(Path jar, Path workingDirectory, Map<String, String> env, String... args) throws Exception {
    return runToEnd(builder(jar, workingDirectory, env, true, args), args);
  }

  private static Finished runToEnd(ProcessBuilder pb, String... args) throws Exception {
    Path out = Files.createTempFile("parley-stdout", ".txt"), err = Files.createTempFile("parley-stderr", ".txt");
    try {
      Process process = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("the jar did not end within 90 s: " + String.join(" ", args) + ": " + Files.readString(err));
      }
      return new Finished(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static ProcessBuilder builder(Path jar, Path workingDirectory, Map<String, String> env, boolean ownSettingsOnly, String... args) {
    assertThat(jar).as("the jar is built before the integration tests").exists();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Dhazelcast.wait.seconds.before.join=0", "-jar", jar.toAbsolutePath().toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    if (workingDirectory != null) pb.directory(workingDirectory.toFile());
    if (ownSettingsOnly) Settings.ALL.forEach(s -> pb.environment().remove(s.variable()));
    else pb.environment().putAll(TestSecrets.ENV); // a test's own settings may replace them
    pb.environment().putAll(env);
    return pb;
  }

  private void launch() throws IOException {
    process = builder(jar, workingDirectory, env, ownSettingsOnly)
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    await().atMost(Duration.ofSeconds(90)).until(() -> status("/health/ready") == 200);
  }

  /**
   * Runs {@code java -jar target/parley.jar args...} with this environment on top of the test's and
   * waits for it to exit: for a start that must fail, or an admin command.
   */
  public static Finished run(Map<String, String> env, String... args) throws Exception {
    return runToEnd(builder(BUILT_JAR, null, env, false, args), args);
  }

  public String baseUrl() {
    return baseUrl;
  }

  /** Its HTTP API. */
  public ApiClient api() {
    return api;
  }

  public long pid() {
    return process.pid();
  }

  /** {@code kill -9}: no shutdown hook, nothing finished. */
  public void kill9() throws Exception {
    Process kill = new ProcessBuilder("kill", "-9", String.valueOf(process.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(137);
  }

  /** {@code kill -TERM}: the graceful shutdown (docs/operations.md, "Shutdown"). */
  public void term() {
    process.destroy();
  }

  /** Waits for the process to end; its exit status. */
  public int awaitExit(Duration atMost) throws InterruptedException {
    assertThat(process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)).as("the server exited within " + atMost).isTrue();
    return process.exitValue();
  }

  /** Starts the same server again: same environment, port and database. */
  public void restart() throws IOException {
    launch();
  }

  /** The status of a GET of {@code path}; 0 when the connection fails. */
  public int status(String path) {
    try {
      return STATUS.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  @Override
  public void close() {
    if (process != null) process.destroyForcibly();
  }
}
