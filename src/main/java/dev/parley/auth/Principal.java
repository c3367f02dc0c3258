package dev.parley.auth;

import java.util.Set;

/**
 * Who is calling: a company key (companyId set) or an ATS partner's key (partnerId set), from an
 * API key or a JWT. {@code keyId} is the API key's ID, or the JWT's subject.
 */
public record Principal(String keyId, String companyId, String partnerId, Set<String> scopes, Kind kind,
                        Integer rateLimitMinute, Integer rateLimitHour) {
  public enum Kind { API_KEY, JWT }

  public boolean isPartner() {
    return partnerId != null;
  }

  public boolean has(String scope) {
    return scopes.contains(scope);
  }
}
