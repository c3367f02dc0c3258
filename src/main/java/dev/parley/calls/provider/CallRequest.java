package dev.parley.calls.provider;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What a provider needs to place one call, read from the claimed attempt, its interview, candidate,
 * agent, company and caller number.
 *
 * @param agent           the interview's agent: {@code name, questions, instructions, voiceId, focus, cefrLevel}
 * @param language        the agent's language code (EN, DE, SK, ...)
 * @param from            the caller number (E.164), or null when the company has none
 * @param fromProviderRef the caller number's reference at the provider (Vapi's phoneNumberId), or null
 * @param eventsUrl       where the {@code http} provider reports ({@code {PARLEY_PUBLIC_URL}/v1/provider/events})
 */
public record CallRequest(String callId, String interviewId, String to, JsonObject agent, String language,
                          int maxDurationSeconds, String eventsUrl, String from, String fromProviderRef,
                          String candidateFirstName, String candidateLastName, String companyName) {

  /** The body of the {@code http} provider's {@code POST /calls} (docs/providers.md). */
  public JsonObject toJson() {
    return new JsonObject().put("callId", callId).put("interviewId", interviewId).put("to", to).put("from", from)
      .put("agent", agent).put("language", language).put("maxDurationSeconds", maxDurationSeconds).put("eventsUrl", eventsUrl);
  }

  public JsonArray questions() {
    return agent.getJsonArray("questions", new JsonArray());
  }
}
