package io.sparkbce.udf;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;

/**
 * What {@code DESCRIBE FUNCTION EXTENDED} shows for each function, in the form of Spark's
 * built-ins: usage, arguments, examples with their results, since, group. The examples' results
 * are what the functions return ({@code FunctionDocsTest} runs every example and compares).
 */
final class FunctionDocs {
  static final String SINCE = "0.1.0";
  private static final String INPUT = "input - logits (probabilities for bce and bce_loss): a"
      + " number, an ARRAY of numbers (N, C), nested ARRAYs (N, *, C; classes innermost) or an"
      + " MLlib vector.";
  private static final String LOGITS = "input - logits: a number, an ARRAY of numbers (N, C),"
      + " nested ARRAYs (N, *, C; classes innermost) or an MLlib vector.";
  /** log(1 + e^-2) / log(2) (QualityMetricsTest checks it against a 50-digit value). */
  private static final String NE_EXAMPLE = "0.18311841208159602";
  private static final String TARGET = "target - labels of the input's shape: numbers in [0, 1]"
      + " or BOOLEAN.";
  private static final String WEIGHT = "weight - optional: a number per row or an ARRAY of the"
      + " input's shape or of its innermost dimensions; NULL skips it.";
  private static final String POS_WEIGHT = "pos_weight - optional: a number, or an ARRAY of length"
      + " C applied per class (a literal or a scalar subquery); NULL skips it.";
  private static final String REDUCTION = "reduction - optional constant string, case-insensitive:"
      + " 'mean' (default, over elements, as PyTorch), 'sum' or 'weighted_mean'.";

  private record Doc(List<String> arguments, List<String[]> examples, String group) {}

  private static final Map<String, Doc> DOCS = Map.of(
      "bce_with_logits", new Doc(List.of(INPUT, TARGET, WEIGHT, POS_WEIGHT), List.of(
          new String[] {"SELECT bce_with_logits(0D, 1D);", "0.6931471805599453"},
          new String[] {"SELECT bce_with_logits(array(0D, 0D), array(1D, 0D), NULL, 2D);",
              "[1.3862943611198906, 0.6931471805599453]"}), "math_funcs"),
      "bce", new Doc(List.of(INPUT, TARGET, WEIGHT), List.<String[]>of(
          new String[] {"SELECT bce(0.5D, 1D);", "0.6931471805599453"},
          new String[] {"SELECT bce(0.5D, 1D, 2D);", "1.3862943611198906"}), "math_funcs"),
      "bce_with_logits_grad", new Doc(List.of(INPUT, TARGET, WEIGHT, POS_WEIGHT), List.<String[]>of(
          new String[] {"SELECT bce_with_logits_grad(0D, 1D);", "-0.5"},
          new String[] {"SELECT bce_with_logits_grad(0D, 0D, 2D);", "1.0"}), "math_funcs"),
      "bce_with_logits_loss", new Doc(List.of(INPUT, TARGET, WEIGHT, POS_WEIGHT, REDUCTION),
          List.<String[]>of(
              new String[] {"SELECT bce_with_logits_loss(x, y) FROM VALUES (0D, 1D), (0D, 0D)"
                  + " AS t(x, y);", "0.6931471805599453"},
              new String[] {"SELECT bce_with_logits_loss(x, y, NULL, NULL, 'sum') FROM VALUES"
                  + " (0D, 1D), (0D, 0D) AS t(x, y);", "1.3862943611198906"}), "agg_funcs"),
      "bce_loss", new Doc(List.of(INPUT, TARGET, WEIGHT, REDUCTION), List.<String[]>of(
          new String[] {"SELECT bce_loss(q, y) FROM VALUES (0.5D, 1D), (0.5D, 0D) AS t(q, y);",
              "0.6931471805599453"},
          new String[] {"SELECT bce_loss(q, y, NULL, 'sum') FROM VALUES (0.5D, 1D), (0.5D, 0D)"
              + " AS t(q, y);", "1.3862943611198906"}), "agg_funcs"),
      "bce_with_logits_loss_per_class", new Doc(
          List.of(INPUT, TARGET, WEIGHT, POS_WEIGHT, REDUCTION), List.<String[]>of(
              new String[] {"SELECT bce_with_logits_loss_per_class(x, y) FROM VALUES"
                  + " (array(0D, 0D), array(1D, 0D)) AS t(x, y);",
                  "[0.6931471805599453, 0.6931471805599453]"}), "agg_funcs"),
      "bce_pos_weight", new Doc(List.of(TARGET), List.<String[]>of(
          new String[] {"SELECT bce_pos_weight(y) FROM VALUES (array(1D, 0D)), (array(0D, 0D)),"
              + " (array(0D, 1D)), (array(0D, 0D)) AS t(y);", "[3.0, 3.0]"}), "agg_funcs"),
      "bce_normalized_entropy", new Doc(List.of(LOGITS, TARGET, WEIGHT, POS_WEIGHT),
          List.<String[]>of(
              new String[] {"SELECT bce_normalized_entropy(x, y) FROM VALUES (0D, 1D), (0D, 0D)"
                  + " AS t(x, y);", "1.0"},
              new String[] {"SELECT bce_normalized_entropy(x, y) FROM VALUES (2D, 1D), (-2D, 0D)"
                  + " AS t(x, y);", NE_EXAMPLE}), "agg_funcs"),
      "bce_calibration", new Doc(List.of(LOGITS, TARGET, WEIGHT), List.<String[]>of(
          new String[] {"SELECT bce_calibration(x, y) FROM VALUES (0D, 1D), (0D, 0D) AS t(x, y);",
              "1.0"},
          new String[] {"SELECT bce_calibration(x, y, w) FROM VALUES (0D, 1D, 1D), (0D, 0D, 3D)"
              + " AS t(x, y, w);", "2.0"}), "agg_funcs"));

  private FunctionDocs() {}

  static ExpressionInfo info(SqlFunction f) {
    Doc d = DOCS.get(f.name());
    if (d == null) {
      // an internal helper function (e.g. the jobs' class_positives), not one of SPEC's seven
      return new ExpressionInfo(f.getClass().getName(), null, f.name(), f.usage(), "");
    }
    StringBuilder arguments = new StringBuilder("\n    Arguments:\n");
    for (String a : d.arguments()) {
      arguments.append("      * ").append(a).append('\n');
    }
    StringBuilder examples = new StringBuilder("\n    Examples:\n");
    for (String[] e : d.examples()) {
      examples.append("      > ").append(e[0]).append('\n').append("       ").append(e[1])
          .append('\n');
    }
    examples.append("  ");
    // DESCRIBE shows no group (Spark keeps it for its docs); the note makes it visible
    String note = "\n    Group: " + d.group() + (d.group().equals("agg_funcs")
        ? " (aggregate functions, like avg)" : " (per value, like log1p)") + ".\n  ";
    return new ExpressionInfo(f.getClass().getName(), null, f.name(), f.usage(),
        arguments.toString(), examples.toString(), note, d.group(), SINCE, "", "java_udf");
  }

  /** The examples of one function: {SQL, result} pairs. */
  static List<String[]> examples(String function) {
    return DOCS.get(function).examples();
  }
}
