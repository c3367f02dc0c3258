package dev.parley.auth;

import dev.parley.common.RateLimit;

import java.util.Set;

/**
 * Who is calling: a company key (companyId set) or an ATS partner's key (partnerId set), from an
 * API key or a JWT.
 *
 * @param keyId     the API key's ID; null for a JWT
 * @param subject   the JWT's subject ({@code sub}); null for an API key
 * @param rateLimit the credential's own limit, or null for the server's default
 * @param livemode  false for an {@code sk_test_} key: what it creates is a test interview, played by
 *                  the simulator whatever the provider (docs/providers.md, "Test mode")
 */
public record Principal(String keyId, String subject, String companyId, String partnerId, Set<String> scopes, Kind kind,
                        RateLimit rateLimit, boolean livemode) {
  public enum Kind { API_KEY, JWT }

  public boolean isPartner() {
    return partnerId != null;
  }

  public boolean has(String scope) {
    return scopes.contains(scope);
  }

  /** The rate-limit budget this credential draws from: one per API key, one per JWT subject. */
  public String budgetKey() {
    return kind == Kind.API_KEY ? "key:" + keyId : "jwt:" + subject;
  }
}
