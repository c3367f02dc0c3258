package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.LocalDate;

/** A candidate: the person an interview calls ({@code phoneNumber} in E.164). */
public record Candidate(String id, String companyId, String firstName, String lastName, String email,
                        String phoneNumber, LocalDate gdprExpiryDate, String jobId, JsonObject metadata,
                        Instant createdAt, Instant updatedAt) {
  public static Candidate fromJson(JsonObject json) {
    return new Candidate(json.getString("id"), json.getString("companyId"), json.getString("firstName"),
      json.getString("lastName"), json.getString("email"), json.getString("phoneNumber"),
      ModelJson.localDate(json, "gdprExpiryDate"), json.getString("jobId"), ModelJson.object(json, "metadata"),
      ModelJson.instant(json, "createdAt"), ModelJson.instant(json, "updatedAt"));
  }
}
