package dev.parley.db;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import dev.parley.lifecycle.Draining;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Figures of the whole database (slots in use, open circuits) as gauges: one query, run now and
 * then every period on the caller's event loop, whose one row's columns the gauges report. A
 * scrape reads the latest result and never waits for PostgreSQL. Every node reports the same
 * figures (a dashboard takes their max); they are NaN until the first read, and keep their last
 * value while the database is away ({@code parley_database_up} says so).
 */
public final class DatabaseGauges {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseGauges.class);

  /** One gauge: a column of the query's row, in order. */
  public record Figure(String name, String description) {}

  private final String what;
  private final SqlClient client;
  private final String sql;
  private final long timeoutMillis;
  private volatile double[] latest;
  private boolean reading;

  private DatabaseGauges(String what, SqlClient client, String sql, int columns, long timeoutMillis) {
    this.what = what;
    this.client = client;
    this.sql = sql;
    this.timeoutMillis = timeoutMillis;
    double[] unknown = new double[columns];
    Arrays.fill(unknown, Double.NaN);
    this.latest = unknown;
  }

  /**
   * Registers the figures and reads them every {@code periodMillis}; {@code what} names them in
   * the log when a read fails. Call from the event loop of the verticle that owns {@code client}.
   */
  public static void readEvery(Vertx vertx, long periodMillis, String what, SqlClient client, String sql,
                               MeterRegistry registry, List<Figure> figures) {
    DatabaseGauges gauges = new DatabaseGauges(what, client, sql, figures.size(), Math.max(1000, periodMillis));
    for (int i = 0; i < figures.size(); i++) {
      int column = i;
      Gauge.builder(figures.get(i).name(), gauges, g -> g.latest[column])
        .description(figures.get(i).description()).register(registry);
    }
    DatabaseHealth health = DatabaseHealth.of(vertx);
    Draining draining = Draining.of(vertx);
    gauges.read(health);
    // a node that is shutting down reads no more: its pools are about to close
    vertx.setPeriodic(periodMillis, t -> {
      if (!draining.isDraining()) gauges.read(health);
    });
  }

  private void read(DatabaseHealth health) {
    if (reading) return; // the last read is still out: skip a beat rather than pile up
    reading = true;
    client.query(sql).execute().timeout(timeoutMillis, TimeUnit.MILLISECONDS).onComplete(ar -> {
      reading = false;
      if (ar.failed()) {
        health.warnUnlessDown(LOG, what + " not read", ar.cause());
        return;
      }
      Row row = ar.result().iterator().next();
      double[] values = new double[latest.length];
      for (int i = 0; i < values.length; i++) values[i] = row.getLong(i);
      latest = values;
    });
  }
}
