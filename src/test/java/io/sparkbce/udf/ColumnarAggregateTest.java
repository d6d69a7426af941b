package io.sparkbce.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.testing.Reference;
import io.sparkbce.testing.TestSpark;
import java.io.File;
import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The columnar partial aggregation ({@link ColumnarAggregateRule}) over Parquet gives the bits of
 * Spark's row path for every aggregate, argument form, NULL pattern and grouping, and the same
 * errors; it is planned only where it applies.
 */
class ColumnarAggregateTest {
  private static final SparkSession spark = TestSpark.session();
  private static String data;

  @BeforeAll
  static void writeParquet() {
    data = new File("target/columnar-aggregate-test").getAbsolutePath();
    // Several files and row groups; NULLs in every nullable column; FLOAT, INT, BOOLEAN and arrays.
    spark.sql("SELECT id, CAST(id % 7 AS INT) AS g, id % 9000 AS k, id DIV 1000 AS run, CAST(id % 3 AS STRING) AS s,"
        + " IF(id % 97 = 5, NULL, randn(1) * 4) AS x,"
        + " IF(id % 89 = 3, NULL, CAST(rand(2) < 0.3 AS DOUBLE)) AS y,"
        + " CAST(randn(3) * 3 AS FLOAT) AS xf, CAST(rand(4) < 0.4 AS INT) AS yi,"
        + " rand(5) < 0.5 AS yb,"
        + " IF(id % 83 = 7, NULL, rand(6) * 2) AS w,"
        + " transform(sequence(1, 8), k -> CAST(randn(7) * k AS FLOAT)) AS xs,"
        + " transform(sequence(1, 8), k -> CAST(rand(8) < 0.2 AS FLOAT)) AS ys,"
        + " IF(id % 101 = 9, NULL, transform(sequence(1, 8), k -> CAST(k AS FLOAT) / 4)) AS ws,"
        + " transform(sequence(1, 8), k -> rand(9)) AS ps,"
        + " transform(sequence(1, 8), k -> randn(10) * k) AS xd,"
        + " IF(id % 79 = 4, NULL, timestamp_seconds(1700000000 + id * 97)) AS ts,"
        + " transform(sequence(1, 4), k -> IF((id + k) % 13 = 0, NULL, k * 1D)) AS xn,"
        + " IF(id % 61 = 2, CAST('NaN' AS DOUBLE), IF(id % 67 = 1, -0.0D,"
        + " IF(id % 71 = 3, NULL, randn(11)))) AS xq"
        + " FROM range(0, 20000, 1, 4)")
        .write().mode("overwrite").option("parquet.block.size", 65536).parquet(data);
  }

  @AfterEach
  void enableAgain() {
    spark.conf().set(ColumnarAggregateRule.ENABLED, "true");
  }

