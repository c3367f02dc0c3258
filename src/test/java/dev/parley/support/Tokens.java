package dev.parley.support;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** JWTs made by hand, good and bad: for checking that only the server's own tokens pass. */
public final class Tokens {
  private Tokens() {}

  /** The claims of a company token with every scope, which the server would accept but for what a test changes. */
  public static JsonObject companyClaims(String companyId, long expiresAtEpochSeconds) {
    return new JsonObject().put("sub", "test:" + companyId).put("companyId", companyId).put("iss", "parley").put("aud", "parley")
      .put("exp", expiresAtEpochSeconds).put("iat", expiresAtEpochSeconds - 3600)
      .put("scopes", new JsonArray(List.of("read:interviews", "write:interviews", "delete:interviews", "read:candidates",
        "write:candidates", "delete:candidates", "read:agents", "write:agents", "delete:agents", "read:companies",
        "write:companies", "read:webhooks", "write:webhooks")));
  }

  /** HS256 under the given secret and kid, with the claims as they are (exp included). */
  public static String signed(Vertx vertx, String secret, String kid, JsonObject claims) {
    JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret).setId(kid)));
    return auth.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setHeader(new JsonObject().put("kid", kid)));
  }

  /** The same claims with "alg": "none" and no signature. */
  public static String unsigned(JsonObject claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
      + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + ".";
  }
}
