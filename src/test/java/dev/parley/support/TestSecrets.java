package dev.parley.support;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The secrets every test node shares (a JWT key and an API-key pepper), given through the
 * environment as an operator would: a node on {@code DATABASE_URL} refuses to start without them
 * (docs/operations.md#secrets). A test about the secrets themselves unsets them with null values.
 */
public final class TestSecrets {
  private TestSecrets() {}

  public static final String JWT_KID = "test";
  public static final String JWT_SECRET = "parley-test-jwt-key-5b1e0c7d9a2f4e68";
  public static final String PEPPER_VERSION = "test";
  public static final String PEPPER_HEX = "9f1c2b3a4d5e6f708192a3b4c5d6e7f80123456789abcdef0fedcba987654321";

  public static final Map<String, String> ENV = Map.of(
    "PARLEY_JWT_KEYS", JWT_KID + "=" + JWT_SECRET,
    "PARLEY_KEY_PEPPERS", PEPPER_VERSION + "=" + PEPPER_HEX);

  /** The test secrets under {@code env}; a null value in {@code env} removes that variable. */
  public static Map<String, String> under(Map<String, String> base, Map<String, String> env) {
    Map<String, String> all = new HashMap<>(base);
    all.putAll(ENV);
    all.putAll(env);
    all.values().removeIf(Objects::isNull);
    return all;
  }
}
