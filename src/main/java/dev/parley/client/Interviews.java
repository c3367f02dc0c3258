package dev.parley.client;

import dev.parley.client.ParleyClient.Kind;
import dev.parley.client.model.Interview;
import dev.parley.client.model.InterviewCreate;
import dev.parley.client.model.InterviewFilter;
import dev.parley.client.model.Page;
import dev.parley.client.model.PageRequest;
import dev.parley.client.model.Recording;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;

/** Interviews and their call attempts ({@code parley.api.v1.interviews.*}, {@code call-attempts.*}). */
public final class Interviews {
  private final ParleyClient client;

  Interviews(ParleyClient client) {
    this.client = client;
  }

  /** Creates an interview; with retries on, it carries an Idempotency-Key so that a retry makes no second one. */
  public Future<Interview> create(InterviewCreate interview) {
    return create(interview, CallOptions.NONE);
  }

  public Future<Interview> create(InterviewCreate interview, CallOptions options) {
    return client.<JsonObject>call("createInterview", new JsonObject().put("body", interview.toJson()), Kind.IDEMPOTENT_CREATE, options)
      .map(Interview::fromJson);
  }

  public Future<Page<Interview>> list(InterviewFilter filter, PageRequest page) {
    return list(filter, page, CallOptions.NONE);
  }

  public Future<Page<Interview>> list(InterviewFilter filter, PageRequest page, CallOptions options) {
    JsonObject message = new JsonObject();
    if (filter != null) filter.putInto(message);
    if (page != null) page.putInto(message);
    return client.<JsonObject>call("listInterviews", message, Kind.READ, options).map(json -> Page.fromJson(json, Interview::fromJson));
  }

  /** Every interview the filter matches, walking the cursor {@code pageSize} at a time, at most {@code max}. */
  public Future<List<Interview>> listAll(InterviewFilter filter, int pageSize, int max) {
    return ParleyClient.all(page -> list(filter, page), pageSize, max);
  }

  public Future<Interview> get(String id) {
    return get(id, CallOptions.NONE);
  }

  public Future<Interview> get(String id, CallOptions options) {
    return client.<JsonObject>call("getInterview", ParleyClient.withId(id), Kind.READ, options).map(Interview::fromJson);
  }

  /** Deletes an interview in any state (a live call goes on to its end, and nothing follows it): true. */
  public Future<Boolean> delete(String id) {
    return delete(id, CallOptions.NONE);
  }

  public Future<Boolean> delete(String id, CallOptions options) {
    return client.<Boolean>call("deleteInterview", ParleyClient.withId(id), Kind.WRITE, options);
  }

  /** The recording of a completed interview, as stored. */
  public Future<Recording> recording(String id) {
    return recording(id, CallOptions.NONE);
  }

  public Future<Recording> recording(String id, CallOptions options) {
    return client.<Buffer>callForMessage("getInterviewRecording", ParleyClient.withId(id), Kind.READ, options)
      .map((Message<Buffer> reply) -> new Recording(reply.body(), reply.headers().get(Addresses.CONTENT_TYPE_HEADER)));
  }

  /** Adds a call attempt, now or at {@code scheduledAt} (null: now); answers the interview with it. */
  public Future<Interview> invokeCallAttempt(String id, Instant scheduledAt) {
    return invokeCallAttempt(id, scheduledAt, CallOptions.NONE);
  }

  public Future<Interview> invokeCallAttempt(String id, Instant scheduledAt, CallOptions options) {
    JsonObject body = new JsonObject();
    if (scheduledAt != null) body.put("scheduledAt", scheduledAt.toString());
    return client.<JsonObject>call("invokeCallAttempt", ParleyClient.withId(id).put("body", body), Kind.WRITE, options)
      .map(Interview::fromJson);
  }

  /** Moves a scheduled call attempt: true. */
  public Future<Boolean> rescheduleCallAttempt(String id, String attemptId, Instant scheduledAt) {
    return rescheduleCallAttempt(id, attemptId, scheduledAt, CallOptions.NONE);
  }

  public Future<Boolean> rescheduleCallAttempt(String id, String attemptId, Instant scheduledAt, CallOptions options) {
    JsonObject message = ParleyClient.withId(id).put("attemptId", attemptId)
      .put("body", new JsonObject().put("scheduledAt", scheduledAt.toString()));
    return client.<Boolean>call("rescheduleCallAttempt", message, Kind.WRITE, options);
  }

  /** Deletes a scheduled call attempt: true. */
  public Future<Boolean> deleteCallAttempt(String id, String attemptId) {
    return deleteCallAttempt(id, attemptId, CallOptions.NONE);
  }

  public Future<Boolean> deleteCallAttempt(String id, String attemptId, CallOptions options) {
    return client.<Boolean>call("deleteCallAttempt", ParleyClient.withId(id).put("attemptId", attemptId), Kind.WRITE, options);
  }
}
