package io.sparkbce.monitor.alert;

import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;

/** Small in-memory windows for the alert rule tests: a segment's loss and used rows per window. */
final class Windows {
  private Windows() {}

  /** A day window starting at 2025-06-{day} 00:00 UTC. */
  static Metric day(int day, String segment, double loss, long rowsUsed) {
    return at(String.format("2025-06-%02dT00:00:00Z", day), 24, segment, loss, rowsUsed);
  }

  /** A window of {@code hours} starting at {@code start} (ISO instant). */
  static Metric at(String start, int hours, String segment, Double loss, long rowsUsed) {
    Instant s = Instant.parse(start);
    return new Metric(Timestamp.from(s), Timestamp.from(s.plusSeconds(hours * 3600L)), segment,
        null, "mean", loss, loss, rowsUsed, rowsUsed, 0, Map.of(), rowsUsed, null, null, null,
        null, null, null, Timestamp.from(s), start.substring(0, 10));
  }
}
