package dev.parley.client;

import java.time.Duration;

/**
 * What one call may set beside its arguments: its timeout (else the client's), its request id
 * (else a new UUID), an Idempotency-Key (creates of interviews; the client makes one itself when
 * it may retry a create), and the company an ATS partner's credential acts for.
 */
public record CallOptions(Duration timeout, String requestId, String idempotencyKey, String companyId) {
  public static final CallOptions NONE = new CallOptions(null, null, null, null);

  public CallOptions withTimeout(Duration timeout) {
    return new CallOptions(timeout, requestId, idempotencyKey, companyId);
  }

  public CallOptions withRequestId(String requestId) {
    return new CallOptions(timeout, requestId, idempotencyKey, companyId);
  }

  public CallOptions withIdempotencyKey(String idempotencyKey) {
    return new CallOptions(timeout, requestId, idempotencyKey, companyId);
  }

  /** For an ATS partner's credential: the company the call acts for (as {@code companyId} over HTTP). */
  public CallOptions withCompanyId(String companyId) {
    return new CallOptions(timeout, requestId, idempotencyKey, companyId);
  }
}
