package dev.parley.common;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * New random secrets in the one form Parley stores them: 32 bytes of {@link SecureRandom} as hex.
 *
 * <p>Shared because the layers that make such secrets sit side by side or below each other:
 * {@code secrets} (a generated secrets file, before anything else runs) and persistence (a webhook
 * subscription's signing secret); neither may reach up into {@code auth} for it.
 */
public final class RandomSecrets {
  private static final SecureRandom RANDOM = new SecureRandom();

  private RandomSecrets() {}

  /** 32 random bytes as hex: the form of generated server secrets and subscription secrets. */
  public static String newHex() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
