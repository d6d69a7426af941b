package io.sparkbce.monitor.history;

import io.sparkbce.loss.QualityAccumulator;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The quality metrics of a window and segment, or of one of its classes: normalized entropy,
 * calibration, positive rate and mean predicted probability ({@link QualityAccumulator} defines
 * them). A value is null where there were no elements.
 */
public record Quality(Double normalizedEntropy, Double calibration, Double positiveRate,
    Double meanPrediction) {
  /** The history's struct column of one Quality. */
  static final StructType TYPE = new StructType()
      .add("normalized_entropy", DataTypes.DoubleType, true)
      .add("calibration", DataTypes.DoubleType, true)
      .add("positive_rate", DataTypes.DoubleType, true)
      .add("mean_prediction", DataTypes.DoubleType, true);

  /** Over all classes of {@code s}. */
  public static Quality of(QualityAccumulator s) {
    return new Quality(s.normalizedEntropy(), s.calibration(), s.positiveRate(),
        s.meanPrediction());
  }

  /** One per class of {@code s}. */
  public static List<Quality> perClass(QualityAccumulator s) {
    List<Quality> out = new ArrayList<>();
    for (int c = 0; c < s.classCount(); c++) {
      out.add(new Quality(s.normalizedEntropy(c), s.calibration(c), s.positiveRate(c),
          s.meanPrediction(c)));
    }
    return out;
  }

  Row row() {
    return RowFactory.create(normalizedEntropy, calibration, positiveRate, meanPrediction);
  }

  static Quality of(Row r) {
    return r == null ? null : new Quality(value(r, 0), value(r, 1), value(r, 2), value(r, 3));
  }

  private static Double value(Row r, int i) {
    return r.isNullAt(i) ? null : r.getDouble(i);
  }
}