  static Stream<String> queries() {
    String[] calls = {
      "bce_with_logits_loss(x, y)",
      "bce_with_logits_loss(x, y, w, 2.5D, 'sum')",
      "bce_with_logits_loss(x, y, w, NULL, 'weighted_mean')",
      "bce_with_logits_loss(xf, yi, NULL, NULL, 'sum')",
      "bce_with_logits_loss(xf, yb)",
      "bce_with_logits_loss(x * 2, y)",
      "bce_loss(1 / (1 + exp(-x)), y, w)",
      "bce_with_logits_loss_per_class(x, y)",
      "bce_pos_weight(y)",
      "bce_with_logits_loss(xs, ys)",
      "bce_with_logits_loss(xd, ys, NULL, 3D, 'sum')",
      "bce_with_logits_loss(xs, ys, ws, array(1D, 2D, 3D, 4D, 1D, 2D, 3D, 4D), 'sum')",
      "bce_with_logits_loss(xs, ys, ws, ps, 'weighted_mean')",
      "bce_with_logits_loss(xs, ys, w)",
      "bce_with_logits_loss_per_class(xs, ys, ws, ps)",
      "bce_pos_weight(ys)",
      "bce_with_logits_loss(array(xs, xs), array(ys, ys), ws)",
    };
    Stream<String> shapes = Stream.of(calls).flatMap(c -> Stream.of(
        "SELECT " + c + " FROM t",
        "SELECT g, " + c + " FROM t GROUP BY g",
        "SELECT s, g, " + c + ", bce_with_logits_loss(x, y, NULL, NULL, 'sum') FROM t GROUP BY s, g",
        "SELECT " + c + " FROM t WHERE id < 0",
        // Thousands of groups per task: with a small state budget (see frame) tasks flush.
        "SELECT k, " + c + ", bce_with_logits_loss_per_class(xs, ys) FROM t GROUP BY k"));
    // What users put between the scan and the aggregate: a filter, expression keys, Spark's own
    // aggregates in the same SELECT (with the tiny budget too: GROUP BY k). No sum of doubles:
    // its bits depend on the order the final step merges partial sums in, on either path.
    Stream<String> userShapes = Stream.of(0, 1, 3, 5, 6, 7, 8, 9, 11, 13, 16)
        .map(i -> calls[i]).flatMap(c -> Stream.of(
        "SELECT to_date(ts) AS day, " + c + ", count(*), sum(yi) FROM t WHERE id % 4 <> 1"
            + " GROUP BY to_date(ts)",
        "SELECT window(ts, '1 day') AS win, " + c + " FROM t GROUP BY window(ts, '1 day')",
        MONITOR_KEY + ", " + c + " FROM t WHERE id % 4 <> 1 GROUP BY 1",
        "SELECT k, count(*), " + c + ", count_if(x > 0), min(x), max(w), sum(g)"
            + " FROM t WHERE id % 5 <> 1 GROUP BY k"));
    // The jobs' shape with the tiny budget: count(*) alone, a gated column (see userShapes).
    Stream<String> reasons = Stream.of("SELECT k, r, count(*), bce_with_logits_loss(CASE WHEN r"
        + " IS NULL THEN x END, y, IF(r IS NULL, w, NULL)) FROM (SELECT *, CASE WHEN w > 1.5"
        + " THEN 'w' WHEN y IS NULL THEN 'y' END AS r FROM t) GROUP BY k, r",
        // The jobs' reason, computed a condition at a time over the vectors (VectorCase).
        "SELECT k, r, count(*), bce_with_logits_loss(CASE WHEN r IS NULL THEN xq END, y) FROM"
            + " (SELECT *, CASE WHEN xq IS NULL THEN 'null' WHEN isnan(xq) THEN 'nan'"
            + " WHEN y < 0.0 OR y > 0.5 THEN 'range' END AS r FROM t) GROUP BY k, r");
    return Stream.concat(Stream.concat(shapes, userShapes), reasons);
  }

  @ParameterizedTest
  @MethodSource("queries")
  void sameBitsAsTheRowPath(String query) {
    List<Row> columnar = run(query, true);
    List<Row> rows = run(query, false);
    assertEquals(sorted(rows), sorted(columnar), query);
  }

  @Test
  void againstAPlainJavaLoop() {
    List<Row> input = spark.read().parquet(data).select("x", "y", "w").collectAsList();
    BigDecimal exact = BigDecimal.ZERO;
    for (Row r : input) {
      if (!r.isNullAt(0) && !r.isNullAt(1) && !r.isNullAt(2)) {
        exact = exact.add(new BigDecimal(
            Reference.withLogits(r.getDouble(0), r.getDouble(1), r.getDouble(2), 2.5)));
      }
    }
    double expected = exact.doubleValue();
    Row r = run("SELECT bce_with_logits_loss(x, y, w, 2.5D, 'sum') FROM t", true).get(0);
    assertEquals(expected, r.getDouble(0), Math.abs(expected) * 1e-13);
  }

  @Test
  void plannedOnlyWhereItApplies() {
    assertTrue(plan("SELECT g, bce_with_logits_loss(x, y) FROM t GROUP BY g", true)
        .contains("BceColumnarPartialAggregate"));
    assertFalse(plan("SELECT g, bce_with_logits_loss(x, y) FROM t GROUP BY g", false)
        .contains("BceColumnarPartialAggregate"));
    // FILTER, or an imperative aggregate of Spark's, keep Spark's plan.
    assertFalse(plan("SELECT bce_with_logits_loss(x, y) FILTER (WHERE g > 2) FROM t", true)
        .contains("BceColumnarPartialAggregate"));
    assertFalse(plan("SELECT bce_with_logits_loss(x, y), collect_list(g) FROM t", true)
        .contains("BceColumnarPartialAggregate"));
  }

