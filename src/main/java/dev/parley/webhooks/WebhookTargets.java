package dev.parley.webhooks;

import dev.parley.outbound.RefusedTargetException;
import dev.parley.outbound.SpecialPurposeAddresses;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The SSRF guard: webhook targets must not reach any special-purpose address of IANA's registries
 * (loopback, private, link-local, shared, documentation, benchmarking, translation prefixes …, see
 * {@link SpecialPurposeAddresses}) nor multicast, unless PARLEY_WEBHOOKS_ALLOW_PRIVATE is set. Every address a host name
 * resolves to is checked at send time, and the request then goes to the address that was checked
 * (no second lookup for a rebinding DNS server to answer differently). Redirects are not followed.
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

  /**
   * Resolves the target's host (blocking: run on a worker) and returns the address to connect to,
   * or throws {@link RefusedTargetException} (a permanent failure of the delivery) when any
   * resolved address is internal.
   */
  public static InetAddress resolve(String url, boolean allowPrivate) throws UnknownHostException {
    URI uri = URI.create(url);
    InetAddress[] all = InetAddress.getAllByName(uri.getHost());
    if (!allowPrivate) {
      for (InetAddress a : all) {
        SpecialPurposeAddresses.Block block = SpecialPurposeAddresses.blockOf(a);
        if (block != null) {
          // the delivery log that shows this is the tenant's: it must not learn what an internal name resolves to
          throw new RefusedTargetException(uri.getHost() + " resolves to a special-purpose address");
        }
      }
    }
    return all[0];
  }

  /** Whether an address lies in a special-purpose block ({@link SpecialPurposeAddresses}): never a webhook target. */
  public static boolean internal(InetAddress a) {
    return SpecialPurposeAddresses.blockOf(a) != null;
  }

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
