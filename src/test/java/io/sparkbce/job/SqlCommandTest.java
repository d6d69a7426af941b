package io.sparkbce.job;

import static io.sparkbce.job.JobTesting.assertNear;
import static io.sparkbce.job.JobTesting.element;
import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.SqlCommand.Executed;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sql FILE}: the statement splitter, and every statement of udf/examples.sql. */
class SqlCommandTest {
  static final String EXAMPLES = "udf/examples.sql";
  static final String DEMO_PATH = "'target/demo/data'";
  @TempDir
  static Path tmp;
  static Path demo;

  @BeforeAll
  static void data() {
    demo = JobTesting.smallDemo(tmp);
  }

  @Test
  void splitsAtSemicolonsOutsideQuotesAndComments() {
    List<SqlScript.Statement> s = SqlScript.split(String.join("\n",
        "-- a comment; with a semicolon",
        "SELECT 'a;b' AS x, \"c;d\" AS `e;f`;  /* block; comment */",
        "",
        "SELECT 'it\\'s;' -- trailing; comment",
        "  , 2;",
        ";",
        "/* only a comment */"));
    assertEquals(2, s.size());
    assertEquals("SELECT 'a;b' AS x, \"c;d\" AS `e;f`", s.get(0).sql());
    assertEquals(2, s.get(0).line());
    assertEquals("SELECT 'it\\'s;'\n  , 2", s.get(1).sql());
    assertEquals(4, s.get(1).line());
  }

  @Test
  void everyStatementOfTheExamplesRuns() throws Exception {
    String text = Files.readString(Path.of(EXAMPLES));
    assertEquals(1, text.split(DEMO_PATH, -1).length - 1, "examples.sql reads " + DEMO_PATH);
    Path file = tmp.resolve("examples.sql");
    Files.writeString(file, text.replace(DEMO_PATH, "'" + demo + "'"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<Executed> done;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      done = SqlCommand.run(JobTesting::spark, out, file.toString());
    }
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(SqlScript.split(text).size(), done.size());
    assertTrue(done.size() >= 11, "examples: " + done.size());
    for (String f : List.of("bce_with_logits(", "bce(", "bce_with_logits_grad(",
        "bce_with_logits_loss(", "bce_loss(", "bce_with_logits_loss_per_class(",
        "bce_pos_weight(")) {
      assertTrue(done.stream().anyMatch(e -> e.sql().contains(f)), "an example uses " + f);
    }
    for (Executed e : done) {
      if (e.result().schema().isEmpty()) {
        continue;
      }
      List<Row> rows = e.result().collectAsList();
      assertFalse(rows.isEmpty(), "no rows from line " + e.line() + ":\n" + e.sql());
      for (Row r : rows) {
        for (int i = 0; i < r.size(); i++) {
          assertFalse(r.isNullAt(i), "NULL in line " + e.line() + ": " + r);
        }
      }
    }
    assertTrue(printed.contains("spark-sql> CREATE OR REPLACE TEMPORARY VIEW demo"), printed);
    assertTrue(printed.contains("|model_version|mean"), printed);

    // the aggregates of example 4 against plain Java loops over the same rows
    Executed ex4 = done.stream().filter(e -> e.sql().contains("AS weighted_mean")).findFirst()
        .orElseThrow();
    Map<String, double[]> ref = new HashMap<>();
    for (Row r : spark().read().parquet(demo.toString()).collectAsList()) {
      if (r.isNullAt(r.fieldIndex("labels"))) {
        continue;
      }
      List<Float> x = r.getList(r.fieldIndex("logits"));
      List<Float> y = r.getList(r.fieldIndex("labels"));
      double w = r.getDouble(r.fieldIndex("weight"));
      double[] acc = ref.computeIfAbsent(r.getString(r.fieldIndex("model_version")),
          k -> new double[4]);
      for (int c = 0; c < x.size(); c++) {
        double l = element(x.get(c), y.get(c), 1, 1);
        acc[0] += l;
        acc[1] += 1;
        acc[2] += w * l;
        acc[3] += w;
      }
    }
    List<Row> rows = ex4.result().collectAsList();
    assertEquals(2, rows.size());
    for (Row r : rows) {
      double[] acc = ref.get(r.getString(0));
      assertNear(acc[0] / acc[1], r.getDouble(1), "mean of " + r.getString(0));
      assertNear(acc[2] / acc[3], r.getDouble(2), "weighted mean of " + r.getString(0));
      assertNear(acc[0], r.getDouble(3), "sum of " + r.getString(0));
    }
  }

  @Test
  void executeAndFailures() {
    run("sql", "--execute", "SELECT bce_with_logits(0D, 1D) AS l; SELECT 1 AS one").assertCode(0)
        .assertOut("spark-sql> SELECT bce_with_logits(0D, 1D) AS l;", "|0.6931471805599453|",
            "|one|");
    run("sql", "--execute", "SELECT 1;\nSELECT bce_with_logits(array(1D), array(1D, 0D))")
        .assertCode(1)
        .assertErr("statement 2 of --execute (line 2) failed:",
            "Target size (2) must be the same as input size (1)");
  }
}
