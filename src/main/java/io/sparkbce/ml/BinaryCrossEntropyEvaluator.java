package io.sparkbce.ml;

import io.sparkbce.BceFunctions;
import io.sparkbce.udf.BceFunctionRegistry;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import scala.runtime.AbstractFunction1;

/**
 * Binary cross-entropy as an MLlib {@link Evaluator} (SPEC §4): smaller is better, so
 * {@code CrossValidator} and {@code TrainValidationSplit} pick the model with the lowest loss.
 * The value is the SQL aggregate {@code bce_with_logits_loss} (or {@code bce_loss} on
 * probabilities) over the whole Dataset, exact and independent of the partitioning (SPEC §1).
 *
 * <p>Exactly one input column must be set:
 * <ul>
 *   <li>{@link #logitsCol}: logits as a number, an ARRAY (multi-label, nested for
 *       {@code (N, *, C)}) or an MLlib vector, taken as they are.
 *   <li>{@link #rawPredictionCol}: the rawPrediction of a binary MLlib classifier whose
 *       rawPrediction is {@code [-m, m]} with {@code P(1) = sigmoid(m)}, e.g.
 *       {@code LogisticRegression} and {@code FMClassifier}: the logit is the margin {@code m},
 *       element 1 of the vector (a vector of another size is an error). A number column is
 *       taken as the margin itself. For classifiers whose rawPrediction is not such a margin
 *       (GBT: {@code P(1) = sigmoid(2m)}; random forests and naive Bayes: votes or log
 *       probabilities) use {@link #probabilityCol}.
 *   <li>{@link #probabilityCol}: BCE on probabilities: element 1 of a binary classifier's
 *       probability vector (a vector of another size is an error), or a number column, or an
 *       ARRAY column of per-class (multi-label) probabilities. Values must lie in [0, 1].
 * </ul>
 * Other params: {@link #labelCol} (default {@code "label"}; a number or BOOLEAN, or an array of
 * the input's shape), {@link #weightCol} (unset or empty: no weights), {@link #posWeight} (logits
 * only; length C, or 1), {@link #reduction} ({@code "mean"} (default), {@code "sum"} or
 * {@code "weighted_mean"}, case-insensitive). {@code mean} divides by the number of elements as
 * PyTorch does; {@code weighted_mean} by the sum of the weights, as MLlib's {@code logLoss}.
 * With no rows (or only NULL ones) {@code mean} and {@code weighted_mean} evaluate to NaN.
 *
 * <p>{@link #evaluate} keeps no state between calls and only reads the params, so one instance
 * can serve several threads ({@code setParallelism(n)} on the validators). Saved and loaded with
 * {@link #write()} / {@link #load(String)}, also inside a saved {@code CrossValidatorModel}.
 */
