package dev.parley.postcall;

import dev.parley.db.Pools;
import dev.parley.bus.Bus;
import dev.parley.calls.provider.PlatformHttp;
import dev.parley.calls.provider.Recordings;
import dev.parley.calls.provider.Synthetic;
import dev.parley.config.ParleyConfig;
import dev.parley.db.DatabaseHealth;
import dev.parley.lifecycle.Draining;
import dev.parley.lifecycle.InFlight;
import dev.parley.outbound.OutboundHttp;
import dev.parley.outbound.OutboundResponse;
import dev.parley.outbound.RefusedTargetException;
import dev.parley.outbound.ResponseTooLargeException;
import dev.parley.outbound.TooManyRedirectsException;
import dev.parley.postcall.analysis.AnalysisInput;
import dev.parley.postcall.analysis.Analyzer;
import dev.parley.repository.Locks;
import dev.parley.repository.Outbox;
import dev.parley.repository.PostCallRows;
import dev.parley.repository.PostCallRows.StoredAudio;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Post-call work, from the outbox (durable: a crash repeats a step, never loses one), in order:
 * store the recording, store the transcript and complete the interview (interview.completed), run
 * the analysis (analysis.completed or analysis.failed).
 *
 * <p>Every step that writes takes the interview's row lock and checks it still exists, so nothing
 * is produced after a delete commits (invariant 3). The recording is streamed into chunks of its
 * interview as it downloads (bounded memory; each chunk refers to the interview, so none outlives
 * a delete), and becomes the interview's recording in the transaction that completes it: one
 * fetched for an interview deleted meanwhile is never the interview's, and a delete takes the
 * stored one with it (invariant 4). A download goes through the outbound policy
 * ({@link Recordings}): total deadline, size limit, redirects checked one by one, the
 * special-purpose address check pinned to the connection.
 */
