package dev.parley.bus;

import dev.parley.client.ErrorCode;
import io.vertx.core.json.JsonObject;

/** A failure that maps onto one API error; thrown or failed inside verticles, never shown with its stack. */
public class ParleyException extends RuntimeException {
  public final ErrorCode code;
  public final JsonObject details;

  public ParleyException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public ParleyException(ErrorCode code, String message, JsonObject details) {
    super(message, null, false, false);
    this.code = code;
    this.details = details;
  }

  public static ParleyException notFound(String resourceType, String id) {
    return new ParleyException(ErrorCode.RESOURCE_NOT_FOUND, resourceType + " with ID " + id + " not found",
      new JsonObject().put("resourceType", resourceType).put("resourceId", id));
  }

  public static ParleyException forbiddenCompany(String resourceType) {
    return new ParleyException(ErrorCode.FORBIDDEN_COMPANY, resourceType + " belongs to another company");
  }

  public static ParleyException validation(String field, String message) {
    return new ParleyException(ErrorCode.VALIDATION_FAILED, "Request validation failed",
      new JsonObject().put("fields", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("field", field).put("message", message))));
  }
}
