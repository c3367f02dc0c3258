package dev.parley.fakes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Retell's webhook signature, {@code x-retell-signature: v=<unix ms>,d=<hex>}, exactly as
 * src/test/resources/providers/retell/SIGNATURE.md describes the official SDK's {@code webhook_auth.ts}:
 * HMAC-SHA256 keyed with the UTF-8 API key over the raw body bytes followed by the timestamp's decimal digits,
 * lowercase hex; verification accepts a skew of up to 300 000 ms either way.
 */
public final class RetellSignature {
  public static final String HEADER = "x-retell-signature";
  /** The SDK's default tolerance: |now - v| <= 5 minutes. */
  public static final long TOLERANCE_MS = 5 * 60 * 1000;
  private static final Pattern FORMAT = Pattern.compile("^v=(\\d+),d=([0-9a-fA-F]+)$");

  private RetellSignature() { }

  /** The header value for {@code body} signed at {@code timestampMs} with {@code apiKey}. */
  public static String sign(String apiKey, byte[] body, long timestampMs) {
    return "v=" + timestampMs + ",d=" + HexFormat.of().formatHex(digest(apiKey, body, Long.toString(timestampMs)));
  }

  /** What the SDK's {@code verify} answers for this header at {@code nowMs}. */
  public static boolean verify(String apiKey, byte[] body, String header, long nowMs) {
    if (header == null) return false;
    Matcher m = FORMAT.matcher(header);
    if (!m.matches() || m.group(2).length() != 64) return false;
    long v;
    try {
      v = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return false;
    }
    if (v > (1L << 53) - 1 || Math.abs(nowMs - v) > TOLERANCE_MS) return false;
    // the SDK appends String(Number(v)): leading zeros of the header's digits are dropped
    byte[] expected = digest(apiKey, body, Long.toString(v));
    return MessageDigest.isEqual(expected, HexFormat.of().parseHex(m.group(2).toLowerCase()));
  }

  private static byte[] digest(String apiKey, byte[] body, String timestampDigits) {
    byte[] ts = timestampDigits.getBytes(StandardCharsets.US_ASCII);
    byte[] message = new byte[body.length + ts.length];
    System.arraycopy(body, 0, message, 0, body.length);
    System.arraycopy(ts, 0, message, body.length, ts.length);
    return FakePlatform.hmac(apiKey.getBytes(StandardCharsets.UTF_8), message);
  }
}
