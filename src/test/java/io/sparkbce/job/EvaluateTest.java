package io.sparkbce.job;

import static io.sparkbce.job.JobTesting.assertNear;
import static io.sparkbce.job.JobTesting.doubles;
import static io.sparkbce.job.JobTesting.element;
import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static io.sparkbce.job.JobTesting.sumAndCount;
import static io.sparkbce.job.JobTesting.summary;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkbce.job.JobTesting.Sample;
import io.sparkbce.job.output.CommitLock;
import io.sparkbce.job.output.OutputManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code evaluate} in-process: every option, checked against plain Java loops. */
public class EvaluateTest {
  static final int C = 4;
  @TempDir
  static Path tmp;
  static List<Sample> data;
  static Path input;

  @BeforeAll
  static void data() {
    data = JobTesting.samples(240, C, 7);
    input = JobTesting.writeParquet(data, tmp.resolve("in"));
  }

  private static Predicate<Sample> model(String m) {
    return s -> s.model().equals(m);
  }

  @Test
  void meanPerGroupAndPerClass() {
    Path out = tmp.resolve("mean-per-class");
    run("evaluate", "--input", input.toString(), "--group-by", "model", "--per-class",
        "--output", out.toString()).assertCode(0)
        .assertOut("model | rows used", "loss (mean)", "loss per class (mean)");
    JsonNode s = summary(out);
    assertEquals("mean", s.get("reduction").asText());
    assertEquals(2, s.get("groups").size());
    for (JsonNode g : s.get("groups")) {
      String m = g.get("key").get("model").asText();
      double[] ref = sumAndCount(data, model(m), false, null, -1);
      assertNear(ref[0] / ref[1], g.get("loss"), "mean of model " + m);
      assertEquals((long) ref[1], g.get("elements").asLong());
      assertEquals((long) ref[1] / C, g.get("rows_used").asLong());
      assertEquals(0, g.get("rows_skipped").asLong());
      for (int c = 0; c < C; c++) {
        double[] rc = sumAndCount(data, model(m), false, null, c);
        assertNear(rc[0] / rc[1], g.get("loss_per_class").get(c), "class " + c + " of " + m);
      }
    }
    assertEquals(List.of("a", "b"), List.of(s.get("groups").get(0).get("key").get("model").asText(),
        s.get("groups").get(1).get("key").get("model").asText()));
    assertEquals(data.size(), s.get("rows_used").asLong());
  }

  @Test
  void sumWeightedMeanAndMeanWithWeightAndPosWeightList() {
    double[] pw = {1.5, 2, 0.5, 3};
    for (String reduction : List.of("sum", "weighted_mean", "mean")) {
      Path out = tmp.resolve("weighted-" + reduction);
      run("evaluate", "--input", input.toString(), "--weight", "w", "--pos-weight", "1.5,2,0.5,3",
          "--reduction", reduction, "--output", out.toString()).assertCode(0);
      JsonNode s = summary(out);
      double[] ref = sumAndCount(data, x -> true, true, pw, -1);
      double expected = switch (reduction) {
        case "sum" -> ref[0];
        case "weighted_mean" -> ref[0] / ref[2];
        default -> ref[0] / ref[1];
      };
      assertNear(expected, s.get("loss"), reduction);
      assertArrayEquals(pw, doubles(s.get("pos_weight").get("values")));
      assertEquals("list", s.get("pos_weight").get("source").asText());
      assertEquals("w", s.get("columns").get("weight").asText());
    }
  }

  /**
   * No row left by --where: one group all the same, with zero counts and the losses of no rows
   * (rows are counted per invalid reason, so there is no row to fold them from).
   */
  @Test
  void noRowsGiveOneEmptyGroup() {
    for (String reduction : List.of("mean", "sum")) {
      Path out = tmp.resolve("no-rows-" + reduction);
      run("evaluate", "--input", input.toString(), "--where", "day = 'none'", "--per-class",
          "--reduction", reduction, "--output", out.toString()).assertCode(0);
      JsonNode s = summary(out);
      assertEquals(1, s.get("groups").size());
      JsonNode g = s.get("groups").get(0);
      for (String count : List.of("rows", "rows_used", "rows_skipped", "elements")) {
        assertEquals(0, g.get(count).asLong(), count);
        assertEquals(0, s.get(count).asLong(), count);
      }
      assertEquals(0, g.get("skipped_by_reason").get("nan_logits").asLong());
      if (reduction.equals("mean")) {
        assertTrue(s.get("loss").isNull(), s.toString());
      } else {
        assertEquals(0.0, s.get("loss").asDouble(), s.toString());
      }
    }
  }