  /**
   * A filter, a projection, expression keys and Spark's own aggregates in the same SELECT run on
   * the columnar path, the scalar calls a batch at a time, and only the kept rows count.
   */
  @ParameterizedTest
  @MethodSource("userShapes")
  void userShapesRunColumnar(String query) {
    Dataset<Row> df = frame(query, true);
    List<Row> rows = df.collectAsList();
    SparkPlan exec = find(df.queryExecution().executedPlan());
    assertTrue(exec != null, df.queryExecution().executedPlan().toString());
    long batched = exec.metrics().apply(ColumnarPartialAggregateExec.BATCHED_ROWS).value();
    long single = exec.metrics().apply(ColumnarPartialAggregateExec.SINGLE_ROWS).value();
    long kept = spark.sql("SELECT count(*) FROM t WHERE " + (query.contains("WHERE")
        ? query.substring(query.indexOf("WHERE") + 6).replaceAll(" GROUP BY.*", "")
        : "true")).first().getLong(0);
    assertEquals(kept, batched + single, query);
    assertTrue(single <= 16, query + ": " + single + " rows one by one");
    assertEquals(sorted(run(query, false)), sorted(rows), query);
  }

  /**
   * monitor's key: the start of the row's window, NULL without a time (computed over the vectors,
   * {@link VectorLongColumn}).
   */
  private static final String MONITOR_KEY = "SELECT CASE WHEN ts IS NOT NULL THEN"
      + " window(coalesce(ts, timestamp_seconds(0)), '1 hour').start END AS s";

  static Stream<String> userShapes() {
    return Stream.of(
        MONITOR_KEY + ", count(*), bce_with_logits_loss(x, y) FROM t GROUP BY 1",
        "SELECT bce_with_logits_loss(x, y) FROM t WHERE y >= 0 AND x > -1e300",
        "SELECT to_date(ts) AS day, bce_with_logits_loss(x, y) FROM t GROUP BY to_date(ts)",
        "SELECT window(ts, '1 day') AS w, bce_with_logits_loss(x, y) FROM t"
            + " WHERE ts IS NOT NULL GROUP BY window(ts, '1 day')",
        // The window struct over the vectors (NULL times dropped by Spark's own filter, windows
        // with an offset), the rows of a window in runs; a filter over the vectors, NaN above
        // every number and -0.0 equal to 0.0 as Spark compares.
        "SELECT window(ts, '1 hour', '1 hour', '-17 minutes') AS w, count(*),"
            + " bce_with_logits_loss(x, y) FROM t WHERE ts IS NOT NULL AND (xq > -0.0D"
            + " OR xq IS NULL OR yi >= 1) GROUP BY 1",
        // ANSI overflow in the filter on rows Spark's predicate never reaches (it stops at
        // id < 2): Spark's predicate decides, no error.
        "SELECT window(ts, '15 minutes') AS w, bce_with_logits_loss(x, y) FROM t"
            + " WHERE id < 2 AND id * 4611686018427387904 >= 0 GROUP BY 1",
        "SELECT date_trunc('HOUR', ts) AS h, bce_with_logits_loss(CAST(xf AS DOUBLE) * 2, y)"
            + " FROM t GROUP BY date_trunc('HOUR', ts)",
        "SELECT g, count(*), count_if(x IS NULL), sum(yi), min(x), max(y),"
            + " bce_with_logits_loss(IF(x IS NULL, NULL, x), y, w) FROM t WHERE id % 3 = 0"
            + " GROUP BY g",
        "SELECT bce_with_logits_loss(element_at(xd, 2), ys[0]) FROM t WHERE id > 100",
        // The jobs' shape: grouped by an invalid reason, count(*), the loss of the valid rows
        // only (a column gated by the reason being NULL, read without a column of its own).
        "SELECT g, r, count(*), count(1), bce_with_logits_loss(CASE WHEN r IS NULL THEN x END,"
            + " CASE WHEN r IS NULL THEN y END, w) FROM (SELECT *, CASE WHEN x IS NULL THEN"
            + " 'null_x' WHEN y > 0.5 THEN 'big_y' END AS r FROM t) GROUP BY g, r",
        // A reason computed over the vectors (VectorCase), over a filter's selection: NaN above
        // every number, -0.0 equal to 0.0, as Spark compares.
        "SELECT r, count(*), bce_with_logits_loss(CASE WHEN r IS NULL THEN xq END, CASE WHEN r"
            + " IS NULL THEN y END, w) FROM (SELECT *, CASE WHEN xq > 1.5 OR xq < -0.0D THEN"
            + " 'out' WHEN xq IS NULL THEN 'null' WHEN isnan(xf) THEN 'nan' WHEN 0 >= yi AND"
            + " xf <= 0.5 THEN 'low' WHEN y IS NOT NULL AND k >= 8990 THEN 'k' END AS r FROM t)"
            + " WHERE id % 4 <> 1 GROUP BY r",
        "SELECT r, count(*), bce_with_logits_loss(IF(r IS NULL, xf, NULL), IF(r IS NULL, yi,"
            + " NULL)) FROM (SELECT *, IF(w IS NULL OR xf > 2, 'bad', NULL) AS r FROM t)"
            + " WHERE id % 4 <> 1 GROUP BY r",
        // Lambda functions over arrays with NULL elements read from Parquet, in a filter, an
        // argument and one of Spark's aggregates: they must see the NULLs as the row path does.
        "SELECT count_if(exists(xn, e -> e IS NULL)), bce_with_logits_loss("
            + "IF(exists(xn, e -> e IS NULL), NULL, x), y) FROM t"
            + " WHERE NOT exists(xn, e -> e IS NULL AND id % 2 = 0)");
  }

