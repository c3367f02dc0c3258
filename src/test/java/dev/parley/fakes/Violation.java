package dev.parley.fakes;

import java.util.List;

/**
 * A request Parley sent that the platform would refuse (or that the fake refuses more strictly than the
 * platform, see each fake's notes): the operation, what was wrong, and the body (or query) as received.
 */
public record Violation(String operation, List<String> errors, String body) {
  public Violation {
    errors = List.copyOf(errors);
  }
}
