package io.sparkbce.job;

import static io.sparkbce.job.JobTesting.assertNear;
import static io.sparkbce.job.JobTesting.box;
import static io.sparkbce.job.JobTesting.element;
import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static io.sparkbce.job.JobTesting.summary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkbce.job.JobTesting.Sample;
import io.sparkbce.job.output.OutputManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows that cannot be evaluated: skipped and counted by reason ({@code --invalid report}), or the
 * job stops at the first one, showing it ({@code --invalid fail}).
 */
class InvalidRowsTest {
  static final int C = 3;
  static final double NAN = Double.NaN;
  @TempDir
  static Path tmp;
  static List<Sample> valid;
  static Path input;
  /** Expected reason per invalid row id, with --weight w. */
  static final Map<Long, String> REASON = new LinkedHashMap<>();

  @BeforeAll
  static void data() {
    valid = JobTesting.samples(60, C, 11);
    List<Row> rows = new ArrayList<>();
    valid.forEach(s -> rows.add(s.row()));
    bad(rows, 1000, null, new Double[] {1d, 0d, 0d}, 1.0, "null_logits");
    bad(rows, 1001, new Double[] {1d, 2d, 3d}, null, 1.0, "null_labels");
    bad(rows, 1002, new Double[] {1d, 2d, 3d}, new Double[] {1d, 0d, 0d}, null, "null_weight");
    bad(rows, 1003, new Double[] {1d, null, 3d}, new Double[] {1d, 0d, 0d}, 1.0, "null_element");
    bad(rows, 1004, new Double[] {1d, 2d, 3d}, new Double[] {1d, 0d, null}, 1.0, "null_element");
    bad(rows, 1005, new Double[] {1d, 2d, 3d, 4d}, new Double[] {1d, 0d, 0d}, 1.0,
        "shape_mismatch");
    bad(rows, 1006, new Double[] {1d, NAN, 3d}, new Double[] {1d, 0d, 0d}, 1.0, "nan_logits");
    bad(rows, 1007, new Double[] {1d, 2d, 3d}, new Double[] {NAN, 0d, 0d}, 1.0, "nan_labels");
    bad(rows, 1008, new Double[] {1d, 2d, 3d}, new Double[] {1d, 0d, 0d}, NAN, "nan_weight");
    bad(rows, 1009, new Double[] {1d, 2d, 3d}, new Double[] {1.5, 0d, 0d}, 1.0,
        "label_out_of_range");
    bad(rows, 1010, new Double[] {1d, 2d, 3d}, new Double[] {0d, -0.5, 0d}, 1.0,
        "label_out_of_range");
    // several problems: the first reason in the documented order counts
    bad(rows, 1011, new Double[] {NAN, 2d, 3d}, new Double[] {2d, 0d, 0d}, NAN, "nan_logits");
    bad(rows, 1012, new Double[] {1d, 2d}, new Double[] {NAN, 0d, 0d}, 1.0, "shape_mismatch");
    input = tmp.resolve("in");
    spark().createDataFrame(rows, JobTesting.SCHEMA).write().partitionBy("day", "model")
        .parquet(input.toString());
  }

  private static void bad(List<Row> rows, long id, Double[] x, Double[] y, Double w,
      String reason) {
    rows.add(RowFactory.create("d2", "a", id, x, y, w));
    REASON.put(id, reason);
  }

  @Test
  void skippedRowsAreCountedByReasonAndTheLossUsesTheOthers() {
    Path out = tmp.resolve("report");
    run("evaluate", "--input", input.toString(), "--weight", "w", "--reduction", "sum",
        "--group-by", "day", "--output", out.toString()).assertCode(0)
        .assertOut("skipped 13 (null_logits 1, null_labels 1, null_weight 1, null_element 2, "
            + "shape_mismatch 2, nan_logits 2, nan_labels 1, nan_weight 1, label_out_of_range 2)");
    JsonNode s = summary(out);
    Map<String, Long> expected = new LinkedHashMap<>();
    InputColumns.REASONS.forEach(r -> expected.put(r, 0L));
    REASON.values().forEach(r -> expected.merge(r, 1L, Long::sum));
    for (String r : InputColumns.REASONS) {
      assertEquals(expected.get(r), s.get("skipped_by_reason").get(r).asLong(), r);
    }
    assertEquals(REASON.size(), s.get("rows_skipped").asLong());
    assertEquals(valid.size(), s.get("rows_used").asLong());
    assertEquals(valid.size() + REASON.size(), s.get("rows").asLong());
    double[] ref = JobTesting.sumAndCount(valid, x -> true, true, null, -1);
    double total = 0;
    for (JsonNode g : s.get("groups")) {
      total += g.get("loss").asDouble();
      String day = g.get("key").get("day").asText();
      assertEquals(day.equals("d2") ? REASON.size() : 0, g.get("rows_skipped").asLong(), day);
      double[] rd = JobTesting.sumAndCount(valid, x -> x.day().equals(day), true, null, -1);
      assertNear(rd[0], g.get("loss"), "sum of " + day);
    }
    assertNear(ref[0], total, "total");
  }

