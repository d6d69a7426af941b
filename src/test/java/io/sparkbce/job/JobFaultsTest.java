package io.sparkbce.job;

import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.output.CommitLock;
import io.sparkbce.job.output.OutputManifest;
import io.sparkbce.job.output.OutputTest;
import io.sparkbce.monitor.MonitorTest;
import io.sparkbce.monitor.MonitorTesting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's jobs under faults: an {@code evaluate} or {@code monitor} run that dies in the middle
 * of its Spark job (one input file turned unreadable, so the tasks reading it fail while the others
 * finish) exits 1 with the reason, leaves the outputs of the previous run byte for byte as they
 * were (summary, losses, history, alerts), leaves no temporary directory behind, and, once the
 * file is readable again, a re-run writes the same content as a clean run into a fresh directory.
 */
class JobFaultsTest {
  @TempDir
  Path tmp;

  @Test
  void evaluateDyingMidJobKeepsThePreviousOutputAndTheRerunMatchesACleanRun() throws Exception {
    Path input = tmp.resolve("in");
    MonitorTesting.write(MonitorTesting.events(3, 40, 3, 71, 0, d -> 0.3 * d), input, false);
    String[] args = {"evaluate", "--input", input.toString(), "--weight", "w", "--group-by",
        "model", "--reduction", "none", "--output", null};

    Path out = tmp.resolve("out");
    run(with(args, out)).assertCode(0);
    Snapshot before = Snapshot.of(out);

    try (Corruption c = Corruption.of(input)) {
      run(with(args, out)).assertCode(1).assertErr(c.file.getFileName().toString());
    }
    assertEquals(before, Snapshot.of(out), "the failed run changed the previous output");
    assertEquals(List.of(OutputManifest.NAME, CommitLock.NAME, "losses", "summary.json"),
        MonitorTest.list(out), "no temp left");

    run(with(args, out)).assertCode(0);
    Path clean = tmp.resolve("clean");
    run(with(args, clean)).assertCode(0);
    assertEquals(Snapshot.of(clean), Snapshot.of(out));
  }

  @Test
  void monitorDyingMidJobKeepsHistoryAndAlertsAndTheRerunMatchesACleanRun() throws Exception {
    Path input = tmp.resolve("in");
    MonitorTesting.write(MonitorTesting.events(2, 30, 3, 81, 0, d -> 0.4 * d), input, false);
    Path out = tmp.resolve("out");
    run(monitor(input, out)).assertCode(3);
    Snapshot before = Snapshot.of(out);
    // A third day arrives; one of its files (or an earlier one) is unreadable.
    MonitorTesting.write(MonitorTesting.events(1, 30, 3, 82, 2, d -> 0.4 * d), input, true);
    try (Corruption c = Corruption.of(input)) {
      run(monitor(input, out)).assertCode(1).assertErr(c.file.getFileName().toString());
    }
    assertEquals(before, Snapshot.of(out), "the failed run changed history or alerts");

    run(monitor(input, out)).assertCode(3);
    Path clean = tmp.resolve("clean");
    run(monitor(input, clean)).assertCode(3);
    Snapshot rerun = Snapshot.of(out);
    assertEquals(Snapshot.of(clean).history, rerun.history);
    // alerts.jsonl is a log: the first run's lines, then the re-run's new ones (the third day's),
    // which are the clean run's alerts that the first run had not written already.
    assertEquals(before.alerts, rerun.alerts.subList(0, before.alerts.size()));
    List<String> newInClean = Snapshot.of(clean).alerts.stream()
        .filter(l -> !before.alerts.contains(l)).toList();
    assertFalse(newInClean.isEmpty(), "the third day alerts");
    assertEquals(newInClean, rerun.alerts.subList(before.alerts.size(), rerun.alerts.size()));
  }

  private static String[] monitor(Path input, Path out) {
    return new String[] {"monitor", "--input", input.toString(), "--time-col", "ts",
        "--group-by", "model", "--weight", "w", "--alert-above", "0.3", "--output",
        out.toString()};
  }

  private static String[] with(String[] args, Path out) {
    String[] a = args.clone();
    a[a.length - 1] = out.toString();
    return a;
  }

