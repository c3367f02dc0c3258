package dev.parley.calls.provider.vapi;

import dev.parley.calls.provider.ProviderEvent;

import java.util.Set;

/**
 * Vapi's {@code endedReason} (hundreds of values) by family, as Parley's end reason
 * (docs/providers.md, "Outcomes"). The raw value is kept on the attempt as {@code providerReason}
 * whatever the family; a value of no family is {@code failed}.
 */
final class VapiOutcomes {
  private VapiOutcomes() {}

  /** The call ran and ended the way calls end: either side hung up, or a limit of the call was reached. */
  private static final Set<String> COMPLETED = Set.of("customer-ended-call", "customer-ended-call-before-warm-transfer",
    "customer-ended-call-after-warm-transfer-attempt", "customer-ended-call-during-transfer", "assistant-ended-call",
    "assistant-ended-call-after-message-spoken", "assistant-ended-call-with-hangup-task", "assistant-said-end-call-phrase",
    "assistant-forwarded-call", "exceeded-max-duration", "silence-timed-out");

  static String parleyReason(String vapiReason) {
    if (vapiReason == null) return "failed";
    if (COMPLETED.contains(vapiReason)) return "completed";
    return switch (vapiReason) {
      case "customer-did-not-answer" -> "no-answer";
      case "customer-busy" -> "busy";
      case "voicemail" -> "voicemail";
      case "manually-canceled", "scheduled-call-deleted", "call-deleted" -> "canceled";
      default -> {
        // Vapi at the account's concurrency limit: the call is tried again later, not failed
        if (vapiReason.startsWith("call.start.error-") && vapiReason.contains("concurrency-limit")) yield ProviderEvent.PROVIDER_BUSY;
        yield "failed";
      }
    };
  }
}
