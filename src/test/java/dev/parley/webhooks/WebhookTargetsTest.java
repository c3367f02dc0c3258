package dev.parley.webhooks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** The SSRF guard's address rules, on literal addresses only (nothing is looked up or contacted). */
class WebhookTargetsTest {
  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "::1", "10.0.0.1", "172.16.0.1", "172.31.255.254", "192.168.1.1",
    "169.254.169.254", "fe80::1", "fc00::1", "fd12:3456::1", "224.0.0.1", "239.255.255.250", "ff02::1", "0.0.0.0", "::",
    "100.64.0.1", "::ffff:127.0.0.1", "::ffff:10.1.2.3"})
  void internalAddressesAreRefused(String literal) throws Exception {
    assertThat(WebhookTargets.internal(InetAddress.getByName(literal))).as(literal).isTrue();
    String host = literal.contains(":") ? "[" + literal + "]" : literal;
    assertThat(WebhookTargets.invalidUrl("https://" + host + "/hook", false)).as(literal).isNotNull();
    assertThat(WebhookTargets.invalidUrl("https://" + host + "/hook", true)).as(literal).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.0.1", "100.128.0.1", "2001:4860:4860::8888"})
  void publicAddressesPass(String literal) throws Exception {
    assertThat(WebhookTargets.internal(InetAddress.getByName(literal))).as(literal).isFalse();
  }

  @Test
  void urlsMustBeHttpWithAHostAndNoCredentials() {
    assertThat(WebhookTargets.invalidUrl("ftp://example.com/x", false)).contains("http");
    assertThat(WebhookTargets.invalidUrl("https:///x", false)).isNotNull();
    assertThat(WebhookTargets.invalidUrl("https://user:pw@example.com/x", false)).contains("credentials");
    assertThat(WebhookTargets.invalidUrl("http://localhost:9000/x", false)).contains("loopback");
    assertThat(WebhookTargets.invalidUrl("https://hooks.example.com/parley", false)).isNull();
  }

  @Test
  void eventsAreAcceptedInEveryNotation() {
    assertThat(WebhookEvents.normalise("interview.completed")).isEqualTo("interview.completed");
    assertThat(WebhookEvents.normalise("INTERVIEW_COMPLETED")).isEqualTo("interview.completed");
    assertThat(WebhookEvents.normalise(3)).isEqualTo("interview.completed");
    assertThat(WebhookEvents.normalise("PING")).isEqualTo("ping");
    assertThat(WebhookEvents.normalise(6)).isNull();
    assertThat(WebhookEvents.normalise("interview.exploded")).isNull();
  }
}
