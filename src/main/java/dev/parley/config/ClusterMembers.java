package dev.parley.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PARLEY_CLUSTER_MEMBERS as Hazelcast's TCP-IP join takes it. It lives in config because the setting
 * is checked when the configuration loads, so a bad list stops the start with one line that names
 * it; {@code cluster} then reads the list already parsed.
 */
public final class ClusterMembers {
  private ClusterMembers() {}

  private static final Pattern MEMBER = Pattern.compile("([A-Za-z0-9._-]+)(?::(\\d{1,5})(?:-(\\d{1,5}))?)?");
  /** Hazelcast's port when a member names none. */
  static final int DEFAULT_PORT = 5701;

  /**
   * Comma-separated {@code host:port}; {@code host} alone means port 5701, and
   * {@code host:5701-5703} each port of the range (Hazelcast itself reads ranges of addresses, not of
   * ports).
   */
  public static List<String> parse(String list) {
    List<String> members = new ArrayList<>();
    for (String m : list.split(",")) {
      String member = m.trim();
      if (member.isEmpty()) continue;
      Matcher parts = MEMBER.matcher(member);
      if (!parts.matches()) {
        throw new IllegalArgumentException("PARLEY_CLUSTER_MEMBERS: '" + member + "' is not host, host:port or host:port-port");
      }
      String host = parts.group(1);
      int first = parts.group(2) == null ? DEFAULT_PORT : Integer.parseInt(parts.group(2));
      int last = parts.group(3) == null ? first : Integer.parseInt(parts.group(3));
      if (first < 1 || last > 65_535 || last < first || last - first > 100) {
        throw new IllegalArgumentException("PARLEY_CLUSTER_MEMBERS: '" + member + "' has no valid port or port range");
      }
      for (int port = first; port <= last; port++) members.add(host + ":" + port);
    }
    if (members.isEmpty()) throw new IllegalArgumentException("PARLEY_CLUSTER_MEMBERS names no member");
    return members;
  }
}
