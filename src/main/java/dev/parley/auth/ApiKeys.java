package dev.parley.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * API keys: {@code sk_live_} or {@code sk_test_} and 43 random base62 characters (about 256 bits).
 * Only an HMAC-SHA256 of the key under the server's current pepper is stored (with the pepper's version); an HMAC is
 * enough because the key is random (no password-grade stretching needed), and it is cheap enough
 * to compute on the event loop.
 */
public final class ApiKeys {
  private ApiKeys() {}

  public static final int BODY_LENGTH = 43;
  private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  public static String generate(boolean live) {
    StringBuilder sb = new StringBuilder(live ? "sk_live_" : "sk_test_");
    for (int i = 0; i < BODY_LENGTH; i++) sb.append(BASE62.charAt(RANDOM.nextInt(BASE62.length())));
    return sb.toString();
  }

  /**
   * {@code sk_(live|test)_} and {@link #BODY_LENGTH} base62 characters. Checked on every request,
   * by a scan rather than a regular expression: the expression was 1% of a GET's CPU in a profile.
   */
  public static boolean wellFormed(String key) {
    if (key == null || key.length() != 8 + BODY_LENGTH || !(key.startsWith("sk_live_") || key.startsWith("sk_test_"))) {
      return false;
    }
    for (int i = 8; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) return false;
    }
    return true;
  }

  /** "sk_live_" or "sk_test_". */
  public static String prefix(String key) {
    return key.substring(0, 8);
  }

  /** A live key; an {@code sk_test_} key makes test interviews, which never reach a real provider. */
  public static boolean live(String key) {
    return key.startsWith("sk_live_");
  }

  /**
   * Initialised Macs per thread, by secret (identity): every request hashes its key, so no key
   * setup each time. A node has one pepper per version, two or three at most during a rotation.
   */
  private static final ThreadLocal<java.util.IdentityHashMap<byte[], Mac>> MACS =
    ThreadLocal.withInitial(java.util.IdentityHashMap::new);

  public static byte[] hash(byte[] secret, String key) {
    try {
      java.util.IdentityHashMap<byte[], Mac> macs = MACS.get();
      Mac mac = macs.get(secret);
      if (mac == null) {
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        if (macs.size() >= 8) macs.clear(); // secrets are few and long-lived; this only bounds a misuse
        macs.put(secret, mac);
      }
      return mac.doFinal(key.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  public static String hashHex(byte[] secret, String key) {
    return HexFormat.of().formatHex(hash(secret, key));
  }
}
