package io.sparkbce;

/**
 * The constructor arguments {@link BCEWithLogitsLoss} and {@link BCELoss} share, by name, as
 * PyTorch's keyword arguments; each module's {@code Builder} adds its own and builds.
 *
 * @param <B> the concrete builder, so that chained calls keep its type
 */
public abstract class ModuleBuilder<B extends ModuleBuilder<B>> {
  double[] weight;
  Boolean sizeAverage;
  Boolean reduce;
  String reduction = "mean";
  String lossCol = BCEWithLogitsLoss.DEFAULT_LOSS_COL;

  ModuleBuilder() {}

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /** Broadcast along the class dimension (PyTorch {@code (C,)} or {@code (1,)}). */
  public B weight(double... weight) {
    this.weight = weight;
    return self();
  }

  /** Deprecated in PyTorch; {@code null} = unset. Overrides {@link #reduction} when set. */
  public B sizeAverage(Boolean sizeAverage) {
    this.sizeAverage = sizeAverage;
    return self();
  }

  /** Deprecated in PyTorch; {@code null} = unset. Overrides {@link #reduction} when set. */
  public B reduce(Boolean reduce) {
    this.reduce = reduce;
    return self();
  }

  public B reduction(String reduction) {
    this.reduction = reduction;
    return self();
  }

  /** Name of the column the module's {@code applyNone} appends. */
  public B lossCol(String lossCol) {
    this.lossCol = lossCol;
    return self();
  }
}
