package io.sparkbce.monitor.history;

import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.JobTesting;
import io.sparkbce.job.output.OutputManifest;
import io.sparkbce.monitor.MonitorTesting;
import io.sparkbce.monitor.MonitorTesting.Event;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real {@code monitor} processes (JVMs of their own) on one history at the same time, one
 * computing hours 00-12 of a day and the other 12-24, on the local disk and on HDFS
 * ({@link MiniDFSCluster} in this JVM): afterwards all 24 windows are in the history. The first
 * process waits for the lock (default --lock-wait); the second does not wait (--lock-wait 0). A
 * process may only succeed, or fail with the retryable message, after which a re-run completes.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ConcurrentWritersTest {
  @TempDir
  Path tmp;

  /** 10 rows in each hour of 2025-06-01, models a and b. */
  private List<Event> write(Path input) {
    List<Event> events = new ArrayList<>();
    int i = 0;
    for (Event e : MonitorTesting.events(1, 120, 2, 61, 0, d -> 0)) {
      Timestamp ts = Timestamp.valueOf(String.format("2025-06-01 %02d:%02d:00", i % 24, i % 60));
      events.add(new Event(ts, e.model(), e.id(), e.x(), e.y(), e.w()));
      i++;
    }
    MonitorTesting.write(events, input, false);
    return events;
  }

  @Test
  void twoProcessesOnALocalHistoryLoseNoWindow() throws Exception {
    Path input = tmp.resolve("in");
    List<Event> events = write(input);
    String history = tmp.resolve("history").toString();
    runConcurrently(input, history);
    check(events, history);
    assertFalse(Files.exists(tmp.resolve("history").resolve(HistoryLock.NAME)), "released");
  }

  @Test
  void twoProcessesOnAnHdfsHistoryLoseNoWindow() throws Exception {
    Path input = tmp.resolve("in");
    List<Event> events = write(input);
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
    MiniDFSCluster dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    try {
      dfs.waitActive();
      String history = dfs.getURI().toString() + "/monitor/history";
      runConcurrently(input, history);
      check(events, history);
      FileSystem fs = dfs.getFileSystem();
      List<String> names = new ArrayList<>();
      for (FileStatus s : fs.listStatus(new org.apache.hadoop.fs.Path("/monitor/history"))) {
        names.add(s.getPath().getName());
      }
      // the manifest lists _series.json as spark-bce's own (HistorySeries writes it through
      // AtomicOutput, which records what it writes)
      assertEquals(List.of(OutputManifest.NAME, HistorySeries.NAME, "window_date=2025-06-01"),
          names.stream().sorted().toList(), "no lock, staging or trash left");
    } finally {
      dfs.shutdown();
    }
  }

  private void runConcurrently(Path input, String history) throws Exception {
    String[][] halves = {{"2025-06-01 00:00", "2025-06-01 12:00"},
        {"2025-06-01 12:00", "2025-06-02 00:00"}};
    Process[] p = {start(input, history, halves[0], "first"),
        start(input, history, halves[1], "second", "--lock-wait", "0")};
    String[] names = {"first", "second"};
    for (int i = 0; i < 2; i++) {
      int code = exit(p[i], names[i]);
      if (code != 0) {
        String err = output(names[i]);
        assertEquals(75, code, err);
        assertTrue(err.contains("another monitor run is writing the history")
            && err.contains("Retry"), err);
        Process again = start(input, history, halves[i], "again-" + names[i]);
        assertEquals(0, exit(again, "again-" + names[i]), output("again-" + names[i]));
      }
    }
  }

  /** All 24 windows, each with its 10 rows and the loss of its rows. */
  private static void check(List<Event> events, String history) {
    Map<Timestamp, Row> windows = new TreeMap<>();
    for (Row r : spark().read().parquet(history).collectAsList()) {
      assertTrue(windows.put(r.getAs("window_start"), r) == null, "one row per window: " + r);
    }
    assertEquals(24, windows.size(), windows.keySet().toString());
    for (Map.Entry<Timestamp, Row> w : windows.entrySet()) {
      List<Event> mine = events.stream().filter(e -> e.ts().getTime() >= w.getKey().getTime()
          && e.ts().getTime() < w.getKey().getTime() + 3_600_000).toList();
      assertEquals(10, mine.size());
      assertEquals(10L, w.getValue().<Long>getAs("rows"), w.getKey().toString());
      double[] ref = MonitorTesting.reference(mine, null, false, -1);
      JobTesting.assertNear(ref[0] / ref[1], w.getValue().<Double>getAs("loss"),
          w.getKey().toString());
    }
  }

  /** {@code monitor} in a JVM of its own, with this JVM's class path and module options. */
  private Process start(Path input, String history, String[] sinceUntil, String name,
      String... more) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx768m");
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens") || a.startsWith("--add-modules")
          || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")) {
        cmd.add(a);
      }
    }
    cmd.addAll(List.of("-Dspark.master=local[1]", "-Dspark.ui.enabled=false",
        "-Dspark.driver.host=127.0.0.1", "-Dspark.sql.shuffle.partitions=2",
        "-Dspark.sql.session.timeZone=" + spark().conf().get("spark.sql.session.timeZone"),
        "-cp", classpath(), "io.sparkbce.job.Main", "monitor", "--input", input.toString(),
        "--time-col", "ts", "--window", "1 hour", "--since", sinceUntil[0], "--until", sinceUntil[1],
        "--history", history, "--output", tmp.resolve("out-" + name).toString()));
    cmd.addAll(List.of(more));
    return new ProcessBuilder(cmd).redirectOutput(tmp.resolve(name + ".out").toFile())
        .redirectError(tmp.resolve(name + ".err").toFile()).start();
  }

  private int exit(Process p, String name) throws Exception {
    if (!p.waitFor(12, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(name + " did not finish in 12 minutes: " + output(name));
    }
    return p.exitValue();
  }

  private String output(String name) throws Exception {
    return Files.readString(tmp.resolve(name + ".out"), StandardCharsets.UTF_8) + "\n"
        + Files.readString(tmp.resolve(name + ".err"), StandardCharsets.UTF_8);
  }

  private static String classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    List<String> entries = new ArrayList<>();
    for (String e : cp.split(File.pathSeparator)) {
      if (!e.isBlank() && !e.contains("surefirebooter")) {
        entries.add(e);
      }
    }
    return String.join(File.pathSeparator, entries);
  }
}