  @Test
  void withoutAWeightColumnItsValuesDoNotMatter() {
    Path out = tmp.resolve("no-weight");
    run("evaluate", "--input", input.toString(), "--reduction", "sum", "--output", out.toString())
        .assertCode(0);
    JsonNode s = summary(out);
    assertEquals(0, s.get("skipped_by_reason").get("null_weight").asLong());
    assertEquals(0, s.get("skipped_by_reason").get("nan_weight").asLong());
    assertEquals(REASON.size() - 2, s.get("rows_skipped").asLong());
    double sum = JobTesting.sumAndCount(valid, x -> true, false, null, -1)[0];
    for (double[] xy : new double[][] {{1, 2, 3}, {1, 2, 3}}) {
      sum += element(xy[0], 1, 1, 1) + element(xy[1], 0, 1, 1) + element(xy[2], 0, 1, 1);
    }
    assertNear(sum, s.get("loss"), "sum including the rows with bad weights");
  }

  @Test
  void failStopsAtAnInvalidRowShowingItsKeysAndValues() throws Exception {
    Path out = tmp.resolve("fail");
    Files.createDirectories(out);
    Files.writeString(out.resolve("summary.json"), "{\"previous\": true}\n");
    // a summary of an earlier run: listed as spark-bce's, so only the invalid row stops the run
    OutputManifest.record(org.apache.hadoop.fs.FileSystem.getLocal(
        new org.apache.hadoop.conf.Configuration()), new org.apache.hadoop.fs.Path(
            out.resolve("summary.json").toString()), OutputManifest.Kind.FILE);
    JobTesting.Run r = run("evaluate", "--input", input.toString(), "--weight", "w",
        "--invalid", "fail", "--output", out.toString()).assertCode(1)
        .assertErr("spark-bce: invalid row (", "\"day\":\"d2\"", "\"model\":\"a\"",
            "\"logits\":", "\"labels\":", "--invalid report skips");
    Matcher m = Pattern.compile("invalid row \\((\\w+)\\): \\{\"id\":(\\d+)").matcher(r.err());
    assertTrue(m.find(), r.err());
    long id = Long.parseLong(m.group(2));
    assertEquals(REASON.get(id), m.group(1), "the reason shown is that row's");
    assertEquals("{\"previous\": true}\n", Files.readString(out.resolve("summary.json")));
    assertFalse(r.out().contains("summary:"));
  }

  @Test
  void failPassesWhenEveryRowIsValid() {
    Path out = tmp.resolve("fail-clean");
    run("evaluate", "--input", input.toString(), "--weight", "w", "--invalid", "fail",
        "--where", "id < 1000", "--reduction", "sum", "--output", out.toString()).assertCode(0);
    assertNear(JobTesting.sumAndCount(valid, x -> true, true, null, -1)[0],
        summary(out).get("loss"), "sum");
    assertEquals("fail", summary(out).get("invalid").asText());
  }

  @Test
  void nestedArraysAreCheckedAtEveryLevel() {
    StructType schema = new StructType()
        .add("id", DataTypes.LongType)
        .add("x", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType)))
        .add("y", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType)));
    List<Row> rows = new ArrayList<>();
    double sum = 0;
    for (int i = 0; i < 20; i++) {
      double[][] x = {{i * 0.1, -1}, {2, -i * 0.2}, {0.5, 0.25}};
      double[][] y = {{1, 0}, {0, 1}, {0.5, 1}};
      rows.add(RowFactory.create((long) i, nested(x), nested(y)));
      for (int a = 0; a < 3; a++) {
        for (int b = 0; b < 2; b++) {
          sum += element(x[a][b], y[a][b], 1, 1);
        }
      }
    }
    rows.add(RowFactory.create(100L, new Double[][] {{1d, 2d}, {3d}},
        new Double[][] {{1d, 0d}, {0d, 1d}}));
    rows.add(RowFactory.create(101L, new Double[][] {{1d, 2d}, null},
        new Double[][] {{1d, 0d}, {0d, 1d}}));
    rows.add(RowFactory.create(102L, new Double[][] {{1d, 2d}}, new Double[][] {{1d, 0d},
        {1d, 1d}}));
    rows.add(RowFactory.create(103L, new Double[][] {{1d, 2d}}, new Double[][] {{1d, 3d}}));
    Path dir = tmp.resolve("nested");
    spark().createDataFrame(rows, schema).write().parquet(dir.toString());
    Path out = tmp.resolve("nested-out");
    run("evaluate", "--input", dir.toString(), "--logits", "x", "--labels", "y", "--reduction",
        "sum", "--output", out.toString()).assertCode(0);
    JsonNode s = summary(out);
    assertNear(sum, s.get("loss"), "nested sum");
    assertEquals(2, s.get("skipped_by_reason").get("shape_mismatch").asLong());
    assertEquals(1, s.get("skipped_by_reason").get("null_element").asLong());
    assertEquals(1, s.get("skipped_by_reason").get("label_out_of_range").asLong());
    assertEquals(20 * 6, s.get("elements").asLong());
  }

  private static Double[][] nested(double[][] a) {
    Double[][] r = new Double[a.length][];
    for (int i = 0; i < a.length; i++) {
      r[i] = box(a[i]);
    }
    return r;
  }
}
