package dev.parley.calls.provider.retell;

import dev.parley.calls.provider.ProviderEvent;

/**
 * Retell's {@code disconnection_reason} as Parley's end reason (docs/providers.md, "Outcomes"). The
 * raw value is kept on the attempt as {@code providerReason}; a value of no family is {@code failed}.
 */
final class RetellOutcomes {
  private RetellOutcomes() {}

  static String parleyReason(String reason) {
    if (reason == null) return "failed";
    return switch (reason) {
      case "user_hangup", "agent_hangup", "call_transfer", "transfer_bridged", "inactivity", "max_duration_reached" -> "completed";
      case "dial_no_answer", "user_declined" -> "no-answer";
      case "dial_busy" -> "busy";
      case "voicemail_reached", "ivr_reached" -> "voicemail";
      case "manual_stopped" -> "canceled";
      // Retell at the workspace's concurrency limit: the call is tried again later, not failed
      case "concurrency_limit_reached", "no_concurrency_fallback" -> ProviderEvent.PROVIDER_BUSY;
      default -> "failed";
    };
  }
}
