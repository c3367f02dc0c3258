package dev.parley.db;

import java.util.HexFormat;
import java.util.List;

/**
 * Secrets every node must share, so they live in the database when not configured.
 *
 * @param apiKeyHashKey the HMAC key API keys are hashed under
 * @param jwtKeys       HS256 keys by kid; the first one signs, all of them verify (rotation)
 */
public record ServerSecrets(byte[] apiKeyHashKey, List<JwtKey> jwtKeys) {
  public record JwtKey(String kid, String secret) {}

  public static byte[] fromHex(String hex) {
    return HexFormat.of().parseHex(hex);
  }
}
