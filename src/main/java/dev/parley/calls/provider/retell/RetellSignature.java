package dev.parley.calls.provider.retell;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Retell's webhook signature, as its official SDK checks it ({@code Retell.verify}, retell-typescript-sdk
 * {@code src/lib/webhook_auth.ts}; the test resources' providers/retell/SIGNATURE.md has its text
 * and test vectors): header {@code x-retell-signature: v=<unix ms>,d=<hex>}, where the digest is
 * HMAC-SHA256 under the API key of the raw body followed by the timestamp's decimal digits, and a
 * timestamp more than 5 minutes from now either way is refused.
 */
final class RetellSignature {
  static final String HEADER = "x-retell-signature";
  static final long MAX_SKEW_MS = 5 * 60 * 1000;
  /** The SDK's own pattern: anchored, case-insensitive hex, exactly 64 digits (its hexToBytes). */
  private static final Pattern FORMAT = Pattern.compile("^v=(\\d+),d=([0-9a-fA-F]{64})$");
  /** The SDK reads the timestamp as a JavaScript number: beyond this it is not a safe integer. */
  private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

  private RetellSignature() {}

  static boolean verify(String apiKey, byte[] rawBody, String header, long nowMillis) {
    if (header == null) return false;
    Matcher m = FORMAT.matcher(header);
    if (!m.matches()) return false;
    long stamp;
    try {
      stamp = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return false;
    }
    if (stamp > MAX_SAFE_INTEGER || Math.abs(nowMillis - stamp) > MAX_SKEW_MS) return false;
    // the SDK appends String(Number(v)): leading zeros of the header's digits are not signed
    byte[] expected = digest(apiKey, rawBody, stamp);
    return MessageDigest.isEqual(expected, HexFormat.of().parseHex(m.group(2).toLowerCase(java.util.Locale.ROOT)));
  }

  /** The header Retell would send for this body at this time (the tests' fake signs with it too). */
  static String sign(String apiKey, byte[] rawBody, long stampMillis) {
    return "v=" + stampMillis + ",d=" + HexFormat.of().formatHex(digest(apiKey, rawBody, stampMillis));
  }

  private static byte[] digest(String apiKey, byte[] rawBody, long stamp) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(apiKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(rawBody);
      return mac.doFinal(Long.toString(stamp).getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
