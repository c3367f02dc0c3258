package dev.parley.outbound;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The address blocks no tenant- or platform-supplied URL may reach (webhooks, providers,
 * recordings: {@link OutboundHttp}, and the webhook guard): every entry of IANA's IPv4 and IPv6 Special-Purpose
 * Address Registries (RFC 6890 and the RFCs that added to them), whether or not the registry calls
 * the block globally reachable (a translation prefix or an anycast service is no customer's
 * endpoint either), and the multicast ranges. IPv4 addresses carried in IPv6 by translation or
 * tunnelling (IPv4-compatible, 6to4, NAT64) are refused as their whole block; an IPv4-mapped
 * address ({@code ::ffff:a.b.c.d}) is the IPv4 address it maps, and is judged as that.
 */
public final class SpecialPurposeAddresses {
  private SpecialPurposeAddresses() {}

  /** One block of the table: its first address, its prefix length, and what the registry calls it. */
  public record Block(String cidr, String name) {
    public InetAddress network() {
      try {
        return InetAddress.getByName(cidr.substring(0, cidr.indexOf('/')));
      } catch (UnknownHostException e) {
        throw new IllegalStateException(cidr, e);
      }
    }

    public int prefix() {
      return Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
    }

    public boolean contains(InetAddress a) {
      byte[] n = network().getAddress(), x = a.getAddress();
      if (n.length != x.length) return false;
      int bits = prefix();
      for (int i = 0; i < n.length && bits > 0; i++, bits -= 8) {
        int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
        if ((n[i] & mask) != (x[i] & mask)) return false;
      }
      return true;
    }

    /** The block's last address. */
    public InetAddress last() {
      byte[] out = network().getAddress();
      for (int i = 0; i < out.length; i++) {
        int networkBits = Math.max(0, Math.min(8, prefix() - i * 8));
        out[i] = (byte) (out[i] | (0xff >>> networkBits));
      }
      try {
        return InetAddress.getByAddress(out);
      } catch (UnknownHostException e) {
        throw new IllegalStateException(cidr, e);
      }
    }
  }

  /** IANA IPv4 Special-Purpose Address Registry, and multicast. */
  public static final List<Block> IPV4 = List.of(
    new Block("0.0.0.0/8", "this network"),
    new Block("10.0.0.0/8", "private-use"),
    new Block("100.64.0.0/10", "shared address space"),
    new Block("127.0.0.0/8", "loopback"),
    new Block("169.254.0.0/16", "link local"),
    new Block("172.16.0.0/12", "private-use"),
    new Block("192.0.0.0/24", "IETF protocol assignments"),
    new Block("192.0.2.0/24", "documentation (TEST-NET-1)"),
    new Block("192.31.196.0/24", "AS112-v4"),
    new Block("192.52.193.0/24", "AMT"),
    new Block("192.88.99.0/24", "deprecated 6to4 relay anycast"),
    new Block("192.168.0.0/16", "private-use"),
    new Block("192.175.48.0/24", "direct delegation AS112 service"),
    new Block("198.18.0.0/15", "benchmarking"),
    new Block("198.51.100.0/24", "documentation (TEST-NET-2)"),
    new Block("203.0.113.0/24", "documentation (TEST-NET-3)"),
    new Block("224.0.0.0/4", "multicast"),
    new Block("240.0.0.0/4", "reserved"),
    new Block("255.255.255.255/32", "limited broadcast"));

  /** IANA IPv6 Special-Purpose Address Registry, and multicast and the deprecated site-local block. */
  public static final List<Block> IPV6 = List.of(
    new Block("::/96", "unspecified, loopback and IPv4-compatible (deprecated)"),
    new Block("64:ff9b::/96", "IPv4-IPv6 translation"),
    new Block("64:ff9b:1::/48", "local-use IPv4/IPv6 translation"),
    new Block("100::/64", "discard-only"),
    new Block("100:0:0:1::/64", "dummy IPv6 prefix"),
    new Block("2001::/23", "IETF protocol assignments (TEREDO, benchmarking, AMT, AS112, ORCHID, drone remote ID)"),
    new Block("2001:db8::/32", "documentation"),
    new Block("2002::/16", "6to4"),
    new Block("2620:4f:8000::/48", "direct delegation AS112 service"),
    new Block("3fff::/20", "documentation"),
    new Block("5f00::/16", "segment routing SIDs"),
    new Block("fc00::/7", "unique-local"),
    new Block("fe80::/10", "link-local unicast"),
    new Block("fec0::/10", "site-local (deprecated)"),
    new Block("ff00::/8", "multicast"));

  /** The most specific block an address falls in, or null when it is an ordinary public address. */
  public static Block blockOf(InetAddress address) {
    InetAddress a = unmapped(address);
    Block found = null;
    for (Block b : a instanceof Inet4Address ? IPV4 : IPV6) {
      if (b.contains(a) && (found == null || b.prefix() > found.prefix())) found = b;
    }
    return found;
  }

  /**
   * The IPv4 address an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) stands for, else the
   * address itself. Java usually converts mapped addresses itself, but not one built with
   * {@link Inet6Address#getByAddress(String, byte[], int)}; a connection to either reaches the IPv4 host.
   */
  static InetAddress unmapped(InetAddress a) {
    if (!(a instanceof Inet6Address)) return a;
    byte[] b = a.getAddress();
    for (int i = 0; i < 10; i++) if (b[i] != 0) return a;
    if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) return a;
    try {
      return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are always an IPv4 address", e);
    }
  }
}
