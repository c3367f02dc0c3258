package dev.parley.support;

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
  private final Map<String, String> env;
  private final Path log;
  private final String baseUrl;
  private final ApiClient api;
  private Process process;

  private JarProcess(Map<String, String> env, Path log, int port) {
    this.env = env;
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
    JarProcess jar = new JarProcess(all, log, port);
    jar.launch();
    return jar;
  }

  private void launch() throws IOException {
    ProcessBuilder pb = command().redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    process = pb.start();
    await().atMost(Duration.ofSeconds(90)).until(() -> status("/health/ready") == 200);
  }

  private static ProcessBuilder command(String... args) {
    Path jar = Path.of("target", "parley.jar");
    assertThat(jar).as("the jar is built before the integration tests").exists();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Dhazelcast.wait.seconds.before.join=0",
      "-jar", jar.toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  /**
   * Runs {@code java -jar target/parley.jar args...} with this environment on top of the test's and
   * waits (at most 90 s) for it to exit: for a start that must fail, or an admin command.
   */
  public static Exit run(Map<String, String> env, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile("parley-out", ".txt");
    Path err = Files.createTempFile("parley-err", ".txt");
    try {
      ProcessBuilder pb = command(args).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("parley " + String.join(" ", args) + " did not exit within 90 s: " + Files.readString(err));
      }
      return new Exit(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** How a run ended: its status, standard output and standard error. */
  public record Exit(int status, String stdout, String stderr) {
    /** The last line of standard error: where a failed start says why. */
    public String lastErrorLine() {
      String[] lines = stderr.strip().split("\n");
      return lines[lines.length - 1];
    }
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

  /** Starts the same server again: same environment, port and database. */
  public void restart() throws IOException {
    launch();
  }

  public int status(String path) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(2)).build(),
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
