package io.sparkbce.module;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.testing.Rows;
import io.sparkbce.testing.TestSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.function.Executable;

/**
 * PyTorch tensors as Datasets: an {@code (N, C)} tensor is N rows of C-element arrays, an
 * {@code (N,)} tensor N rows of numbers. Every frame has an {@code id} column (the row index), so
 * per-row results can be read back in order.
 */
final class Frames {
  static final DataType ARRAY = DataTypes.createArrayType(DataTypes.DoubleType);

  private Frames() {}

  /** {@code torch.rand(n, c)} with a fixed seed. */
  static double[][] rand(Random r, int n, int c) {
    double[][] t = new double[n][c];
    for (double[] row : t) {
      for (int j = 0; j < c; j++) {
        row[j] = r.nextDouble();
      }
    }
    return t;
  }

  static double[][] fill(int n, int c, double v) {
    double[][] t = new double[n][c];
    for (double[] row : t) {
      java.util.Arrays.fill(row, v);
    }
    return t;
  }

  static double[][] plus(double[][] t, double d) {
    double[][] out = new double[t.length][];
    for (int i = 0; i < t.length; i++) {
      out[i] = t[i].clone();
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] += d;
      }
    }
    return out;
  }

  static double[][] sigmoid(double[][] t) {
    double[][] out = new double[t.length][];
    for (int i = 0; i < t.length; i++) {
      out[i] = new double[t[i].length];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = 1 / (1 + Math.exp(-t[i][j]));
      }
    }
    return out;
  }

  /** {@code weight.expand(n, c)} of a {@code (c,)} weight. */
  static double[][] expandRow(double[] w, int n) {
    double[][] out = new double[n][];
    for (int i = 0; i < n; i++) {
      out[i] = w.clone();
    }
    return out;
  }

  /** {@code weight.expand(n, c)} of an {@code (n, 1)} weight. */
  static double[][] expandColumn(double[] w, int c) {
    double[][] out = new double[w.length][c];
    for (int i = 0; i < w.length; i++) {
      java.util.Arrays.fill(out[i], w[i]);
    }
    return out;
  }

  static List<Double> list(double[] a) {
    List<Double> l = new ArrayList<>(a.length);
    for (double v : a) {
      l.add(v);
    }
    return l;
  }

  /**
   * Columns named {@code names}, each either a {@code double[][]} (an ARRAY column, row i =
   * element i) or a {@code double[]} (a DOUBLE column); plus {@code id}.
   */
  static Dataset<Row> frame(String[] names, Object... columns) {
    StructType schema = new StructType().add("id", DataTypes.IntegerType, false);
    int n = -1;
    for (int k = 0; k < names.length; k++) {
      boolean arrays = columns[k] instanceof double[][];
      schema = schema.add(names[k], arrays ? ARRAY : DataTypes.DoubleType);
      n = arrays ? ((double[][]) columns[k]).length : ((double[]) columns[k]).length;
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Object[] values = new Object[names.length + 1];
      values[0] = i;
      for (int k = 0; k < names.length; k++) {
        values[k + 1] = columns[k] instanceof double[][]
            ? list(((double[][]) columns[k])[i]) : ((double[]) columns[k])[i];
      }
      rows.add(RowFactory.create(values));
    }
    return TestSpark.session().createDataFrame(rows, schema);
  }

  /** x and y as (N, C) array columns. */
  static Dataset<Row> xy(double[][] x, double[][] y) {
    return frame(new String[] {"x", "y"}, x, y);
  }

  /** A per-row result column as double[][] (array column) in id order. */
  static double[][] arrays(Dataset<Row> df, String col) {
    List<Row> rows = df.orderBy("id").select(col).collectAsList();
    double[][] out = new double[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      List<?> l = (List<?>) Rows.toJava(rows.get(i).get(0));
      out[i] = new double[l.size()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = (Double) l.get(j);
      }
    }
    return out;
  }

  /** A per-row DOUBLE result column in id order. */
  static double[] numbers(Dataset<Row> df, String col) {
    List<Row> rows = df.orderBy("id").select(col).collectAsList();
    double[] out = new double[rows.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = rows.get(i).getDouble(0);
    }
    return out;
  }

  static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append('\n');
    }
    return b.toString();
  }

  /** Asserts that {@code run} fails with every fragment somewhere in its cause chain. */
  static Throwable assertFails(Executable run, String... fragments) {
    Throwable e = assertThrows(Throwable.class, run);
    String m = messages(e);
    for (String f : fragments) {
      assertTrue(m.contains(f), () -> "'" + f + "' missing from: " + m);
    }
    return e;
  }

  /** The relative tolerance of the comparisons with the plain-Java reference. */
  static void assertNear(double expected, double actual, String what) {
    double tol = 1e-12 * Math.max(Math.abs(expected), 1e-300);
    assertTrue(Math.abs(expected - actual) <= tol,
        () -> what + ": expected " + expected + " but got " + actual);
  }

  static void assertNear(double[][] expected, double[][] actual, String what) {
    assertTrue(expected.length == actual.length, what + ": row count");
    for (int i = 0; i < expected.length; i++) {
      assertTrue(expected[i].length == actual[i].length, what + ": size of row " + i);
      for (int j = 0; j < expected[i].length; j++) {
        assertNear(expected[i][j], actual[i][j], what + " [" + i + "][" + j + "]");
      }
    }
  }
}
