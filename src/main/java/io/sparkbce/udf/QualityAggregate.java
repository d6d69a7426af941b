package io.sparkbce.udf;

import io.sparkbce.loss.QualityAccumulator;
import java.util.function.Function;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The aggregates over {@link QualityAccumulator}: {@code bce_normalized_entropy} and
 * {@code bce_calibration} (a DOUBLE per group), and {@code monitor}'s whole state (BINARY, its
 * exact sums: what a metric history keeps for roll-ups).
 */
final class QualityAggregate extends RowAggregate<QualityAccumulator, Object> {
  private static final long serialVersionUID = 1L;

  /** What the aggregate produces from its state. */
  enum Output {
    NORMALIZED_ENTROPY(QualityAccumulator::normalizedEntropy, DataTypes.DoubleType),
    CALIBRATION(QualityAccumulator::calibration, DataTypes.DoubleType),
    /** The state's bytes; NULL when no row had elements. */
    STATE(s -> s.classCount() == 0 ? null : s.toBytes(), DataTypes.BinaryType);

    private final Function<QualityAccumulator, Object> result;
    private final DataType type;

    Output(Function<QualityAccumulator, Object> result, DataType type) {
      this.result = result;
      this.type = type;
    }
  }

  private final Output output;

  QualityAggregate(String name, LossCall call, Output output) {
    super(name, call);
    this.output = output;
  }

  @Override
  QualityAccumulator zero() {
    return new QualityAccumulator();
  }

  @Override
  QualityAccumulator restore(byte[] bytes) {
    return QualityAccumulator.fromBytes(bytes);
  }

  @Override
  QualityAccumulator combine(QualityAccumulator left, QualityAccumulator right) {
    left.merge(right);
    return left;
  }

  @Override
  Object result(QualityAccumulator state) {
    return output.result.apply(state);
  }

  /** Seven exact sums per class: about four accumulators' worth. */
  @Override
  int accumulators(QualityAccumulator state) {
    return 4 * Math.max(1, state.classCount());
  }

  @Override
  public DataType resultType() {
    return output.type;
  }
}
