package dev.parley.repository;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * The rows of post-call work: a recording stored a chunk at a time as it downloads, then, in the
 * transaction that completes the interview (its interview locked first: {@link Locks#interview}),
 * made the interview's recording with its transcript; later the analysis. Each transaction renders
 * the document last ({@link Documents}).
 */
public final class PostCallRows {
  private PostCallRows() {}

  static final String COMPLETE = """
    UPDATE interviews SET transcript = $2::text::jsonb, status = 'COMPLETED', finished_at = now(), updated_at = now()
     WHERE id = $1""";
  /** One chunk of a recording being downloaded; fails (a foreign key) once its interview is deleted. */
  static final String STORE_CHUNK = """
    INSERT INTO recording_chunks (recording_id, seq, interview_id, bytes) VALUES ($1, $2, $3, $4)""";
  /** The chunks {@code $2} become the recording of the interview's completed call; a later completed call of it replaces it. */
  static final String STORE_RECORDING = """
    INSERT INTO recordings (interview_id, company_id, content_type, recording_id, size_bytes)
    SELECT i.id, i.company_id, $3, $2, $4 FROM interviews i WHERE i.id = $1
    ON CONFLICT (interview_id) DO UPDATE SET content_type = EXCLUDED.content_type, recording_id = EXCLUDED.recording_id,
       size_bytes = EXCLUDED.size_bytes, created_at = now()""";
  /** Every chunk of the interview but those of recording {@code $2}: an earlier call's, and downloads cut short. */
  static final String DROP_OTHER_CHUNKS = "DELETE FROM recording_chunks WHERE interview_id = $1 AND recording_id <> $2";
  /** A completed call without a recording leaves none of an earlier call behind. */
  static final String DROP_RECORDING = "DELETE FROM recordings WHERE interview_id = $1";
  static final String DROP_ALL_CHUNKS = "DELETE FROM recording_chunks WHERE interview_id = $1";
  /** The chunks of one download. */
  static final String DROP_DOWNLOAD = "DELETE FROM recording_chunks WHERE recording_id = $1";
  static final String ATTEMPT_RECORDING = "UPDATE call_attempts SET recording_url = $2, updated_at = now() WHERE id = $1";
  static final String STORE_ANALYSIS = "UPDATE interviews SET analysis = $2::text::jsonb, updated_at = now() WHERE id = $1";

  /** A downloaded recording, stored as chunks, not yet its interview's. */
  public record StoredAudio(UUID recordingId, String contentType, long bytes) {}

  /** Stores one chunk of a recording of the interview; fails with a foreign-key violation once the interview is gone. */
  public static Future<Void> storeChunk(SqlClient c, UUID recordingId, int seq, UUID interviewId, Buffer bytes) {
    return c.preparedQuery(STORE_CHUNK).execute(Tuple.of(recordingId, seq, interviewId, bytes)).mapEmpty();
  }

  /** Drops what one download stored (it failed, or another worker did the step). */
  public static Future<Void> dropDownload(SqlClient c, UUID recordingId) {
    return c.preparedQuery(DROP_DOWNLOAD).execute(Tuple.of(recordingId)).mapEmpty();
  }

  /**
   * The interview (locked) is COMPLETED with its transcript and, when there is one, the recording
   * ({@code recordingUrl} is where the API serves it, shown on its attempt); interview.completed is
   * queued and the document rendered.
   */
  public static Future<Void> complete(SqlClient c, UUID interviewId, UUID attemptId, String transcriptJson,
                                      StoredAudio audio, String recordingUrl) {
    Future<?> recording = audio == null
      ? Future.all(c.preparedQuery(DROP_RECORDING).execute(Tuple.of(interviewId)),
          c.preparedQuery(DROP_ALL_CHUNKS).execute(Tuple.of(interviewId)))
      : Future.all(c.preparedQuery(STORE_RECORDING).execute(Tuple.of(interviewId, audio.recordingId(), audio.contentType(), audio.bytes())),
          c.preparedQuery(DROP_OTHER_CHUNKS).execute(Tuple.of(interviewId, audio.recordingId())));
    Future<?> completed = c.preparedQuery(COMPLETE).execute(Tuple.of(interviewId, transcriptJson));
    Future<?> attempt = attemptId == null ? Future.succeededFuture()
      : c.preparedQuery(ATTEMPT_RECORDING).execute(Tuple.of(attemptId, recordingUrl));
    Future<?> event = Outbox.webhookEvent(c, interviewId, "interview.completed", attemptId, "{}");
    return Future.all(recording, completed, attempt, event, Documents.render(c, interviewId)).mapEmpty();
  }

  /** The analysis of the interview (locked) is stored, analysis.completed queued, the document rendered. */
  public static Future<Void> storeAnalysis(SqlClient c, UUID interviewId, UUID attemptId, JsonObject analysis) {
    return Future.all(
      c.preparedQuery(STORE_ANALYSIS).execute(Tuple.of(interviewId, analysis.encode())),
      Outbox.webhookEvent(c, interviewId, "analysis.completed", attemptId, new JsonObject().put("analysis", analysis).encode()),
      Documents.render(c, interviewId)).mapEmpty();
  }

  /** The analysis failed: analysis.failed is queued with its reason; the document does not change. */
  public static Future<Void> analysisFailed(SqlClient c, UUID interviewId, UUID attemptId, String error) {
    return Outbox.webhookEvent(c, interviewId, "analysis.failed", attemptId, new JsonObject().put("error", error).encode())
      .mapEmpty();
  }
}
