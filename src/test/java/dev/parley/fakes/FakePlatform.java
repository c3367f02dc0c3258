package dev.parley.fakes;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What both fakes share: a real HTTP server on 127.0.0.1 (a thread per request, so a held answer does not
 * stop others), the scripts per number, the records tests read, the recording host, and the webhook client.
 */
public abstract class FakePlatform implements AutoCloseable {
  static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  final String apiKey;
  private final HttpServer server;
  private final ExecutorService pool;
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER).build();

  final Map<String, Script> scripts = new ConcurrentHashMap<>();
  volatile Script defaultScript = Script.answered();

  final List<Violation> violations = new CopyOnWriteArrayList<>();
  final List<String> faults = new CopyOnWriteArrayList<>();
  final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  final List<Received> recordingHostRequests = new CopyOnWriteArrayList<>();
  final AtomicInteger unauthorized = new AtomicInteger();

  private final Map<String, Recording> recordings = new ConcurrentHashMap<>();
  private final byte[] urlKey = new byte[32];
  volatile String recordingBase;
  volatile int recordingRedirects;
  volatile long recordingUrlTtlMs = 60_000;

  private volatile boolean closed;
  private final List<Played> played = new CopyOnWriteArrayList<>();

  record Recording(byte[] bytes, String contentType, boolean isPublic) { }

  FakePlatform(String apiKey) {
    this.apiKey = apiKey;
    RANDOM.nextBytes(urlKey);
    pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, getClass().getSimpleName() + "-" + r.hashCode());
      t.setDaemon(true);
      return t;
    });
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::dispatch);
    server.setExecutor(pool);
    server.start();
  }

  /** The base URL of this fake, e.g. {@code http://127.0.0.1:40123}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  abstract void handle(Exchange ex) throws Exception;

  private void dispatch(HttpExchange he) {
    Exchange ex = null;
    try {
      ex = new Exchange(he);
      if (!serveRecordingHost(ex)) handle(ex);
    } catch (FakeFault f) {
      if (ex != null && !ex.answered) ex.json(500, new JsonObject().put("message", "fake fault: " + f.getMessage()));
    } catch (Throwable t) {
      faults.add("handler of " + he.getRequestURI() + " failed: " + t);
      if (ex != null && !ex.answered) ex.json(500, new JsonObject().put("message", "fake error: " + t));
    } finally {
      // closing an exchange that was never answered closes the connection: that is how dropCreateAnswer works
      he.close();
    }
  }

  // ---------------------------------------------------------------- records

  /** Requests the fake refused (or would refuse): each with the operation, the errors and the body. Tests assert it stays empty. */
  /** What the calls to this number do (see {@link Script}); an unscripted number plays {@code Script.answered()}. */
  public abstract FakePlatform onNumber(String number, Script script);

  /** What the calls to unscripted numbers do. */
  public abstract FakePlatform defaultScript(Script script);

  public List<Violation> violations() { return List.copyOf(violations); }

  /** Every webhook attempt made, in the order they were made. */
  public List<Delivery> deliveries() { return List.copyOf(deliveries); }

  /** The webhook attempts for one call. */
  public List<Delivery> deliveries(String callId) {
    return deliveries.stream().filter(d -> callId.equals(d.callId())).toList();
  }

  /** Requests to the platform's REST API without the right {@code Authorization: Bearer <apiKey>}. */
  public int unauthorized() { return unauthorized.get(); }

  /**
   * Requests the recording host of this fake received ({@code /recordings/...}, the {@code /hop/...} redirect chain,
   * and for Vapi the private {@code /storage/...} URLs), each with the headers it carried: a test can assert that
   * {@code header("authorization")} is null, i.e. the platform's API key never went there.
   */
  public List<Received> recordingHostRequests() { return List.copyOf(recordingHostRequests); }

  /** Payloads this fake caught itself sending that do not match the platform's schema; {@link #close()} throws if any. */
  public List<String> faults() { return List.copyOf(faults); }

  public String apiKey() { return apiKey; }

  // ---------------------------------------------------------------- settings

  /**
   * Where recording URLs point. Default: this fake's own server, which serves the scripted bytes. Set another base
   * URL (e.g. a {@link Sentinel}, or a special-purpose address such as {@code http://169.254.169.254}) to make the
   * URLs the platform hands out point there; null restores the default. The redirect chain, if any, stays on this fake.
   */
  public void setRecordingBase(String baseUrl) {
    this.recordingBase = baseUrl == null ? null : baseUrl.replaceAll("/+$", "");
  }

  /** Recording URLs first go through this many 302 hops on this fake before reaching the recording base; default 0. */
  public void setRecordingRedirects(int hops) { this.recordingRedirects = hops; }

  /** How long a signed recording URL is good for; default 60 s. */
  public void setRecordingUrlTtlMs(long ms) { this.recordingUrlTtlMs = ms; }

  /** Holds the calls created with {@code holdAfterCreate()} no longer. */
  public void releaseAll() {
    for (Played p : played) p.release();
  }

  /** Lets one held call go on. */
  public void release(String callId) {
    for (Played p : played) if (p.id.equals(callId)) p.release();
  }

  Script scriptFor(String number) {
    Script s = number == null ? null : scripts.get(number);
    return (s == null ? defaultScript : s).copy();
  }

  // ---------------------------------------------------------------- the recording host

  void storeRecording(String id, byte[] bytes, String contentType, boolean isPublic) {
    recordings.put(id, new Recording(bytes, contentType, isPublic));
  }

  boolean hasRecording(String id) {
    return recordings.containsKey(id);
  }

  private String recordingHost() {
    String base = recordingBase;
    return base == null ? url() : base;
  }

  /**
   * A URL for a stored recording: signed ({@code exp}, {@code sig}) when {@code ttlMs > 0}, else plain (public).
   * With redirects set, the URL is the first hop of a 302 chain on this fake that ends at the recording host.
   */
  String recordingUrl(String id, long ttlMs) {
    String query = "";
    if (ttlMs > 0) {
      long exp = System.currentTimeMillis() + ttlMs;
      query = "?exp=" + exp + "&sig=" + urlSignature(id, exp);
    }
    int hops = recordingRedirects;
    if (hops > 0) return url() + "/hop/" + hops + "/" + id + query;
    return recordingHost() + "/recordings/" + id + query;
  }

  long recordingExpiry(String url) {
    Map<String, String> q = Exchange.parseQuery(URI.create(url).getRawQuery());
    return q.containsKey("exp") ? Long.parseLong(q.get("exp")) : 0;
  }

  private String urlSignature(String id, long exp) {
    return HexFormat.of().formatHex(hmac(urlKey, (id + "." + exp).getBytes(StandardCharsets.UTF_8))).substring(0, 32);
  }

  /** /recordings/{id}, /hop/{n}/{id}, /storage/{file}: the part of the fake that plays the recording storage. */
  private boolean serveRecordingHost(Exchange ex) {
    String path = ex.path;
    if (!path.startsWith("/recordings/") && !path.startsWith("/hop/") && !path.startsWith("/storage/")) return false;
    Received r = ex.record("recording");
    recordingHostRequests.add(r);
    if (!ex.method.equals("GET") && !ex.method.equals("HEAD")) {
      ex.text(405, "method not allowed");
      r.status(405);
      return true;
    }
    if (path.startsWith("/storage/")) {
      // Vapi's raw recordingUrl/stereoRecordingUrl: stable identifiers of private storage, not downloadable
      // (voice-platforms.md 1.5: "can't be downloaded directly"); answered like a private bucket
      ex.xml(403, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>");
      r.status(403);
      return true;
    }
    if (path.startsWith("/hop/")) {
      String[] parts = path.substring("/hop/".length()).split("/", 2);
      int n = Integer.parseInt(parts[0]);
      String q = ex.rawQuery == null ? "" : "?" + ex.rawQuery;
      String next = n > 1 ? url() + "/hop/" + (n - 1) + "/" + parts[1] + q : recordingHost() + "/recordings/" + parts[1] + q;
      ex.redirect(302, next);
      r.status(302);
      return true;
    }
    String id = path.substring("/recordings/".length());
    Recording rec = recordings.get(id);
    if (rec == null) {
      ex.xml(404, "<Error><Code>NoSuchKey</Code></Error>");
      r.status(404);
      return true;
    }
    Map<String, String> q = ex.query;
    boolean signedOk = false;
    if (q.containsKey("sig") && q.containsKey("exp")) {
      long exp;
      try {
        exp = Long.parseLong(q.get("exp"));
      } catch (NumberFormatException e) {
        exp = 0;
      }
      signedOk = urlSignature(id, exp).equals(q.get("sig")) && System.currentTimeMillis() <= exp;
    }
    if (!signedOk && !rec.isPublic()) {
      // a presigned URL that expired or was tampered with: storage answers 403
      ex.xml(403, "<Error><Code>AccessDenied</Code><Message>Request has expired or signature does not match</Message></Error>");
      r.status(403);
      return true;
    }
    ex.bytes(200, rec.contentType(), rec.bytes(), ex.method.equals("HEAD"));
    r.status(200);
    return true;
  }

  // ---------------------------------------------------------------- webhooks

  /** One POST to a webhook URL, recorded; returns the delivery (status -1 when there was no HTTP answer). */
  Delivery post(String callId, String event, String url, int attempt, Map<String, String> headers, byte[] body, Duration timeout) {
    Instant at = Instant.now();
    int status;
    String error = null;
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      for (Map.Entry<String, String> h : headers.entrySet()) b.header(h.getKey(), h.getValue());
      HttpResponse<byte[]> resp = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      status = resp.statusCode();
    } catch (IOException | IllegalArgumentException e) {
      status = -1;
      error = e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = -1;
      error = "interrupted";
    }
    Delivery d = new Delivery(callId, event, url, attempt, Map.copyOf(headers), new String(body, StandardCharsets.UTF_8), at, status, error);
    deliveries.add(d);
    return d;
  }

  /** A raw POST for the helpers that send arbitrary (forged, unsigned, stale) webhooks; not validated, not recorded. */
  HttpResponse<String> rawPost(String url, Map<String, String> headers, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
      .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    headers.forEach(b::header);
    try {
      return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- faithfulness of what the fake sends

  /** Validates what the fake is about to send; a mismatch is the fake's own bug: recorded and thrown. */
  void checkOwn(SchemaFile schema, String what, Object json) {
    List<String> errors = schema.validate(json);
    if (!errors.isEmpty()) {
      String f = what + " does not match " + schema.resource + ": " + errors + " in " + json;
      faults.add(f);
      throw new FakeFault(f);
    }
  }

  static final class FakeFault extends AssertionError {
    FakeFault(String message) { super(message); }
  }

  // ---------------------------------------------------------------- helpers for the fakes

  void run(Runnable r) {
    pool.execute(() -> {
      try {
        r.run();
      } catch (FakeFault f) {
        // recorded in faults; close() throws it into the test
      } catch (Throwable t) {
        if (!closed) faults.add("script runner failed: " + t);
      }
    });
  }

  <P extends Played> P track(P p) {
    played.add(p);
    return p;
  }

  boolean isClosed() { return closed; }

  /** Waits, unless the fake is closed meanwhile; returns false if it was. */
  boolean pause(long ms) {
    if (ms <= 0) return !closed;
    synchronized (this) {
      long end = System.currentTimeMillis() + ms;
      while (!closed) {
        long left = end - System.currentTimeMillis();
        if (left <= 0) return true;
        try {
          wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return false;
    }
  }

  static String iso(Instant t) {
    return ISO.format(t);
  }

  static String randomAlnum(int n) {
    String abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) b.append(abc.charAt(RANDOM.nextInt(abc.length())));
    return b.toString();
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** E.164: a plus, then up to 15 digits, the first not 0. */
  static boolean isE164(String number) {
    return number != null && number.matches("\\+[1-9][0-9]{1,14}");
  }

  /** The keys of {@code object} that are not in {@code allowed}, as "path.key". */
  static List<String> unknownFields(JsonObject object, java.util.Set<String> allowed, String path) {
    List<String> out = new ArrayList<>();
    if (object == null) return out;
    for (String k : object.fieldNames()) if (!allowed.contains(k)) out.add(path.isEmpty() ? k : path + "." + k);
    return out;
  }

  /** Stops the server and every running script; throws if the fake caught itself sending something invalid. */
  @Override
  public void close() {
    closed = true;
    synchronized (this) {
      notifyAll();
    }
    for (Played p : played) p.wake();
    server.stop(0);
    pool.shutdownNow();
    if (!faults.isEmpty()) throw new AssertionError(getClass().getSimpleName() + " produced payloads its platform's schema rejects: " + faults);
  }

  /** A call being played: what the script runner waits on (time, a cancel, a release). */
  abstract class Played {
    final String id;
    final String number;
    final Script script;
    final Instant createdAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    private boolean cancelled;
    private boolean released;

    Played(String id, String number, Script script) {
      this.id = id;
      this.number = number;
      this.script = script;
      this.released = !script.holdAfterCreate;
    }

    synchronized boolean cancelled() { return cancelled; }

    /** Asks the call to end; returns false if it already had been asked. */
    synchronized boolean cancel() {
      boolean first = !cancelled;
      cancelled = true;
      notifyAll();
      return first;
    }

    synchronized void release() {
      released = true;
      notifyAll();
    }

    synchronized void wake() { notifyAll(); }

    /** Waits {@code ms}; returns true if the call was cancelled (or the fake closed) meanwhile. */
    synchronized boolean sleepOrCancel(long ms) {
      long end = System.currentTimeMillis() + ms;
      while (!cancelled && !closed) {
        long left = end - System.currentTimeMillis();
        if (left <= 0) return false;
        try {
          wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return true;
        }
      }
      return true;
    }

    /** Waits for the test's release (holdAfterCreate); returns true if the call was cancelled meanwhile. */
    synchronized boolean awaitRelease() {
      while (!released && !cancelled && !closed) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return true;
        }
      }
      return cancelled || closed;
    }
  }

  /** One request as the fakes handle it. */
  static final class Exchange {
    final HttpExchange he;
    final String method;
    final String path;
    final String rawQuery;
    final Map<String, String> query;
    final Map<String, String> headers = new LinkedHashMap<>();
    final byte[] body;
    final Instant at = Instant.now();
    final long arrivedNanos = System.nanoTime();
    boolean answered;

    Exchange(HttpExchange he) throws IOException {
      this.he = he;
      this.method = he.getRequestMethod();
      this.path = he.getRequestURI().getRawPath();
      this.rawQuery = he.getRequestURI().getRawQuery();
      this.query = parseQuery(rawQuery);
      he.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.isEmpty() ? "" : v.get(0)));
      this.body = he.getRequestBody().readAllBytes();
    }

    Received record(String operation) {
      return new Received(operation, method, path, rawQuery, headers, body, at);
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    static Map<String, String> parseQuery(String raw) {
      Map<String, String> q = new LinkedHashMap<>();
      if (raw == null || raw.isEmpty()) return q;
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        q.merge(k, v, (a, b) -> a + "\u0000" + b); // a repeated parameter shows as values joined by NUL
      }
      return q;
    }

    static String encode(String s) {
      return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    void json(int status, Object json) {
      String text = json instanceof JsonObject o ? o.encode() : json instanceof JsonArray a ? a.encode() : String.valueOf(json);
      bytes(status, "application/json; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), false);
    }

    void text(int status, String text) {
      bytes(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), false);
    }

    void xml(int status, String text) {
      bytes(status, "application/xml", text.getBytes(StandardCharsets.UTF_8), false);
    }

    void empty(int status) {
      try {
        he.sendResponseHeaders(status, -1);
        answered = true;
      } catch (IOException e) {
        answered = true; // the client went away (e.g. it timed out on a delayed answer)
      }
    }

    void redirect(int status, String location) {
      he.getResponseHeaders().set("Location", location);
      empty(status);
    }

    void bytes(int status, String contentType, byte[] data, boolean headOnly) {
      try {
        he.getResponseHeaders().set("Content-Type", contentType);
        if (headOnly) {
          he.sendResponseHeaders(status, -1);
        } else {
          he.sendResponseHeaders(status, data.length == 0 ? -1 : data.length);
          if (data.length > 0) he.getResponseBody().write(data);
        }
        answered = true;
      } catch (IOException e) {
        answered = true;
      }
    }
  }
}
