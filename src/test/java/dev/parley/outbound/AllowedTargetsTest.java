package dev.parley.outbound;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The operator's allowance of special-purpose targets: what it parses, and what it lets through. */
class AllowedTargetsTest {
  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void anAddressWithAPortAllowsThatAddressOnThatPortOnly() throws Exception {
    AllowedTargets allowed = AllowedTargets.parse("127.0.0.1:8089");
    assertThat(allowed.allows(ip("127.0.0.1"), 8089)).isTrue();
    assertThat(allowed.allows(ip("127.0.0.1"), 8090)).isFalse();
    assertThat(allowed.allows(ip("127.0.0.2"), 8089)).isFalse();
    assertThat(allowed.toString()).isEqualTo("127.0.0.1/32:8089");
  }

  @Test
  void aNetworkWithoutAPortAllowsEveryAddressInItOnEveryPort() throws Exception {
    AllowedTargets allowed = AllowedTargets.parse("10.0.0.0/8");
    assertThat(allowed.allows(ip("10.0.0.0"), 80)).isTrue();
    assertThat(allowed.allows(ip("10.255.255.255"), 65535)).isTrue();
    assertThat(allowed.allows(ip("11.0.0.0"), 80)).isFalse();
    assertThat(allowed.allows(ip("9.255.255.255"), 80)).isFalse();
  }

  @Test
  void aPrefixThatIsNotAWholeByteIsHonouredToTheBit() throws Exception {
    AllowedTargets allowed = AllowedTargets.parse("172.16.0.0/12:443");
    assertThat(allowed.allows(ip("172.31.255.255"), 443)).isTrue();
    assertThat(allowed.allows(ip("172.32.0.0"), 443)).isFalse();
    assertThat(allowed.allows(ip("172.15.255.255"), 443)).isFalse();
    assertThat(allowed.allows(ip("172.16.0.1"), 80)).isFalse();
  }

  @Test
  void ipv6EntriesAreBracketedBeforeAPortAndMayBeBareWithout() throws Exception {
    AllowedTargets allowed = AllowedTargets.parse(" [::1]:9000 , fd00::/8, [fe80::]/10:443 ");
    assertThat(allowed.allows(ip("::1"), 9000)).isTrue();
    assertThat(allowed.allows(ip("::1"), 9001)).isFalse();
    assertThat(allowed.allows(ip("fd12:3456::1"), 1)).isTrue();
    assertThat(allowed.allows(ip("fc00::1"), 1)).isFalse();
    assertThat(allowed.allows(ip("fe80::1"), 443)).isTrue();
    assertThat(allowed.allows(ip("fe80::1"), 80)).isFalse();
    // an IPv4 entry says nothing about IPv6 addresses, and the reverse
    assertThat(AllowedTargets.parse("0.0.0.0/0").allows(ip("::1"), 80)).isFalse();
    assertThat(AllowedTargets.parse("::/0").allows(ip("127.0.0.1"), 80)).isFalse();
  }

  /** A connection to {@code ::ffff:127.0.0.1} reaches 127.0.0.1, so the IPv4 entry decides. */
  @Test
  void anIpv4MappedAddressIsJudgedAsItsIpv4Address() throws Exception {
    byte[] mapped = new byte[16];
    mapped[10] = mapped[11] = (byte) 0xff;
    mapped[12] = 127;
    mapped[15] = 1;
    InetAddress v6 = java.net.Inet6Address.getByAddress(null, mapped, -1);
    assertThat(AllowedTargets.parse("127.0.0.1:80").allows(v6, 80)).isTrue();
    assertThat(AllowedTargets.parse("127.0.0.2:80").allows(v6, 80)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void blankAllowsNothing(String setting) throws Exception {
    assertThat(AllowedTargets.parse(setting).allows(ip("127.0.0.1"), 80)).isFalse();
    assertThat(AllowedTargets.parse(null).allows(ip("127.0.0.1"), 80)).isFalse();
    assertThat(AllowedTargets.none().allows(ip("127.0.0.1"), 80)).isFalse();
  }

  @Test
  void badEntriesAreRefusedWithTheEntryAndTheReasonNamed() {
    assertBad("localhost:8089", "'localhost:8089'", "not an IP address");
    assertBad("example.com", "'example.com'", "expected address");
    assertBad("127.0.0.1:0", "port 0 is not between 1 and 65535");
    assertBad("127.0.0.1:65536", "port 65536 is not between 1 and 65535");
    assertBad("127.0.0.1:99999999999", "port 99999999999");
    assertBad("10.0.0.0/33", "prefix 33 is not between 0 and 32");
    assertBad("fd00::/129", "prefix 129 is not between 0 and 128");
    assertBad("10.0.0.1/8", "bits are set past the /8 prefix");
    assertBad("256.0.0.1", "not an IPv4 address");
    assertBad("1.2.3", "not an IP address");
    assertBad("[127.0.0.1]:80", "only an IPv6 address goes in brackets");
    assertBad("::1:9000x", "not an IP address");
    assertBad("[::1:9000", "expected address");
    assertBad("fe80::1%eth0", "not an IP address");
    assertBad("127.0.0.1:8089,,10.0.0.0/8", "an empty entry");
    assertBad("127.0.0.1:8089, 10.0.0.0/8/8", "'10.0.0.0/8/8'");
  }

  private static void assertBad(String setting, String... messageParts) {
    assertThatThrownBy(() -> AllowedTargets.parse(setting)).as(setting)
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessageContainingAll(messageParts);
  }
}
