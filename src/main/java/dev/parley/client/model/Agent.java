package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;

/**
 * An agent: the interviewer. {@code type}: PHONE, ONLINE; {@code focus}: GENERIC, SCREENING,
 * OUTREACH, LANGUAGE_TEST; {@code language}: EN, JA, ZH, DE, HI, FR, KO, PT, IT, ES, ID, NL, TR,
 * FIL, PL, SV, BG, RO, AR, CS, EL, FI, HR, MS, SK, DA, TA, UK, RU, HU, NO, VI; {@code voiceId}:
 * ALEX, PETER, MIRIAM, SUE, VIERA, CASANDRA, SILVIA, MICHAEL, LUKE, EMMA, SARAH, EVA;
 * {@code cefrLevel}: A1, A2, B1, B2, C1, C2; {@code duration} in minutes.
 */
public record Agent(String id, String companyId, String name, String type, String focus, String language,
                    Integer duration, List<String> questions, String instructions, String voiceId,
                    String cefrLevel, String companyPhoneNumberId, JsonObject metadata, Instant createdAt,
                    Instant updatedAt) {
  public Agent {
    questions = ModelJson.listOrEmpty(questions);
  }

  public static Agent fromJson(JsonObject json) {
    return new Agent(json.getString("id"), json.getString("companyId"), json.getString("name"),
      json.getString("type"), json.getString("focus"), json.getString("language"), json.getInteger("duration"),
      ModelJson.strings(json, "questions"), json.getString("instructions"), json.getString("voiceId"),
      json.getString("cefrLevel"), json.getString("companyPhoneNumberId"), ModelJson.object(json, "metadata"),
      ModelJson.instant(json, "createdAt"), ModelJson.instant(json, "updatedAt"));
  }
}
