package io.sparkbce.job;

import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.flatten;
import static org.apache.spark.sql.functions.forall;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.zip_with;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.NumericType;

/**
 * Column names from options as quoted identifiers, the shape of a logits/labels/weight column
 * read off its type, and the per-row validity check: a SQL expression giving the first reason a
 * row cannot be evaluated, or NULL for a good row. It runs before the loss functions, which would
 * otherwise stop the job at the first shape mismatch.
 */
public final class InputColumns {
  /** Reasons a row is skipped (or fails the job), in the order they are checked. */
  public static final List<String> REASONS = List.of("null_logits", "null_labels", "null_weight",
      "null_element", "shape_mismatch", "nan_logits", "nan_labels", "nan_weight",
      "label_out_of_range");

  private InputColumns() {}

  /** A column by its exact name: backticks, so dots, spaces and keywords are just characters. */
  public static Column col(String name) {
    return functions.col(quote(name));
  }

  static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /** The column of {@code columns} that {@code name} denotes, or an error listing them all. */
  public static String resolve(String option, String name, String[] columns, boolean caseSensitive) {
    for (String c : columns) {
      if (caseSensitive ? c.equals(name) : c.equalsIgnoreCase(name)) {
        return c;
      }
    }
    throw new UsageException("unknown column '" + name + "' (" + option
        + "); available columns: " + String.join(", ", columns));
  }

  /** What a column holds: a number (rank 0), nested arrays of numbers, or an MLlib vector. */
  public record Shape(int rank, boolean vector, DataType leaf) {
    static Shape of(String option, String name, DataType type, boolean booleanAllowed) {
      if (type instanceof org.apache.spark.ml.linalg.VectorUDT
          || type instanceof org.apache.spark.mllib.linalg.VectorUDT) {
        return new Shape(1, true, DataTypes.DoubleType);
      }
      int rank = 0;
      DataType leaf = type;
      while (leaf instanceof ArrayType a) {
        leaf = a.elementType();
        rank++;
      }
      if (!(leaf instanceof NumericType || (booleanAllowed && leaf instanceof BooleanType))) {
        throw new UsageException(option + " column '" + name + "' has type " + type.sql()
            + "; expected a number" + (booleanAllowed ? " or BOOLEAN" : "")
            + ", an ARRAY of them or an MLlib vector");
      }
      return new Shape(rank, false, leaf);
    }

    boolean floating() {
      return leaf instanceof FloatType || leaf instanceof DoubleType;
    }

    boolean isBoolean() {
      return leaf instanceof BooleanType;
    }

    /** The column as the loss functions and checks read it: vectors become ARRAY<DOUBLE>. */
    Column values(Column c) {
      return vector ? org.apache.spark.ml.functions.vector_to_array(c, "float64") : c;
    }
  }

  /**
   * The first reason (of {@link #REASONS}) the row cannot be evaluated, or NULL. {@code w} is null
   * without a weight column. The checks run in this order, each seeing only rows that passed the
   * ones before: NULL logits, labels, weight; a NULL inner array (nested inputs); shapes; then the
   * logits' elements (NULL, NaN), the labels' (NULL, NaN, outside [0, 1]) and the weight's. A
   * valid row costs a few code-generated scans of its arrays; which element is bad is only worked
   * out (with slower lambda functions) for bad rows.
   */
  public static Column reason(Column x, Shape xs, Column y, Shape ys, Column w, Shape ws) {
    List<Column[]> cases = new ArrayList<>();
    int rank = xs.rank();
    cases.add(new Column[] {x.isNull(), lit("null_logits")});
    cases.add(new Column[] {y.isNull(), lit("null_labels")});
    if (w != null) {
      cases.add(new Column[] {w.isNull(), lit("null_weight")});
    }
    if (rank > 1) {
      Column nullInner = hasNullInnerArray(x, rank).or(hasNullInnerArray(y, rank));
      if (w != null && ws.rank() > 1) {
        nullInner = nullInner.or(hasNullInnerArray(w, ws.rank()));
      }
      cases.add(new Column[] {nullInner, lit("null_element")});
    }
    if (rank > 0) {
      Column sameShape = sameShape(x, y, rank);
      if (w != null && ws.rank() == rank) {
        sameShape = sameShape.and(sameShape(x, w, rank));
      }
      cases.add(new Column[] {not(sameShape), lit("shape_mismatch")});
    }
    elementCases(cases, x, xs, rank, "nan_logits", false);
    elementCases(cases, y, ys, rank, "nan_labels", true);
    if (w != null) {
      elementCases(cases, w, ws, ws.rank(), "nan_weight", false);
    }
    Column r = when(cases.get(0)[0], cases.get(0)[1]);
    for (int i = 1; i < cases.size(); i++) {
      r = r.when(cases.get(i)[0], cases.get(i)[1]);
    }
    return r;
  }

  /** One check over all elements; the reason is told apart only when it fails. */
  private static void elementCases(List<Column[]> cases, Column a, Shape shape, int rank,
      String nanReason, boolean probability) {
    boolean nan = shape.floating();
    boolean range = probability && !shape.isBoolean();
    if (rank == 0) {
      if (nan) {
        cases.add(new Column[] {functions.isnan(a), lit(nanReason)});
      }
      if (range) {
        cases.add(new Column[] {a.lt(0).or(a.gt(1)), lit("label_out_of_range")});
      }
      return;
    }
    Column flat = flat(a, rank);
    // Code-generated array functions for the common case of a good row (Spark's lambda functions
    // are interpreted): over the values as doubles, array_contains(NaN) is true with a NaN, NULL
    // with a NULL element (and no NaN), false otherwise; NaN sorts above every number.
    Column doubles = flat.cast(DataTypes.createArrayType(DataTypes.DoubleType, true));
    Column bad = functions.coalesce(functions.array_contains(doubles, Double.NaN), lit(true));
    if (range) {
      bad = bad.or(functions.array_min(doubles).lt(0)).or(functions.array_max(doubles).gt(1));
    }
    Column which = when(exists(flat, Column::isNull), lit("null_element"));
    if (nan) {
      which = which.when(exists(flat, functions::isnan), lit(nanReason));
    }
    if (range) {
      which = which.otherwise(lit("label_out_of_range"));
    }
    cases.add(new Column[] {bad, which});
  }

  /** Number of elements of a valid row's value (1 for a number). */
  public static Column elements(Column x, int rank) {
    Column n = rank == 0 ? lit(1L) : size(flat(x, rank)).cast("long");
    return when(x.isNotNull(), n);
  }

  /** Whether an array nested {@code rank} (>= 2) deep has a NULL array below its top level. */
  private static Column hasNullInnerArray(Column a, int rank) {
    if (rank == 2) {
      return exists(a, Column::isNull);
    }
    return exists(a, v -> v.isNull().or(hasNullInnerArray(v, rank - 1)));
  }

  private static Column sameShape(Column a, Column b, int rank) {
    Column sizes = size(a).equalTo(size(b));
    if (rank == 1) {
      return sizes;
    }
    return sizes.and(forall(zip_with(a, b, (u, v) -> sameShape(u, v, rank - 1)), t -> t));
  }

  private static Column flat(Column a, int rank) {
    for (int i = 1; i < rank; i++) {
      a = flatten(a);
    }
    return a;
  }
}
