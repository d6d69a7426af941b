package io.sparkbce;

import io.sparkbce.udf.BceFunctionRegistry;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.slf4j.Logger;

/** What {@link BCEWithLogitsLoss} and {@link BCELoss} share: PyTorch's argument rules. */
final class ModuleSupport {
  private ModuleSupport() {}

  /**
   * PyTorch's {@code _Reduction.legacy_get_string} and {@code get_enum}: the legacy arguments,
   * when either is set, decide (an unset one counts as true) and {@code reduction} is ignored;
   * otherwise {@code reduction} is validated.
   */
  static String resolveReduction(
      String module, Boolean sizeAverage, Boolean reduce, String reduction, Logger log) {
    if (sizeAverage != null || reduce != null) {
      boolean s = sizeAverage == null || sizeAverage;
      boolean r = reduce == null || reduce;
      String resolved = s && r ? "mean" : r ? "sum" : "none";
      log.warn("{}: size_average and reduce args will be deprecated, please use reduction='{}'"
          + " instead.", module, resolved);
      return resolved;
    }
    if (reduction == null) {
      return "mean";
    }
    switch (reduction) {
      case "mean":
      case "sum":
      case "none":
        return reduction;
      case "elementwise_mean":
        log.warn("{}: reduction='elementwise_mean' is deprecated, please use reduction='mean'"
            + " instead.", module);
        return "mean";
      default:
        throw new IllegalArgumentException(reduction + " is not a valid value for reduction");
    }
  }

  static void requireReduced(String module, String reduction) {
    if ("none".equals(reduction)) {
      throw new IllegalStateException(module + " has reduction='none', which gives a loss per"
          + " element: use applyNone(...) for a Dataset with a loss column");
    }
  }

  static void requireNone(String module, String reduction) {
    if (!"none".equals(reduction)) {
      throw new IllegalStateException(module + " has reduction='" + reduction + "', which gives"
          + " one number: use apply(...), or build the module with reduction='none'");
    }
  }

  static String requireName(String name, String what) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException(what + " must be a non-empty column name");
    }
    return name;
  }

  /** The functions resolve through the Dataset's own session, registered there if need be. */
  static void ensureFunctions(Dataset<?> df) {
    SparkSession spark = df.sparkSession();
    if (!BceFunctionRegistry.isRegistered(spark)) {
      BceFunctions.register(spark);
    }
  }

  /**
   * The weight argument: a column by name, or the module's {@code double[]} as a literal that the
   * SQL functions broadcast along the innermost dimension; {@code null} for none. A per-row
   * (number) input has one element per row, so only a weight of size 1 broadcasts onto it.
   */
  static Column weightColumn(
      String module, Dataset<Row> df, String inputCol, double[] weight, String weightCol) {
    if (weightCol != null) {
      if (weight != null) {
        throw new IllegalArgumentException(module + " was built with a weight of size ("
            + weight.length + "); pass no weight column as well (got '" + weightCol + "')");
      }
      return df.col(weightCol);
    }
    if (weight == null) {
      return null;
    }
    DataType t = df.select(df.col(inputCol)).schema().fields()[0].dataType();
    boolean perRow = !(t instanceof ArrayType) && !(t instanceof VectorUDT);
    if (!perRow) {
      return functions.lit(weight);
    }
    if (weight.length != 1) {
      throw new IllegalArgumentException(module + ": the size of weight (" + weight.length
          + ") does not broadcast to input '" + inputCol + "' of type " + t.sql()
          + ", one element per row (shape (N,)); use a weight of size 1, or a weight column"
          + " for a weight per row");
    }
    return functions.lit(weight[0]);
  }

  /** The one value of a global aggregate; SQL NULL (mean over no elements) is NaN, as PyTorch. */
  static double first(Dataset<Row> oneRow) {
    Row r = oneRow.first();
    return r.isNullAt(0) ? Double.NaN : r.getDouble(0);
  }
}
