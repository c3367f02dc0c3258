package dev.parley.auth;

import dev.parley.config.ParleyConfig;
import dev.parley.secrets.ServerSecrets;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JWT credentials (HS256): every configured key verifies, found by its {@code kid}, and the first
 * one signs. Issuer, audience and expiry are enforced.
 */
public final class Jwt {
  private Jwt() {}

  /** The provider of the signing key (the first one). */
  public static JWTAuth auth(Vertx vertx, ServerSecrets secrets, ParleyConfig config) {
    return auth(vertx, secrets.jwtKeys().get(0), config);
  }

  /**
   * One verifier per key, by kid, in configuration order. vertx-auth-jwt given several keys of one
   * algorithm does not pick them by kid, so Parley picks the provider itself.
   */
  public static Map<String, JWTAuth> verifiers(Vertx vertx, ServerSecrets secrets, ParleyConfig config) {
    Map<String, JWTAuth> byKid = new LinkedHashMap<>();
    for (ServerSecrets.JwtKey key : secrets.jwtKeys()) byKid.put(key.kid(), auth(vertx, key, config));
    return byKid;
  }

  private static JWTAuth auth(Vertx vertx, ServerSecrets.JwtKey key, ParleyConfig config) {
    return JWTAuth.create(vertx, new JWTAuthOptions()
      .setJWTOptions(new JWTOptions()
        .setIssuer(config.jwtIssuer())
        .setAudience(List.of(config.jwtAudience()))
        .setIgnoreExpiration(false)
        .setAlgorithm("HS256"))
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(key.secret()).setId(key.kid())));
  }

  /** The kid in a token's header, or null. */
  public static String kid(String token) {
    try {
      String header = token.substring(0, token.indexOf('.'));
      Object kid = new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(header),
        java.nio.charset.StandardCharsets.UTF_8)).getValue("kid");
      return kid instanceof String k ? k : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * What a token says: who it is for ({@code sub}), the company or partner it acts for, its scopes
   * and, optionally, its own rate limit ("MINUTE/HOUR").
   */
  public record Claims(String subject, String companyId, String partnerId, List<String> scopes, String rateLimit) {}

  /** Signs a token with the given claims, valid for ttlSeconds. */
  public static String sign(JWTAuth auth, ServerSecrets secrets, ParleyConfig config, Claims c, int ttlSeconds) {
    JsonObject claims = new JsonObject().put("scopes", new JsonArray(c.scopes()));
    if (c.companyId() != null) claims.put("companyId", c.companyId());
    if (c.partnerId() != null) claims.put("partnerId", c.partnerId());
    if (c.rateLimit() != null) claims.put("rateLimit", c.rateLimit());
    return auth.generateToken(claims, new JWTOptions()
      .setAlgorithm("HS256")
      .setIssuer(config.jwtIssuer())
      .setAudience(List.of(config.jwtAudience()))
      .setSubject(c.subject())
      .setExpiresInSeconds(ttlSeconds)
      .setHeader(new JsonObject().put("kid", secrets.jwtKeys().get(0).kid())));
  }
}
