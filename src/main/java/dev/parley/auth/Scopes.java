package dev.parley.auth;

import java.util.List;
import java.util.Set;

/** The scopes of SPEC section 4. */
public final class Scopes {
  private Scopes() {}

  public static final List<String> ALL = List.of(
    "read:interviews", "write:interviews", "delete:interviews",
    "read:candidates", "write:candidates", "delete:candidates",
    "read:agents", "write:agents", "delete:agents",
    "read:companies", "write:companies",
    "read:webhooks", "write:webhooks");

  private static final Set<String> KNOWN = Set.copyOf(ALL);

  public static boolean isKnown(String scope) {
    return KNOWN.contains(scope);
  }
}
