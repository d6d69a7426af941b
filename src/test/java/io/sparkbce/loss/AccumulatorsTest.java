package io.sparkbce.loss;

import static io.sparkbce.loss.HighPrecision.exactSum;
import static io.sparkbce.loss.HighPrecision.round;
import static io.sparkbce.loss.HighPrecision.roundQuotient;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** LossAccumulator, ClassLossAccumulator, LabelBalance and Reduction. */
class AccumulatorsTest {

  private static void assertBits(double expected, Double actual, String what) {
    assertNotNull(actual, what + ": expected " + expected + " but got null");
    assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual),
        what + ": expected " + expected + " but got " + actual);
  }

  private static double mean(BigDecimal exactSum, long n) {
    BigInteger[] q = HighPrecision.rational(exactSum);
    return round(q[0], q[1].multiply(BigInteger.valueOf(n)));
  }

  @SuppressWarnings("unchecked")
  private static <T> T javaRoundTrip(T o) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(b)) {
      out.writeObject(o);
    }
    Object back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b.toByteArray()))) {
      back = in.readObject();
    }
    // States serialise as a plain byte[], which any class loader can read back (Spark reads
    // aggregation states with one that cannot see an application jar).
    if (!(back instanceof byte[])) {
      throw new AssertionError("expected byte[], got " + back.getClass());
    }
    byte[] bytes = (byte[]) back;
    if (o instanceof LossAccumulator) {
      return (T) LossAccumulator.fromBytes(bytes);
    }
    if (o instanceof ClassLossAccumulator) {
      return (T) ClassLossAccumulator.fromBytes(bytes);
    }
    return (T) LabelBalance.fromBytes(bytes);
  }

  // ------------------------------------------------------------------ LossAccumulator

  @Test
  void emptyAccumulator() {
    for (boolean tracks : new boolean[] {true, false}) {
      LossAccumulator a = new LossAccumulator(tracks);
      assertNull(a.result(Reduction.MEAN), "mean over zero elements");
      assertBits(0.0, a.result(Reduction.SUM), "sum over zero elements");
      assertEquals(0, a.elements());
      if (tracks) {
        assertNull(a.result(Reduction.WEIGHTED_MEAN), "weighted_mean over zero elements");
      }
    }
    LossAccumulator empty = new LossAccumulator(true);
    empty.merge(new LossAccumulator(true));
    assertNull(empty.result(Reduction.MEAN));
    assertNull(empty.result(Reduction.WEIGHTED_MEAN));
  }

  @Test
  void reductionsAreExactlyRounded() {
    SplittableRandom r = new SplittableRandom(60);
    for (int round = 0; round < 20; round++) {
      int n = 1 + r.nextInt(2000);
      double[] loss = new double[n];
      double[] w = new double[n];
      for (int i = 0; i < n; i++) {
        w[i] = round % 2 == 0 ? 1 : r.nextDouble(0, 3);
        loss[i] = w[i] * r.nextDouble(0, 5) * (round % 5 == 0 ? 1e-5 : 1);
      }
      LossAccumulator a = LossAccumulator.forReduction(Reduction.WEIGHTED_MEAN);
      for (int i = 0; i < n; i++) {
        a.add(loss[i], w[i]);
      }
      BigDecimal sum = exactSum(loss);
      String what = "round " + round + " n=" + n;
      assertEquals(n, a.elements(), what);
      assertBits(round(sum), a.result(Reduction.SUM), what + " sum");
      assertBits(mean(sum, n), a.result(Reduction.MEAN), what + " mean");
      assertBits(roundQuotient(sum, exactSum(w)), a.result(Reduction.WEIGHTED_MEAN),
          what + " weighted_mean");

      // split at random, merged in random order: the same bits
      List<LossAccumulator> parts = new ArrayList<>();
      for (int k = 0; k < 17; k++) {
        parts.add(new LossAccumulator(true));
      }
      for (int i = 0; i < n; i++) {
        parts.get(r.nextInt(parts.size())).accept(0, loss[i], w[i]);
      }
      while (parts.size() > 1) {
        LossAccumulator x = parts.remove(r.nextInt(parts.size()));
        parts.get(r.nextInt(parts.size())).merge(x);
      }
      LossAccumulator merged = parts.get(0);
      assertEquals(n, merged.elements(), what);
      for (Reduction red : new Reduction[] {Reduction.SUM, Reduction.MEAN,
          Reduction.WEIGHTED_MEAN}) {
        assertBits(a.result(red), merged.result(red), what + " merged " + red);
      }
    }
  }

  @Test
  void meanDividesByElementsNotWeights() {
    LossAccumulator a = new LossAccumulator(true);
    a.add(2.0 * 3.0, 2.0); // weight 2, unweighted loss 3
    a.add(0.5 * 1.0, 0.5);
    a.add(0.0, 0.0);
    assertBits(6.5 / 3, a.result(Reduction.MEAN), "mean: sum / 3 elements");
    assertBits(6.5 / 2.5, a.result(Reduction.WEIGHTED_MEAN), "weighted: sum / 2.5");
    assertBits(6.5, a.result(Reduction.SUM), "sum");
  }

  @Test
  void weightedMeanOverZeroWeightFollowsIeee() {
    LossAccumulator a = new LossAccumulator(true);
    a.add(0.0, 0.0);
    assertBits(Double.NaN, a.result(Reduction.WEIGHTED_MEAN), "0/0");
    a.add(1.0, 0.0);
    assertBits(Double.POSITIVE_INFINITY, a.result(Reduction.WEIGHTED_MEAN), "1/0");
  }

  @Test
  void specialsPropagate() {
    LossAccumulator a = new LossAccumulator(true);
    a.add(1, 1);
    a.add(Double.POSITIVE_INFINITY, 1);
    assertBits(Double.POSITIVE_INFINITY, a.result(Reduction.SUM), "sum");
    assertBits(Double.POSITIVE_INFINITY, a.result(Reduction.MEAN), "mean");
    assertBits(Double.POSITIVE_INFINITY, a.result(Reduction.WEIGHTED_MEAN), "weighted_mean");
    a.add(Double.NaN, 1);
    assertBits(Double.NaN, a.result(Reduction.SUM), "sum NaN");
    assertBits(Double.NaN, a.result(Reduction.MEAN), "mean NaN");
  }

  @Test
  void weightedMeanNeedsTrackedWeights() {
    LossAccumulator a = LossAccumulator.forReduction(Reduction.MEAN);
    a.add(1, 2);
    assertThrows(IllegalStateException.class, () -> a.result(Reduction.WEIGHTED_MEAN));
    assertBits(1.0, a.result(Reduction.MEAN), "mean still works");
    LossAccumulator tracking = LossAccumulator.forReduction(Reduction.WEIGHTED_MEAN);
    tracking.add(1, 2);
    assertBits(0.5, tracking.result(Reduction.WEIGHTED_MEAN), "tracked");
    // merging with a non-tracking one loses the weights: an error, not a wrong number
    tracking.merge(a);
    assertThrows(IllegalStateException.class, () -> tracking.result(Reduction.WEIGHTED_MEAN));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> a.result(Reduction.NONE));
    assertTrue(e.getMessage().contains("'mean', 'sum', 'weighted_mean'"), e.getMessage());
  }

  private static LossAccumulator filled(SplittableRandom r, boolean tracks, int n) {
    LossAccumulator a = new LossAccumulator(tracks);
    for (int i = 0; i < n; i++) {
      double w = r.nextDouble(0, 2);
      a.add(w * r.nextDouble(0, 10) * Math.pow(10, r.nextInt(-30, 30)), w);
    }
    return a;
  }

  @Test
  void lossAccumulatorSerializationRoundTrip() throws Exception {
    SplittableRandom r = new SplittableRandom(61);
    for (boolean tracks : new boolean[] {true, false}) {
      for (int n : new int[] {0, 1, 500}) {
        LossAccumulator a = filled(r, tracks, n);
        LossAccumulator viaJava = javaRoundTrip(a);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        a.writeTo(new DataOutputStream(b));
        LossAccumulator viaData =
            LossAccumulator.readFrom(new DataInputStream(new ByteArrayInputStream(b.toByteArray())));
        for (LossAccumulator back : new LossAccumulator[] {viaJava, viaData}) {
          String what = "tracks=" + tracks + " n=" + n;
          assertEquals(a.elements(), back.elements(), what);
          assertEquals(a.result(Reduction.MEAN), back.result(Reduction.MEAN), what + " mean");
          assertBits(a.result(Reduction.SUM), back.result(Reduction.SUM), what + " sum");
          if (tracks) {
            assertEquals(a.result(Reduction.WEIGHTED_MEAN), back.result(Reduction.WEIGHTED_MEAN),
                what + " weighted_mean");
          } else {
            assertThrows(IllegalStateException.class,
                () -> back.result(Reduction.WEIGHTED_MEAN), what);
          }
          // and keeps accumulating like the original
          LossAccumulator more = filled(new SplittableRandom(n), tracks, 10);
          LossAccumulator orig = javaRoundTrip(a);
          back.merge(more);
          orig.merge(filled(new SplittableRandom(n), tracks, 10));
          assertBits(orig.result(Reduction.SUM), back.result(Reduction.SUM), what + " + more");
        }
      }
    }
  }

  // ------------------------------------------------------------------ ClassLossAccumulator

  @Test
  void perClassReductions() {
    SplittableRandom r = new SplittableRandom(62);
    int classes = 5;
    int rows = 300;
    double[][] loss = new double[classes][rows];
    double[][] w = new double[classes][rows];
    ClassLossAccumulator a = new ClassLossAccumulator(true);
    for (int row = 0; row < rows; row++) {
      a.beginBlock(classes);
      for (int c = 0; c < classes; c++) {
        w[c][row] = r.nextDouble(0, 2);
        loss[c][row] = w[c][row] * r.nextDouble(0, c + 1.0);
        a.accept(c, loss[c][row], w[c][row]);
      }
    }
    assertEquals(classes, a.classCount());
    Double[] sum = a.result(Reduction.SUM);
    Double[] mean = a.result(Reduction.MEAN);
    Double[] weighted = a.result(Reduction.WEIGHTED_MEAN);
    assertEquals(classes, sum.length);
    for (int c = 0; c < classes; c++) {
      BigDecimal s = exactSum(loss[c]);
      assertBits(round(s), sum[c], "sum class " + c);
      assertBits(mean(s, rows), mean[c], "mean class " + c);
      assertBits(roundQuotient(s, exactSum(w[c])), weighted[c], "weighted_mean class " + c);
    }
  }

  @Test
  void classWithoutElements() {
    ClassLossAccumulator a = new ClassLossAccumulator(true);
    a.beginBlock(3);
    a.accept(0, 1.5, 1);
    a.accept(2, 2.5, 1);
    Double[] mean = a.result(Reduction.MEAN);
    assertBits(1.5, mean[0], "class 0");
    assertNull(mean[1], "class 1 has no elements: NULL mean");
    assertBits(2.5, mean[2], "class 2");
    assertNull(a.result(Reduction.WEIGHTED_MEAN)[1]);
    assertBits(0.0, a.result(Reduction.SUM)[1], "empty sum is 0.0");
    ClassLossAccumulator none = new ClassLossAccumulator(true);
    assertEquals(0, none.result(Reduction.MEAN).length);
  }

  @Test
  void changedClassCountIsRejected() {
    ClassLossAccumulator a = new ClassLossAccumulator(false);
    a.beginBlock(3);
    a.beginBlock(3);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> a.beginBlock(5));
    assertTrue(e.getMessage().contains("5"), e.getMessage());
    assertTrue(e.getMessage().contains("3"), e.getMessage());
    ClassLossAccumulator b = new ClassLossAccumulator(false);
    b.beginBlock(4);
    IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> a.merge(b));
    assertTrue(m.getMessage().contains("4") && m.getMessage().contains("3"), m.getMessage());
    // merging an empty accumulator is fine, in both directions
    a.merge(new ClassLossAccumulator(false));
    ClassLossAccumulator c = new ClassLossAccumulator(false);
    c.merge(a);
    assertEquals(3, c.classCount());
  }

  @Test
  void classAccumulatorMergeAndSerialization() throws Exception {
    SplittableRandom r = new SplittableRandom(63);
    int classes = 4;
    ClassLossAccumulator all = new ClassLossAccumulator(true);
    List<ClassLossAccumulator> parts = new ArrayList<>();
    for (int k = 0; k < 9; k++) {
      parts.add(new ClassLossAccumulator(true));
    }
    for (int row = 0; row < 400; row++) {
      ClassLossAccumulator part = parts.get(r.nextInt(parts.size()));
      all.beginBlock(classes);
      part.beginBlock(classes);
      for (int c = 0; c < classes; c++) {
        double w = r.nextDouble(0, 2);
        double v = w * r.nextDouble(0, 3) * Math.pow(10, r.nextInt(-20, 20));
        all.accept(c, v, w);
        part.accept(c, v, w);
      }
    }
    ClassLossAccumulator merged = new ClassLossAccumulator(true);
    for (ClassLossAccumulator p : parts) {
      merged.merge(javaRoundTrip(p));
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    all.writeTo(new DataOutputStream(b));
    ClassLossAccumulator viaData = ClassLossAccumulator.readFrom(
        new DataInputStream(new ByteArrayInputStream(b.toByteArray())));
    ClassLossAccumulator viaJava = javaRoundTrip(all);
    for (Reduction red : new Reduction[] {Reduction.SUM, Reduction.MEAN,
        Reduction.WEIGHTED_MEAN}) {
      Double[] expected = all.result(red);
      assertArrayEquals(expected, merged.result(red), "merged " + red);
      assertArrayEquals(expected, viaData.result(red), "writeTo/readFrom " + red);
      assertArrayEquals(expected, viaJava.result(red), "java serialization " + red);
    }
    assertEquals(classes, viaJava.classCount());
    assertThrows(IllegalArgumentException.class, () -> viaJava.beginBlock(classes + 1));
  }

  // ------------------------------------------------------------------ LabelBalance

  private static LabelBalance balance(double[][] targetsByRow) {
    LabelBalance b = new LabelBalance();
    for (double[] row : targetsByRow) {
      b.beginBlock(row.length);
      for (int c = 0; c < row.length; c++) {
        b.accept(c, row[c], 1.0);
      }
    }
    return b;
  }

  @Test
  void hundredPositivesAndThreeHundredNegativesGiveThree() {
    double[][] rows = new double[400][];
    for (int i = 0; i < 400; i++) {
      // class 0: 100 positives, 300 negatives; class 1: 400 negatives; class 2: 200 / 200;
      // class 3: 3 positives, 397 negatives
      rows[i] = new double[] {i % 4 == 0 ? 1 : 0, 0, i % 2, i < 3 ? 1 : 0};
    }
    LabelBalance b = balance(rows);
    assertEquals(4, b.classCount());
    double[] pw = b.posWeight();
    assertEquals(Double.doubleToLongBits(3.0), Double.doubleToLongBits(pw[0]), "" + pw[0]);
    assertEquals(Double.POSITIVE_INFINITY, pw[1], "no positives");
    assertEquals(1.0, pw[2], 0.0);
    assertEquals(Double.doubleToLongBits(397.0 / 3.0), Double.doubleToLongBits(pw[3]),
        "397/3 correctly rounded (IEEE division of exact integers)");
  }

  @Test
  void softLabelsCountFractionally() {
    // targets that are multiples of 1/8, so that 1 - y is exact too
    SplittableRandom r = new SplittableRandom(64);
    double[][] rows = new double[1000][];
    long posEighths = 0;
    for (int i = 0; i < rows.length; i++) {
      int eighths = r.nextInt(9);
      posEighths += eighths;
      rows[i] = new double[] {eighths / 8.0};
    }
    double expected = round(BigInteger.valueOf(8L * rows.length - posEighths),
        BigInteger.valueOf(posEighths));
    assertEquals(Double.doubleToLongBits(expected),
        Double.doubleToLongBits(balance(rows).posWeight()[0]));
  }

  @Test
  void noLabelsAtAllIsNaN() {
    LabelBalance b = new LabelBalance();
    b.beginBlock(2);
    b.accept(0, 1, 1);
    double[] pw = b.posWeight();
    assertEquals(0.0, pw[0], 0.0);
    assertTrue(Double.isNaN(pw[1]), "class 1 never seen: " + pw[1]);
    assertEquals(0, new LabelBalance().posWeight().length);
  }

  @Test
  void labelBalanceMergeSerializationAndClassCount() throws Exception {
    SplittableRandom r = new SplittableRandom(65);
    int classes = 6;
    double[][] rows = new double[3000][classes];
    for (double[] row : rows) {
      for (int c = 0; c < classes; c++) {
        row[c] = r.nextDouble() < 0.1 * (c + 0.5) ? 1 : 0;
      }
    }
    LabelBalance all = balance(rows);
    List<LabelBalance> parts = new ArrayList<>();
    for (int k = 0; k < 7; k++) {
      parts.add(new LabelBalance());
    }
    for (double[] row : rows) {
      LabelBalance p = parts.get(r.nextInt(parts.size()));
      p.beginBlock(classes);
      for (int c = 0; c < classes; c++) {
        p.accept(c, row[c], 1);
      }
    }
    LabelBalance merged = new LabelBalance();
    for (LabelBalance p : parts) {
      merged.merge(javaRoundTrip(p));
    }
    double[] expected = new double[classes];
    for (int c = 0; c < classes; c++) {
      long pos = 0;
      for (double[] row : rows) {
        pos += (long) row[c];
      }
      expected[c] = (double) (rows.length - pos) / (double) pos; // IEEE: correctly rounded
    }
    assertArrayEquals(expected, all.posWeight(), 0.0);
    assertArrayEquals(expected, merged.posWeight(), 0.0);
    assertArrayEquals(expected, javaRoundTrip(all).posWeight(), 0.0);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    all.writeTo(new DataOutputStream(b));
    LabelBalance viaData =
        LabelBalance.readFrom(new DataInputStream(new ByteArrayInputStream(b.toByteArray())));
    assertArrayEquals(expected, viaData.posWeight(), 0.0);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> all.beginBlock(classes - 1));
    assertTrue(e.getMessage().contains("" + classes)
        && e.getMessage().contains("" + (classes - 1)), e.getMessage());
    LabelBalance other = balance(new double[][] {{1, 0}});
    assertThrows(IllegalArgumentException.class, () -> all.merge(other));
  }

  // ------------------------------------------------------------------ Reduction

  @Test
  void reductionParseIsCaseInsensitive() {
    assertSame(Reduction.MEAN, Reduction.parse("mean", false));
    assertSame(Reduction.MEAN, Reduction.parse("MEAN", false));
    assertSame(Reduction.SUM, Reduction.parse("Sum", false));
    assertSame(Reduction.WEIGHTED_MEAN, Reduction.parse("Weighted_Mean", false));
    assertSame(Reduction.WEIGHTED_MEAN, Reduction.parse("WEIGHTED_MEAN", true));
    assertSame(Reduction.NONE, Reduction.parse("None", true));
    assertEquals("weighted_mean", Reduction.WEIGHTED_MEAN.sqlName());
    assertEquals("none", Reduction.NONE.sqlName());
  }

  @Test
  void unknownReductionListsTheValidNames() {
    for (String bad : new String[] {"avg", "", "means", "weighted mean", "none"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Reduction.parse(bad, false), bad);
      String m = e.getMessage();
      assertTrue(m.contains("'mean'") && m.contains("'sum'") && m.contains("'weighted_mean'"), m);
      assertTrue(m.contains("'" + bad + "'"), "names the bad value: " + m);
      String listed = m.replaceFirst(java.util.regex.Pattern.quote("'" + bad + "'"), "");
      assertFalse(listed.contains("'none'"), "none is not valid here: " + m);
    }
    IllegalArgumentException withNone = assertThrows(IllegalArgumentException.class,
        () -> Reduction.parse("median", true));
    assertTrue(withNone.getMessage().contains("'none'"), withNone.getMessage());
    assertTrue(withNone.getMessage().contains("'weighted_mean'"), withNone.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Reduction.parse(null, false));
    assertEquals("'mean', 'sum', 'weighted_mean'", Reduction.validNames(false));
  }

  /**
   * Scalar rows handed over a run at a time ({@code acceptScalarRows}, the columnar path's call)
   * give every reduction the exact value of the rows one by one, checked against a BigDecimal sum;
   * also after a merge with a state filled element by element, and the elements are counted.
   */
  @Test
  void scalarRowsInRunsKeepEveryReductionExact() {
    SplittableRandom r = new SplittableRandom(17);
    int n = 1000;
    double[] x = new double[n];
    double[] y = new double[n];
    double[] p = new double[n];
    double[] v = new double[n];
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextDouble(-20, 20);
      y[i] = r.nextInt(2);
      p[i] = 1;
      v[i] = r.nextDouble() * Math.scalb(1.0, r.nextInt(-60, 60));
      w[i] = r.nextDouble(0.1, 3);
    }
    LossAccumulator runs = new LossAccumulator(true);
    for (int from = 0; from < 600; ) { // runs of 1 to 40 rows
      int len = Math.min(600 - from, 1 + r.nextInt(40));
      runs.acceptScalarRows(x, y, p, v, new double[n], w, from, len);
      from += len;
    }
    LossAccumulator rest = new LossAccumulator(true);
    for (int i = 600; i < n; i++) {
      rest.beginBlock(1);
      rest.acceptElement(0, x[i], y[i], p[i], v[i], 0.0, w[i]);
    }
    runs.merge(rest);
    BigDecimal loss = exactSum(v);
    BigDecimal weights = exactSum(w);
    assertBits(round(loss), runs.result(Reduction.SUM), "sum");
    assertBits(mean(loss, n), runs.result(Reduction.MEAN), "mean");
    assertBits(roundQuotient(loss, weights), runs.result(Reduction.WEIGHTED_MEAN),
        "weighted_mean");
  }

  /**
   * Array rows handed over as runs (acceptArrayRows): contiguous rows, rows with gaps between them
   * and rows of different lengths give the exact reductions of all their elements (BigDecimal).
   */
  @Test
  void arrayRowsInRunsKeepEveryReductionExact() {
    SplittableRandom r = new SplittableRandom(23);
    int rows = 300;
    int[] start = new int[rows];
    int[] length = new int[rows];
    int at = 0;
    for (int i = 0; i < rows; i++) {
      at += i % 7 == 3 ? 1 + r.nextInt(5) : 0; // a gap: rows not one after another
      start[i] = at;
      length[i] = i < 150 ? 8 : 1 + r.nextInt(12);
      at += length[i];
    }
    double[] x = new double[at];
    double[] y = new double[at];
    double[] p = new double[at];
    double[] v = new double[at];
    double[] w = new double[at];
    for (int k = 0; k < at; k++) {
      x[k] = r.nextDouble(-20, 20);
      y[k] = r.nextInt(2);
      p[k] = 1;
      v[k] = r.nextDouble() * Math.scalb(1.0, r.nextInt(-60, 60));
      w[k] = r.nextDouble(0.1, 3);
    }
    LossAccumulator runs = new LossAccumulator(true);
    for (int from = 0; from < rows; ) { // runs of 1 to 40 rows
      int to = Math.min(rows, from + 1 + r.nextInt(40));
      runs.acceptArrayRows(x, y, p, v, new double[at], w, start, length, from, to);
      from = to;
    }
    double[] taken = new double[at];
    double[] takenWeights = new double[at];
    int n = 0;
    for (int i = 0; i < rows; i++) {
      System.arraycopy(v, start[i], taken, n, length[i]);
      System.arraycopy(w, start[i], takenWeights, n, length[i]);
      n += length[i];
    }
    BigDecimal loss = exactSum(Arrays.copyOf(taken, n));
    BigDecimal weights = exactSum(Arrays.copyOf(takenWeights, n));
    assertEquals(n, runs.elements());
    assertBits(round(loss), runs.result(Reduction.SUM), "sum");
    assertBits(mean(loss, n), runs.result(Reduction.MEAN), "mean");
    assertBits(roundQuotient(loss, weights), runs.result(Reduction.WEIGHTED_MEAN),
        "weighted_mean");
  }
}
