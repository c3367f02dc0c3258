package dev.parley.webhooks;

import dev.parley.outbound.SpecialPurposeAddresses;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The SSRF guard: webhook targets must not reach any special-purpose address of IANA's registries
 * (loopback, private, link-local, shared, documentation, benchmarking, translation prefixes …, see
 * {@link SpecialPurposeAddresses}) nor multicast, unless PARLEY_WEBHOOKS_ALLOW_PRIVATE is set. A URL is
 * checked when a subscription is written ({@link #invalidUrl}); at send time the outbound policy
 * ({@code OutboundHttp}) checks every address the host resolves to and connects to the one it
 * checked (no second lookup for a rebinding DNS server to answer differently). Redirects are not followed.
 */
public final class WebhookTargets {
  private WebhookTargets() {}

  /** Why a URL cannot be a webhook target at all (checked when a subscription is written), or null. */
  public static String invalidUrl(String url, boolean allowPrivate) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      return "not a URL";
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) return "must be an http or https URL";
    if (uri.getHost() == null || uri.getHost().isBlank()) return "has no host";
    if (uri.getUserInfo() != null) return "must not carry credentials";
    if (NUMERIC_HOST.matcher(uri.getHost()).matches() && !DOTTED_QUAD.matcher(uri.getHost()).matches()) {
      // 2130706433, 0x7f000001, 127.1, 0177.0.0.1: other spellings of an IPv4 address, which
      // resolvers read in different ways; one that hides 127.0.0.1 must not pass for a host name
      return "writes an IPv4 address in a form other than four decimal numbers (a.b.c.d)";
    }
    if (!allowPrivate) {
      InetAddress literal = literal(uri.getHost());
      SpecialPurposeAddresses.Block block = literal == null ? null : SpecialPurposeAddresses.blockOf(literal);
      if (block != null) return "points at a special-purpose address (" + block.cidr() + ", " + block.name() + ")";
      if (uri.getHost().equalsIgnoreCase("localhost") || uri.getHost().toLowerCase(Locale.ROOT).endsWith(".localhost")) {
        return "points at a loopback address";
      }
    }
    return null;
  }

  /** Whether an address lies in a special-purpose block ({@link SpecialPurposeAddresses}): never a webhook target. */
  public static boolean internal(InetAddress a) {
    return SpecialPurposeAddresses.blockOf(a) != null;
  }

  /** A host made of numbers alone (decimal, octal or hex), one to four of them: an IPv4 address in some spelling. */
  private static final java.util.regex.Pattern NUMERIC_HOST =
    java.util.regex.Pattern.compile("(?i)(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]+)){0,3}\\.?");
  /** The one spelling of an IPv4 address taken: four decimal numbers without leading zeros. */
  private static final java.util.regex.Pattern DOTTED_QUAD =
    java.util.regex.Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");

  /** The address written literally in a URL's host, or null for a host name (no lookup). */
  static InetAddress literal(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    boolean ipv4 = h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean ipv6 = h.contains(":");
    if (!ipv4 && !ipv6) return null;
    try {
      return InetAddress.getByName(h); // a literal: parsed, not looked up
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
