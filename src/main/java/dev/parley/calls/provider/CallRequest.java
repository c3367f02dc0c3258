package dev.parley.calls.provider;

import io.vertx.core.json.JsonObject;

/** What a provider needs to place a call (SPEC section 7): the body of {@code POST /calls}. */
public record CallRequest(String callId, String interviewId, String to, JsonObject agent, String language,
                          int maxDurationSeconds, String eventsUrl) {
  public JsonObject toJson() {
    return new JsonObject().put("callId", callId).put("interviewId", interviewId).put("to", to).put("agent", agent)
      .put("language", language).put("maxDurationSeconds", maxDurationSeconds).put("eventsUrl", eventsUrl);
  }
}
