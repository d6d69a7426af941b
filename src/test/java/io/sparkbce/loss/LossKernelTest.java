package io.sparkbce.loss;

import static io.sparkbce.loss.HighPrecision.assertRelative;
import static io.sparkbce.loss.HighPrecision.bd;
import static io.sparkbce.loss.HighPrecision.softplus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link LossKernel} against {@link BigDecimal} references at 64 digits. */
class LossKernelTest {
  private static final MathContext MC = HighPrecision.MC;
  private static final double INF = Double.POSITIVE_INFINITY;
  private static final double NAN = Double.NaN;
  /** SPEC §1: the reference (64 digits) rounded once to the nearest double, bit for bit. */
  private static void assertRounded(BigDecimal ref, double got, String what) {
    double expected = HighPrecision.round(ref);
    if (Double.doubleToLongBits(expected) != Double.doubleToLongBits(got)
        && !(expected == 0.0 && got == 0.0)) {
      assertEquals(expected, got, what + " must be correctly rounded (reference "
          + ref.round(new MathContext(25)) + ")");
    }
  }

  private static void assertBits(double expected, double actual, String what) {
    assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual),
        what + ": expected " + expected + " but got " + actual);
  }

  // ------------------------------------------------------------------ references

  /** w * (p*y*softplus(-x) + (1-y)*softplus(x)): exact rational part, 64-digit softplus tail. */
  private static BigDecimal lossRef(double x, double y, double w, double p) {
    return HighPrecision.loss(x, y, w, p);
  }

  /**
   * SPEC §1: w * ((p*y + 1 - y) * sigmoid(x) - p*y). Evaluated as the algebraically identical
   * w * ((1-y) * sigmoid(x) - p*y * sigmoid(-x)) (since 1 - sigmoid(x) = sigmoid(-x) exactly),
   * with exact rationals and sigmoid(-|x|) at 64 digits ({@link HighPrecision#gradient}), because
   * at 64 digits sigmoid(x) = 1 - 1e-114 for x = 261 and the literal form cancels to 0; for
   * moderate x the literal form is checked to agree ({@link #gradientReferenceFormsAgree}).
   */
  private static BigDecimal gradRef(double x, double y, double w, double p) {
    return HighPrecision.gradient(x, y, w, p);
  }

  /** The SPEC's literal form, only usable where sigmoid(x) is not within 1e-50 of 1. */
  private static BigDecimal gradRefLiteral(double x, double y, double w, double p) {
    BigDecimal py = bd(p).multiply(bd(y));
    BigDecimal c = py.add(BigDecimal.ONE).subtract(bd(y));
    return bd(w).multiply(c.multiply(HighPrecision.sigmoid(x), MC).subtract(py, MC), MC);
  }

  /** The README's first table: the values printed there are the correctly rounded ones. */
  @Test
  void readmeExamplesAreTheCorrectlyRoundedValues() {
    assertRounded(lossRef(1.5, 1, 1, 1), 0.2014132779827524, "README value of loss(1.5, 1)");
    assertBits(0.2014132779827524, LossKernel.withLogits(1.5, 1, 1, 1), "bce_with_logits(1.5, 1)");
    assertBits(HighPrecision.round(HighPrecision.LN2), LossKernel.probabilities(0.5, 1, 1),
        "bce(0.5, 1)");
    assertBits(0.6931471805599453, LossKernel.probabilities(0.5, 1, 1), "README value of bce");
    assertBits(-0.5, LossKernel.withLogitsGrad(0, 1, 1, 1), "bce_with_logits_grad(0, 1)");
  }

  @Test
  void gradientReferenceFormsAgree() {
    SplittableRandom r = new SplittableRandom(39);
    for (int i = 0; i < 200; i++) {
      double x = r.nextDouble(-50, 50);
      double y = r.nextDouble(-1, 2);
      double w = r.nextDouble(-2, 3);
      double p = r.nextDouble(0, 5);
      BigDecimal diff = gradRef(x, y, w, p).subtract(gradRefLiteral(x, y, w, p)).abs();
      assertTrue(diff.compareTo(new BigDecimal("1e-40")) < 0, "x=" + x + ": " + diff);
    }
  }


  private static BigDecimal clampedLog(BigDecimal v) {
    BigDecimal minus100 = BigDecimal.valueOf(-100);
    if (v.signum() == 0) {
      return minus100;
    }
    return HighPrecision.log(v).max(minus100);
  }

  /** -w * (y * max(log q, -100) + (1-y) * max(log(1-q), -100)), with 1 - q exact. */
  private static BigDecimal probRef(double q, double y, double w) {
    BigDecimal a = bd(y).multiply(clampedLog(bd(q)), MC);
    BigDecimal b = BigDecimal.ONE.subtract(bd(y)).multiply(
        clampedLog(BigDecimal.ONE.subtract(bd(q))), MC);
    return bd(w).negate().multiply(a.add(b, MC), MC);
  }

  @Test
  void referenceSanity() {
    assertRelative(new BigDecimal("0.69314718055994530941723212145817656807550013420"),
        Math.log(2), 1.2e-16, "ln 2 (checks the reference's log1p)");
    assertRelative(HighPrecision.LN2, Math.log(2), 1.2e-16, "LN2");
    assertRelative(new BigDecimal("2.71828182845904523536028747135266249775724709370"),
        HighPrecision.exp(BigDecimal.ONE).doubleValue(), 1.2e-16, "e");
    BigDecimal e = new BigDecimal("2.71828182845904523536028747135266249775724709369995957");
    assertTrue(HighPrecision.exp(BigDecimal.ONE).subtract(e).abs()
        .compareTo(new BigDecimal("1e-50")) < 0, "exp(1) to 50 digits");
    assertTrue(HighPrecision.log(e).subtract(BigDecimal.ONE).abs()
        .compareTo(new BigDecimal("1e-50")) < 0, "log(e) to 50 digits");
    // e^-40 = 4.248354255291588995329235...e-18
    assertTrue(HighPrecision.exp(BigDecimal.valueOf(-40))
        .subtract(new BigDecimal("4.2483542552915889953292347828586580e-18")).abs()
        .compareTo(new BigDecimal("1e-50")) < 0, "exp(-40)");
    // log(1e-50) = -115.12925464970228420089957273421821038005507443143864880166...
    assertTrue(HighPrecision.log(new BigDecimal("1e-50"))
        .subtract(new BigDecimal("-115.129254649702284200899572734218210380055074431438648801"))
        .abs().compareTo(new BigDecimal("1e-45")) < 0, "log(1e-50)");
  }

  // ------------------------------------------------------------------ softplus / sigmoid

  private static final double[] AWKWARD = {0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, 1e-300,
      -1e-300, 1e-17, -1e-17, 1e-8, -1e-8, 0.5, -0.5, 1, -1, 2.5, -2.5, 10, -10, 20, -20, 36.7,
      -36.7, 40, -40, 100, -100, 700, -700, 709.8, -709.8, 720, -720, 744, -744, 745.2, -745.2,
      800, -800, 1e5, -1e5, 1e300, -1e300, Double.MAX_VALUE, -Double.MAX_VALUE};

  @Test
  void softplusIsAccurate() {
    for (double z : AWKWARD) {
      assertRounded(softplus(z), LossKernel.softplus(z), "softplus(" + z + ")");
    }
    SplittableRandom r = new SplittableRandom(40);
    for (int i = 0; i < 1000; i++) {
      double z = r.nextDouble(-60, 60) * (r.nextInt(4) == 0 ? 12 : 1);
      assertRounded(softplus(z), LossKernel.softplus(z), "softplus(" + z + ")");
    }
    assertBits(INF, LossKernel.softplus(INF), "softplus(+inf)");
    assertBits(0.0, LossKernel.softplus(Double.NEGATIVE_INFINITY), "softplus(-inf)");
    assertBits(NAN, LossKernel.softplus(NAN), "softplus(NaN)");
  }

  @Test
  void sigmoidIsAccurate() {
    for (double x : AWKWARD) {
      assertRounded(HighPrecision.sigmoid(x), LossKernel.sigmoid(x), "sigmoid(" + x + ")");
    }
    SplittableRandom r = new SplittableRandom(41);
    for (int i = 0; i < 1000; i++) {
      double x = r.nextDouble(-60, 60) * (r.nextInt(4) == 0 ? 12 : 1);
      assertRounded(HighPrecision.sigmoid(x), LossKernel.sigmoid(x), "sigmoid(" + x + ")");
    }
    assertBits(1.0, LossKernel.sigmoid(INF), "sigmoid(+inf)");
    assertBits(0.0, LossKernel.sigmoid(Double.NEGATIVE_INFINITY), "sigmoid(-inf)");
  }

  // ------------------------------------------------------------------ withLogits

  @Test
  void specTailValues() {
    // x = 40, y = 1: true value e^-40-ish 4.248354255291589e-18 (PyTorch returns 0)
    double v = LossKernel.withLogits(40, 1, 1, 1);
    assertEquals(4.248354255291589e-18, v, 1e-14 * 4.248354255291589e-18, "SPEC x=40 y=1");
    assertRounded(lossRef(40, 1, 1, 1), v, "x=40 y=1 vs reference");
    // x = -20, y = 0: log1p(e^-20) = 2.0611536181902037e-9 with all digits
    assertRounded(lossRef(-20, 0, 1, 1), LossKernel.withLogits(-20, 0, 1, 1), "x=-20 y=0");
    assertRounded(lossRef(745, 1, 1, 1), LossKernel.withLogits(745, 1, 1, 1),
        "x=745 y=1 (subnormal loss, within MIN_VALUE)");
    assertBits(0.0, LossKernel.withLogits(800, 1, 1, 1), "x=800 y=1 underflows to 0");
    assertBits(800.0, LossKernel.withLogits(800, 0, 1, 1), "x=800 y=0");
    assertBits(1e300, LossKernel.withLogits(-1e300, 1, 1, 1), "x=-1e300 y=1");
  }

  @Test
  void infiniteLogitsGetTheirLimits() {
    double ninf = Double.NEGATIVE_INFINITY;
    assertBits(0.0, LossKernel.withLogits(INF, 1, 1, 1), "loss(+inf, 1)");
    assertBits(INF, LossKernel.withLogits(ninf, 1, 1, 1), "loss(-inf, 1)");
    assertBits(INF, LossKernel.withLogits(INF, 0.5, 1, 1), "loss(+inf, 0.5)");
    assertBits(INF, LossKernel.withLogits(ninf, 0.5, 1, 1), "loss(-inf, 0.5)");
    assertBits(0.0, LossKernel.withLogits(ninf, 0, 1, 1), "loss(-inf, 0)");
    assertBits(INF, LossKernel.withLogits(INF, 0, 1, 1), "loss(+inf, 0)");
    assertBits(0.0, LossKernel.withLogits(INF, 1, 2.5, 3), "loss(+inf, 1) weighted");
    assertBits(INF, LossKernel.withLogits(ninf, 1, 2.5, 3), "loss(-inf, 1) weighted");
    // p = 0 with y = 1 kills the only term, even where its softplus is infinite
    assertBits(0.0, LossKernel.withLogits(ninf, 1, 1, 0), "p=0, y=1, x=-inf");
    // an infinite pos_weight (class without positives) is harmless on negative elements
    assertRounded(softplus(2), LossKernel.withLogits(2, 0, 1, INF), "p=inf, y=0");
    assertBits(0.0, LossKernel.withLogits(ninf, 0, 1, INF), "p=inf, y=0, x=-inf");
  }

  @Test
  void nanAnywhereGivesNaN() {
    double[] base = {0.3, 0.7, 1.5, 2.0};
    for (int k = 0; k < 4; k++) {
      for (boolean zeroWeight : new boolean[] {false, true}) {
        double[] a = base.clone();
        if (zeroWeight) {
          a[2] = 0;
        }
        a[k] = NAN;
        String what = "NaN at " + k + (zeroWeight ? " with w=0" : "");
        assertBits(NAN, LossKernel.withLogits(a[0], a[1], a[2], a[3]), what);
        assertBits(NAN, LossKernel.withLogitsGrad(a[0], a[1], a[2], a[3]), "grad " + what);
      }
    }
  }

  @Test
  void zeroWeightGivesZeroEvenForInfiniteLogits() {
    for (double x : new double[] {INF, Double.NEGATIVE_INFINITY, 3, -1e300}) {
      for (double y : new double[] {0, 0.5, 1, 2, -1}) {
        for (double p : new double[] {1, 0, 5, INF}) {
          assertEquals(0.0, LossKernel.withLogits(x, y, 0, p), 0.0,
              "w=0 x=" + x + " y=" + y + " p=" + p);
          assertEquals(0.0, LossKernel.withLogitsGrad(x, y, 0, p), 0.0,
              "grad w=0 x=" + x + " y=" + y + " p=" + p);
        }
      }
    }
  }

  @Test
  void randomLossesAreAccurate() {
    SplittableRandom r = new SplittableRandom(42);
    Random g = new Random(42);
    for (int i = 0; i < 1000; i++) {
      double x = g.nextGaussian() * new double[] {1, 5, 30, 200}[r.nextInt(4)];
      double y = new double[] {0, 1, 0.5, r.nextDouble()}[r.nextInt(4)];
      double w = r.nextBoolean() ? 1 : r.nextDouble(0.01, 5);
      double p = r.nextBoolean() ? 1 : r.nextDouble(0, 10);
      assertRounded(lossRef(x, y, w, p), LossKernel.withLogits(x, y, w, p),
          "loss(" + x + ", " + y + ", " + w + ", " + p + ")");
    }
  }

  @Test
  void negativeAndZeroPosWeightAndTargetsOutsideTheUnitInterval() {
    // p = 0: only the negative part remains
    assertRounded(lossRef(1.5, 0.25, 1, 0), LossKernel.withLogits(1.5, 0.25, 1, 0), "p=0");
    assertBits(0.0, LossKernel.withLogits(3, 1, 1, 0), "p=0, y=1");
    // negative p: a negative loss
    double v = LossKernel.withLogits(1, 1, 1, -2);
    assertTrue(v < 0, "p=-2 gives a negative loss: " + v);
    assertRounded(lossRef(1, 1, 1, -2), v, "p=-2");
    // x = 0, y = 2 and y = -1: both give ln 2 (2 ln2 - ln2; -ln2 + 2 ln2)
    assertRounded(HighPrecision.LN2, LossKernel.withLogits(0, 2, 1, 1), "x=0 y=2");
    assertRounded(HighPrecision.LN2, LossKernel.withLogits(0, -1, 1, 1), "x=0 y=-1");
    // negative losses
    double[][] cases = {{5, 2, 1, 1}, {-3, -0.5, 1, 1}, {0.5, 1.5, 2, 3}, {-2, -1, 0.5, 4},
        {10, 3, 1, 1}};
    for (double[] c : cases) {
      double got = LossKernel.withLogits(c[0], c[1], c[2], c[3]);
      String what = "loss(" + c[0] + ", " + c[1] + ", " + c[2] + ", " + c[3] + ")";
      BigDecimal ref = lossRef(c[0], c[1], c[2], c[3]);
      assertRounded(ref, got, what);
      assertEquals(ref.signum(), (int) Math.signum(got), what + " sign");
    }
    assertTrue(LossKernel.withLogits(5, 2, 1, 1) < 0, "target 2 at x=5 gives a negative loss");
    // random targets in [-2, 3]: accurate relative to the size of the terms
    SplittableRandom r = new SplittableRandom(43);
    for (int i = 0; i < 400; i++) {
      double x = r.nextDouble(-30, 30);
      double y = r.nextDouble(-2, 3);
      double w = r.nextDouble(-2, 3);
      double p = r.nextDouble(-3, 5);
      assertRounded(lossRef(x, y, w, p), LossKernel.withLogits(x, y, w, p),
          "loss(" + x + ", " + y + ", " + w + ", " + p + ")");
    }
    // infinite logits with an out-of-range target: -inf for y = 2 at x = +inf
    assertBits(Double.NEGATIVE_INFINITY, LossKernel.withLogits(INF, 2, 1, 1), "x=+inf y=2");
  }

  // ------------------------------------------------------------------ gradient

  @Test
  void gradientMatchesTheSpecFormula() {
    SplittableRandom r = new SplittableRandom(44);
    for (int i = 0; i < 1000; i++) {
      double x = r.nextDouble(-40, 40) * (r.nextInt(5) == 0 ? 15 : 1);
      double y = new double[] {0, 1, 0.5, r.nextDouble(), r.nextDouble(-1, 2)}[r.nextInt(5)];
      double w = r.nextBoolean() ? 1 : r.nextDouble(-2, 5);
      double p = r.nextBoolean() ? 1 : r.nextDouble(0, 10);
      assertRounded(gradRef(x, y, w, p), LossKernel.withLogitsGrad(x, y, w, p),
          "grad(" + x + ", " + y + ", " + w + ", " + p + ")");
    }
  }

  @Test
  void gradientKeepsRelativeAccuracyInTheTailsForHardLabels() {
    for (double x : new double[] {-745, -700, -100, -40, -36, -20, -1, 0, 1, 20, 36, 40, 100, 700,
        745}) {
      for (double y : new double[] {0, 1}) {
        for (double p : new double[] {1, 3.5}) {
          assertRounded(gradRef(x, y, 1, p), LossKernel.withLogitsGrad(x, y, 1, p),
              "grad(" + x + ", " + y + ", 1, " + p + ")");
        }
      }
    }
    // x = 40, y = 1: -sigmoid(-40), not 0 as the SPEC formula gives in doubles
    assertEquals(-4.248354255291589e-18, LossKernel.withLogitsGrad(40, 1, 1, 1),
        1e-14 * 4.248354255291589e-18);
  }

  @Test
  void gradientIsFiniteAtInfiniteLogits() {
    double ninf = Double.NEGATIVE_INFINITY;
    SplittableRandom r = new SplittableRandom(45);
    for (int i = 0; i < 200; i++) {
      double y = r.nextInt(3) == 0 ? r.nextInt(2) : r.nextDouble();
      double w = r.nextDouble(0.1, 3);
      double p = r.nextDouble(0, 5);
      // limits: x -> +inf gives w (1 - y); x -> -inf gives -w p y
      BigDecimal up = bd(w).multiply(BigDecimal.ONE.subtract(bd(y)));
      BigDecimal down = bd(w).multiply(bd(p)).multiply(bd(y)).negate();
      String what = "y=" + y + " w=" + w + " p=" + p;
      assertRounded(up, LossKernel.withLogitsGrad(INF, y, w, p), "+inf " + what);
      assertRounded(down, LossKernel.withLogitsGrad(ninf, y, w, p), "-inf " + what);
    }
    assertBits(0.0, LossKernel.withLogitsGrad(INF, 1, 1, 1), "+inf, y=1");
    assertBits(1.0, LossKernel.withLogitsGrad(INF, 0, 1, 1), "+inf, y=0");
    assertBits(-1.0, LossKernel.withLogitsGrad(ninf, 1, 1, 1), "-inf, y=1");
    assertEquals(0.0, LossKernel.withLogitsGrad(ninf, 0, 1, 1), 0.0, "-inf, y=0");
    assertEquals(0.0, LossKernel.withLogitsGrad(ninf, 0, 1, INF), 0.0, "-inf, y=0, p=inf");
  }

  @Test
  void gradientMatchesFiniteDifferencesOfTheLoss() {
    for (double x : new double[] {-6, -3, -0.5, 0, 0.7, 2.5, 6, 15}) {
      for (double y : new double[] {0, 0.3, 1}) {
        for (double w : new double[] {1, 2.5}) {
          for (double p : new double[] {1, 3}) {
            double h = 1e-5;
            double fd = (LossKernel.withLogits(x + h, y, w, p)
                - LossKernel.withLogits(x - h, y, w, p)) / (2 * h);
            double g = LossKernel.withLogitsGrad(x, y, w, p);
            assertEquals(fd, g, 1e-7 * (1 + Math.abs(g)),
                "d/dx at x=" + x + " y=" + y + " w=" + w + " p=" + p);
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ probabilities

  @Test
  void probabilitiesAreAccurate() {
    SplittableRandom r = new SplittableRandom(46);
    for (int i = 0; i < 1000; i++) {
      double q = new double[] {r.nextDouble(), r.nextDouble() * 1e-10, 1 - r.nextDouble() * 1e-9,
          Math.pow(10, -r.nextDouble(0, 43))}[r.nextInt(4)];
      double y = new double[] {0, 1, 0.5, r.nextDouble()}[r.nextInt(4)];
      double w = r.nextBoolean() ? 1 : r.nextDouble(0.01, 5);
      BigDecimal ref = probRef(q, y, w);
      assertRounded(ref, LossKernel.probabilities(q, y, w), "bce(" + q + ", " + y + ", " + w + ")");
    }
  }

  @Test
  void probabilitiesClampTheLogsAtMinus100() {
    assertBits(100.0, LossKernel.probabilities(0, 1, 1), "q=0, y=1");
    assertBits(100.0, LossKernel.probabilities(1, 0, 1), "q=1, y=0");
    assertBits(250.0, LossKernel.probabilities(0, 1, 2.5), "q=0, y=1, w=2.5");
    assertBits(50.0, LossKernel.probabilities(1, 0.5, 1), "q=1, y=0.5");
    assertBits(100.0, LossKernel.probabilities(1e-50, 1, 1), "log(1e-50) = -115 clamps");
    assertBits(100.0, LossKernel.probabilities(Double.MIN_VALUE, 1, 1), "q=MIN_VALUE");
    assertEquals(0.0, LossKernel.probabilities(0, 0, 1), 0.0, "q=0, y=0");
    assertEquals(0.0, LossKernel.probabilities(1, 1, 1), 0.0, "q=1, y=1");
    // the largest double below 1: log1p(-q) = -53 ln 2, not clamped
    double q = Math.nextDown(1.0);
    assertRounded(probRef(q, 0, 1), LossKernel.probabilities(q, 0, 1), "q=1-2^-53");
    assertRounded(BigDecimal.valueOf(53).multiply(HighPrecision.LN2),
        LossKernel.probabilities(q, 0, 1), "53 ln 2");
    // e^-99.9 is not clamped
    double small = Math.exp(-99.9);
    assertRounded(probRef(small, 1, 1), LossKernel.probabilities(small, 1, 1), "q=e^-99.9");
    assertTrue(LossKernel.probabilities(small, 1, 1) < 100);
    assertRounded(HighPrecision.LN2, LossKernel.probabilities(0.5, 0.5, 1), "ln2");
    assertBits(NAN, LossKernel.probabilities(0.5, 0.5, NAN), "NaN weight");
  }

  @Test
  void outOfRangeProbabilitiesAndTargetsAreRejected() {
    double[] bad = {NAN, -0.1, 1.1, -1e-300, Math.nextUp(1.0), INF, Double.NEGATIVE_INFINITY, 2};
    for (double v : bad) {
      ProbabilityRangeException e = assertThrows(ProbabilityRangeException.class,
          () -> LossKernel.probabilities(v, 0.5, 1), "q=" + v);
      assertTrue(e.getMessage().contains("should be between 0 and 1"), e.getMessage());
      assertTrue(e.getMessage().contains(String.valueOf(v)), e.getMessage());
      assertTrue(e.getMessage().contains("input"), e.getMessage());
      assertEquals("input", e.role());
      assertBits(v, e.value(), "value()");
      assertTrue(e instanceof IllegalArgumentException);

      ProbabilityRangeException t = assertThrows(ProbabilityRangeException.class,
          () -> LossKernel.probabilities(0.5, v, 1), "y=" + v);
      assertTrue(t.getMessage().contains("should be between 0 and 1"), t.getMessage());
      assertTrue(t.getMessage().contains(String.valueOf(v)), t.getMessage());
      assertTrue(t.getMessage().contains("target"), t.getMessage());
      assertEquals("target", t.role());
      assertBits(v, t.value(), "value()");
    }
    // the bounds themselves are fine
    LossKernel.probabilities(0, 0, 1);
    LossKernel.probabilities(1, 1, 1);
    // the block form rejects too
    double[] q = {0.5, 0.2, 1.1};
    double[] y = {1, 0, 1};
    double[] w = {1, 1, 1};
    assertThrows(ProbabilityRangeException.class,
        () -> LossKernel.probabilities(q, y, w, new double[3], 3));
    assertThrows(ProbabilityRangeException.class,
        () -> ElementQuantity.PROBABILITIES.apply(0.3, -0.1, 1, 1));
  }

  // ------------------------------------------------------------------ block methods

  private static double[][] randomBlock(SplittableRandom r, int n) {
    Random g = new Random(r.nextLong());
    double[][] c = new double[4][n];
    double[] specials = {0, -0.0, INF, Double.NEGATIVE_INFINITY, NAN, 1e-300, 800, -800, 40, -40};
    for (int i = 0; i < n; i++) {
      c[0][i] = r.nextInt(10) == 0 ? specials[r.nextInt(specials.length)] : g.nextGaussian() * 10;
      c[1][i] = new double[] {0, 1, 0.5, r.nextDouble(), 1.5, -0.5}[r.nextInt(6)];
      c[2][i] = new double[] {1, 0, r.nextDouble(0, 3), -1}[r.nextInt(4)];
      c[3][i] = new double[] {1, 0, r.nextDouble(0, 5), INF}[r.nextInt(4)];
    }
    return c;
  }

  @Test
  void gradientAndProbabilityBlocksGiveTheScalarBits() {
    SplittableRandom r = new SplittableRandom(47);
    for (int n : new int[] {0, 1, 3, 7, 8, 9, 64, 1001}) {
      double[][] c = randomBlock(r, n);
      double[] out = new double[n + 2];
      out[n] = 42;
      LossKernel.withLogitsGrad(c[0], c[1], c[2], c[3], out, n);
      for (int i = 0; i < n; i++) {
        assertBits(LossKernel.withLogitsGrad(c[0][i], c[1][i], c[2][i], c[3][i]), out[i],
            "grad block n=" + n + " #" + i);
      }
      assertBits(42, out[n], "writes only n elements");
      double[] q = new double[n];
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        q[i] = r.nextInt(10) == 0 ? r.nextInt(2) : r.nextDouble();
        y[i] = r.nextInt(2) == 0 ? r.nextInt(2) : r.nextDouble();
      }
      LossKernel.probabilities(q, y, c[2], out, n);
      for (int i = 0; i < n; i++) {
        assertBits(LossKernel.probabilities(q[i], y[i], c[2][i]), out[i],
            "probabilities block n=" + n + " #" + i);
      }
      assertBits(42, out[n], "writes only n elements");
    }
  }

  @Test
  void scalarBlockKernelGivesTheScalarBits() {
    SplittableRandom r = new SplittableRandom(48);
    assertSame(BlockKernel.scalar(), BlockKernels.SCALAR);
    assertEquals("scalar", BlockKernel.scalar().name());
    for (int n : new int[] {0, 1, 7, 64, 1001}) {
      double[][] c = randomBlock(r, n);
      double[] out = new double[n];
      BlockKernel.scalar().withLogits(c[0], c[1], c[2], c[3], out, n);
      for (int i = 0; i < n; i++) {
        assertBits(LossKernel.withLogits(c[0][i], c[1][i], c[2][i], c[3][i]), out[i],
            "scalar kernel n=" + n + " #" + i);
      }
    }
  }

  /** Whatever kernel is selected, the block loss is accurate. */
  @Test
  void selectedBlockKernelIsAccurate() {
    SplittableRandom r = new SplittableRandom(49);
    Random g = new Random(49);
    int n = 403;
    double[][] c = new double[4][n];
    for (int i = 0; i < n; i++) {
      c[0][i] = g.nextGaussian() * new double[] {1, 5, 30, 200}[r.nextInt(4)];
      c[1][i] = new double[] {0, 1, 0.5, r.nextDouble()}[r.nextInt(4)];
      c[2][i] = r.nextBoolean() ? 1 : r.nextDouble(0.01, 5);
      c[3][i] = r.nextBoolean() ? 1 : r.nextDouble(0, 10);
    }
    double[] out = new double[n];
    LossKernel.withLogits(c[0], c[1], c[2], c[3], out, n);
    for (int i = 0; i < n; i++) {
      assertRounded(lossRef(c[0][i], c[1][i], c[2][i], c[3][i]), out[i],
          BlockKernel.selected().name() + " #" + i);
    }
  }

  /**
   * SPEC "Exactness of reductions": an element's loss must not depend on whether it was computed
   * alone (scalar rows) or inside a block (array rows), nor on how warm the JIT is. Runs the
   * selected block kernel (the Vector API one under surefire) many times, so that C2 compiles it,
   * and compares every element with the scalar loss, bit for bit.
   */
  @Test
  void withLogitsBlockGivesTheScalarBits() {
    SplittableRandom r = new SplittableRandom(50);
    int n = 256;
    double[][] c = randomBlock(r, n);
    double[] scalar = new double[n];
    for (int i = 0; i < n; i++) {
      scalar[i] = LossKernel.withLogits(c[0][i], c[1][i], c[2][i], c[3][i]);
    }
    double[] out = new double[n];
    for (int iteration = 0; iteration < 5_000; iteration++) {
      LossKernel.withLogits(c[0], c[1], c[2], c[3], out, n);
      for (int i = 0; i < n; i++) {
        if (Double.doubleToLongBits(scalar[i]) != Double.doubleToLongBits(out[i])) {
          fail(BlockKernel.selected().name() + " kernel, call " + iteration + ", element " + i
              + ": loss(" + c[0][i] + ", " + c[1][i] + ", " + c[2][i] + ", " + c[3][i]
              + ") is " + scalar[i] + " alone but " + out[i] + " in a block");
        }
      }
    }
  }

  /**
   * SPEC "Exactness of reductions" (bit-identical whatever the executors or task retries): the
   * same block must give the same losses on every call of a JVM. In a fresh JVM (nothing warmed up
   * yet), {@link BlockStabilityProbe} computes one block 20000 times and reports the first element
   * whose bits changed, e.g. once C2 has compiled the kernel.
   */
  @Test
  void withLogitsBlockIsStableAcrossCallsInAFreshJvm() throws Exception {
    String javaBinary = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(javaBinary, "--add-modules", "jdk.incubator.vector", "-cp", cp,
        BlockStabilityProbe.class.getName()).redirectErrorStream(true).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), out);
    assertTrue(out.contains("probe ran"), "the probe must run: " + out);
    assertTrue(out.contains("stable"), "the same block gave different losses later: " + out);
  }

  /** Run in a child JVM by {@link #withLogitsBlockIsStableAcrossCallsInAFreshJvm}. */
  public static final class BlockStabilityProbe {
    public static void main(String[] args) {
      SplittableRandom r = new SplittableRandom(52);
      Random g = new Random(52);
      int n = 256;
      double[][] c = new double[4][n];
      for (int i = 0; i < n; i++) {
        c[0][i] = g.nextGaussian() * 10;
        c[1][i] = r.nextInt(2);
        c[2][i] = 1;
        c[3][i] = 1;
      }
      double[] first = new double[n];
      double[] out = new double[n];
      LossKernel.withLogits(c[0], c[1], c[2], c[3], first, n);
      System.out.println("probe ran with the " + BlockKernel.selected().name() + " kernel");
      for (int call = 1; call < 20_000; call++) {
        LossKernel.withLogits(c[0], c[1], c[2], c[3], out, n);
        for (int i = 0; i < n; i++) {
          if (Double.doubleToLongBits(out[i]) != Double.doubleToLongBits(first[i])) {
            System.out.println("changed: call " + call + ", element " + i + ": loss(" + c[0][i]
                + ", " + c[1][i] + ", 1, 1) was " + first[i] + " on call 0, now " + out[i]);
            return;
          }
        }
      }
      System.out.println("stable over 20000 calls");
    }
  }

  @Test
  void elementQuantitiesDelegate() {
    SplittableRandom r = new SplittableRandom(51);
    for (int i = 0; i < 100; i++) {
      double x = r.nextDouble(-10, 10);
      double y = r.nextDouble();
      double w = r.nextDouble(0, 2);
      double p = r.nextDouble(0, 3);
      assertBits(LossKernel.withLogits(x, y, w, p),
          ElementQuantity.WITH_LOGITS.apply(x, y, w, p), "WITH_LOGITS");
      assertBits(LossKernel.withLogitsGrad(x, y, w, p),
          ElementQuantity.WITH_LOGITS_GRAD.apply(x, y, w, p), "WITH_LOGITS_GRAD");
      assertBits(LossKernel.probabilities(y, 1 - y, w),
          ElementQuantity.PROBABILITIES.apply(y, 1 - y, w, p), "PROBABILITIES");
      assertBits(y, ElementQuantity.TARGET.apply(x, y, w, p), "TARGET");
    }
    double[] y = {0.25, 1, 0, 0.5};
    double[] out = new double[4];
    ElementQuantity.TARGET.apply(new double[4], y, new double[4], new double[4], out, 4);
    for (int i = 0; i < 4; i++) {
      assertBits(y[i], out[i], "TARGET block");
    }
    assertEquals("bce_with_logits", ElementQuantity.WITH_LOGITS.sqlName());
    assertEquals("bce_with_logits_grad", ElementQuantity.WITH_LOGITS_GRAD.sqlName());
    assertEquals("bce", ElementQuantity.PROBABILITIES.sqlName());
    assertEquals("bce_pos_weight", ElementQuantity.TARGET.sqlName());
    assertTrue(ElementQuantity.WITH_LOGITS.takesPosWeight());
    assertTrue(ElementQuantity.WITH_LOGITS_GRAD.takesPosWeight());
    assertTrue(!ElementQuantity.PROBABILITIES.takesPosWeight());
    assertTrue(!ElementQuantity.TARGET.takesPosWeight());
  }
}
