package io.sparkbce.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sparkbce.BCELoss;
import io.sparkbce.BCEWithLogitsLoss;
import io.sparkbce.BceFunctions;
import io.sparkbce.ml.BinaryCrossEntropyEvaluator;
import io.sparkbce.testing.Rows;
import io.sparkbce.testing.TestSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 7's bad-input sweep: every kind of bad input, through SQL and through the Column API
 * ({@link BceFunctions}), and a shorter table through the module API ({@link BCEWithLogitsLoss},
 * {@link BCELoss}) and the MLlib evaluator, gives SPEC's answer: a value (NULL, NaN, an infinity,
 * a documented skip), or an error whose message chain names the problem (asserted by fragments).
 * An error must never lack its explanation, and a value must never silently drop what SPEC says
 * counts.
 *
 * <p>Each case is one call on one small data set; {@link #cases()} and {@link #apiCases()} are
 * the tables. Runs on the shared local[2] session of the default test JVM.
 */
class BadInputSweepTest {
  private static final double LN2 = Math.log(2);

  private static SparkSession spark;

  @BeforeAll
  static void session() {
    // -Dtest=... can put this class into the cluster-tests JVM too; it must not start a session
    // there before the cluster tests do.
    Assumptions.assumeFalse(Boolean.getBoolean(ClusterSupport.CLUSTER_JVM),
        "runs in the default test JVM");
    spark = TestSpark.session();
  }

  /** What a case must give: a value (compared bit for bit, or within 1e-15) or an error. */
  static final class Expect {
    final Object value;
    final String[] fragments;

    private Expect(Object value, String[] fragments) {
      this.value = value;
      this.fragments = fragments;
    }

    static Expect value(Object v) {
      return new Expect(v, null);
    }

    static Expect error(String... fragments) {
      return new Expect(null, fragments);
    }

    boolean isError() {
      return fragments != null;
    }

    @Override
    public String toString() {
      return isError() ? "error " + Arrays.toString(fragments) : "value " + value;
    }
  }

  /**
   * One call: {@code fn(args...[, reduction])} over {@code data} (a SELECT giving the columns).
   * A null arg skips that optional argument (SQL NULL, a null Column). {@code posWeight} instead
   * of the SQL argument passes a Java double[] through the Column API.
   */
  static final class Case {
    final String name;
    final String data;
    final String fn;
    final String[] args;
    final String reduction;
    final Expect expect;

    Case(String name, String data, String fn, String[] args, String reduction, Expect expect) {
      this.name = name;
      this.data = data;
      this.fn = fn;
      this.args = args;
      this.reduction = reduction;
      this.expect = expect;
    }

    String sql() {
      List<String> a = new ArrayList<>();
      for (String s : args) {
        a.add(s == null ? "NULL" : s);
      }
      if (reduction != null) {
        int reductionIndex = fn.equals("bce_loss") ? 3 : 4;
        while (a.size() < reductionIndex) {
          a.add("NULL");
        }
        a.add("'" + reduction + "'");
      }
      return "SELECT " + fn + "(" + String.join(", ", a) + ") FROM (" + data + ") AS t";
    }

    Column column() {
      Column[] c = new Column[args.length];
      for (int i = 0; i < args.length; i++) {
        c[i] = args[i] == null ? null : functions.expr(args[i]);
      }
      return columnCall(fn, c, reduction);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static Column arg(Column[] a, int i) {
    return i < a.length ? a[i] : null;
  }

  /** The Column API overload that matches the arguments given. */
  static Column columnCall(String fn, Column[] a, String reduction) {
    switch (fn) {
      case "bce_with_logits":
        return a.length == 2 ? BceFunctions.bceWithLogits(a[0], a[1])
            : a.length == 3 ? BceFunctions.bceWithLogits(a[0], a[1], a[2])
            : BceFunctions.bceWithLogits(a[0], a[1], a[2], a[3]);
      case "bce":
        return a.length == 2 ? BceFunctions.bce(a[0], a[1]) : BceFunctions.bce(a[0], a[1], a[2]);
      case "bce_with_logits_grad":
        return a.length == 2 ? BceFunctions.bceWithLogitsGrad(a[0], a[1])
            : a.length == 3 ? BceFunctions.bceWithLogitsGrad(a[0], a[1], a[2])
            : BceFunctions.bceWithLogitsGrad(a[0], a[1], a[2], a[3]);
      case "bce_with_logits_loss":
        if (reduction == null && a.length <= 3) {
          return a.length == 2 ? BceFunctions.bceWithLogitsLoss(a[0], a[1])
              : BceFunctions.bceWithLogitsLoss(a[0], a[1], a[2]);
        }
        return BceFunctions.bceWithLogitsLoss(a[0], a[1], arg(a, 2), arg(a, 3), reduction);
      case "bce_loss":
        return reduction == null && a.length == 2 ? BceFunctions.bceLoss(a[0], a[1])
            : BceFunctions.bceLoss(a[0], a[1], arg(a, 2), reduction);
      case "bce_with_logits_loss_per_class":
        return reduction == null && a.length == 2
            ? BceFunctions.bceWithLogitsLossPerClass(a[0], a[1])
            : BceFunctions.bceWithLogitsLossPerClass(a[0], a[1], arg(a, 2), arg(a, 3), reduction);
      case "bce_pos_weight":
        return BceFunctions.bcePosWeight(a[0]);
      default:
        throw new IllegalArgumentException(fn);
    }
  }

  private static String[] args(String... a) {
    return a;
  }

  private static Case c(String name, String data, String fn, String[] args, String reduction,
      Expect expect) {
    return new Case(name, data, fn, args, reduction, expect);
  }

  private static Case c(String name, String data, String fn, String[] args, Expect expect) {
    return new Case(name, data, fn, args, null, expect);
  }

  private static String one(String x, String y) {
    return "SELECT " + x + " AS x, " + y + " AS y";
  }

  private static final String NULL_D = "CAST(NULL AS DOUBLE)";
  private static final String NAN = "CAST('NaN' AS DOUBLE)";
  private static final String INF = "CAST('Infinity' AS DOUBLE)";
  private static final String NEG_INF = "CAST('-Infinity' AS DOUBLE)";
  private static final String[] XY = {"x", "y"};
  private static final String ROWS_WITH_NULLS = "SELECT * FROM VALUES (0D, 1D, 1D),"
      + " (CAST(NULL AS DOUBLE), 1D, 1D), (0D, CAST(NULL AS DOUBLE), 1D), (0D, 0D, NULL),"
      + " (0D, 0D, 1D) AS v(x, y, w)";
  private static final String EMPTY = "SELECT x, y, array(x, x) AS xa, array(y, y) AS ya"
      + " FROM VALUES (1D, 1D) AS v(x, y) WHERE false";

  static List<Case> cases() {
    List<Case> t = new ArrayList<>();
    // --- NULL: elementwise NULL; aggregates skip the row (as avg does) -------------------------
    t.add(c("NULL logit gives NULL", one(NULL_D, "1D"), "bce_with_logits", XY, Expect.value(null)));
    t.add(c("NULL target gives NULL", one("0D", NULL_D), "bce_with_logits", XY,
        Expect.value(null)));
    t.add(c("NULL row weight gives NULL", one("0D", "1D"), "bce_with_logits",
        args("x", "y", NULL_D), Expect.value(null)));
    t.add(c("NULL probability gives NULL", one(NULL_D, "1D"), "bce", XY, Expect.value(null)));
    t.add(c("NULL gradient input gives NULL", one(NULL_D, "1D"), "bce_with_logits_grad", XY,
        Expect.value(null)));
    t.add(c("NULL element gives a NULL element", one("array(0D, NULL)", "array(1D, 1D)"),
        "bce_with_logits", XY, Expect.value(Arrays.asList(LN2, null))));
    t.add(c("aggregate mean skips rows with a NULL input, target or weight", ROWS_WITH_NULLS,
        "bce_with_logits_loss", args("x", "y", "w"), "mean", Expect.value(LN2)));
    t.add(c("aggregate sum skips rows with a NULL input, target or weight", ROWS_WITH_NULLS,
        "bce_with_logits_loss", args("x", "y", "w"), "sum", Expect.value(2 * LN2)));
    t.add(c("aggregate skips NULL elements and counts only the others",
        "SELECT * FROM VALUES (array(0D, NULL), array(1D, 1D)), (array(0D, 0D), array(0D, 1D))"
            + " AS v(x, y)", "bce_with_logits_loss", XY, "mean", Expect.value(LN2)));
    t.add(c("per-class mean skips NULL elements per class",
        "SELECT * FROM VALUES (array(0D, NULL), array(1D, 1D)), (array(0D, 0D), array(0D, 1D))"
            + " AS v(x, y)", "bce_with_logits_loss_per_class", XY, "sum",
        Expect.value(List.of(2 * LN2, LN2))));
    t.add(c("bce_pos_weight skips NULL targets",
        "SELECT * FROM VALUES (1D), (0D), (0D), (CAST(NULL AS DOUBLE)) AS v(y)", "bce_pos_weight",
        args("y"), Expect.value(List.of(2.0))));
    t.add(c("a NULL pos_weight in an aggregate is an error, not a silent skip of every row",
        one("array(0D)", "array(1D)"), "bce_with_logits_loss",
        args("x", "y", null, "CAST(NULL AS ARRAY<DOUBLE>)"), "sum",
        Expect.error("bce_with_logits_loss(", "pos_weight is NULL")));
    // --- NaN propagates; probabilities reject it --------------------------------------------
    t.add(c("NaN logit gives NaN", one(NAN, "1D"), "bce_with_logits", XY,
        Expect.value(Double.NaN)));
    t.add(c("NaN target gives NaN", one("0D", NAN), "bce_with_logits", XY,
        Expect.value(Double.NaN)));
    t.add(c("NaN weight gives NaN", one("0D", "1D"), "bce_with_logits", args("x", "y", NAN),
        Expect.value(Double.NaN)));
    t.add(c("NaN pos_weight gives NaN", one("0D", "1D"), "bce_with_logits",
        args("x", "y", null, NAN), Expect.value(Double.NaN)));
    t.add(c("NaN gradient", one(NAN, "1D"), "bce_with_logits_grad", XY, Expect.value(Double.NaN)));
    t.add(c("a NaN row makes the mean NaN",
        "SELECT * FROM VALUES (0D, 1D), (CAST('NaN' AS DOUBLE), 1D) AS v(x, y)",
        "bce_with_logits_loss", XY, "mean", Expect.value(Double.NaN)));
    t.add(c("a NaN row makes the weighted mean NaN",
        "SELECT * FROM VALUES (0D, 1D, 1D), (0D, 1D, CAST('NaN' AS DOUBLE)) AS v(x, y, w)",
        "bce_with_logits_loss", args("x", "y", "w"), "weighted_mean", Expect.value(Double.NaN)));
    t.add(c("a NaN element makes only its class NaN",
        one("array(CAST('NaN' AS DOUBLE), 0D)", "array(1D, 1D)"),
        "bce_with_logits_loss_per_class", XY, "mean", Expect.value(List.of(Double.NaN, LN2))));
    t.add(c("a NaN target makes bce_pos_weight NaN", "SELECT * FROM VALUES (1D), (0D),"
        + " (CAST('NaN' AS DOUBLE)) AS v(y)", "bce_pos_weight", args("y"),
        Expect.value(List.of(Double.NaN))));
    t.add(c("NaN probability is an error naming it", one(NAN, "1D"), "bce", XY,
        Expect.error("bce(x, y)", "should be between 0 and 1", "NaN")));
    t.add(c("NaN probability in bce_loss is an error naming it", one(NAN, "1D"), "bce_loss", XY,
        "mean", Expect.error("bce_loss(x, y", "should be between 0 and 1", "NaN")));
    // --- Infinities: the mathematical limit --------------------------------------------------
    t.add(c("+inf logit, target 1: 0", one(INF, "1D"), "bce_with_logits", XY, Expect.value(0.0)));
    t.add(c("-inf logit, target 1: +inf", one(NEG_INF, "1D"), "bce_with_logits", XY,
        Expect.value(Double.POSITIVE_INFINITY)));
    t.add(c("-inf logit, target 0: 0", one(NEG_INF, "0D"), "bce_with_logits", XY,
        Expect.value(0.0)));
    t.add(c("+inf logit, target 0.5: +inf", one(INF, "0.5D"), "bce_with_logits", XY,
        Expect.value(Double.POSITIVE_INFINITY)));
    t.add(c("+inf logit, target 1: gradient 0", one(INF, "1D"), "bce_with_logits_grad", XY,
        Expect.value(0.0)));
    t.add(c("-inf logit, target 1: gradient -1", one(NEG_INF, "1D"), "bce_with_logits_grad", XY,
        Expect.value(-1.0)));
    t.add(c("a +inf logit with target 1 adds 0 to the mean",
        "SELECT * FROM VALUES (CAST('Infinity' AS DOUBLE), 1D), (0D, 1D) AS v(x, y)",
        "bce_with_logits_loss", XY, "mean", Expect.value(LN2 / 2)));
    t.add(c("a -inf logit with target 1 makes the sum +inf",
        "SELECT * FROM VALUES (CAST('-Infinity' AS DOUBLE), 1D), (0D, 1D) AS v(x, y)",
        "bce_with_logits_loss", XY, "sum", Expect.value(Double.POSITIVE_INFINITY)));
    t.add(c("+inf probability is an error naming it", one(INF, "1D"), "bce", XY,
        Expect.error("bce(x, y)", "should be between 0 and 1", "Infinity")));
    // --- Shapes ------------------------------------------------------------------------------
    t.add(c("shape mismatch names both sizes", one("array(1D, 2D, 3D, 4D, 5D)",
        "array(1D, 0D, 1D, 0D)"), "bce_with_logits", XY,
        Expect.error("bce_with_logits(x, y)",
            "Target size (4) must be the same as input size (5)")));
    t.add(c("shape mismatch in an aggregate names both sizes", one("array(1D, 2D)", "array(1D)"),
        "bce_with_logits_loss", XY, "mean",
        Expect.error("bce_with_logits_loss(x, y",
            "Target size (1) must be the same as input size (2)")));
    t.add(c("shape mismatch in bce_loss", one("array(0.5D, 0.5D)", "array(1D)"), "bce_loss", XY,
        "sum", Expect.error("bce_loss(x, y",
            "Target size (1) must be the same as input size (2)")));
    t.add(c("shape mismatch in an inner dimension", one("array(array(1D, 2D), array(1D, 2D))",
        "array(array(1D, 0D), array(1D))"), "bce_with_logits", XY,
        Expect.error("Target size (1) must be the same as input size (2)")));
    t.add(c("rank mismatch is an analysis error", one("array(1D)", "1D"), "bce_with_logits", XY,
        Expect.error("Target size must be the same as input size", "rank 0", "rank 1")));
    t.add(c("weight of another size", one("array(1D, 2D, 3D)", "array(1D, 0D, 1D)"),
        "bce_with_logits", args("x", "y", "array(1D, 2D)"),
        Expect.error("weight size (2) must match input size (3)")));
    t.add(c("per-class aggregate with rows of different class counts",
        "SELECT * FROM VALUES (array(1D, 2D), array(1D, 0D)), (array(1D), array(1D)) AS v(x, y)",
        "bce_with_logits_loss_per_class", XY, "mean",
        Expect.error("bce_with_logits_loss_per_class(x, y", "number of classes (1)",
            "differs from earlier rows (2)")));
    // --- pos_weight length -------------------------------------------------------------------
    t.add(c("pos_weight of the wrong length, elementwise", one("array(1D, 2D, 3D, 4D, 5D)",
        "array(1D, 0D, 1D, 0D, 1D)"), "bce_with_logits",
        args("x", "y", null, "array(1D, 2D, 3D, 4D)"),
        Expect.error("bce_with_logits(x, y",
            "pos_weight size (4) must match the number of classes (5)")));
    t.add(c("pos_weight of the wrong length, aggregate", one("array(1D, 2D, 3D, 4D, 5D)",
        "array(1D, 0D, 1D, 0D, 1D)"), "bce_with_logits_loss",
        args("x", "y", null, "array(1D, 2D, 3D, 4D)"), "sum",
        Expect.error("pos_weight size (4) must match the number of classes (5)")));
    t.add(c("pos_weight of the wrong length, per class", one("array(1D, 2D, 3D)",
        "array(1D, 0D, 1D)"), "bce_with_logits_loss_per_class",
        args("x", "y", null, "array(1D, 2D)"), "sum",
        Expect.error("pos_weight size (2) must match the number of classes (3)")));
    t.add(c("pos_weight array for single-label input", one("0D", "1D"), "bce_with_logits",
        args("x", "y", null, "array(1D, 2D)"),
        Expect.error("pos_weight size (2) must match the number of classes (1)")));
    t.add(c("pos_weight of length 1 broadcasts over the classes", one("array(0D, 0D)",
        "array(1D, 1D)"), "bce_with_logits", args("x", "y", null, "array(2D)"),
        Expect.value(List.of(2 * LN2, 2 * LN2))));
    // --- Probabilities outside [0, 1]; logit targets outside [0, 1] are accepted ------------
    t.add(c("probability above 1", one("1.5D", "1D"), "bce", XY,
        Expect.error("bce(x, y)", "should be between 0 and 1", "1.5")));
    t.add(c("negative probability", one("-0.25D", "1D"), "bce", XY,
        Expect.error("should be between 0 and 1", "-0.25")));
    t.add(c("probability target above 1", one("0.5D", "2D"), "bce", XY,
        Expect.error("should be between 0 and 1", "2.0")));
    t.add(c("probability element above 1 in an aggregate", one("array(0.5D, 1.5D)",
        "array(1D, 1D)"), "bce_loss", XY, "sum",
        Expect.error("bce_loss(x, y", "should be between 0 and 1", "1.5")));
    t.add(c("probability 0 with target 1 is clamped at 100", one("0D", "1D"), "bce", XY,
        Expect.value(100.0)));
    t.add(c("logit target 2 is accepted, as in PyTorch", one("0D", "2D"), "bce_with_logits", XY,
        Expect.value(LN2)));
    // --- Wrong types -------------------------------------------------------------------------
    t.add(c("string logits", one("'1.5'", "1D"), "bce_with_logits", XY,
        Expect.error("argument `input`", "STRING")));
    t.add(c("string logits in an aggregate", one("'1.5'", "1D"), "bce_with_logits_loss", XY,
        "mean", Expect.error("bce_with_logits_loss(", "argument `input`", "STRING")));
    t.add(c("struct labels", one("1D", "named_struct('a', 1)"), "bce_with_logits", XY,
        Expect.error("argument `target`", "STRUCT")));
    t.add(c("struct labels in bce_pos_weight", "SELECT named_struct('a', 1D) AS y",
        "bce_pos_weight", args("y"), Expect.error("argument `target`", "STRUCT")));
    t.add(c("struct labels in bce_loss", one("0.5D", "named_struct('a', 1)"), "bce_loss", XY,
        "mean", Expect.error("argument `target`", "STRUCT")));
    t.add(c("string weight", one("0D", "1D"), "bce_with_logits", args("x", "y", "'w'"),
        Expect.error("argument `weight`", "STRING")));
    t.add(c("map pos_weight", one("array(0D)", "array(1D)"), "bce_with_logits_loss",
        args("x", "y", null, "map('a', 1D)"), "sum", Expect.error("argument `pos_weight`")));
    t.add(c("boolean logits", one("true", "1D"), "bce_with_logits", XY,
        Expect.error("argument `input`", "BOOLEAN")));
    t.add(c("boolean targets are accepted", one("0D", "true"), "bce_with_logits", XY,
        Expect.value(LN2)));
    // --- Empty input ---------------------------------------------------------------------------
    t.add(c("mean of no rows is NULL", EMPTY, "bce_with_logits_loss", XY, "mean",
        Expect.value(null)));
    t.add(c("weighted mean of no rows is NULL", EMPTY, "bce_with_logits_loss", XY,
        "weighted_mean", Expect.value(null)));
    t.add(c("sum of no rows is 0", EMPTY, "bce_with_logits_loss", XY, "sum", Expect.value(0.0)));
    t.add(c("bce_loss mean of no rows is NULL", EMPTY, "bce_loss", XY, "mean",
        Expect.value(null)));
    t.add(c("bce_loss sum of no rows is 0", EMPTY, "bce_loss", XY, "sum", Expect.value(0.0)));
    t.add(c("per-class loss of no rows is NULL", EMPTY, "bce_with_logits_loss_per_class",
        args("xa", "ya"), "mean", Expect.value(null)));
    t.add(c("bce_pos_weight of no rows is NULL", EMPTY, "bce_pos_weight", args("ya"),
        Expect.value(null)));
    t.add(c("mean over empty arrays (zero elements) is NULL",
        one("CAST(array() AS ARRAY<DOUBLE>)", "CAST(array() AS ARRAY<DOUBLE>)"),
        "bce_with_logits_loss", XY, "mean", Expect.value(null)));
    t.add(c("sum over empty arrays is 0",
        one("CAST(array() AS ARRAY<DOUBLE>)", "CAST(array() AS ARRAY<DOUBLE>)"),
        "bce_with_logits_loss", XY, "sum", Expect.value(0.0)));
    t.add(c("elementwise loss of an empty array is an empty array",
        one("CAST(array() AS ARRAY<DOUBLE>)", "CAST(array() AS ARRAY<DOUBLE>)"),
        "bce_with_logits", XY, Expect.value(List.of())));
    // --- Missing column ----------------------------------------------------------------------
    t.add(c("missing input column", one("0D", "1D"), "bce_with_logits", args("logits", "y"),
        Expect.error("logits")));
    t.add(c("missing target column in an aggregate", one("0D", "1D"), "bce_with_logits_loss",
        args("x", "labels"), "mean", Expect.error("labels")));
    t.add(c("missing weight column", one("0D", "1D"), "bce_loss", args("x", "y", "wt"), "sum",
        Expect.error("wt")));
    // --- Reductions --------------------------------------------------------------------------
    t.add(c("unknown reduction lists the valid ones", one("0D", "1D"), "bce_with_logits_loss",
        XY, "avg", Expect.error("unknown reduction 'avg'", "'mean', 'sum', 'weighted_mean'")));
    t.add(c("'none' is not a reduction of an aggregate", one("0.5D", "1D"), "bce_loss", XY,
        "none", Expect.error("unknown reduction 'none'")));
    t.add(c("unknown reduction of the per-class loss", one("array(0D)", "array(1D)"),
        "bce_with_logits_loss_per_class", XY, "median",
        Expect.error("unknown reduction 'median'")));
    t.add(c("reduction names are case-insensitive", one("0D", "1D"), "bce_with_logits_loss", XY,
        "SUM", Expect.value(LN2)));
    return t;
  }

  static Stream<Arguments> sweep() {
    List<Arguments> a = new ArrayList<>();
    for (Case c : cases()) {
      a.add(Arguments.of(c, "SQL"));
      a.add(Arguments.of(c, "Column API"));
    }
    return a.stream();
  }

  @ParameterizedTest(name = "{0} [{1}]")
  @MethodSource("sweep")
  void givesSpecsAnswer(Case c, String api) {
    if (c.expect.isError()) {
      Throwable e = null;
      try {
        List<Row> rows = run(c, api);
        fail(c.name + " [" + api + "]: expected " + c.expect + ", got " + rows);
      } catch (AssertionError a) {
        throw a;
      } catch (Throwable t) {
        e = t;
      }
      String chain = messages(e);
      for (String f : c.expect.fragments) {
        assertTrue(chain.contains(f),
            () -> c.name + " [" + api + "]: '" + f + "' missing from the error: " + chain);
      }
      return;
    }
    List<Row> rows = run(c, api);
    assertEquals(1, rows.size(), () -> c.name + ": one row expected, got " + rows);
    assertSame(c.name + " [" + api + "]", c.expect.value, Rows.toJava(rows.get(0).get(0)));
  }

  private static List<Row> run(Case c, String api) {
    if (api.equals("SQL")) {
      return spark.sql(c.sql()).collectAsList();
    }
    Dataset<Row> data = spark.sql(c.data);
    return data.select(c.column()).collectAsList();
  }

  private static void assertSame(String where, Object expected, Object actual) {
    if (expected == null || actual == null) {
      assertEquals(expected, actual, where);
      return;
    }
    if (expected instanceof List) {
      assertTrue(actual instanceof List, () -> where + ": expected an array, got " + actual);
      List<?> e = (List<?>) expected;
      List<?> a = (List<?>) actual;
      assertEquals(e.size(), a.size(), () -> where + ": " + e + " expected, got " + a);
      for (int i = 0; i < e.size(); i++) {
        assertSame(where + " element " + i, e.get(i), a.get(i));
      }
      return;
    }
    double x = ((Number) expected).doubleValue();
    double y = ((Number) actual).doubleValue();
    if (Double.isNaN(x) || Double.isInfinite(x) || x == 0) {
      assertEquals(Double.doubleToLongBits(x), Double.doubleToLongBits(y),
          () -> where + ": expected " + x + ", got " + y);
    } else {
      assertEquals(x, y, Math.abs(x) * 1e-15, where);
    }
  }

  /** One call of the module API or the MLlib evaluator, and SPEC's (or their javadoc's) answer. */
  static final class ApiCase {
    final String name;
    final Callable<Object> call;
    final Expect expect;

    ApiCase(String name, Callable<Object> call, Expect expect) {
      this.name = name;
      this.call = call;
      this.expect = expect;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static Dataset<Row> df(String sql) {
    return spark.sql(sql);
  }

  private static BinaryCrossEntropyEvaluator logitsEvaluator() {
    return new BinaryCrossEntropyEvaluator().setLogitsCol("x").setLabelCol("y");
  }

  static List<ApiCase> apiCases() {
    List<ApiCase> t = new ArrayList<>();
    String five = one("array(1D, 2D, 3D, 4D, 5D)", "array(1D, 0D, 1D, 0D, 1D)");
    // --- module API (SPEC §4): mean over nothing is NaN there, as in PyTorch (its javadoc) ------
    t.add(new ApiCase("module: unknown reduction",
        () -> new BCEWithLogitsLoss("avg"),
        Expect.error("avg is not a valid value for reduction")));
    t.add(new ApiCase("module: NaN logit gives NaN",
        () -> new BCEWithLogitsLoss().apply(df(one(NAN, "1D")), "x", "y"),
        Expect.value(Double.NaN)));
    t.add(new ApiCase("module: -inf logit with target 1 sums to +inf",
        () -> new BCEWithLogitsLoss("sum").apply(df(one(NEG_INF, "1D")), "x", "y"),
        Expect.value(Double.POSITIVE_INFINITY)));
    t.add(new ApiCase("module: rows with NULLs are skipped",
        () -> new BCEWithLogitsLoss().apply(df(ROWS_WITH_NULLS), "x", "y", "w"),
        Expect.value(LN2)));
    t.add(new ApiCase("module: shape mismatch",
        () -> new BCEWithLogitsLoss().apply(df(one("array(1D, 2D)", "array(1D)")), "x", "y"),
        Expect.error("Target size (1) must be the same as input size (2)")));
    t.add(new ApiCase("module: pos_weight of the wrong length",
        () -> BCEWithLogitsLoss.builder().posWeight(1, 2, 3, 4).build().apply(df(five), "x", "y"),
        Expect.error("pos_weight size (4) must match the number of classes (5)")));
    t.add(new ApiCase("module: string logits",
        () -> new BCEWithLogitsLoss().apply(df(one("'1.5'", "1D")), "x", "y"),
        Expect.error("argument `input`", "STRING")));
    t.add(new ApiCase("module: struct labels",
        () -> new BCEWithLogitsLoss().apply(df(one("1D", "named_struct('a', 1)")), "x", "y"),
        Expect.error("argument `target`", "STRUCT")));
    t.add(new ApiCase("module: missing column",
        () -> new BCEWithLogitsLoss().apply(df(one("0D", "1D")), "logits", "y"),
        Expect.error("logits")));
    t.add(new ApiCase("module: mean over no rows is NaN",
        () -> new BCEWithLogitsLoss().apply(df(EMPTY), "x", "y"), Expect.value(Double.NaN)));
    t.add(new ApiCase("module: sum over no rows is 0",
        () -> new BCEWithLogitsLoss("sum").apply(df(EMPTY), "x", "y"), Expect.value(0.0)));
    t.add(new ApiCase("BCELoss module: probability above 1",
        () -> new BCELoss().apply(df(one("1.5D", "1D")), "x", "y"),
        Expect.error("should be between 0 and 1", "1.5")));
    t.add(new ApiCase("BCELoss module: NaN probability",
        () -> new BCELoss("sum").apply(df(one(NAN, "1D")), "x", "y"),
        Expect.error("should be between 0 and 1", "NaN")));
    // --- MLlib evaluator: no rows evaluate to NaN (its javadoc) --------------------------------
    t.add(new ApiCase("evaluator: unknown reduction",
        () -> logitsEvaluator().setReduction("avg").evaluate(df(one("0D", "1D"))),
        Expect.error("avg")));
    t.add(new ApiCase("evaluator: no input column set",
        () -> new BinaryCrossEntropyEvaluator().setLabelCol("y").evaluate(df(one("0D", "1D"))),
        Expect.error("set exactly one of logitsCol, rawPredictionCol, probabilityCol")));
    t.add(new ApiCase("evaluator: NaN logit gives NaN",
        () -> logitsEvaluator().evaluate(df(one(NAN, "1D"))), Expect.value(Double.NaN)));
    t.add(new ApiCase("evaluator: +inf logit with target 1 gives 0",
        () -> logitsEvaluator().evaluate(df(one(INF, "1D"))), Expect.value(0.0)));
    t.add(new ApiCase("evaluator: shape mismatch",
        () -> logitsEvaluator().evaluate(df(one("array(1D, 2D)", "array(1D)"))),
        Expect.error("Target size (1) must be the same as input size (2)")));
    t.add(new ApiCase("evaluator: pos_weight of the wrong length",
        () -> logitsEvaluator().setPosWeight(new double[] {1, 2, 3, 4}).evaluate(df(five)),
        Expect.error("pos_weight size (4) must match the number of classes (5)")));
    t.add(new ApiCase("evaluator: probability outside [0, 1]",
        () -> new BinaryCrossEntropyEvaluator().setProbabilityCol("x").setLabelCol("y")
            .evaluate(df(one("1.5D", "1D"))),
        Expect.error("should be between 0 and 1", "1.5")));
    t.add(new ApiCase("evaluator: string logits",
        () -> logitsEvaluator().evaluate(df(one("'1.5'", "1D"))),
        Expect.error("argument `input`", "STRING")));
    t.add(new ApiCase("evaluator: struct labels",
        () -> logitsEvaluator().evaluate(df(one("1D", "named_struct('a', 1)"))),
        Expect.error("argument `target`", "STRUCT")));
    t.add(new ApiCase("evaluator: missing label column",
        () -> logitsEvaluator().setLabelCol("labels").evaluate(df(one("0D", "1D"))),
        Expect.error("labels")));
    t.add(new ApiCase("evaluator: no rows give NaN",
        () -> logitsEvaluator().evaluate(df(EMPTY)), Expect.value(Double.NaN)));
    return t;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("apiCases")
  void moduleApiAndEvaluatorGiveSpecsAnswer(ApiCase c) {
    Object got;
    try {
      got = c.call.call();
    } catch (Throwable t) {
      String chain = messages(t);
      assertTrue(c.expect.isError(), () -> c.name + ": expected " + c.expect + ", got " + chain);
      for (String f : c.expect.fragments) {
        assertTrue(chain.contains(f),
            () -> c.name + ": '" + f + "' missing from the error: " + chain);
      }
      return;
    }
    assertTrue(!c.expect.isError(), () -> c.name + ": expected " + c.expect + ", got " + got);
    assertSame(c.name, c.expect.value, got);
  }

  static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" | ");
    }
    return b.toString();
  }
}
