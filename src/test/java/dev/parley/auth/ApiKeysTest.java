package dev.parley.auth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The format check every request's key goes through before it is hashed. */
class ApiKeysTest {
  @Test
  void generatedKeysAreWellFormed() {
    for (int i = 0; i < 1000; i++) {
      assertThat(ApiKeys.wellFormed(ApiKeys.generate(true))).isTrue();
      assertThat(ApiKeys.wellFormed(ApiKeys.generate(false))).isTrue();
    }
  }

  @Test
  void anythingElseIsMalformed() {
    String key = ApiKeys.generate(true);
    String body = key.substring(8);
    assertThat(ApiKeys.wellFormed(null)).isFalse();
    assertThat(ApiKeys.wellFormed("")).isFalse();
    assertThat(ApiKeys.wellFormed("sk_prod_" + body)).as("another prefix").isFalse();
    assertThat(ApiKeys.wellFormed("SK_LIVE_" + body)).as("prefix in capitals").isFalse();
    assertThat(ApiKeys.wellFormed(key.substring(0, key.length() - 1))).as("one character short").isFalse();
    assertThat(ApiKeys.wellFormed(key + "a")).as("one character long").isFalse();
    for (char c : new char[] {'-', '_', '/', '+', '=', ' ', '@', '[', '`', '{', ':', 'é', '٣'}) {
      assertThat(ApiKeys.wellFormed(key.substring(0, 20) + c + key.substring(21))).as("with '%s'", c).isFalse();
    }
  }
}