  @Test
  void posWeightAutoComesFromTheRowsEvaluated() {
    Path out = tmp.resolve("auto");
    Predicate<Sample> d1 = s -> s.day().equals("d1");
    run("evaluate", "--input", input.toString(), "--pos-weight", "auto", "--where", "day = 'd1'",
        "--per-class", "--output", out.toString()).assertCode(0);
    JsonNode s = summary(out);
    double[] expectedPw = JobTesting.posWeight(data, d1, C);
    double[] pw = doubles(s.get("pos_weight").get("values"));
    for (int c = 0; c < C; c++) {
      assertNear(expectedPw[c], pw[c], "pos_weight of class " + c);
    }
    assertEquals("auto", s.get("pos_weight").get("source").asText());
    double[] ref = sumAndCount(data, d1, false, expectedPw, -1);
    assertNear(ref[0] / ref[1], s.get("loss"), "mean with auto pos_weight");
    assertEquals(data.stream().filter(d1).count(), s.get("rows").asLong());
    assertEquals("day = 'd1'", s.get("input").get("where").asText());
    for (int c = 0; c < C; c++) {
      double[] rc = sumAndCount(data, d1, false, expectedPw, c);
      assertNear(rc[0] / rc[1], s.get("loss_per_class").get(c), "class " + c);
    }
  }

  @Test
  void posWeightFromFilesAndAsOneNumber() throws Exception {
    Path listFile = tmp.resolve("pw.txt");
    Files.writeString(listFile, "# pos_weight per class\n1.5\n2.0   # class 1\n0.5, 3\n");
    Path jsonFile = tmp.resolve("pw.json");
    Files.writeString(jsonFile, "[1.5, 2.0, 0.5, 3.0]");
    for (Path f : List.of(listFile, jsonFile)) {
      Path out = tmp.resolve("pw-file-" + f.getFileName());
      run("evaluate", "--input", input.toString(), "--pos-weight", "@" + f, "--reduction", "sum",
          "--output", out.toString()).assertCode(0);
      JsonNode s = summary(out);
      double[] ref = sumAndCount(data, x -> true, false, new double[] {1.5, 2, 0.5, 3}, -1);
      assertNear(ref[0], s.get("loss"), "sum with pos_weight from " + f.getFileName());
      assertEquals("file:" + f, s.get("pos_weight").get("source").asText());
    }
    Path out = tmp.resolve("pw-scalar");
    run("evaluate", "--input", input.toString(), "--pos-weight", "2.5", "--output",
        out.toString()).assertCode(0);
    double[] ref = sumAndCount(data, x -> true, false, new double[] {2.5}, -1);
    assertNear(ref[0] / ref[1], summary(out).get("loss"), "mean with pos_weight 2.5");
  }

