package dev.parley.outbound;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One request to a third party, with the limits {@link OutboundHttp} holds it to. Immutable: build
 * one with {@link #builder(HttpMethod, String)} and derive variants with {@link #toBuilder()}.
 *
 * <ul>
 *   <li>{@code deadlineMillis}: the TOTAL time for the whole exchange (resolving the host,
 *   connecting, every redirect, reading the whole body), not an idle timeout;</li>
 *   <li>{@code maxBodyBytes}: the most response body read, for every response of the exchange;</li>
 *   <li>{@code maxRedirects}: redirects followed, each one checked; 0 returns a 3xx as it is;</li>
 *   <li>{@code checkTarget}: whether the first URL must pass the special-purpose address check.
 *   Only a URL the platform itself wrote (not one a tenant or a partner supplied) may skip it.
 *   Redirect targets are always checked: the remote side chose them;</li>
 *   <li>sensitive headers: sent to the first URL only, never to a redirect's target (same origin or
 *   not: the remote side chose it). Authorization, Cookie and Proxy-Authorization always are.</li>
 * </ul>
 */
public final class OutboundRequest {
  /** The headers that are always sensitive, lower case. */
  public static final Set<String> ALWAYS_SENSITIVE = Set.of("authorization", "cookie", "proxy-authorization");
  public static final long DEFAULT_DEADLINE_MILLIS = 30_000;
  public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;
  /** Redirects are not followed unless a caller asks for them. */
  public static final int DEFAULT_MAX_REDIRECTS = 0;

  private final HttpMethod method;
  private final String url;
  private final MultiMap headers;
  private final Buffer body;
  private final long deadlineMillis;
  private final long maxBodyBytes;
  private final int maxRedirects;
  private final boolean checkTarget;
  private final Set<String> sensitiveHeaders;

  private OutboundRequest(Builder b) {
    this.method = b.method;
    this.url = b.url;
    this.headers = MultiMap.caseInsensitiveMultiMap().addAll(b.headers);
    this.body = b.body == null ? null : b.body.copy();
    this.deadlineMillis = b.deadlineMillis;
    this.maxBodyBytes = b.maxBodyBytes;
    this.maxRedirects = b.maxRedirects;
    this.checkTarget = b.checkTarget;
    this.sensitiveHeaders = Set.copyOf(b.sensitiveHeaders);
  }

  /** A request with the default limits and the target check on. */
  public static Builder builder(HttpMethod method, String url) {
    return new Builder(method, url);
  }

  public static Builder get(String url) {
    return builder(HttpMethod.GET, url);
  }

  /** A builder holding this request's values, to derive another request from it. */
  public Builder toBuilder() {
    Builder b = new Builder(method, url);
    b.headers.addAll(headers);
    b.body = body;
    b.deadlineMillis = deadlineMillis;
    b.maxBodyBytes = maxBodyBytes;
    b.maxRedirects = maxRedirects;
    b.checkTarget = checkTarget;
    b.sensitiveHeaders.addAll(sensitiveHeaders);
    return b;
  }

  public HttpMethod method() {
    return method;
  }

  public String url() {
    return url;
  }

  /** A copy of the request headers. */
  public MultiMap headers() {
    return MultiMap.caseInsensitiveMultiMap().addAll(headers);
  }

  /** A copy of the request body, or null when there is none. */
  public Buffer body() {
    return body == null ? null : body.copy();
  }

  public long deadlineMillis() {
    return deadlineMillis;
  }

  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  public int maxRedirects() {
    return maxRedirects;
  }

  public boolean checkTarget() {
    return checkTarget;
  }

  /** The header names (lower case) sent to the first URL only: {@link #ALWAYS_SENSITIVE} and the caller's. */
  public Set<String> sensitiveHeaders() {
    return sensitiveHeaders;
  }

  public static final class Builder {
    private HttpMethod method;
    private String url;
    private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    private Buffer body;
    private long deadlineMillis = DEFAULT_DEADLINE_MILLIS;
    private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int maxRedirects = DEFAULT_MAX_REDIRECTS;
    private boolean checkTarget = true;
    private final Set<String> sensitiveHeaders = new HashSet<>(ALWAYS_SENSITIVE);

    private Builder(HttpMethod method, String url) {
      method(method).url(url);
    }

    public Builder method(HttpMethod method) {
      this.method = Objects.requireNonNull(method, "method");
      return this;
    }

    /** The absolute http(s) URL; it is checked when the request is sent (a bad one fails that send). */
    public Builder url(String url) {
      this.url = Objects.requireNonNull(url, "url");
      return this;
    }

    /** Adds a header (a name may carry several values). */
    public Builder header(String name, String value) {
      headers.add(name, value);
      return this;
    }

    public Builder headers(MultiMap more) {
      headers.addAll(more);
      return this;
    }

    /** Adds a header that must not follow a redirect, such as an API key. */
    public Builder sensitiveHeader(String name, String value) {
      markSensitive(name);
      return header(name, value);
    }

    /** Marks a header name (set now or later) as one that must not follow a redirect. */
    public Builder markSensitive(String name) {
      sensitiveHeaders.add(name.toLowerCase(Locale.ROOT));
      return this;
    }

    /** The request body (copied), or null for none. */
    public Builder body(Buffer body) {
      this.body = body;
      return this;
    }

    public Builder deadlineMillis(long deadlineMillis) {
      if (deadlineMillis <= 0) throw new IllegalArgumentException("deadlineMillis must be positive: " + deadlineMillis);
      this.deadlineMillis = deadlineMillis;
      return this;
    }

    public Builder maxBodyBytes(long maxBodyBytes) {
      if (maxBodyBytes < 0) throw new IllegalArgumentException("maxBodyBytes must not be negative: " + maxBodyBytes);
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    public Builder maxRedirects(int maxRedirects) {
      if (maxRedirects < 0) throw new IllegalArgumentException("maxRedirects must not be negative: " + maxRedirects);
      this.maxRedirects = maxRedirects;
      return this;
    }

    public Builder checkTarget(boolean checkTarget) {
      this.checkTarget = checkTarget;
      return this;
    }

    public OutboundRequest build() {
      return new OutboundRequest(this);
    }
  }
}
