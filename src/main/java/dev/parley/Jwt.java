package dev.parley;

import dev.parley.config.ParleyConfig;
import dev.parley.db.ServerSecrets;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.util.List;

/**
 * JWT credentials (HS256): every configured key verifies, found by its {@code kid}, and the first
 * one signs. Issuer, audience and expiry are enforced.
 */
public final class Jwt {
  private Jwt() {}

  public static JWTAuth auth(Vertx vertx, ServerSecrets secrets, ParleyConfig config) {
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(new JWTOptions()
      .setIssuer(config.jwtIssuer())
      .setAudience(List.of(config.jwtAudience()))
      .setIgnoreExpiration(false)
      .setAlgorithm("HS256"));
    for (ServerSecrets.JwtKey key : secrets.jwtKeys()) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(key.secret()).setId(key.kid()));
    }
    return JWTAuth.create(vertx, options);
  }

  /** Signs a token for a company or a partner with the given scopes. */
  public static String sign(JWTAuth auth, ServerSecrets secrets, ParleyConfig config, String companyId,
                            String partnerId, List<String> scopes, int ttlSeconds) {
    JsonObject claims = new JsonObject().put("scopes", new JsonArray(scopes));
    if (companyId != null) claims.put("companyId", companyId);
    if (partnerId != null) claims.put("partnerId", partnerId);
    return auth.generateToken(claims, new JWTOptions()
      .setAlgorithm("HS256")
      .setIssuer(config.jwtIssuer())
      .setAudience(List.of(config.jwtAudience()))
      .setSubject(companyId != null ? "company:" + companyId : "partner:" + partnerId)
      .setExpiresInSeconds(ttlSeconds)
      .setHeader(new JsonObject().put("kid", secrets.jwtKeys().get(0).kid())));
  }
}
