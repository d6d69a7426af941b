package io.sparkbce;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PyTorch's {@code torch.nn.BCELoss} over a {@code Dataset<Row>} of probabilities (SPEC §1, §4):
 * {@code loss(q, y) = -w * (y * max(log q, -100) + (1 - y) * max(log(1 - q), -100))}. Inputs and
 * targets must lie in [0, 1]; anything else fails the job with "all elements of input should be
 * between 0 and 1" and the offending value.
 *
 * <p>Arguments, shapes, weights, the legacy {@code size_average}/{@code reduce} rules and the
 * {@link #apply}/{@link #applyNone} split are exactly those of {@link BCEWithLogitsLoss}, without
 * {@code pos_weight} (PyTorch's {@code BCELoss} has none):
 *
 * <pre>{@code
 * // nn.BCELoss(weight=torch.tensor([1., 2.]))
 * double mean = new BCELoss(new double[] {1, 2}, null, null, "mean").apply(df, "probs", "labels");
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class BCELoss implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(BCELoss.class);

  private final double[] weight;
  private final String reduction;
  private final String lossCol;

  /** {@code nn.BCELoss()}: no weight, reduction {@code mean}. */
  public BCELoss() {
    this(null, null, null, "mean");
  }

  /** {@code nn.BCELoss(reduction=...)}. */
  public BCELoss(String reduction) {
    this(null, null, null, reduction);
  }

  /**
   * PyTorch's positional signature, {@code nn.BCELoss(weight=None, size_average=None, reduce=None,
   * reduction='mean')}; {@code null} stands for None (unset).
   */
  public BCELoss(double[] weight, Boolean sizeAverage, Boolean reduce, String reduction) {
    this(weight, sizeAverage, reduce, reduction, BCEWithLogitsLoss.DEFAULT_LOSS_COL);
  }

  private BCELoss(
      double[] weight, Boolean sizeAverage, Boolean reduce, String reduction, String lossCol) {
    this.weight = weight == null ? null : weight.clone();
    this.reduction =
        ModuleSupport.resolveReduction("BCELoss", sizeAverage, reduce, reduction, LOG);
    this.lossCol = ModuleSupport.requireName(lossCol, "lossCol");
    if (this.weight != null && this.weight.length == 0) {
      throw new IllegalArgumentException("weight must not be empty");
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

  public String lossCol() {
    return lossCol;
  }

  /** The reduced loss ({@code mean} or {@code sum}) of the probabilities in {@code inputCol}. */
  public double apply(Dataset<Row> df, String inputCol, String targetCol) {
    return apply(df, inputCol, targetCol, null);
  }

  /** As {@link #apply(Dataset, String, String)}, each element weighted by {@code weightCol}. */
  public double apply(Dataset<Row> df, String inputCol, String targetCol, String weightCol) {
    ModuleSupport.requireReduced("BCELoss", reduction);
    ModuleSupport.ensureFunctions(df);
    Column w = ModuleSupport.weightColumn("BCELoss", df, inputCol, weight, weightCol);
    return ModuleSupport.first(df.select(
        BceFunctions.bceLoss(df.col(inputCol), df.col(targetCol), w, reduction)));
  }

  /** Reduction {@code none}: {@code df} with the element losses appended as {@link #lossCol()}. */
  public Dataset<Row> applyNone(Dataset<Row> df, String inputCol, String targetCol) {
    return applyNone(df, inputCol, targetCol, null);
  }

  /** As {@link #applyNone(Dataset, String, String)}, weighted by {@code weightCol}. */
  public Dataset<Row> applyNone(
      Dataset<Row> df, String inputCol, String targetCol, String weightCol) {
    ModuleSupport.requireNone("BCELoss", reduction);
    ModuleSupport.ensureFunctions(df);
    Column w = ModuleSupport.weightColumn("BCELoss", df, inputCol, weight, weightCol);
    return df.withColumn(lossCol, BceFunctions.bce(df.col(inputCol), df.col(targetCol), w));
  }

  @Override
  public String toString() {
    return "BCELoss(reduction=" + reduction
        + (weight == null ? "" : ", weight=" + Arrays.toString(weight)) + ")";
  }

  /** Keyword-style construction; every argument optional, as in PyTorch. */
  public static final class Builder extends ModuleBuilder<Builder> {
    private Builder() {}

    public BCELoss build() {
      return new BCELoss(weight, sizeAverage, reduce, reduction, lossCol);
    }
  }
}
