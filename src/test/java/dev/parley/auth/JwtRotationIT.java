package dev.parley.auth;

import dev.parley.config.ParleyConfig;
import dev.parley.secrets.ServerSecrets;
import dev.parley.support.TestServer;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** JWT keys rotate by kid: every configured key verifies, the first one signs. */
class JwtRotationIT {
  static TestServer server;
  static Vertx vertx;
  static String companyId;

  @BeforeAll
  static void start() {
    server = TestServer.start("jwtrot", Map.of("PARLEY_JWT_KEYS",
      "k2026=new-secret-for-rotation-tests-0123456789,k2025=old-secret-for-rotation-tests-0123456789"));
    vertx = Vertx.vertx();
    companyId = server.admin("company", "create", "--name", "Rotated").getString("id");
  }

  @AfterAll
  static void stop() {
    vertx.close();
    server.close();
  }

  static String token(String kid, String secret) {
    ServerSecrets keys = new ServerSecrets(List.of(new ServerSecrets.Pepper("p", new byte[32])), List.of(new ServerSecrets.JwtKey(kid, secret)));
    ParleyConfig config = ParleyConfig.load(Map.of());
    return Jwt.sign(Jwt.auth(vertx, keys, config), keys, config,
      new Jwt.Claims("rotation-test", companyId, null, List.of("read:interviews"), null), 60);
  }

  @Test
  void tokensOfTheCurrentAndThePreviousKeyWorkOthersDoNot() {
    assertThat(server.get("/interviews", token("k2026", "new-secret-for-rotation-tests-0123456789")).status()).isEqualTo(200);
    assertThat(server.get("/interviews", token("k2025", "old-secret-for-rotation-tests-0123456789")).status()).isEqualTo(200);
    assertThat(server.get("/interviews", token("k2025", "a-secret-nobody-configured-0123456789")).status()).isEqualTo(401);
    assertThat(server.get("/interviews", token("k1999", "old-secret-for-rotation-tests-0123456789")).status()).isEqualTo(401);
  }
}
