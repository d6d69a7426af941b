package io.sparkbce.monitor;

import static io.sparkbce.job.JobTesting.assertNear;
import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.monitor.MonitorTesting.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code monitor --stream}: two batches of files, Trigger.AvailableNow, restart from checkpoint. */
class StreamTest {
  @TempDir
  Path tmp;

  @Test
  void windowStateSurvivesARestartFromTheCheckpoint() {
    List<Event> events = MonitorTesting.events(5, 20, 3, 71, 0, d -> 0);
    List<Event> first = new ArrayList<>();
    List<Event> second = new ArrayList<>();
    for (Event e : events) {
      int day = Integer.parseInt(e.day().substring(8)) - 1;
      int hour = e.ts().toLocalDateTime().getHour();
      (day < 2 || (day == 2 && hour < 12) ? first : second).add(e);
    }
    Path input = tmp.resolve("in");
    Path out = tmp.resolve("out");
    Path history = out.resolve("history");
    String[] args = {"monitor", "--stream", "--input", input.toString(), "--format", "parquet",
        "--time-col", "ts", "--group-by", "model", "--watermark", "1 hour", "--output",
        out.toString()};
    MonitorTesting.write(first, input, false);
    run(args).assertCode(0);
    Map<String, Double> afterFirst = MonitorTest.losses(history);
    // days 0 and 1 are complete (the watermark passed their end); day 2 is still open
    assertEquals(4, afterFirst.size(), afterFirst.toString());
    assertTrue(afterFirst.keySet().stream().noneMatch(k -> k.startsWith("2025-06-03")));
    assertTrue(Files.isDirectory(out.resolve("checkpoint")));

    MonitorTesting.write(second, input, true);
    run(args).assertCode(0);
    Map<String, Double> after = MonitorTest.losses(history);
    assertEquals(8, after.size(), after.toString());
    for (Row r : spark().read().parquet(history.toString()).collectAsList()) {
      String day = r.getAs("window_start").toString().substring(0, 10);
      String model = r.<String>getAs("segment").substring("model=".length());
      List<Event> mine = events.stream().filter(e -> e.day().equals(day)
          && e.model().equals(model)).toList();
      double[] ref = MonitorTesting.reference(mine, null, false, -1);
      assertNear(ref[0] / ref[1], r.<Double>getAs("loss"), day + " " + model);
      assertEquals(mine.size(), r.<Long>getAs("rows"), day + " " + model);
    }
    // day 2 has rows from both batches: its state came back from the checkpoint
    assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("2025-06-03")));
  }
}
