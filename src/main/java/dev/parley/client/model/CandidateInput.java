package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

import java.time.LocalDate;

/** A new candidate; {@code phoneNumber} in E.164, e.g. {@code +421915123456}. */
public record CandidateInput(String firstName, String lastName, String email, String phoneNumber,
                             LocalDate gdprExpiryDate, JsonObject metadata, String jobId) {
  public static CandidateInput of(String firstName, String lastName, String phoneNumber) {
    return new CandidateInput(firstName, lastName, null, phoneNumber, null, null, null);
  }

  public CandidateInput withFirstName(String firstName) {
    return new CandidateInput(firstName, lastName, email, phoneNumber, gdprExpiryDate, metadata, jobId);
  }

  public CandidateInput withLastName(String lastName) {
    return new CandidateInput(firstName, lastName, email, phoneNumber, gdprExpiryDate, metadata, jobId);
  }

  public CandidateInput withEmail(String email) {
    return new CandidateInput(firstName, lastName, email, phoneNumber, gdprExpiryDate, metadata, jobId);
  }

  public CandidateInput withPhoneNumber(String phoneNumber) {
    return new CandidateInput(firstName, lastName, email, phoneNumber, gdprExpiryDate, metadata, jobId);
  }

  public CandidateInput withGdprExpiryDate(LocalDate gdprExpiryDate) {
    return new CandidateInput(firstName, lastName, email, phoneNumber, gdprExpiryDate, metadata, jobId);
  }

  public CandidateInput withMetadata(JsonObject metadata) {
    return new CandidateInput(firstName, lastName, email, phoneNumber, gdprExpiryDate, metadata, jobId);
  }

  public CandidateInput withJobId(String jobId) {
    return new CandidateInput(firstName, lastName, email, phoneNumber, gdprExpiryDate, metadata, jobId);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    ModelJson.put(json, "firstName", firstName);
    ModelJson.put(json, "lastName", lastName);
    ModelJson.put(json, "email", email);
    ModelJson.put(json, "phoneNumber", phoneNumber);
    ModelJson.put(json, "gdprExpiryDate", gdprExpiryDate);
    ModelJson.put(json, "metadata", metadata);
    return ModelJson.put(json, "jobId", jobId);
  }
}
