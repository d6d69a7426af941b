package io.sparkbce.job.output;

import static io.sparkbce.job.JobTesting.assertNear;
import static io.sparkbce.job.JobTesting.element;
import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static io.sparkbce.job.JobTesting.summary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkbce.job.EvaluateTest;
import io.sparkbce.job.JobTesting;
import io.sparkbce.job.JobTesting.Sample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-row losses ({@code --reduction none}) and outputs that are replaced atomically or not at all. */
public class OutputTest {
  static final int C = 3;
  @TempDir
  static Path tmp;
  static List<Sample> data;
  static Path input;

  @BeforeAll
  static void data() {
    data = JobTesting.samples(90, C, 5);
    List<Row> rows = new ArrayList<>();
    data.forEach(s -> rows.add(s.row()));
    rows.add(RowFactory.create("d1", "b", 500L, new Double[] {1d, 2d, 3d}, null, 1.0));
    input = tmp.resolve("in");
    spark().createDataFrame(rows, JobTesting.SCHEMA).write().partitionBy("day", "model")
        .parquet(input.toString());
  }

  @AfterEach
  void noHook() {
    AtomicOutput.beforeCommit = null;
  }

  @Test
  void noneWritesEachRowsLossesNextToItsKeysPartitionedLikeTheInput() {
    Path out = tmp.resolve("none");
    run("evaluate", "--input", input.toString(), "--reduction", "none", "--weight", "w",
        "--pos-weight", "0.5,2,4", "--output", out.toString()).assertCode(0)
        .assertOut("per-row losses: " + out.resolve("losses")
            + " (parquet, partitioned by day, model)");
    Path losses = out.resolve("losses");
    for (String part : List.of("day=d1/model=a", "day=d1/model=b", "day=d2/model=a",
        "day=d2/model=b")) {
      assertTrue(Files.isDirectory(losses.resolve(part)), part);
    }
    assertEquals(List.of(OutputManifest.NAME, CommitLock.NAME, "losses", "summary.json"),
        EvaluateTest.list(out));
    Dataset<Row> back = spark().read().parquet(losses.toString());
    assertEquals(List.of("id", "loss", "day", "model"), List.of(back.columns()));
    Map<Long, Sample> byId = data.stream().collect(Collectors.toMap(Sample::id,
        Function.identity()));
    List<Row> rows = back.collectAsList();
    assertEquals(data.size(), rows.size(), "one row per valid input row");
    double[] pw = {0.5, 2, 4};
    for (Row r : rows) {
      Sample s = byId.get(r.getLong(0));
      assertEquals(s.day(), r.getString(2));
      assertEquals(s.model(), r.getString(3));
      List<Object> loss = r.getList(1);
      assertEquals(C, loss.size());
      for (int c = 0; c < C; c++) {
        assertNear(element(s.x()[c], s.y()[c], s.w(), pw[c]), (Double) loss.get(c),
            "row " + s.id() + " class " + c);
      }
    }
    JsonNode s = summary(out);
    assertEquals("none", s.get("reduction").asText());
    assertEquals(1, s.get("skipped_by_reason").get("null_labels").asLong());
    assertEquals(losses.toString(), s.get("output").get("losses").asText());
    assertEquals("[\"day\",\"model\"]", s.get("output").get("partitioned_by").toString());
    assertFalse(s.get("groups").get(0).has("loss"));
  }

  @Test
  void aKeyColumnNamedLossKeepsItsName() {
    Path in = tmp.resolve("loss-column");
    spark().read().parquet(input.toString()).withColumnRenamed("w", "loss").write()
        .parquet(in.toString());
    Path out = tmp.resolve("loss-column-out");
    run("evaluate", "--input", in.toString(), "--reduction", "none", "--output", out.toString())
        .assertCode(0);
    Dataset<Row> back = spark().read().parquet(out.resolve("losses").toString());
    assertEquals(List.of("id", "loss", "day", "model", "loss_1"), List.of(back.columns()));
  }

