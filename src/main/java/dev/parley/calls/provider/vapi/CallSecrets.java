package dev.parley.calls.provider.vapi;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The per-call secret Vapi sends back in the {@code X-Parley-Call-Secret} header of every server
 * message about a call: HMAC-SHA256 of the callId under the Vapi private key. Each call has its own,
 * unguessable without the key, and any node checks it without a lookup; it is stored nowhere (not
 * in PostgreSQL either). Rotating the Vapi key changes the secrets of calls still live, whose
 * messages are then refused; their leases end them, asking Vapi for their outcome.
 */
final class CallSecrets {
  static final String HEADER = "X-Parley-Call-Secret";

  private final byte[] key;

  CallSecrets(String vapiApiKey) {
    this.key = vapiApiKey.getBytes(StandardCharsets.UTF_8);
  }

  String of(String callId) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(("parley-call-secret:" + callId).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** Whether a header is the call's secret; in constant time. */
  boolean matches(String callId, String header) {
    if (header == null) return false;
    return MessageDigest.isEqual(of(callId).getBytes(StandardCharsets.US_ASCII), header.trim().getBytes(StandardCharsets.UTF_8));
  }
}
