package io.sparkbce;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PyTorch's {@code torch.nn.BCEWithLogitsLoss} over a {@code Dataset<Row>} (SPEC §1, §4): a row is
 * one sample, its logits and targets are a number (PyTorch shape {@code (N,)}), an ARRAY of C
 * numbers ({@code (N, C)}), a nested ARRAY ({@code (N, *, C)}) or an MLlib vector.
 *
 * <p>Built argument for argument as in PyTorch, with the positional constructor
 * {@link #BCEWithLogitsLoss(double[], Boolean, Boolean, String, double[])} or the {@link #builder()}:
 *
 * <pre>{@code
 * // nn.BCEWithLogitsLoss(pos_weight=torch.tensor([3., 1.]), reduction='sum')
 * BCEWithLogitsLoss loss = BCEWithLogitsLoss.builder()
 *     .posWeight(new double[] {3, 1}).reduction("sum").build();
 * double total = loss.apply(df, "logits", "labels");
 * }</pre>
 *
 * <ul>
 *   <li>{@code weight}: {@code null} (all ones), a {@code double[]} that broadcasts like PyTorch's
 *       weight tensor of shape {@code (C,)} (or {@code (1,)}) along the class, i.e. innermost,
 *       dimension; or, at apply time, the name of a weight column: a number per row (PyTorch's
 *       {@code (N, 1)}) or an array of the input's shape. Not both.
 *   <li>{@code size_average}, {@code reduce}: PyTorch's deprecated arguments, {@code null} = unset
 *       (counts as {@code true}). Setting either one overrides {@code reduction}: both true gives
 *       {@code mean}, {@code reduce} true and {@code size_average} false gives {@code sum},
 *       {@code reduce} false gives {@code none}; a deprecation warning is logged.
 *   <li>{@code reduction}: {@code "mean"} (the default; also for {@code null}), {@code "sum"} or
 *       {@code "none"}; {@code "elementwise_mean"} is accepted as {@code mean} with a deprecation
 *       warning. Names are case-sensitive as in PyTorch; anything else is an
 *       {@link IllegalArgumentException} "{@code <x> is not a valid value for reduction}", raised at
 *       construction (PyTorch raises at the first forward).
 *   <li>{@code pos_weight}: {@code null} (all ones) or a {@code double[]} of length C (or 1) applied
 *       along the class dimension.
 * </ul>
 *
 * <p>Applying: with {@code mean} or {@code sum}, {@link #apply(Dataset, String, String)} returns the
 * loss as a {@code double} (one Spark job; {@code mean} divides by the number of elements, rows x
 * classes, exactly as PyTorch; over zero elements {@code mean} is {@code NaN}, as in PyTorch, and
 * {@code sum} is 0). With {@code none}, {@link #applyNone(Dataset, String, String)} returns the
 * input Dataset with the element losses appended as a column ({@value #DEFAULT_LOSS_COL} unless
 * {@link Builder#lossCol} says otherwise; an existing column of that name is replaced, as
 * {@code withColumn} does) of the input's shape; it is lazy like any Dataset. Calling
 * the one that does not match the reduction is an {@link IllegalStateException}. Row-level errors
 * (shape mismatches, ...) surface as Spark's exceptions when the job runs, naming the offending
 * sizes.
 *
 * <p>Immutable and thread-safe.
 */
public final class BCEWithLogitsLoss implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(BCEWithLogitsLoss.class);

  /** The column {@link #applyNone} appends unless the builder names another. */
  public static final String DEFAULT_LOSS_COL = "loss";

  private final double[] weight;
  private final double[] posWeight;
  private final String reduction;
  private final String lossCol;

  /** {@code nn.BCEWithLogitsLoss()}: no weights, reduction {@code mean}. */
  public BCEWithLogitsLoss() {
    this(null, null, null, "mean", null);
  }

  /** {@code nn.BCEWithLogitsLoss(reduction=...)}. */
  public BCEWithLogitsLoss(String reduction) {
    this(null, null, null, reduction, null);
  }

  /**
   * PyTorch's positional signature, {@code nn.BCEWithLogitsLoss(weight=None, size_average=None,
   * reduce=None, reduction='mean', pos_weight=None)}; {@code null} stands for None (unset).
   */
  public BCEWithLogitsLoss(
      double[] weight, Boolean sizeAverage, Boolean reduce, String reduction, double[] posWeight) {
    this(weight, sizeAverage, reduce, reduction, posWeight, DEFAULT_LOSS_COL);
  }

  private BCEWithLogitsLoss(
      double[] weight, Boolean sizeAverage, Boolean reduce, String reduction, double[] posWeight,
      String lossCol) {
    this.weight = weight == null ? null : weight.clone();
    this.posWeight = posWeight == null ? null : posWeight.clone();
    this.reduction = ModuleSupport.resolveReduction(
        "BCEWithLogitsLoss", sizeAverage, reduce, reduction, LOG);
    this.lossCol = ModuleSupport.requireName(lossCol, "lossCol");
    if (this.weight != null && this.weight.length == 0) {
      throw new IllegalArgumentException("weight must not be empty");
    }
    if (this.posWeight != null && this.posWeight.length == 0) {
      throw new IllegalArgumentException("pos_weight must not be empty");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The effective reduction after the legacy rules: {@code "mean"}, {@code "sum"} or {@code "none"}. */
  public String reduction() {
    return reduction;
  }

  /** A copy of the weight given at construction, or {@code null}. */
  public double[] weight() {
    return weight == null ? null : weight.clone();
  }

  /** A copy of pos_weight, or {@code null}. */
  public double[] posWeight() {
    return posWeight == null ? null : posWeight.clone();
  }

  public String lossCol() {
    return lossCol;
  }

  /** The reduced loss ({@code mean} or {@code sum}) of the logits in {@code inputCol}. */
  public double apply(Dataset<Row> df, String inputCol, String targetCol) {
    return apply(df, inputCol, targetCol, null);
  }

  /**
   * As {@link #apply(Dataset, String, String)}, each element weighted by {@code weightCol} (a
   * number per row or an array of the input's shape; {@code null} = none).
   */
  public double apply(Dataset<Row> df, String inputCol, String targetCol, String weightCol) {
    ModuleSupport.requireReduced("BCEWithLogitsLoss", reduction);
    ModuleSupport.ensureFunctions(df);
    Column w = ModuleSupport.weightColumn("BCEWithLogitsLoss", df, inputCol, weight, weightCol);
    return ModuleSupport.first(df.select(BceFunctions.bceWithLogitsLoss(
        df.col(inputCol), df.col(targetCol), w, posWeight, reduction)));
  }

  /** Reduction {@code none}: {@code df} with the element losses appended as {@link #lossCol()}. */
  public Dataset<Row> applyNone(Dataset<Row> df, String inputCol, String targetCol) {
    return applyNone(df, inputCol, targetCol, null);
  }

  /** As {@link #applyNone(Dataset, String, String)}, weighted by {@code weightCol}. */
  public Dataset<Row> applyNone(
      Dataset<Row> df, String inputCol, String targetCol, String weightCol) {
    ModuleSupport.requireNone("BCEWithLogitsLoss", reduction);
    ModuleSupport.ensureFunctions(df);
    Column w = ModuleSupport.weightColumn("BCEWithLogitsLoss", df, inputCol, weight, weightCol);
    return df.withColumn(lossCol, BceFunctions.bceWithLogits(
        df.col(inputCol), df.col(targetCol), w, posWeight));
  }

  @Override
  public String toString() {
    return "BCEWithLogitsLoss(reduction=" + reduction
        + (weight == null ? "" : ", weight=" + Arrays.toString(weight))
        + (posWeight == null ? "" : ", pos_weight=" + Arrays.toString(posWeight)) + ")";
  }

  /** Keyword-style construction; every argument optional, as in PyTorch. */
  public static final class Builder extends ModuleBuilder<Builder> {
    private double[] posWeight;

    private Builder() {}

    /** Broadcast along the class dimension (PyTorch {@code (C,)} or {@code (1,)}). */
    public Builder posWeight(double... posWeight) {
      this.posWeight = posWeight;
      return this;
    }

    public BCEWithLogitsLoss build() {
      return new BCEWithLogitsLoss(weight, sizeAverage, reduce, reduction, posWeight, lossCol);
    }
  }
}
