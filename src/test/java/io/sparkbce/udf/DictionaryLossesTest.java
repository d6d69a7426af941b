package io.sparkbce.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.loss.LossKernel;
import io.sparkbce.testing.TestSpark;
import java.io.File;
import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Array rows whose FLOAT columns are dictionary pages with few values (as logits rounded to a few
 * digits and labels are), where the columnar path looks each element's quantity up per pair of
 * dictionary entries ({@link DictionaryLosses}): the row path's bits for every aggregate and
 * argument form, the same errors, and the exact sum of the scalar kernel's element losses.
 */
class DictionaryLossesTest {
  private static final SparkSession spark = TestSpark.session();
  private static String data;

  @BeforeAll
  static void writeParquet() {
    data = new File("target/dictionary-losses-test").getAbsolutePath();
    // 101 logits, 2 labels, 41 probabilities (0 and 1 among them), 8 classes; NULL rows in xn.
    spark.sql("SELECT id, CAST(id % 5 AS INT) AS g,"
        + " transform(sequence(1, 8), k -> CAST((hash(id, k) % 101) / 17D AS FLOAT)) AS x,"
        + " transform(sequence(1, 8), k -> CAST(pmod(hash(k, id), 5) = 0 AS FLOAT)) AS y,"
        + " transform(sequence(1, 8), k -> CAST(pmod(hash(id, k, 3), 41) / 40D AS FLOAT)) AS q,"
        + " IF(id % 53 = 4, NULL, transform(sequence(1, 8),"
        + " k -> CAST((hash(id, k) % 101) / 17D AS FLOAT))) AS xn,"
        // a probability outside [0, 1] in the first 100 rows only: in the first file's dictionary
        + " transform(sequence(1, 8), k -> CAST(IF(id < 100 AND k = 3, 1.5D,"
        + " pmod(hash(id, k, 3), 41) / 40D) AS FLOAT)) AS qb"
        + " FROM range(0, 30000, 1, 3)")
        .write().mode("overwrite").parquet(data);
  }

  @AfterEach
  void enableAgain() {
    spark.conf().set(ColumnarAggregateRule.ENABLED, "true");
  }

  static Stream<String> queries() {
    String[] calls = {
      "bce_with_logits_loss(x, y)",
      "bce_with_logits_loss(x, y, NULL, 2D, 'sum')",
      "bce_with_logits_loss(x, y, 0.5D, array_repeat(2D, 8), 'weighted_mean')",
      "bce_with_logits_loss(x, y, NULL, array(1D, 2D, 3D, 4D, 1D, 2D, 3D, 4D), 'sum')",
      "bce_with_logits_loss(xn, y, 3D, 0.25D, 'sum')",
      "bce_with_logits_loss(x, q, NULL, 2D, 'sum')",
      "bce_with_logits_loss_per_class(x, y, NULL, array_repeat(3D, 8))",
      "bce_loss(q, y, 0.75D)",
      "bce_pos_weight(y)",
      // states that read the elements' inputs too (the block loads them besides the pairs)
      "bce_normalized_entropy(x, y, NULL, 2D)",
      "bce_calibration(x, y)",
    };
    return Stream.of(calls).flatMap(c -> Stream.of(
        "SELECT " + c + " FROM t",
        "SELECT g, " + c + " FROM t GROUP BY g",
        // two calls of different quantities over the same columns share the task's tables
        "SELECT " + c + ", bce_loss(q, y, 0.75D), bce_with_logits_loss(x, y, NULL, 2D, 'sum')"
            + " FROM t"));
  }

  @ParameterizedTest
  @MethodSource("queries")
  void sameBitsAsTheRowPath(String query) {
    long built = DictionaryLosses.BUILT.get();
    List<String> columnar = run(query, true);
    // Not pairs: a pos_weight per class, or NULL rows (those batches go row by row).
    if (!query.contains("array(1D") && !query.contains("xn")) {
      assertTrue(DictionaryLosses.BUILT.get() > built, "no table was built: " + query);
    }
    assertEquals(run(query, false), columnar, query);
  }

  /** The exact sum of the scalar kernel's losses, element by element, rounded once. */
  @Test
  void exactSumOfTheScalarKernelsLosses() {
    List<Row> rows = spark.read().parquet(data).select("x", "y").collectAsList();
    BigDecimal exact = BigDecimal.ZERO;
    for (Row r : rows) {
      List<Float> x = r.getList(0);
      List<Float> y = r.getList(1);
      for (int k = 0; k < x.size(); k++) {
        exact = exact.add(new BigDecimal(LossKernel.withLogits(x.get(k), y.get(k), 1.0, 2.0)));
      }
    }
    long built = DictionaryLosses.BUILT.get();
    spark.read().parquet(data).createOrReplaceTempView("t");
    double columnar = spark.sql("SELECT bce_with_logits_loss(x, y, NULL, 2D, 'sum') FROM t")
        .collectAsList().get(0).getDouble(0);
    assertTrue(DictionaryLosses.BUILT.get() > built);
    assertEquals(exact.doubleValue(), columnar);
  }

  /** A probability outside [0, 1] in the dictionary: no table, the kernel's error. */
  @Test
  void sameErrors() {
    String q = "SELECT bce_loss(x, y) FROM t";
    String columnar = message(() -> run(q, true));
    String rows = message(() -> run(q, false));
    assertEquals(
        ColumnarAggregateTest.firstLine(rows), ColumnarAggregateTest.firstLine(columnar));
  }

  /**
   * Batches after the bad rows still carry the dictionary that holds the bad probability, so
   * that pair has no table; their blocks, all valid, go through the kernel (x and y loaded then,
   * though a loss sum does not read them) and give the row path's bits.
   */
  @Test
  void aQuantityWithoutATableLeavesTheBlockToTheKernel() {
    for (String q : new String[] {"SELECT bce_loss(qb, y, 0.75D) FROM t WHERE id >= 5000",
        "SELECT g, bce_loss(qb, y) FROM t WHERE id >= 5000 GROUP BY g"}) {
      assertEquals(run(q, false), run(q, true), q);
    }
    String all = "SELECT bce_loss(qb, y) FROM t";
    assertEquals(ColumnarAggregateTest.firstLine(message(() -> run(all, false))),
        ColumnarAggregateTest.firstLine(message(() -> run(all, true))));
  }

  private static String message(Runnable r) {
    try {
      r.run();
    } catch (Exception e) {
      return e.getMessage();
    }
    throw new AssertionError("no error");
  }

  /** Rows as text, sorted: Double.toString tells every two doubles apart, so this is bits. */
  private static List<String> run(String query, boolean columnar) {
    spark.conf().set(ColumnarAggregateRule.ENABLED, String.valueOf(columnar));
    spark.read().parquet(data).createOrReplaceTempView("t");
    return spark.sql(query).collectAsList().stream().map(Row::toString).sorted()
        .collect(Collectors.toList());
  }
}
