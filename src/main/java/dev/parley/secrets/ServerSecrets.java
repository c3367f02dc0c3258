package dev.parley.secrets;

import java.util.List;

/**
 * The secrets every node of a deployment must share, read at start from outside the database
 * ({@link SecretSources}): nothing in PostgreSQL can mint a token or turn a stolen key hash back
 * into a working lookup.
 *
 * @param peppers HMAC keys API keys are hashed under, by version; the first hashes new keys, all of
 *                them find keys (rotation: a key found under an older one is hashed again under the first)
 * @param jwtKeys HS256 keys by kid; the first one signs, all of them verify (rotation)
 */
public record ServerSecrets(List<Pepper> peppers, List<JwtKey> jwtKeys) {
  public ServerSecrets {
    if (peppers.isEmpty() || jwtKeys.isEmpty()) throw new IllegalArgumentException("a pepper and a JWT key are needed");
    peppers = List.copyOf(peppers);
    jwtKeys = List.copyOf(jwtKeys);
  }

  public record JwtKey(String kid, String secret) {}

  /** An API-key pepper: its version is a name the operator picks, stored with each key hashed under it. */
  public record Pepper(String version, byte[] key) {}

  /** The pepper new keys are hashed under. */
  public Pepper currentPepper() {
    return peppers.get(0);
  }
}