  /** Plain batches of arrays go through the kernel a batch at a time; others row by row. */
  @Test
  void batchesWhereTheyArePlain() {
    assertEquals(List.of(20000L, 0L), rowsIn("SELECT bce_with_logits_loss(xs, ys, NULL, ps) FROM t"));
    // Grouped: each task's first row goes alone, to measure the size of a group's state.
    List<Long> grouped = rowsIn("SELECT g, bce_with_logits_loss(x, y) FROM t GROUP BY g");
    assertEquals(20000L, grouped.get(0) + grouped.get(1));
    assertTrue(grouped.get(1) <= 4, grouped.toString());
    // NULL weight rows make their batches go row by row (RowWalker skips those rows).
    List<Long> weighted = rowsIn("SELECT bce_with_logits_loss_per_class(xs, ys, ws) FROM t");
    assertEquals(20000L, weighted.get(0) + weighted.get(1));
    assertTrue(weighted.get(1) > 0, weighted.toString());
  }

  /**
   * A pos_weight of 4096 classes from the Column API is a broadcast, not a literal: read once per
   * task, and the rows still go through the kernel a batch at a time.
   */
  @Test
  void broadcastPosWeightIsReadOncePerTask() {
    int classes = PosWeightColumn.BROADCAST_FROM;
    String wide = new File("target/columnar-aggregate-wide").getAbsolutePath();
    spark.sql("SELECT id % 3 AS g, transform(sequence(1, " + classes + "),"
        + " k -> CAST(randn(11) * 3 AS FLOAT)) AS x, transform(sequence(1, " + classes + "),"
        + " k -> CAST(rand(12) < 0.25 AS FLOAT)) AS y FROM range(0, 60, 1, 2)")
        .write().mode("overwrite").parquet(wide);
    double[] posWeight = new double[classes];
    for (int c = 0; c < classes; c++) {
      posWeight[c] = 0.5 + (c % 7) * 0.25;
    }
    List<List<String>> results = new java.util.ArrayList<>();
    for (boolean columnar : new boolean[] {true, false}) {
      spark.conf().set(ColumnarAggregateRule.ENABLED, String.valueOf(columnar));
      Dataset<Row> df = spark.read().parquet(wide).groupBy("g").agg(io.sparkbce.BceFunctions
          .bceWithLogitsLoss(functions.col("x"), functions.col("y"), functions.lit(null),
              posWeight, "sum"));
      results.add(sorted(df.collectAsList()));
      if (columnar) {
        assertTrue(df.queryExecution().executedPlan().toString().contains("broadcast_pos_weight"));
        assertTrue(find(df.queryExecution().executedPlan()).metrics()
            .apply(ColumnarPartialAggregateExec.BATCHED_ROWS).value() > 50);
      }
    }
    assertEquals(results.get(1), results.get(0));
  }

  /** Groups that repeat (runs of 1000 rows) are flushed early and stay on the columnar path. */
  @Test
  void boundedStateFlushes() {
    String q = "SELECT run, bce_with_logits_loss_per_class(xs, ys, NULL, ps, 'sum') FROM t"
        + " GROUP BY run";
    Budgeted r = new Budgeted(q, "10");
    assertTrue(r.metric(ColumnarPartialAggregateExec.FLUSHES) > 0);
    assertEquals(0, r.metric(ColumnarPartialAggregateExec.HANDED_OVER));
    assertEquals(20000L, r.metric(ColumnarPartialAggregateExec.BATCHED_ROWS)
        + r.metric(ColumnarPartialAggregateExec.SINGLE_ROWS));
    assertEquals(sorted(run(q, false)), sorted(r.rows));
  }