  /**
   * What a run leaves: summary.json as text (without its timings and the output directory it
   * names); losses and history as their rows, sorted (file
   * names hold random ids, and history rows the time they were computed); alerts without the time
   * they were detected.
   */
  record Snapshot(String summary, List<String> losses, List<String> history,
      List<String> alerts, Map<String, Long> files) {
    static Snapshot of(Path out) throws IOException {
      Path summary = out.resolve("summary.json");
      Path alerts = out.resolve("alerts.jsonl");
      return new Snapshot(
          Files.exists(summary) ? Files.readString(summary).replace(out.toString(), "OUT")
              .replaceAll("\"\\w+_(ms|at)\" : [^,\n]*", "") : null,
          rows(out.resolve("losses"), List.of()),
          rows(out.resolve("history"), List.of("computed_at")),
          Files.exists(alerts) ? Files.readAllLines(alerts).stream()
              .map(l -> l.replaceAll("\"detected_at\":\"[^\"]*\",?", "")).toList() : List.of(),
          Files.exists(out) ? OutputTest.files(out) : Map.of());
    }

    /** Files map entries are compared too, but only their names and sizes of stable outputs. */
    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Snapshot s)) {
        return false;
      }
      return java.util.Objects.equals(summary, s.summary) && losses.equals(s.losses)
          && history.equals(s.history) && alerts.equals(s.alerts)
          && stable(files).equals(stable(s.files));
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(summary, losses, history, alerts);
    }

    /**
     * Data file names without Spark's random part ids; for losses with their sizes too (same
     * rows, same encoding; history rows differ in computed_at). summary.json and alerts.jsonl
     * are compared by content.
     */
    private static List<String> stable(Map<String, Long> files) {
      return files.entrySet().stream()
          .filter(e -> e.getKey().startsWith("losses") || e.getKey().startsWith("history"))
          .map(e -> e.getKey().replaceAll("part-(\\d+)-[0-9a-f-]+", "part-$1")
              + (e.getKey().startsWith("losses") ? " " + e.getValue() : ""))
          .sorted().toList();
    }

    private static List<String> rows(Path dir, List<String> drop) {
      if (!Files.exists(dir)) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (Row r : spark().read().parquet(dir.toString()).drop(drop.toArray(new String[0]))
          .collectAsList()) {
        out.add(text(r));
      }
      return out.stream().sorted().collect(Collectors.toList());
    }

    /** A row as text, binary values (a window's exact state) by content, not by identity. */
    private static String text(Row r) {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < r.length(); i++) {
        Object v = r.get(i);
        b.append(i == 0 ? "" : ",")
            .append(v instanceof byte[] bytes ? java.util.HexFormat.of().formatHex(bytes) : v);
      }
      return b.append(']').toString();
    }
  }

  /** One Parquet file of the input overwritten with garbage until closed. */
  private static final class Corruption implements AutoCloseable {
    final Path file;
    private final byte[] original;

    private Corruption(Path file) throws IOException {
      this.file = file;
      this.original = Files.readAllBytes(file);
      Files.write(file, "not a parquet file".repeat(20).getBytes());
    }

    /** The last data file (by name) under {@code input}. */
    static Corruption of(Path input) throws IOException {
      try (Stream<Path> s = Files.walk(input)) {
        List<Path> parquet = s.filter(p -> p.getFileName().toString().endsWith(".parquet"))
            .sorted().toList();
        assertFalse(parquet.size() < 2, "need several files, got " + parquet);
        return new Corruption(parquet.get(parquet.size() - 1));
      }
    }

    @Override
    public void close() {
      try {
        Files.write(file, original);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Test
  void snapshotsTellOutputsApart() throws Exception {
    // The comparison above must be able to fail: two runs with different options differ.
    Path input = tmp.resolve("in");
    MonitorTesting.write(MonitorTesting.events(1, 20, 3, 91, 0, d -> 0), input, false);
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    run("evaluate", "--input", input.toString(), "--reduction", "none", "--output", a.toString())
        .assertCode(0);
    run("evaluate", "--input", input.toString(), "--reduction", "none", "--pos-weight", "2",
        "--output", b.toString()).assertCode(0);
    assertTrue(!Snapshot.of(a).equals(Snapshot.of(b)));
  }
}
