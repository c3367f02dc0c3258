package dev.parley.client.model;

import io.vertx.core.json.JsonObject;

/** A number a company's calls come from ({@code number} in E.164). */
public record PhoneNumber(String id, String companyId, String number, String label, String providerRef,
                          Boolean isDefault) {
  public static PhoneNumber fromJson(JsonObject json) {
    return new PhoneNumber(json.getString("id"), json.getString("companyId"), json.getString("number"),
      json.getString("label"), json.getString("providerRef"), json.getBoolean("isDefault"));
  }
}
