package dev.parley.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The SSRF guard: webhook targets must not reach loopback, private, link-local, multicast or other
 * internal addresses, unless PARLEY_WEBHOOKS_ALLOW_PRIVATE is set. Every address a host name
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
      if (literal != null && internal(literal)) return "points at a loopback, private, link-local or multicast address";
      if (uri.getHost().equalsIgnoreCase("localhost") || uri.getHost().toLowerCase(Locale.ROOT).endsWith(".localhost")) {
        return "points at a loopback address";
      }
    }
    return null;
  }

  /**
   * Resolves the target's host (blocking: run on a worker) and returns the address to connect to,
   * or throws {@link RefusedTargetException} when any resolved address is internal.
   */
  public static InetAddress resolve(String url, boolean allowPrivate) throws UnknownHostException {
    URI uri = URI.create(url);
    InetAddress[] all = InetAddress.getAllByName(uri.getHost());
    if (!allowPrivate) {
      for (InetAddress a : all) {
        if (internal(a)) throw new RefusedTargetException(uri.getHost() + " resolves to an internal address (" + a.getHostAddress() + ")");
      }
    }
    return all[0];
  }

  /** Loopback, private (RFC 1918, unique local), link-local, multicast, unspecified, CGNAT, or IPv4-mapped ones of these. */
  public static boolean internal(InetAddress a) {
    if (a instanceof Inet6Address v6) {
      byte[] b = v6.getAddress();
      boolean mapped = true;
      for (int i = 0; i < 10; i++) mapped &= b[i] == 0;
      if (mapped && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
        try {
          return internal(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException e) {
          return true;
        }
      }
      if ((b[0] & 0xfe) == 0xfc) return true; // fc00::/7 unique local
    }
    if (a instanceof Inet4Address v4) {
      byte[] b = v4.getAddress();
      int first = b[0] & 0xff, second = b[1] & 0xff;
      if (first == 100 && second >= 64 && second <= 127) return true; // 100.64.0.0/10 shared address space
      if (first == 0) return true; // "this network"
    }
    return a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isMulticastAddress()
      || a.isAnyLocalAddress();
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

  /** A target refused by the guard: a permanent failure of the delivery. */
  public static final class RefusedTargetException extends UnknownHostException {
    public RefusedTargetException(String message) {
      super(message);
    }
  }
}
