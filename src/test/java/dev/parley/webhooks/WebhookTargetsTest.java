package dev.parley.webhooks;

import dev.parley.outbound.SpecialPurposeAddresses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

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
  @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.0.1", "100.128.0.1", "2001:4860:4860::8888",
    "198.20.0.0", "198.17.255.255", "223.255.255.255", "2003::1", "64:ff9b:0:0:1::1", "2001:200::1", "2a00:1450::1"})
  void publicAddressesPass(String literal) throws Exception {
    assertThat(WebhookTargets.internal(InetAddress.getByName(literal))).as(literal).isFalse();
    String host = literal.contains(":") ? "[" + literal + "]" : literal;
    assertThat(WebhookTargets.invalidUrl("https://" + host + "/hook", false)).as(literal).isNull();
  }

  /** Those that once got through, written as the issue found them. */
  @ParameterizedTest
  @ValueSource(strings = {"64:ff9b::a00:1", "64:ff9b::808:808", "2002:7f00:1::1", "2002::1", "198.18.0.1", "198.19.255.254",
    "240.0.0.1", "255.255.255.254", "255.255.255.255"})
  void translationTunnellingBenchmarkingAndReservedAddressesAreRefused(String literal) throws Exception {
    assertThat(WebhookTargets.internal(InetAddress.getByName(literal))).as(literal).isTrue();
  }

  /**
   * Every block of the table, address by address at its edges: its first and last addresses are
   * refused, with the block named; the address just outside each edge is refused only when another
   * block holds it.
   */
  @Test
  void everyBlockIsRefusedToItsEdgesAndNoFurther() throws Exception {
    List<SpecialPurposeAddresses.Block> all = new ArrayList<>(SpecialPurposeAddresses.IPV4);
    all.addAll(SpecialPurposeAddresses.IPV6);
    assertThat(all).hasSizeGreaterThan(30);
    for (SpecialPurposeAddresses.Block b : all) {
      for (InetAddress edge : List.of(b.network(), b.last())) {
        assertThat(WebhookTargets.internal(edge)).as("%s in %s", edge.getHostAddress(), b.cidr()).isTrue();
        String host = edge instanceof java.net.Inet6Address ? "[" + edge.getHostAddress() + "]" : edge.getHostAddress();
        String why = WebhookTargets.invalidUrl("https://" + host + "/hook", false);
        assertThat(why).as(b.cidr()).contains("special-purpose");
        // the message names the block, or a smaller one inside it that holds this edge
        if (all.stream().noneMatch(o -> o.prefix() > b.prefix() && o.contains(edge))) assertThat(why).as(b.cidr()).contains(b.name());
      }
      for (InetAddress outside : new InetAddress[] {step(b.network(), -1), step(b.last(), 1)}) {
        if (outside == null) continue;
        boolean inAnother = all.stream().anyMatch(o -> o != b && o.contains(outside));
        assertThat(WebhookTargets.internal(outside)).as("%s next to %s", outside.getHostAddress(), b.cidr()).isEqualTo(inAnother);
      }
    }
  }

  /** An IPv4-mapped address is the IPv4 address it maps, even where Java keeps it as IPv6. */
  @Test
  void anIpv4MappedAddressIsJudgedAsItsIpv4Address() throws Exception {
    byte[] loopback = new byte[16], google = new byte[16];
    loopback[10] = loopback[11] = google[10] = google[11] = (byte) 0xff;
    loopback[12] = 127;
    loopback[15] = 1;
    google[12] = google[13] = google[14] = google[15] = 8;
    assertThat(WebhookTargets.internal(java.net.Inet6Address.getByAddress(null, loopback, -1))).isTrue();
    assertThat(WebhookTargets.internal(java.net.Inet6Address.getByAddress(null, google, -1))).isFalse();
  }

  /** The address one above or below, or null past the ends of the address space. */
  static InetAddress step(InetAddress a, int by) throws Exception {
    byte[] raw = a.getAddress();
    BigInteger next = new BigInteger(1, raw).add(BigInteger.valueOf(by));
    if (next.signum() < 0 || next.bitLength() > raw.length * 8) return null;
    byte[] bytes = next.toByteArray(), out = new byte[raw.length];
    int copy = Math.min(bytes.length, raw.length);
    System.arraycopy(bytes, bytes.length - copy, out, raw.length - copy, copy);
    return InetAddress.getByAddress(out);
  }

  @Test
  void urlsMustBeHttpWithAHostAndNoCredentials() {
    assertThat(WebhookTargets.invalidUrl("ftp://example.com/x", false)).contains("http");
    assertThat(WebhookTargets.invalidUrl("https:///x", false)).isNotNull();
    assertThat(WebhookTargets.invalidUrl("https://user:pw@example.com/x", false)).contains("credentials");
    assertThat(WebhookTargets.invalidUrl("http://localhost:9000/x", false)).contains("loopback");
    assertThat(WebhookTargets.invalidUrl("https://hooks.example.com/parley", false)).isNull();
  }

  /** Other spellings of an IPv4 address (127.0.0.1 in each of them here) are refused when the subscription is written. */
  @Test
  void numericHostsOtherThanFourDecimalNumbersAreRefused() {
    for (String host : new String[] {"2130706433", "0x7f000001", "017700000001", "0177.0.0.1", "127.0.0.01"}) {
      assertThat(WebhookTargets.invalidUrl("http://" + host + "/x", false)).as(host).contains("four decimal numbers");
      assertThat(WebhookTargets.invalidUrl("http://" + host + "/x", true)).as(host).contains("four decimal numbers");
    }
    // forms java.net.URI does not even take as a host are refused as well, whatever the reason given
    for (String host : new String[] {"0x7f.1", "0x7F.0.0.1", "2130706433.", "127.1", "127.0.1"}) {
      assertThat(WebhookTargets.invalidUrl("http://" + host + "/x", true)).as(host).isNotNull();
    }
    assertThat(WebhookTargets.invalidUrl("https://8.8.8.8/x", false)).isNull();
    assertThat(WebhookTargets.invalidUrl("https://10.0.0.1/x", true)).isNull();
    assertThat(WebhookTargets.invalidUrl("https://1password.example/x", false)).isNull();
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
