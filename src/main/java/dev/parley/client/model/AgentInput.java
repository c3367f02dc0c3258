package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A new agent. {@code type}: PHONE (default), ONLINE; {@code focus}: GENERIC (default), SCREENING,
 * OUTREACH, LANGUAGE_TEST; {@code language}: EN (default), JA, ZH, DE, HI, FR, KO, PT, IT, ES, ID, NL,
 * TR, FIL, PL, SV, BG, RO, AR, CS, EL, FI, HR, MS, SK, DA, TA, UK, RU, HU, NO, VI; {@code voiceId}:
 * ALEX, PETER, MIRIAM, SUE, VIERA, CASANDRA, SILVIA, MICHAEL, LUKE, EMMA, SARAH, EVA;
 * {@code cefrLevel}: A1, A2, B1, B2, C1, C2; {@code duration}: minutes, 1-180 (default 15).
 */
public record AgentInput(String name, String type, String focus, String language, Integer duration,
                         List<String> questions, String instructions, String voiceId, String cefrLevel,
                         String companyPhoneNumberId, JsonObject metadata) {
  public AgentInput {
    questions = ModelJson.listOrNull(questions);
  }

  public static AgentInput of(String name) {
    return new AgentInput(name, null, null, null, null, null, null, null, null, null, null);
  }

  public AgentInput withName(String name) {
    return new AgentInput(name, type, focus, language, duration, questions, instructions, voiceId, cefrLevel,
      companyPhoneNumberId, metadata);
  }

  public AgentInput withType(String type) {
    return new AgentInput(name, type, focus, language, duration, questions, instructions, voiceId, cefrLevel,
      companyPhoneNumberId, metadata);
  }

  public AgentInput withFocus(String focus) {
    return new AgentInput(name, type, focus, language, duration, questions, instructions, voiceId, cefrLevel,
      companyPhoneNumberId, metadata);
  }

  public AgentInput withLanguage(String language) {
    return new AgentInput(name, type, focus, language, duration, questions, instructions, voiceId, cefrLevel,
      companyPhoneNumberId, metadata);
  }

  public AgentInput withDuration(Integer duration) {
    return new AgentInput(name, type, focus, language, duration, questions, instructions, voiceId, cefrLevel,
      companyPhoneNumberId, metadata);
  }

  public AgentInput withQuestions(List<String> questions) {
    return new AgentInput(name, type, focus, language, duration, questions, instructions, voiceId, cefrLevel,
      companyPhoneNumberId, metadata);
  }

  public AgentInput withInstructions(String instructions) {
    return new AgentInput(name, type, focus, language, duration, questions, instructions, voiceId, cefrLevel,
      companyPhoneNumberId, metadata);
  }

  public AgentInput withVoiceId(String voiceId) {
    return new AgentInput(name, type, focus, language, duration, questions, instructions, voiceId, cefrLevel,
      companyPhoneNumberId, metadata);
  }

  public AgentInput withCefrLevel(String cefrLevel) {
    return new AgentInput(name, type, focus, language, duration, questions, instructions, voiceId, cefrLevel,
      companyPhoneNumberId, metadata);
  }

  public AgentInput withCompanyPhoneNumberId(String companyPhoneNumberId) {
    return new AgentInput(name, type, focus, language, duration, questions, instructions, voiceId, cefrLevel,
      companyPhoneNumberId, metadata);
  }

  public AgentInput withMetadata(JsonObject metadata) {
    return new AgentInput(name, type, focus, language, duration, questions, instructions, voiceId, cefrLevel,
      companyPhoneNumberId, metadata);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    ModelJson.put(json, "name", name);
    ModelJson.put(json, "type", type);
    ModelJson.put(json, "focus", focus);
    ModelJson.put(json, "language", language);
    ModelJson.put(json, "duration", duration);
    ModelJson.put(json, "questions", questions);
    ModelJson.put(json, "instructions", instructions);
    ModelJson.put(json, "voiceId", voiceId);
    ModelJson.put(json, "cefrLevel", cefrLevel);
    ModelJson.put(json, "companyPhoneNumberId", companyPhoneNumberId);
    return ModelJson.put(json, "metadata", metadata);
  }
}