public final class PostCallVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PostCallVerticle.class);
  private static final int MAX_IN_FLIGHT = 4;
  private static final int MAX_TRIES = 5;

  /** What a recording is stored in: chunks of at most this many bytes, the most a download holds in memory. */
  static final int CHUNK_BYTES = 1024 * 1024;
  private static final String ANALYSIS_INPUT = """
    SELECT ag.language, ag.focus, ag.questions, i.transcript, j.title
      FROM interviews i JOIN agents ag ON ag.id = i.agent_id LEFT JOIN jobs j ON j.id = i.job_id WHERE i.id = $1""";

  private final ParleyConfig config;
  private final PgConnectOptions connectOptions;
  private final String poolName;
  private final int poolSize;
  private final Analyzer analyzer;
  private Pool pool;
  private DatabaseHealth health;
  private OutboundHttp http;
  /** Jobs running on this node; a shutdown lets them end (or reach their lease) before the pool closes. */
  private final InFlight jobs = new InFlight();
  private Draining draining;
  private final java.util.Set<Long> interrupted = new java.util.HashSet<>();

  public PostCallVerticle(ParleyConfig config, PgConnectOptions connectOptions, String poolName, int poolSize, Analyzer analyzer) {
    this.config = config;
    this.connectOptions = connectOptions;
    this.poolName = poolName;
    this.poolSize = poolSize;
    this.analyzer = analyzer;
  }

  @Override
  public Future<?> start() {
    pool = Pools.shared(vertx, connectOptions, poolName, poolSize);
    health = DatabaseHealth.of(vertx);
    draining = Draining.of(vertx);
    http = PlatformHttp.client(vertx, config);
    Bus.internal(vertx, Bus.POSTCALL_WAKE, m -> drain());
    vertx.setPeriodic(1000, t -> drain());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return jobs.idle().compose(v -> http.close());
  }

  /** Takes jobs while there are some and fewer than MAX_IN_FLIGHT run on this node; none once it is shutting down. */
  private void drain() {
    if (draining.isDraining() || jobs.running() >= MAX_IN_FLIGHT) return;
    releaseInterrupted();
    jobs.begin();
    Outbox.takePostCallJob(pool, config.postCallLeaseSeconds()).compose(rows -> {
      if (rows.size() == 0) return Future.succeededFuture(false);
      Row job = rows.iterator().next();
      return run(job).recover(e -> {
        if (health.absorbed(e)) interrupted.add(job.getLong(0)); // the database went away mid-job
        else LOG.warn("post-call job {} failed (try {}): {}", job.getLong(0), job.getInteger(5), e.getMessage());
        return Future.succeededFuture();
      }).map(true);
    }).onComplete(ar -> {
      jobs.end();
      if (ar.succeeded() && ar.result()) drain();
    });
  }

  /**
   * Jobs this node had taken when the database went away: made available again as soon as it is
   * back, rather than when their lease (PARLEY_POSTCALL_LEASE_SECONDS) runs out. The lease is this node's, so no other
   * worker is running them.
   */
  private void releaseInterrupted() {
    if (interrupted.isEmpty() || !health.isUp()) return;
    Long[] ids = interrupted.toArray(Long[]::new);
    Outbox.release(pool, ids)
      .onSuccess(r -> java.util.Arrays.asList(ids).forEach(interrupted::remove));
  }

  private Future<Void> run(Row job) {
    long id = job.getLong(0);
    JsonObject payload = new JsonObject(job.getString(4));
    UUID interviewId = job.getUUID(3);
    if ("analysis".equals(payload.getString("stage"))) return analyse(id, interviewId, payload);
    return storeCall(id, interviewId, payload, job.getInteger(5))
      .compose(completed -> completed ? analyse(id, interviewId, payload) : Future.succeededFuture());
  }

  /**
   * Step 1: recording and transcript; the interview becomes COMPLETED. False when it is gone or
   * another worker did this step. The recording is fetched before the transaction: no connection
   * waits on the provider.
   */
  private Future<Boolean> storeCall(long jobId, UUID interviewId, JsonObject payload, int tries) {
    Future<StoredAudio> recording;
    if (payload.getBoolean("synthetic", false)) {
      // a simulated call's recording is made here, from its length: nothing to fetch
      Buffer wav = Synthetic.wav(payload.getInteger("durationSeconds", 5));
      UUID recordingId = UUID.randomUUID();
      recording = storeChunk(recordingId, 0, interviewId, wav).map(new StoredAudio(recordingId, "audio/wav", wav.length()));
    } else if (payload.getString("recordingUrl") != null) {
      recording = download(interviewId, payload.getString("provider"), payload.getString("recordingUrl"));
    } else {
      recording = Future.succeededFuture(null);
    }
    return recording.recover(e -> {
      // deleted while it downloaded: the transaction below finds the interview gone
      if (interviewGone(e)) return Future.succeededFuture(null);
      // a URL the address check refuses, a recording over the limit, a redirect loop: the same
      // again later; the interview completes without it now
      if (e instanceof RefusedTargetException || e instanceof ResponseTooLargeException || e instanceof TooManyRedirectsException) {
        LOG.warn("interview {}: recording not fetched, completing without it: {}", interviewId, e.getMessage());
        return Future.succeededFuture(null);
      }
      if (tries < MAX_TRIES) {
        // try again later: the provider may not have the file ready yet
        return Outbox.retryLater(pool, jobId, 10 * tries)
          .compose(v -> Future.failedFuture("recording not fetched: " + e.getMessage()));
      }
      LOG.warn("interview {}: recording not fetched after {} tries, completing without it: {}", interviewId, tries, e.getMessage());
      return Future.succeededFuture(null);
    }).compose(audio -> pool.withTransaction(conn -> Locks.interview(conn, interviewId).compose(rows -> {
        // deleted meanwhile: nothing is stored, the job ends
        if (rows.size() == 0) return Outbox.done(conn, jobId).map(false);
        return Outbox.nextStage(conn, jobId).compose(mine -> {
          if (mine) return complete(conn, interviewId, payload, audio).map(true);
          // another worker did this step: what this one downloaded is nobody's
          return audio == null ? Future.succeededFuture(false) : PostCallRows.dropDownload(conn, audio.recordingId()).map(false);
        });
      })));
  }

  /** The interview is COMPLETED with its recording (when there is one) and transcript; interview.completed. */
  private Future<Void> complete(SqlConnection conn, UUID interviewId, JsonObject payload, StoredAudio audio) {
    UUID attemptId = payload.getString("attemptId") == null ? null : UUID.fromString(payload.getString("attemptId"));
    JsonArray transcript = payload.getJsonArray("transcript", new JsonArray());
    String recordingUrl = audio == null ? null : config.publicUrl() + "/v1/interviews/" + interviewId + "/recording";
    return PostCallRows.complete(conn, interviewId, attemptId, transcript.encode(), audio, recordingUrl);
  }

  /** Step 2: the analysis, stored only if the interview still exists. */
  private Future<Void> analyse(long jobId, UUID interviewId, JsonObject payload) {
    UUID attemptId = payload.getString("attemptId") == null ? null : UUID.fromString(payload.getString("attemptId"));
    return pool.preparedQuery(ANALYSIS_INPUT).execute(Tuple.of(interviewId)).compose(rows -> {
      if (rows.size() == 0) return Outbox.done(pool, jobId).mapEmpty();
      Row r = rows.iterator().next();
      List<String> questions = new ArrayList<>();
      if (r.getValue(2) instanceof JsonArray a) a.forEach(q -> questions.add(String.valueOf(q)));
      JsonArray transcript = r.getValue(3) instanceof JsonArray t ? t : new JsonArray();
      AnalysisInput input = new AnalysisInput(interviewId.toString(), r.getString(0), r.getString(1), questions,
        transcript, payload.getInteger("durationSeconds", 0), r.getString(4));
      Promise<JsonObject> outcome = Promise.promise();
      analyzer.analyze(input).onComplete(outcome);
      return outcome.future().transform(ar -> pool.withTransaction(conn -> Locks.interview(conn, interviewId).compose(lock -> {
          if (lock.size() == 0) return Outbox.done(conn, jobId).mapEmpty();
          return Outbox.done(conn, jobId).compose(mine -> !mine
            ? Future.succeededFuture() // another worker finished this job
            : storeAnalysis(conn, interviewId, attemptId, ar.succeeded() ? ar.result() : null, ar.cause()));
        })));
    });
  }

  /** The analysis and analysis.completed, or analysis.failed with its reason. */
  private Future<Void> storeAnalysis(SqlConnection conn, UUID interviewId, UUID attemptId, JsonObject general, Throwable failure) {
    if (general == null) {
      LOG.warn("analysis of interview {} failed: {}", interviewId, failure.getMessage());
      return PostCallRows.analysisFailed(conn, interviewId, attemptId, "analysis failed: " + failure.getMessage());
    }
    String now = dev.parley.common.ApiTime.now();
    JsonObject analysis = new JsonObject().put("id", UUID.randomUUID().toString()).put("general", general)
      .putNull("specific").put("createdAt", now).put("updatedAt", now);
    return PostCallRows.storeAnalysis(conn, interviewId, attemptId, analysis);
  }

  /**
   * Downloads a recording into chunks of {@link #CHUNK_BYTES}, each stored as it fills while the
   * download waits (so a node holds one chunk in memory). Fails when the provider answers anything
   * but 2xx, when the recording is empty, and on the outbound policy's limits.
   */
  private Future<StoredAudio> download(UUID interviewId, String provider, String url) {
    UUID recordingId = UUID.randomUUID();
    int[] seq = {0};
    Buffer[] pending = {Buffer.buffer()};
    Buffer[] head = {null};
    Future<OutboundResponse> response = http.stream(Recordings.request(config, provider, url), chunk -> {
      if (head[0] == null) head[0] = chunk.length() >= 16 ? chunk.getBuffer(0, 16) : chunk.copy();
      pending[0].appendBuffer(chunk);
      if (pending[0].length() < CHUNK_BYTES) return Future.succeededFuture();
      Buffer full = pending[0];
      pending[0] = Buffer.buffer();
      return storeChunk(recordingId, seq[0]++, interviewId, full);
    });
    return response.compose(r -> {
      if (r.statusCode() / 100 != 2) return Future.failedFuture("recording URL answered " + r.statusCode());
      if (r.bytes() == 0) return Future.failedFuture("the recording is empty");
      Future<Void> last = pending[0].length() == 0 ? Future.succeededFuture() : storeChunk(recordingId, seq[0]++, interviewId, pending[0]);
      return last.map(new StoredAudio(recordingId, Recordings.contentType(r.contentType(), head[0]), r.bytes()));
    }).onFailure(e -> PostCallRows.dropDownload(pool, recordingId)); // best effort: what a failed download stored
  }

  private Future<Void> storeChunk(UUID recordingId, int seq, UUID interviewId, Buffer bytes) {
    return PostCallRows.storeChunk(pool, recordingId, seq, interviewId, bytes);
  }

  /** A chunk's insert refused because its interview is gone (foreign_key_violation). */
  private static boolean interviewGone(Throwable e) {
    return e instanceof io.vertx.pgclient.PgException pg && "23503".equals(pg.getSqlState());
  }
}
