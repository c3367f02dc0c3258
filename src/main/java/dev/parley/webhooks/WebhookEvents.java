package dev.parley.webhooks;

import java.util.List;
import java.util.Locale;

/**
 * The webhook event types, in the three notations InstaView's documentation uses: the dotted name,
 * its number, and its upper-case label. Stored and sent as the dotted name.
 */
public final class WebhookEvents {
  private WebhookEvents() {}

  /** Indexed by InstaView's numbers. */
  public static final List<String> ALL = List.of("analysis.completed", "analysis.failed", "ping",
    "interview.completed", "interview.failed", "interview.started");

  /** The dotted name of an event given in any notation, or null if it is none. */
  public static String normalise(Object value) {
    if (value instanceof Number n) {
      int i = n.intValue();
      return n.doubleValue() == i && i >= 0 && i < ALL.size() ? ALL.get(i) : null;
    }
    if (!(value instanceof String s)) return null;
    String dotted = s.contains(".") ? s.toLowerCase(Locale.ROOT) : s.toLowerCase(Locale.ROOT).replaceFirst("_", ".");
    return ALL.contains(dotted) ? dotted : null;
  }
}
