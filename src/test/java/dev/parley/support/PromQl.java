package dev.parley.support;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The metric names a PromQL expression selects, as a dashboard's queries use them: not functions
 * or aggregations (a name followed by "(", or by "by"/"without" and its label list), not label names or values ({@code {...}}), not the
 * labels of {@code by}/{@code without}/{@code on}/{@code ignoring}/{@code group_left}/
 * {@code group_right}, not range or offset durations, keywords, numbers or Grafana variables
 * ({@code $instance}, {@code $__rate_interval}). A name is kept as written: {@code x_bucket} stays
 * {@code x_bucket}.
 */
public final class PromQl {
  private PromQl() {}

  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan", "atan2");
  private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

  public static Set<String> metricNames(String expr) {
    Set<String> names = new LinkedHashSet<>();
    int i = 0, n = expr.length();
    while (i < n) {
      char c = expr.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = endOfString(expr, i);
      } else if (c == '{') {
        i = closing(expr, i, '{', '}'); // label matchers
      } else if (c == '[') {
        i = closing(expr, i, '[', ']'); // a range or subquery duration
      } else if (c == '$') {
        i++;
        if (i < n && expr.charAt(i) == '{') i = closing(expr, i, '{', '}');
        else while (i < n && isNamePart(expr.charAt(i))) i++;
      } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(expr.charAt(i + 1)))) {
        while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.')) i++; // 0.99, 5m, 1e3
      } else if (isNameStart(c)) {
        int start = i;
        while (i < n && isNamePart(expr.charAt(i))) i++;
        String word = expr.substring(start, i);
        int next = skipSpace(expr, i);
        // a function or an aggregation: "rate(", "sum(", and "sum by (x) (" with the modifier first
        boolean call = next < n && expr.charAt(next) == '(' || modifierFollows(expr, next);
        if (LABEL_LISTS.contains(word)) {
          if (call) i = closing(expr, next, '(', ')');
        } else if (!call && !KEYWORDS.contains(word.toLowerCase())) {
          names.add(word);
        }
      } else {
        i++;
      }
    }
    return names;
  }

  private static boolean modifierFollows(String s, int i) {
    for (String modifier : new String[] {"by", "without"}) {
      if (s.startsWith(modifier, i)) {
        int after = i + modifier.length();
        if (after == s.length() || !isNamePart(s.charAt(after))) return true;
      }
    }
    return false;
  }

  private static boolean isNameStart(char c) {
    return Character.isLetter(c) || c == '_' || c == ':';
  }

  private static boolean isNamePart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == ':';
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    return i;
  }

  /** The index after the string literal that starts at {@code i}. */
  private static int endOfString(String s, int i) {
    char quote = s.charAt(i++);
    while (i < s.length() && s.charAt(i) != quote) i += s.charAt(i) == '\\' && quote != '`' ? 2 : 1;
    if (i >= s.length()) throw new IllegalArgumentException("unterminated string in: " + s);
    return i + 1;
  }

  /** The index after the bracket that closes the one at {@code i}, across strings inside. */
  private static int closing(String s, int i, char open, char close) {
    int depth = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        i = endOfString(s, i);
        continue;
      }
      if (c == open) depth++;
      else if (c == close && --depth == 0) return i + 1;
      i++;
    }
    throw new IllegalArgumentException("unbalanced " + open + " in: " + s);
  }
}