  /** Groups that do not repeat within the budget: the tasks hand over to Spark's aggregation. */
  @Test
  void nonRepeatingGroupsGoToSparksAggregation() {
    String q = "SELECT k, bce_with_logits_loss_per_class(xs, ys, NULL, ps, 'sum') FROM t GROUP BY k";
    Budgeted r = new Budgeted(q, "1000");
    assertTrue(r.metric(ColumnarPartialAggregateExec.HANDED_OVER) > 0);
    assertEquals(9000, r.rows.size());
    assertEquals(sorted(run(q, false)), sorted(r.rows));
  }

  /** A query's rows and its columnar exec's metrics, run with a given state budget. */
  private static final class Budgeted {
    final List<Row> rows;
    final scala.collection.immutable.Map<String, SQLMetric> metrics;

    Budgeted(String query, String budget) {
      frame(query, true);
      spark.conf().set(ColumnarAggregateRule.STATE_BUDGET, budget);
      Dataset<Row> df = spark.sql(query);
      rows = df.collectAsList();
      metrics = find(df.queryExecution().executedPlan()).metrics();
    }

    long metric(String name) {
      return metrics.apply(name).value();
    }
  }

  private static List<Long> rowsIn(String query) {
    Dataset<Row> df = frame(query, true);
    df.collectAsList();
    SparkPlan exec = find(df.queryExecution().executedPlan());
    return List.of(exec.metrics().apply(ColumnarPartialAggregateExec.BATCHED_ROWS).value(),
        exec.metrics().apply(ColumnarPartialAggregateExec.SINGLE_ROWS).value());
  }

  /** The columnar exec, looking into adaptive plans and their query stages. */
  private static SparkPlan find(SparkPlan p) {
    if (p instanceof ColumnarPartialAggregateExec) {
      return p;
    }
    List<SparkPlan> next = new java.util.ArrayList<>(
        scala.jdk.javaapi.CollectionConverters.asJava(p.children()));
    if (p instanceof AdaptiveSparkPlanExec) {
      next.add(((AdaptiveSparkPlanExec) p).executedPlan());
    } else if (p instanceof QueryStageExec) {
      next.add(((QueryStageExec) p).plan());
    }
    for (SparkPlan c : next) {
      SparkPlan found = find(c);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  @Test
  void sameErrors() {
    for (String q : new String[] {
        "SELECT bce_with_logits_loss(xs, ys, ws, array(1D, 2D)) FROM t",
        "SELECT bce_loss(x, y) FROM t",
        "SELECT bce_with_logits_loss(x, y, w, IF(id = 77, NULL, 1D)) FROM t",
        "SELECT bce_with_logits_loss(xs, slice(ys, 1, 7)) FROM t",
        // labels outside [0, 1]: logits read as labels, scalar and array
        "SELECT bce_pos_weight(x) FROM t", "SELECT g, bce_pos_weight(xd) FROM t GROUP BY g"}) {
      String columnar = assertThrows(Exception.class, () -> run(q, true)).getMessage();
      String rows = assertThrows(Exception.class, () -> run(q, false)).getMessage();
      assertEquals(firstLine(rows), firstLine(columnar), q);
    }
  }

  /** Rows as text, in order: Double.toString tells every two doubles apart, so this is bits. */
  private static List<String> sorted(List<Row> rows) {
    return rows.stream().map(Row::toString).sorted().collect(Collectors.toList());
  }

  /** The error's first line, without the offending value: tasks race to fail first. */
  static String firstLine(String message) {
    String m = message.substring(message.indexOf("bce_"));
    int end = m.indexOf('\n');
    return (end < 0 ? m : m.substring(0, end)).replaceAll(", got -?[0-9.E-]+$", ", got");
  }

  private static List<Row> run(String query, boolean columnar) {
    return frame(query, columnar).collectAsList();
  }

  private static String plan(String query, boolean columnar) {
    Dataset<Row> df = frame(query, columnar);
    df.collectAsList();
    return df.queryExecution().executedPlan().toString();
  }

  private static Dataset<Row> frame(String query, boolean columnar) {
    spark.conf().set(ColumnarAggregateRule.ENABLED, String.valueOf(columnar));
    // 1000 accumulators: a task holds some 100 groups of 8 classes, then flushes.
    spark.conf().set(ColumnarAggregateRule.STATE_BUDGET, query.contains("GROUP BY k") ? "1000"
        : String.valueOf(ColumnarAggregateRule.DEFAULT_STATE_BUDGET));
    spark.read().parquet(data).createOrReplaceTempView("t");
    return spark.sql(query);
  }
}
