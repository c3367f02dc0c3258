package dev.parley.ratelimit;

import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import dev.parley.common.RateLimit;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * One budget per key across the cluster (SPEC section 9), kept in the cluster manager's own
 * Hazelcast instance. Each take is an entry processor sent to the key's partition owner, which runs
 * {@link RateWindows} on the partition thread: atomic per key with no lock round trip, and timed by
 * the owner's clock alone, so nodes with skewed clocks still agree on the windows.
 *
 * <p>Every member must have had {@link #configure} applied to its {@link Config}: it declares the
 * map and the serializers of the processors. Build the limiter at startup (getting the map may
 * block briefly).
 */
public final class HazelcastRateLimiter implements RateLimiter {
  public static final String MAP_NAME = "parley.rate-limits";

  /** Any positive number no other factory in the member's config uses; Hazelcast's own are negative. */
  static final int FACTORY_ID = 0x5061726c; // "Parl"
  private static final int TAKE = 1;
  private static final int STORE = 2;

  /** A take's result: the key's state after it, then the owner's clock and 1 when allowed. */
  private static final int NOW = RateWindows.STATE_LENGTH;
  private static final int ALLOWED = NOW + 1;

  private final Vertx vertx;
  private final IMap<String, long[]> budgets;

  public HazelcastRateLimiter(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.budgets = hazelcast.getMap(MAP_NAME);
  }

  /**
   * Declares the budgets map (one synchronous backup, so a member's crash loses no count; idle keys
   * expire once no window of theirs can be live; nothing else is ever evicted) and registers the
   * processors' serializers. Call it on every member's config before the member starts.
   */
  public static void configure(Config config) {
    MapConfig budgets = new MapConfig(MAP_NAME)
      .setBackupCount(1)
      .setAsyncBackupCount(0)
      .setMaxIdleSeconds((int) RateWindows.IDLE_EXPIRY.toSeconds());
    // the default already evicts nothing; said here because evicting a live budget would reset it
    budgets.getEvictionConfig().setEvictionPolicy(EvictionPolicy.NONE);
    config.addMapConfig(budgets);
    config.getSerializationConfig().addDataSerializableFactory(FACTORY_ID, type -> switch (type) {
      case TAKE -> new Take();
      case STORE -> new Store();
      default -> null;
    });
  }

  @Override
  public Future<RateDecision> take(String budgetKey, RateLimit limit) {
    if (limit.isUnlimited()) return Future.succeededFuture(RateDecision.UNLIMITED);
    Context context = vertx.getOrCreateContext();
    Promise<RateDecision> decision = Promise.promise();
    try {
      // Not Future.fromCompletionStage: its plain whenComplete makes Hazelcast run the callback on
      // its default executor, the common pool, or a new thread for every callback where that pool
      // has a single thread (two cores). This executor goes straight to the caller's context.
      budgets.submitToKey(budgetKey, new Take(limit)).whenCompleteAsync((result, failure) -> {
        if (failure == null) {
          decision.complete(RateWindows.decision(result, limit, result[NOW], result[ALLOWED] == 1));
        } else {
          decision.fail(failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure);
        }
      }, task -> context.runOnContext(v -> task.run()));
    } catch (RuntimeException notActive) {
      // a member that is shutting down refuses the call at once
      decision.fail(notActive);
    }
    return decision.future();
  }

  /** Processors travel as IdentifiedDataSerializable through this factory: a few bytes, no reflection. */
  private abstract static class Processor implements EntryProcessor<String, long[], long[]>, IdentifiedDataSerializable {
    @Override
    public int getFactoryId() {
      return FACTORY_ID;
    }
  }

  /**
   * Runs on the partition owner. A fresh instance per take: it remembers what it stored so the
   * backup replica receives that state instead of recomputing it with its own clock.
   */
  static final class Take extends Processor {
    private RateLimit limit;
    private transient long[] stored;

    Take() {}

    Take(RateLimit limit) {
      this.limit = limit;
    }

    @Override
    public long[] process(Map.Entry<String, long[]> entry) {
      long[] state = entry.getValue() == null ? RateWindows.newState() : entry.getValue();
      long now = System.currentTimeMillis();
      boolean allowed = RateWindows.take(state, limit, now);
      stored = allowed ? state : null;
      if (allowed) entry.setValue(state);
      long[] result = Arrays.copyOf(state, ALLOWED + 1);
      result[NOW] = now;
      result[ALLOWED] = allowed ? 1 : 0;
      return result;
    }

    /** A refusal changed nothing, so it sends no backup. */
    @Override
    public EntryProcessor<String, long[], long[]> getBackupProcessor() {
      return stored == null ? null : new Store(stored);
    }

    @Override
    public int getClassId() {
      return TAKE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeInt(limit.perMinute());
      out.writeInt(limit.perHour());
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      limit = new RateLimit(in.readInt(), in.readInt());
    }
  }

  /** Runs on the backup replica: writes the state the owner stored. */
  static final class Store extends Processor {
    private long[] state;

    Store() {}

    Store(long[] state) {
      this.state = state;
    }

    @Override
    public long[] process(Map.Entry<String, long[]> entry) {
      entry.setValue(state);
      return null;
    }

    @Override
    public int getClassId() {
      return STORE;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLongArray(state);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      state = in.readLongArray();
    }
  }
}