  @Test
  void aFailedRunLeavesThePreviousLossesAndSummaryIntact() throws Exception {
    Path out = tmp.resolve("atomic-none");
    run("evaluate", "--input", input.toString(), "--reduction", "none", "--where", "day = 'd1'",
        "--output", out.toString()).assertCode(0);
    String summaryBefore = Files.readString(out.resolve("summary.json"));
    Map<String, Long> filesBefore = files(out);

    // fails once the new losses are completely written, before anything is replaced
    AtomicOutput.beforeCommit = tmpPath -> {
      if (tmpPath.contains(".losses.tmp-")) {
        assertTrue(Files.isDirectory(Path.of(java.net.URI.create(tmpPath))), tmpPath);
        throw new IllegalStateException("simulated failure while writing " + tmpPath);
      }
    };
    run("evaluate", "--input", input.toString(), "--reduction", "none", "--output",
        out.toString()).assertCode(1).assertErr("simulated failure");
    assertEquals(summaryBefore, Files.readString(out.resolve("summary.json")));
    assertEquals(filesBefore, files(out));

    // fails with the new losses complete and the new summary written to its temp file
    AtomicOutput.beforeCommit = tmpPath -> {
      if (tmpPath.contains(".summary.json.tmp-")) {
        throw new IllegalStateException("simulated failure writing the summary");
      }
    };
    run("evaluate", "--input", input.toString(), "--reduction", "none", "--output",
        out.toString()).assertCode(1).assertErr("simulated failure writing the summary");
    assertEquals(summaryBefore, Files.readString(out.resolve("summary.json")));
    assertEquals(filesBefore, files(out));

    // and a good run replaces both
    AtomicOutput.beforeCommit = null;
    run("evaluate", "--input", input.toString(), "--reduction", "none", "--output",
        out.toString()).assertCode(0);
    assertEquals(data.size(), summary(out).get("rows_used").asLong());
    assertEquals(data.size(), spark().read().parquet(out.resolve("losses").toString()).count());
    assertEquals(List.of(OutputManifest.NAME, CommitLock.NAME, "losses", "summary.json"),
        EvaluateTest.list(out));
  }

  @Test
  void aFailedRunLeavesThePreviousSummaryIntact() throws Exception {
    Path out = tmp.resolve("atomic-mean");
    run("evaluate", "--input", input.toString(), "--output", out.toString()).assertCode(0);
    String before = Files.readString(out.resolve("summary.json"));
    AtomicOutput.beforeCommit = tmpPath -> {
      throw new IllegalStateException("disk full (simulated)");
    };
    run("evaluate", "--input", input.toString(), "--reduction", "sum", "--output",
        out.toString()).assertCode(1).assertErr("disk full (simulated)");
    assertEquals(before, Files.readString(out.resolve("summary.json")));
    assertEquals(List.of(OutputManifest.NAME, CommitLock.NAME, "summary.json"), EvaluateTest.list(out));
    // an invalid row with --invalid fail is a failure too: nothing replaced
    run("evaluate", "--input", input.toString(), "--invalid", "fail", "--output",
        out.toString()).assertCode(1).assertErr("invalid row (null_labels)", "\"id\":500");
    assertEquals(before, Files.readString(out.resolve("summary.json")));
  }

  @Test
  void aSparkWriteThatFailsPartWayLeavesThePreviousDirectory() throws Exception {
    Path target = tmp.resolve("dir-target");
    Dataset<Row> df = spark().read().parquet(input.toString());
    AtomicOutput.replaceDirectory(spark().sparkContext().hadoopConfiguration(),
        target.toString(), t -> df.write().parquet(t));
    Map<String, Long> before = files(target);
    assertThrows(RuntimeException.class, () -> AtomicOutput.replaceDirectory(
        spark().sparkContext().hadoopConfiguration(), target.toString(), t -> {
          // some tasks write their files, then one fails
          df.where("id < 10").write().parquet(t + "/part-a");
          df.selectExpr("id", "assert_true(id < 50) AS boom").write().parquet(t + "/part-b");
        }));
    assertEquals(before, files(target));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of(), s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(".dir-target")).toList(), "temp directories removed");
    }
  }

  /** Every file under {@code dir} (relative path) with its size. */
  public static Map<String, Long> files(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      Map<String, Long> out = new TreeMap<>();
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(dir.relativize(p).toString(), Files.size(p));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