public final class BinaryCrossEntropyEvaluator extends Evaluator implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private static final String[] REDUCTIONS = {"mean", "sum", "weighted_mean"};

  private final String uid;
  private final Param<String> logitsCol;
  private final Param<String> rawPredictionCol;
  private final Param<String> probabilityCol;
  private final Param<String> labelCol;
  private final Param<String> weightCol;
  private final DoubleArrayParam posWeight;
  private final Param<String> reduction;

  public BinaryCrossEntropyEvaluator() {
    this(Identifiable.randomUID("bceEval"));
  }

  /** The constructor MLlib's readers and {@link #copy} call. */
  public BinaryCrossEntropyEvaluator(String uid) {
    this.uid = uid;
    logitsCol = new Param<>(this, "logitsCol",
        "logits column: a number, an ARRAY of numbers (multi-label) or an MLlib vector");
    rawPredictionCol = new Param<>(this, "rawPredictionCol",
        "rawPrediction column of a binary classifier whose rawPrediction is [-margin, margin]"
            + " (e.g. LogisticRegression): the logit is element 1");
    probabilityCol = new Param<>(this, "probabilityCol",
        "probability column: element 1 of a binary classifier's probability vector, a number,"
            + " or an ARRAY of per-class probabilities");
    labelCol = new Param<>(this, "labelCol", "label (target) column");
    weightCol = new Param<>(this, "weightCol",
        "weight column (a number per row or an array of the input's shape); unset or empty"
            + " for none");
    posWeight = new DoubleArrayParam(this, "posWeight",
        "weight of positive examples per class (length C, or 1); logits only");
    reduction = new Param<>(this, "reduction",
        "how element losses are combined: mean (divide by the number of elements), sum, or"
            + " weighted_mean (divide by the sum of weights); case-insensitive",
        new ReductionValidator());
    setDefault(labelCol, "label");
    setDefault(reduction, "mean");
  }

  @Override
  public String uid() {
    return uid;
  }

  // ---- params ----

  public Param<String> logitsCol() {
    return logitsCol;
  }

  public Param<String> rawPredictionCol() {
    return rawPredictionCol;
  }

  public Param<String> probabilityCol() {
    return probabilityCol;
  }

  public Param<String> labelCol() {
    return labelCol;
  }

  public Param<String> weightCol() {
    return weightCol;
  }

  public DoubleArrayParam posWeight() {
    return posWeight;
  }

  public Param<String> reduction() {
    return reduction;
  }

  public String getLogitsCol() {
    return getOrDefault(logitsCol);
  }

  public String getRawPredictionCol() {
    return getOrDefault(rawPredictionCol);
  }

  public String getProbabilityCol() {
    return getOrDefault(probabilityCol);
  }

  public String getLabelCol() {
    return getOrDefault(labelCol);
  }

  public String getWeightCol() {
    return getOrDefault(weightCol);
  }

  public double[] getPosWeight() {
    return getOrDefault(posWeight);
  }

  public String getReduction() {
    return getOrDefault(reduction);
  }

  public BinaryCrossEntropyEvaluator setLogitsCol(String value) {
    set(logitsCol, value);
    return this;
  }

  public BinaryCrossEntropyEvaluator setRawPredictionCol(String value) {
    set(rawPredictionCol, value);
    return this;
  }

  public BinaryCrossEntropyEvaluator setProbabilityCol(String value) {
    set(probabilityCol, value);
    return this;
  }

  public BinaryCrossEntropyEvaluator setLabelCol(String value) {
    set(labelCol, value);
    return this;
  }

  public BinaryCrossEntropyEvaluator setWeightCol(String value) {
    set(weightCol, value);
    return this;
  }

  public BinaryCrossEntropyEvaluator setPosWeight(double[] value) {
    set(posWeight, value == null ? null : value.clone());
    return this;
  }

  public BinaryCrossEntropyEvaluator setReduction(String value) {
    set(reduction, value);
    return this;
  }

  // ---- evaluation ----

  @Override
  public boolean isLargerBetter() {
    return false;
  }

  @Override
  public double evaluate(Dataset<?> dataset) {
    // Everything below is local to this call: safe under the validators' parallelism.
    String[] input = inputColumn();
    String kind = input[0];
    String name = input[1];
    SparkSession spark = dataset.sparkSession();
    if (!BceFunctionRegistry.isRegistered(spark)) {
      BceFunctions.register(spark);
    }
    Column label = column(dataset, getLabelCol());
    Column weight = isDefined(weightCol) && getWeightCol() != null && !getWeightCol().isEmpty()
        ? column(dataset, getWeightCol()) : null;
    double[] pw = isDefined(posWeight) ? getPosWeight() : null;
    String red = getReduction().toLowerCase(Locale.ROOT);
    Column loss;
    if ("probabilityCol".equals(kind)) {
      if (pw != null) {
        throw new IllegalArgumentException(uid + ": posWeight applies to logits"
            + " (logitsCol or rawPredictionCol), not to probabilityCol '" + name + "'");
      }
      loss = BceFunctions.bceLoss(binaryInput(dataset, kind, name, true), label, weight, red);
    } else {
      Column x = "logitsCol".equals(kind)
          ? column(dataset, name) : binaryInput(dataset, kind, name, false);
      loss = BceFunctions.bceWithLogitsLoss(x, label, weight, pw, red);
    }
    Row r = dataset.select(loss).first();
    return r.isNullAt(0) ? Double.NaN : r.getDouble(0);
  }

  /**
   * The top-level column {@code name}, quoted: MLlib's column params are names, so a dot, space
   * or backtick in one is part of the name, not a struct field or a syntax error.
   */
  private static Column column(Dataset<?> dataset, String name) {
    return dataset.col("`" + name.replace("`", "``") + "`");
  }

  /** {kind, column name} of the one input column that is set; an error listing them otherwise. */
  private String[] inputColumn() {
    List<String> set = new ArrayList<>();
    String[] found = null;
    for (Param<String> p : List.of(logitsCol, rawPredictionCol, probabilityCol)) {
      if (isDefined(p)) {
        set.add(p.name() + "='" + getOrDefault(p) + "'");
        found = new String[] {p.name(), getOrDefault(p)};
      }
    }
    if (set.size() != 1) {
      throw new IllegalArgumentException(getClass().getSimpleName() + " " + uid
          + ": set exactly one of logitsCol, rawPredictionCol, probabilityCol; "
          + (set.isEmpty() ? "none is set" : set.size() + " are set: " + String.join(", ", set)));
    }
    if (found[1] == null || found[1].isEmpty()) {
      throw new IllegalArgumentException(uid + ": " + found[0] + " is set to an empty name");
    }
    return found;
  }

  /**
   * A binary classifier's output: element 1 of a 2-element vector, or a number column as is;
   * for probabilities, an ARRAY column passes through as per-class probabilities.
   */
  private Column binaryInput(Dataset<?> dataset, String kind, String name, boolean arraysPass) {
    Column c = column(dataset, name);
    DataType t = dataset.select(c).schema().fields()[0].dataType();
    if (t instanceof NumericType || (arraysPass && t instanceof ArrayType)) {
      return c;
    }
    if (!(t instanceof VectorUDT)) {
      throw new IllegalArgumentException(uid + ": " + kind + " '" + name + "' has type "
          + t.sql() + "; expected an MLlib vector of a binary classifier or a number"
          + (arraysPass ? ", or an ARRAY of per-class probabilities" : "; for other logits use"
          + " logitsCol"));
    }
    Column values = functions.vector_to_array(c, "float64");
    Column size = org.apache.spark.sql.functions.size(values);
    return org.apache.spark.sql.functions
        .when(c.isNull(), org.apache.spark.sql.functions.lit(null))
        .when(size.equalTo(2), values.getItem(1))
        .otherwise(org.apache.spark.sql.functions.raise_error(org.apache.spark.sql.functions.concat(
            org.apache.spark.sql.functions.lit(kind + " '" + name + "' must hold the 2-element"
                + " vectors of a binary classifier, got a vector of size "),
            size.cast("string"))));
  }

  @Override
  public BinaryCrossEntropyEvaluator copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public String toString() {
    return "BinaryCrossEntropyEvaluator: uid=" + uid + ", reduction=" + getReduction();
  }

  // ---- persistence (DefaultParamsReadable) ----

  public static MLReader<BinaryCrossEntropyEvaluator> read() {
    return new DefaultParamsReader<>();
  }

  public static BinaryCrossEntropyEvaluator load(String path) {
    return read().load(path);
  }

  /** Case-insensitive check of the reduction names; serializable like the params holding it. */
  private static final class ReductionValidator extends AbstractFunction1<String, Object>
      implements Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Object apply(String value) {
      if (value != null) {
        for (String r : REDUCTIONS) {
          if (r.equalsIgnoreCase(value.trim())) {
            return Boolean.TRUE;
          }
        }
      }
      return Boolean.FALSE;
    }
  }
}
