package io.sparkbce.job;

import static io.sparkbce.job.InputColumns.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.raise_error;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import io.sparkbce.BceFunctions;
import io.sparkbce.job.EvaluateOptions.InvalidRows;
import io.sparkbce.job.InputColumns.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * The columns a job reads, resolved against the input once for {@code evaluate} and
 * {@code monitor}: logits, labels, weight and group-by names (with errors naming the available
 * columns), their shapes, the key columns kept with results, and the valid-only logits and labels.
 */
public final class ResolvedColumns {
  public final String logits;
  final String labels;
  final String weight;
  public final List<String> groupBy = new ArrayList<>();
  /** Every column but logits, labels and weight: what identifies a row in outputs and errors. */
  final List<String> keys = new ArrayList<>();
  public final Shape xs;
  public final Shape ys;
  public final Shape ws;

  private ResolvedColumns(SparkSession spark, Dataset<Row> df, EvaluateOptions o) {
    String[] columns = df.columns();
    boolean caseSensitive =
        Boolean.parseBoolean(spark.conf().get("spark.sql.caseSensitive", "false"));
    logits = InputColumns.resolve("--logits", o.logits, columns, caseSensitive);
    labels = InputColumns.resolve("--labels", o.labels, columns, caseSensitive);
    weight = o.weight == null ? null
        : InputColumns.resolve("--weight", o.weight, columns, caseSensitive);
    if (logits.equals(labels) || logits.equals(weight) || labels.equals(weight)) {
      throw new UsageException("--logits, --labels and --weight must name different columns");
    }
    for (String g : o.groupBy) {
      groupBy.add(groupKey(df, InputColumns.resolve("--group-by", g, columns, caseSensitive)));
    }
    for (String c : columns) {
      if (!c.equals(logits) && !c.equals(labels) && !c.equals(weight)) {
        keys.add(c);
      }
    }
    xs = Shape.of("--logits", logits, df.schema().apply(logits).dataType(), false);
    ys = Shape.of("--labels", labels, df.schema().apply(labels).dataType(), true);
    ws = weight == null ? null
        : Shape.of("--weight", weight, df.schema().apply(weight).dataType(), false);
    if (xs.rank() != ys.rank()) {
      throw new UsageException("--logits '" + logits + "' (" + typeOf(df, logits)
          + ") and --labels '" + labels + "' (" + typeOf(df, labels)
          + ") must have the same shape: one number per row, or arrays of the same depth");
    }
    if (ws != null && ws.rank() > xs.rank()) {
      throw new UsageException("--weight '" + weight + "' (" + typeOf(df, weight)
          + ") is a number per row or an array of the logits' shape");
    }
  }

  /**
   * A --group-by column, if it can be one: not the logits, labels or weight (one group per row's
   * predictions is a mistake), and a single value that a table cell and a JSON key show as it is
   * (an array would print as Scala's {@code ArraySeq(...)}).
   */
  private String groupKey(Dataset<Row> df, String g) {
    String role = g.equals(logits) ? "--logits" : g.equals(labels) ? "--labels"
        : g.equals(weight) ? "--weight" : null;
    if (role != null) {
      throw new UsageException("--group-by '" + g + "' is the " + role + " column; group by the "
          + "columns that identify a segment (a model version, a day)");
    }
    DataType t = df.schema().apply(g).dataType();
    if (t instanceof ArrayType
        || t instanceof MapType
        || t instanceof StructType
        || t instanceof UserDefinedType) {
      throw new UsageException("--group-by column '" + g + "' has type " + typeOf(df, g)
          + "; group by columns of single values (strings, numbers, dates, booleans)");
    }
    return g;
  }

  public static ResolvedColumns resolve(SparkSession spark, Dataset<Row> df, EvaluateOptions o) {
    return new ResolvedColumns(spark, df, o);
  }

  public Column x() {
    return xs.values(col(logits));
  }

  public Column y() {
    return ys.values(col(labels));
  }

  /** The weight's values, or null without --weight. */
  public Column w() {
    return weight == null ? null : ws.values(col(weight));
  }

  /**
   * Logits and labels where the row is valid ({@code reason} is NULL): NULL otherwise with
   * --invalid report, so aggregates skip the row; with --invalid fail, an error that shows the
   * reason and the row's key columns and values.
   */
  public Column[] validOnly(Column reason, InvalidRows invalid) {
    Column x = x();
    Column y = y();
    if (invalid != InvalidRows.FAIL) {
      return new Column[] {when(reason.isNull(), x), when(reason.isNull(), y)};
    }
    List<Column> shown = new ArrayList<>();
    for (String k : keys) {
      shown.add(col(k));
    }
    shown.add(x.as(logits));
    shown.add(y.as(labels));
    if (weight != null) {
      shown.add(w().as(weight));
    }
    Column error = raise_error(substring(concat(lit(Evaluate.INVALID_MARKER + " ("), reason,
        lit("): "), to_json(struct(shown.toArray(new Column[0])),
            Map.of("ignoreNullFields", "false"))), 1, 4000));
    return new Column[] {
        when(reason.isNull(), x).otherwise(error), when(reason.isNull(), y).otherwise(error)
    };
  }

  /** {@code --pos-weight auto}: bce_pos_weight over the valid labels, or null with no rows. */
  public static double[] posWeightFromLabels(Dataset<Row> df, Column validLabels) {
    Row r = df.agg(BceFunctions.bcePosWeight(validLabels)).first();
    return r.isNullAt(0) ? null : doubles(r.getList(0));
  }

  /** A given pos_weight must have one value or one per class of the first valid row. */
  public void requirePosWeightSize(double[] posWeight, Integer classes) {
    if (posWeight != null && posWeight.length != 1 && classes != null
        && classes != posWeight.length) {
      throw new UsageException("--pos-weight: pos_weight size (" + posWeight.length
          + ") must match the number of classes (" + classes + ") of --logits '" + logits + "'");
    }
  }

  private static double[] doubles(List<Object> values) {
    double[] r = new double[values.size()];
    for (int i = 0; i < r.length; i++) {
      Object v = values.get(i);
      r[i] = v == null ? Double.NaN : ((Number) v).doubleValue();
    }
    return r;
  }

  private static String typeOf(Dataset<Row> df, String column) {
    return df.schema().apply(column).dataType().sql();
  }
}
