package io.sparkbce.monitor.rollup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.JobFailure;
import io.sparkbce.loss.QualityAccumulator;
import io.sparkbce.loss.Reduction;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.sql.Timestamp;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Merging fine windows: counts add up, and what cannot be merged is refused (no Spark). */
class MergedWindowTest {
  private static final Timestamp T = Timestamp.valueOf("2025-06-01 00:00:00");

  /** A window of one row of {@code classes} classes, each element's loss 1 with weight 1. */
  private static Metric window(String day, int classes, long skipped) {
    QualityAccumulator s = new QualityAccumulator();
    s.beginBlock(classes);
    for (int c = 0; c < classes; c++) {
      s.acceptElement(c, 0.5, 1, 1, 1, 0, 1);
    }
    Timestamp start = Timestamp.valueOf(day + " 00:00:00");
    return Metric.of(start, new Timestamp(start.getTime() + 86_400_000L), "all", null,
        Reduction.MEAN, 1 + skipped, 1, Map.of("null_labels", skipped), classes, null,
        s.toBytes(), T, day);
  }

  @Test
  void countsAndSkippedRowsAddUp() {
    MergedWindow w = new MergedWindow("h", window("2025-06-01", 2, 3));
    w.add(window("2025-06-01", 2, 3));
    w.add(window("2025-06-02", 2, 4));
    Metric m = w.metric(T, T, "2025-06-01", T);
    assertEquals(2, w.merged());
    assertEquals(9, m.rows());
    assertEquals(2, m.rowsUsed());
    assertEquals(7, m.rowsSkipped());
    assertEquals(Map.of("null_labels", 7L), m.skippedByReason());
    assertEquals(4, m.elements());
    assertEquals(1.0, m.loss());
  }

  @Test
  void windowsOfAnotherNumberOfClassesAreRefused() {
    MergedWindow w = new MergedWindow("h", window("2025-06-01", 3, 0));
    w.add(window("2025-06-01", 3, 0));
    JobFailure e = assertThrows(JobFailure.class, () -> w.add(window("2025-06-02", 4, 0)));
    assertTrue(e.getMessage().startsWith("cannot roll up the segment all in the window holding "
        + "2025-06-01 00:00:00: the window from 2025-06-02 00:00:00 in h has another number of "
        + "classes than the windows before it (number of classes (4) differs from earlier rows "
        + "(3))"), e.getMessage());
  }
}