  @Test
  void columnNamesAreIdentifiersAndOnlyWhereIsSql() {
    StructType schema = new StructType()
        .add("select", DataTypes.StringType)
        .add("my logits", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("lab`els", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("a.b", DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    List<Sample> kept = new ArrayList<>();
    for (Sample s : data.subList(0, 60)) {
      rows.add(RowFactory.create(s.model(), JobTesting.box(s.x()), JobTesting.box(s.y()), s.w()));
      kept.add(s);
    }
    Path dir = tmp.resolve("odd-names");
    spark().createDataFrame(rows, schema).write().json(dir.toString());
    Path out = tmp.resolve("odd-names-out");
    run("evaluate", "--input", dir.toString(), "--format", "json", "--logits", "my logits",
        "--labels", "lab`els", "--weight", "a.b", "--group-by", "select", "--where",
        "`select` = 'a'", "--reduction", "weighted_mean", "--output", out.toString())
        .assertCode(0);
    JsonNode s = summary(out);
    assertEquals(1, s.get("groups").size());
    double[] ref = sumAndCount(kept, model("a"), true, null, -1);
    assertNear(ref[0] / ref[2], s.get("groups").get(0).get("loss"), "weighted mean");
    assertEquals("json", s.get("input").get("format").asText());
  }

  @Test
  void formatsFromTheExtensionOrTheOption() throws Exception {
    // ORC directory, named by --format
    Path orc = tmp.resolve("orc-data");
    spark().read().parquet(input.toString()).write().orc(orc.toString());
    Path out = tmp.resolve("orc-out");
    run("evaluate", "--input", orc.toString(), "--format", "orc", "--output", out.toString())
        .assertCode(0);
    double[] ref = sumAndCount(data, x -> true, false, null, -1);
    assertNear(ref[0] / ref[1], summary(out).get("loss"), "orc");
    assertEquals("orc", summary(out).get("input").get("format").asText());

    // single-label CSV, format from the extension: one logit and one label per row
    Path csv = tmp.resolve("single.csv");
    StringBuilder b = new StringBuilder("id,logit,label\n");
    double sum = 0;
    for (Sample s : data) {
      b.append(s.id()).append(',').append(s.x()[0]).append(',').append(s.y()[0]).append('\n');
      sum += element(s.x()[0], s.y()[0], 1, 1);
    }
    Files.writeString(csv, b.toString());
    out = tmp.resolve("csv-out");
    run("evaluate", "--input", csv.toString(), "--logits", "logit", "--labels", "label",
        "--reduction", "sum", "--output", out.toString()).assertCode(0);
    assertNear(sum, summary(out).get("loss"), "csv sum");
    assertEquals("csv", summary(out).get("input").get("format").asText());
    assertEquals(data.size(), summary(out).get("elements").asLong());

    // JSON lines file, by extension
    Path json = tmp.resolve("rows.json");
    StringBuilder j = new StringBuilder();
    for (Sample s : data.subList(0, 50)) {
      j.append("{\"id\":").append(s.id()).append(",\"logits\":")
          .append(java.util.Arrays.toString(s.x())).append(",\"labels\":")
          .append(java.util.Arrays.toString(s.y())).append("}\n");
    }
    Files.writeString(json, j.toString());
    out = tmp.resolve("json-out");
    run("evaluate", "--input", json.toString(), "--output", out.toString()).assertCode(0);
    ref = sumAndCount(data.subList(0, 50), x -> true, false, null, -1);
    assertNear(ref[0] / ref[1], summary(out).get("loss"), "json");
  }

  @Test
  void globInputKeepsThePartitionColumns() {
    Path out = tmp.resolve("glob-out");
    run("evaluate", "--input", input + "/day=d*", "--group-by", "day,model", "--output",
        out.toString()).assertCode(0);
    JsonNode s = summary(out);
    assertEquals(4, s.get("groups").size());
    assertEquals(input.toString(), s.get("input").get("base_path").asText());
    for (JsonNode g : s.get("groups")) {
      String day = g.get("key").get("day").asText();
      String m = g.get("key").get("model").asText();
      double[] ref = sumAndCount(data, x -> x.day().equals(day) && x.model().equals(m), false,
          null, -1);
      assertNear(ref[0] / ref[1], g.get("loss"), day + "/" + m);
    }
    // one partition directory only
    out = tmp.resolve("glob-one");
    run("evaluate", "--input", input + "/day=d2/model=*", "--group-by", "day", "--output",
        out.toString()).assertCode(0);
    s = summary(out);
    assertEquals(1, s.get("groups").size());
    assertEquals("d2", s.get("groups").get(0).get("key").get("day").asText());
  }

  @Test
  void globBasePathIsAboveThePartitionDirectories() {
    assertEquals("data", InputData.globBasePath("data/date=2025-06-0*"));
    assertEquals("s3a://bucket/data", InputData.globBasePath("s3a://bucket/data/date=1/model=*"));
    assertEquals("/lake/p", InputData.globBasePath("/lake/p/date=2025-06-0[1-3]/m=v1"));
    assertNull(InputData.globBasePath("data/*.parquet"));
    assertNull(InputData.globBasePath("data/date=1/model=v1"));
    assertEquals("parquet", InputData.formatOf("data/*"));
    assertEquals("json", InputData.formatOf("logs/part-1.jsonl"));
    assertEquals("orc", InputData.formatOf("hdfs:///x/table.orc/"));
  }

  @Test
  void tableInput() {
    spark().read().parquet(input.toString()).createOrReplaceTempView("evaluate_test_table");
    Path out = tmp.resolve("table-out");
    run("evaluate", "--input", "evaluate_test_table", "--reduction", "sum", "--output",
        out.toString()).assertCode(0);
    JsonNode s = summary(out);
    assertEquals("table", s.get("input").get("format").asText());
    assertNear(sumAndCount(data, x -> true, false, null, -1)[0], s.get("loss"), "table sum");
  }

  @Test
  void vectorLogitsAndBooleanLabels() {
    StructType schema = new StructType()
        .add("id", DataTypes.LongType)
        .add("raw", new org.apache.spark.ml.linalg.VectorUDT())
        .add("labels", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("logit", DataTypes.DoubleType)
        .add("hit", DataTypes.BooleanType);
    List<Row> rows = new ArrayList<>();
    double vectorSum = 0;
    double boolSum = 0;
    for (Sample s : data.subList(0, 80)) {
      boolean hit = s.y()[1] == 1;
      rows.add(RowFactory.create(s.id(), Vectors.dense(s.x()), JobTesting.box(s.y()), s.x()[1],
          hit));
      for (int c = 0; c < C; c++) {
        vectorSum += element(s.x()[c], s.y()[c], 1, 1);
      }
      boolSum += element(s.x()[1], hit ? 1 : 0, 1, 1);
    }
    Path dir = tmp.resolve("vectors");
    spark().createDataFrame(rows, schema).write().parquet(dir.toString());
    Path out = tmp.resolve("vectors-out");
    run("evaluate", "--input", dir.toString(), "--logits", "raw", "--reduction", "sum",
        "--output", out.toString()).assertCode(0);
    assertNear(vectorSum, summary(out).get("loss"), "vector logits");
    out = tmp.resolve("boolean-out");
    run("evaluate", "--input", dir.toString(), "--logits", "logit", "--labels", "hit",
        "--reduction", "sum", "--output", out.toString()).assertCode(0);
    assertNear(boolSum, summary(out).get("loss"), "boolean labels");
  }

  @Test
  void configFileHasTheKeysOfTheOptionsAndTheCommandLineWins() throws Exception {
    Path out = tmp.resolve("config-out");
    Path config = tmp.resolve("job.properties");
    Files.writeString(config, String.join("\n",
        "# a job definition",
        "input=" + input,
        "logits=logits",
        "labels=labels",
        "weight=w",
        "group-by=model",
        "per-class=true",
        "pos-weight=auto",
        "reduction=sum",
        "where=day = 'd2'",
        "invalid=report",
        "output=" + tmp.resolve("not-this-one")));
    run("evaluate", "--config", config.toString(), "--reduction", "weighted_mean", "--output",
        out.toString()).assertCode(0);
    assertFalse(Files.exists(tmp.resolve("not-this-one")));
    JsonNode s = summary(out);
    assertEquals("weighted_mean", s.get("reduction").asText());
    assertTrue(s.get("per_class").asBoolean());
    Predicate<Sample> d2 = x -> x.day().equals("d2");
    double[] pw = JobTesting.posWeight(data, d2, C);
    for (JsonNode g : s.get("groups")) {
      String m = g.get("key").get("model").asText();
      double[] ref = sumAndCount(data, d2.and(model(m)), true, pw, -1);
      assertNear(ref[0] / ref[2], g.get("loss"), "weighted mean of " + m);
    }
  }

  @Test
  void summaryAndTable() {
    Path out = tmp.resolve("summary-out");
    JobTesting.Run r = run("evaluate", "--input", input.toString(), "--group-by", "day",
        "--output", out.toString()).assertCode(0);
    r.assertOut("spark-bce evaluate: " + input, "day | rows used | skipped | elements | loss (mean)",
        "d1  |", "d2  |", "summary: " + out.resolve("summary.json"));
    JsonNode s = summary(out);
    for (String field : List.of("input", "columns", "reduction", "group_by", "pos_weight",
        "rows", "rows_used", "rows_skipped", "skipped_by_reason", "elements", "groups", "output",
        "timings_ms", "spark", "started_at", "finished_at")) {
      assertTrue(s.has(field), "summary has " + field);
    }
    assertTrue(s.get("timings_ms").get("total_ms").asLong() >= 0);
    assertTrue(s.get("timings_ms").has("loss_ms"));
    assertEquals(List.of("id", "w", "day", "model"),
        JobTesting.JSON.convertValue(s.get("columns").get("keys"), List.class));
    assertEquals(InputColumns.REASONS.size(), s.get("skipped_by_reason").size());
    assertFalse(s.has("loss"), "no overall loss when grouped");
    // the summary and the list of what spark-bce wrote; nothing temporary left behind
    assertEquals(List.of(OutputManifest.NAME, CommitLock.NAME, "summary.json"), list(out));
  }

  public static List<String> list(Path dir) {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
