package dev.parley.client;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How a {@link ParleyClient} calls: its credential, given once or through a supplier asked before
 * every call (a JWT that rotates), the timeout of a call, and whether refused calls are retried.
 *
 * <p>Retries are off by default ({@code maxRetries} 0). With {@code maxRetries} n, a call refused
 * with 429 {@code RATE_LIMITED} or 503 {@code UNAVAILABLE} is sent again, at most n more times,
 * each after the wait the refusal names ({@link ParleyException#retryAfter()}); a wait longer than
 * {@code maxRetryWait} is not waited for, and the refusal is the call's result.
 */
public record ParleyClientOptions(Supplier<String> credential, Duration timeout, int maxRetries, Duration maxRetryWait) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_MAX_RETRY_WAIT = Duration.ofSeconds(60);

  public ParleyClientOptions {
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(maxRetryWait, "maxRetryWait");
    if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive");
    if (maxRetries < 0) throw new IllegalArgumentException("maxRetries must be at least 0");
  }

  /** A JWT or an API key, the same for every call; no retries, 10 s per call. */
  public static ParleyClientOptions withCredential(String credential) {
    Objects.requireNonNull(credential, "credential");
    return new ParleyClientOptions(() -> credential, DEFAULT_TIMEOUT, 0, DEFAULT_MAX_RETRY_WAIT);
  }

  /** A credential asked for before every call: a JWT that rotates. The supplier must not block. */
  public static ParleyClientOptions withCredential(Supplier<String> credential) {
    return new ParleyClientOptions(credential, DEFAULT_TIMEOUT, 0, DEFAULT_MAX_RETRY_WAIT);
  }

  public ParleyClientOptions withTimeout(Duration timeout) {
    return new ParleyClientOptions(credential, timeout, maxRetries, maxRetryWait);
  }

  public ParleyClientOptions withRetries(int maxRetries, Duration maxRetryWait) {
    return new ParleyClientOptions(credential, timeout, maxRetries, maxRetryWait);
  }
}
