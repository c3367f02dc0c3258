package dev.parley.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The {@code Parley-Signature} header of webhooks and provider events:
 * {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">}. docs/webhooks.md shows how to verify it.
 */
public final class Signatures {
  private Signatures() {}

  public static final String HEADER = "Parley-Signature";
  /** How far a signed time may be from ours before the signature is refused (replays). */
  public static final long TOLERANCE_SECONDS = 300;

  public static String sign(String secret, long unixSeconds, byte[] body) {
    return "t=" + unixSeconds + ",v1=" + hex(secret, unixSeconds, body);
  }

  public static boolean verify(String secret, String header, byte[] body, long nowSeconds) {
    if (secret == null || header == null) return false;
    Long t = null;
    String v1 = null;
    for (String part : header.split(",")) {
      String p = part.trim();
      if (p.startsWith("t=")) {
        try {
          t = Long.parseLong(p.substring(2));
        } catch (NumberFormatException e) {
          return false;
        }
      } else if (p.startsWith("v1=")) {
        v1 = p.substring(3);
      }
    }
    if (t == null || v1 == null || Math.abs(nowSeconds - t) > TOLERANCE_SECONDS) return false;
    return MessageDigest.isEqual(hex(secret, t, body).getBytes(StandardCharsets.US_ASCII), v1.getBytes(StandardCharsets.US_ASCII));
  }

  private static String hex(String secret, long t, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
