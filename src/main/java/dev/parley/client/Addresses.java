package dev.parley.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The public event-bus API's addresses and message headers: one address per HTTP operation, by
 * the OpenAPI {@code operationId}. The server registers its consumers from this list and the
 * client sends to it, so the two share one source (docs/event-bus.md).
 */
public final class Addresses {
  private Addresses() {}

  /** The prefix of every public address. */
  public static final String PREFIX = "parley.api.v1.";

  /** Every public address by operationId, in the order of the API reference. */
  public static final Map<String, String> BY_OPERATION = byOperation(
    "createInterview", "interviews.create", "listInterviews", "interviews.list", "getInterview", "interviews.get",
    "deleteInterview", "interviews.delete", "getInterviewRecording", "interviews.recording",
    "invokeCallAttempt", "call-attempts.invoke", "rescheduleCallAttempt", "call-attempts.reschedule",
    "deleteCallAttempt", "call-attempts.delete",
    "createCandidate", "candidates.create", "listCandidates", "candidates.list", "getCandidate", "candidates.get",
    "deleteCandidate", "candidates.delete",
    "createAgent", "agents.create", "listAgents", "agents.list", "getAgent", "agents.get", "deleteAgent", "agents.delete",
    "createWebhook", "webhooks.create", "listWebhooks", "webhooks.list", "getWebhook", "webhooks.get",
    "updateWebhook", "webhooks.update", "deleteWebhook", "webhooks.delete", "testWebhook", "webhooks.test",
    "resetWebhookCircuit", "webhooks.reset-circuit", "listWebhookDeliveries", "webhooks.deliveries",
    "createCompany", "companies.create", "listCompanies", "companies.list", "getCompany", "companies.get",
    "updateCompany", "companies.update", "listCompanyPhoneNumbers", "companies.phone-numbers");

  /** {@code Bearer <JWT or API key>}: the request's credential. */
  public static final String AUTHORIZATION_HEADER = "authorization";
  /** The request's id, sent and answered (docs/logging.md, request ids). */
  public static final String REQUEST_ID_HEADER = "x-request-id";
  /** On {@code interviews.create}: a repeat with the same key gets the first answer. */
  public static final String IDEMPOTENCY_KEY_HEADER = "idempotency-key";
  /** The media type of a binary reply (a recording). */
  public static final String CONTENT_TYPE_HEADER = "content-type";

  /** The address of an operation; fails for a name that is not one. */
  public static String of(String operationId) {
    String address = BY_OPERATION.get(operationId);
    if (address == null) throw new IllegalArgumentException("no public operation " + operationId);
    return address;
  }

  private static Map<String, String> byOperation(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) map.put(pairs[i], PREFIX + pairs[i + 1]);
    return Collections.unmodifiableMap(map);
  }
}
