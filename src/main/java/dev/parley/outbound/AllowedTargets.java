package dev.parley.outbound;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The special-purpose addresses an operator lets outbound requests reach anyway: a local speech
 * engine at {@code 127.0.0.1:8089}, a recordings store in {@code 10.0.0.0/8}. Everything else in
 * {@link SpecialPurposeAddresses} stays refused.
 *
 * <p>The setting is a comma-separated list of {@code address[/prefix][:port]} entries:
 * {@code 127.0.0.1:8089}, {@code 10.0.0.0/8}, {@code 10.1.0.0/16:443}; an IPv6 address is written
 * in brackets when a port follows ({@code [::1]:9000}, {@code [fd00::]/8:443}) and may be bare
 * otherwise ({@code fd00::/8}). No prefix means that one address; no port means every port.
 * Entries are address literals only: a host name would need a lookup, and would change with it.
 */
public final class AllowedTargets {
  private static final AllowedTargets NONE = new AllowedTargets(List.of());

  /** {@code a.b.c.d}, each part 0 to 255 written in decimal (checked after the match). */
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  /** Hex groups and colons, with an optional dotted IPv4 tail ({@code ::ffff:10.0.0.1}); no zone id. */
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(\\d{1,3}(\\.\\d{1,3}){3})?");
  /** {@code [address]/prefix:port} with the prefix and the port optional. */
  private static final Pattern BRACKETED = Pattern.compile("\\[([^\\]]*)\\](?:/(\\d+))?(?::(\\d+))?");
  /** {@code address/prefix:port} for IPv4, prefix and port optional. */
  private static final Pattern IPV4_ENTRY = Pattern.compile("([0-9.]+)(?:/(\\d+))?(?::(\\d+))?");
  /** A bare IPv6 entry, {@code address/prefix}: no port, as its colons would be ambiguous. */
  private static final Pattern BARE_IPV6_ENTRY = Pattern.compile("([^/\\[\\]]*:[^/\\[\\]]*)(?:/(\\d+))?");

  /** One entry: a network, and the one port it is allowed on, or {@link #ANY_PORT}. */
  private record Entry(InetAddress network, int prefix, int port) {
    static final int ANY_PORT = -1;

    boolean allows(InetAddress address, int targetPort) {
      if (port != ANY_PORT && port != targetPort) return false;
      byte[] n = network.getAddress(), a = address.getAddress();
      if (n.length != a.length) return false;
      for (int bit = 0; bit < prefix; bit++) {
        int mask = 0x80 >>> (bit % 8);
        if ((n[bit / 8] & mask) != (a[bit / 8] & mask)) return false;
      }
      return true;
    }

    @Override
    public String toString() {
      String net = network.getHostAddress() + "/" + prefix;
      if (port == ANY_PORT) return net;
      return (network instanceof Inet4Address ? net : "[" + network.getHostAddress() + "]/" + prefix) + ":" + port;
    }
  }

  private final List<Entry> entries;

  private AllowedTargets(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Allows nothing: every special-purpose address is refused. */
  public static AllowedTargets none() {
    return NONE;
  }

  /**
   * Parses the operator's setting (see the class comment); null, empty or blank allows nothing.
   *
   * @throws IllegalArgumentException naming the entry and what is wrong with it
   */
  public static AllowedTargets parse(String setting) {
    if (setting == null || setting.isBlank()) return NONE;
    List<Entry> entries = new ArrayList<>();
    for (String raw : setting.split(",", -1)) {
      String entry = raw.strip();
      if (entry.isEmpty()) throw new IllegalArgumentException("allowed targets: an empty entry in '" + setting + "'");
      entries.add(entry(entry));
    }
    return new AllowedTargets(entries);
  }

  /**
   * Whether a special-purpose address may be contacted on this port. An IPv4-mapped IPv6 address is
   * judged as the IPv4 address it maps, as {@link SpecialPurposeAddresses} does.
   */
  public boolean allows(InetAddress address, int port) {
    InetAddress a = SpecialPurposeAddresses.unmapped(address);
    for (Entry e : entries) if (e.allows(a, port)) return true;
    return false;
  }

  /** The entries in a normal form ({@code 127.0.0.1/32:8089}), for the startup log. */
  @Override
  public String toString() {
    return entries.stream().map(Entry::toString).collect(Collectors.joining(","));
  }

  private static Entry entry(String entry) {
    Matcher m;
    if ((m = BRACKETED.matcher(entry)).matches()) {
      if (!IPV6.matcher(m.group(1)).matches()) throw bad(entry, "only an IPv6 address goes in brackets");
    } else if (!(m = IPV4_ENTRY.matcher(entry)).matches() && !(m = BARE_IPV6_ENTRY.matcher(entry)).matches()) {
      throw bad(entry, "expected address[/prefix][:port], with an IPv6 address in brackets when a port follows");
    }
    InetAddress address = literal(entry, m.group(1));
    int bits = address.getAddress().length * 8;
    int prefix = m.group(2) == null ? bits : number(entry, m.group(2), 0, bits, "prefix");
    int port = m.groupCount() < 3 || m.group(3) == null ? Entry.ANY_PORT : number(entry, m.group(3), 1, 65535, "port");
    if (!hostBitsClear(address, prefix)) {
      throw bad(entry, "address bits are set past the /" + prefix + " prefix; write the network's first address");
    }
    return new Entry(address, prefix, port);
  }

  /** Parses an address literal without any lookup: IPv4 dotted quad or IPv6, nothing else. */
  private static InetAddress literal(String entry, String text) {
    boolean v4 = IPV4.matcher(text).matches();
    if (!v4 && !(text.contains(":") && IPV6.matcher(text).matches())) throw bad(entry, "'" + text + "' is not an IP address");
    if (v4) {
      for (String part : text.split("\\.")) {
        if (Integer.parseInt(part) > 255) throw bad(entry, "'" + text + "' is not an IPv4 address");
      }
    }
    try {
      // a literal (checked above), so InetAddress parses it and looks nothing up; an IPv4-mapped
      // IPv6 literal comes back as its IPv4 address
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw bad(entry, "'" + text + "' is not an IP address");
    }
  }

  private static int number(String entry, String digits, int min, int max, String what) {
    int n;
    try {
      n = Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < min || n > max) throw bad(entry, what + " " + digits + " is not between " + min + " and " + max);
    return n;
  }

  private static boolean hostBitsClear(InetAddress address, int prefix) {
    byte[] b = address.getAddress();
    for (int bit = prefix; bit < b.length * 8; bit++) {
      if ((b[bit / 8] & (0x80 >>> (bit % 8))) != 0) return false;
    }
    return true;
  }

  private static IllegalArgumentException bad(String entry, String why) {
    return new IllegalArgumentException("allowed targets: '" + entry + "': " + why);
  }
}
