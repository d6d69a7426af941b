package io.sparkbce.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * SPEC §1 for BCELoss on probabilities: every loss -w (y max(log q, -100) + (1-y)
 * max(log(1-q), -100)) is the true value rounded once. Random q over every region (see
 * {@link TableLogarithmTest#probability}), targets and weights, through
 * {@link LossKernel#probabilities(double, double, double)} (all tiers), checked against a
 * BigDecimal reference of the test's own: logs at 40 digits from a 64-entry table of dyadic
 * reciprocals (logs by {@link HighPrecision}) and the atanh series, relative error below 10^-36
 * (checked against HighPrecision's 64 digits on a sample); the loss from them exactly, and the
 * result proven when the whole interval lies between the midpoints around the kernel's double.
 * The few it cannot prove (within 10^-36 of a midpoint, zeros, overflow) go to
 * {@link ArbitraryPrecision}'s Ziv loop.
 *
 * <p>The default suite checks 10^6 losses; {@code mvn test-compile surefire:test@sweep} runs the
 * tagged 10^7 sweep.
 */
class ProbabilitiesSweepTest {
  private static final MathContext MC = new MathContext(40, RoundingMode.HALF_EVEN);
  private static final BigDecimal TWO = BigDecimal.valueOf(2);
  private static final BigDecimal HALF = new BigDecimal("0.5");
  private static final BigDecimal HUNDRED = BigDecimal.valueOf(-100);
  /** The reference logs' claimed relative error (the analysis gives about 10^-38). */
  private static final BigDecimal ERROR = BigDecimal.ONE.scaleByPowerOfTen(-36);
  /** Arguments within this of 1 take the series directly. */
  private static final double DIRECT = 0x1p-7;
  private static final int STEPS = 64;
  /** c_j ~ 1 / (1 + (j + 1/2)/64) on a 2^-12 grid (exact), and log c_j at 64 digits. */
  private static final BigDecimal[] RECIPROCAL = new BigDecimal[STEPS];
  private static final BigDecimal[] LOG_RECIPROCAL = new BigDecimal[STEPS];
  /** 1/(2j + 1) at 50 digits, j < 40 (the series needs about 10). */
  private static final BigDecimal[] INVERSE_ODD = new BigDecimal[40];
  private static final double[] TARGETS = {1, 0, 0.5, 0.25, 0.9, 1e-3, 1 - 0x1p-53, 0.3};
  private static final double[] WEIGHTS = {1, 0.75, 3, 1e-3, -2, 0x1p59};
  /** Outside the fast tiers' domain: the kernel itself goes to BigDecimal (slow, so rarer). */
  private static final double[] FAR_WEIGHTS = {0x1p61, 1e-300, 1e300, -0x1p-950};

  static {
    for (int j = 0; j < INVERSE_ODD.length; j++) {
      INVERSE_ODD[j] = BigDecimal.ONE.divide(BigDecimal.valueOf(2L * j + 1), new MathContext(50));
    }
    for (int j = 0; j < STEPS; j++) {
      double c = Math.rint(4096 / (1 + (j + 0.5) / STEPS)) / 4096;
      RECIPROCAL[j] = new BigDecimal(c);
      LOG_RECIPROCAL[j] = HighPrecision.log(RECIPROCAL[j]);
    }
  }

  @Test
  void aMillionProbabilities() {
    sweep(1_000_000, 81);
  }

  @Tag("sweep")
  @Test
  void tenMillionProbabilities() {
    sweep(10_000_000, 82);
  }

  private static void sweep(int n, long seed) {
    AtomicLong undecided = new AtomicLong();
    AtomicLong crossChecked = new AtomicLong();
    AtomicLong byTable = new AtomicLong();
    int chunks = 64;
    IntStream.range(0, chunks).parallel().forEach(chunk -> {
      SplittableRandom r = new SplittableRandom(seed * 1000 + chunk);
      DoubleDouble v = new DoubleDouble();
      for (int i = chunk; i < n; i += chunks) {
        double q = i % 97 == 0 ? new double[] {0, 1, 0.5}[r.nextInt(3)]
            : TableLogarithmTest.probability(r);
        double y = i % 4 == 0 ? r.nextDouble() : TARGETS[(i / 5) % TARGETS.length];
        double w = i % 3 == 0 ? r.nextDouble(0.01, 10)
            : i % 101 == 1 ? FAR_WEIGHTS[(i / 7) % FAR_WEIGHTS.length]
            : WEIGHTS[(i / 7) % WEIGHTS.length];
        double got = LossKernel.probabilities(q, y, w);
        if (CorrectlyRounded.probabilitiesTable(q, y, w, null, v)) {
          byTable.incrementAndGet();
        }
        String what = "bce(" + q + ", " + y + ", " + w + ")";
        BigDecimal l1 = q < CorrectlyRounded.CLAMP_BELOW ? HUNDRED : logQ(q);
        BigDecimal l2 = q == 1 ? HUNDRED : log1mq(q);
        BigDecimal yd = new BigDecimal(y);
        BigDecimal loss = new BigDecimal(w).negate().multiply(
            yd.multiply(l1).add(BigDecimal.ONE.subtract(yd).multiply(l2)));
        // Both terms have the loss's sign: the logs' relative error is the loss's.
        int verdict = decide(loss, loss.abs().multiply(ERROR), got);
        if (verdict < 0) {
          fail(what + " = " + got + " is not the correctly rounded value: the reference says "
              + loss.round(new MathContext(25)));
        }
        if (verdict == 0) {
          undecided.incrementAndGet();
          ArbitraryPrecision.probabilities(q, y, w, q < CorrectlyRounded.CLAMP_BELOW, v);
          assertEquals(v.hi, got, what + " against ArbitraryPrecision");
        }
        if (i % 1009 == 0 && q > 0 && q < 1) {
          // Keep the reference honest: its logs against HighPrecision's 64 digits.
          crossChecked.incrementAndGet();
          BigDecimal v1 = new BigDecimal(q);
          assertClose(logQ(q), q >= 0.5 ? HighPrecision.log1p(v1.subtract(BigDecimal.ONE))
              : HighPrecision.log(v1), "log " + q);
          assertClose(log1mq(q), HighPrecision.log1p(v1.negate()), "log(1 - " + q + ")");
        }
      }
    });
    System.out.println(n + " probabilities: " + byTable + " decided by the table tier, "
        + undecided + " by ArbitraryPrecision, " + crossChecked + " cross-checked");
    // A guard on the test's running time, not on correctness.
    assertTrue(undecided.get() < n / 20, "the reference decided too little: " + undecided);
    assertTrue(crossChecked.get() > 0);
  }

  private static void assertClose(BigDecimal got, BigDecimal ref, String what) {
    BigDecimal err = got.subtract(ref).abs();
    assertTrue(err.compareTo(ref.abs().multiply(ERROR)) <= 0,
        what + ": the reference is off by " + err.round(new MathContext(3)));
  }

  /** log q for 0 < q <= 1 (q >= CLAMP_BELOW: normal). */
  static BigDecimal logQ(double q) {
    BigDecimal v = new BigDecimal(q);
    if (q > 1 - DIRECT) {
      return log1p(v.subtract(BigDecimal.ONE)); // exact argument
    }
    return table(v, q);
  }

  /** log(1 - q) for 0 <= q < 1. */
  static BigDecimal log1mq(double q) {
    BigDecimal v = new BigDecimal(q).negate();
    if (q < DIRECT) {
      return log1p(v);
    }
    return table(BigDecimal.ONE.add(v), 1 - q);
  }

  /**
   * log v for an exact v in (0, 1 - 2^-7] whose double is near: v = 2^k m, m within an
   * ulp of [1, 2); log v = k ln 2 + log1p(m c_j - 1) - log c_j, m c_j - 1 exact, |.| < 2^-6.
   */
  private static BigDecimal table(BigDecimal v, double near) {
    int k = near >= Double.MIN_NORMAL ? Math.getExponent(near)
        : Math.getExponent(near * 0x1p54) - 54;
    BigDecimal m = v.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(-k))); // k < 0
    int j = Math.min(STEPS - 1, (int) ((Math.scalb(near, -k) - 1) * STEPS));
    BigDecimal t = m.multiply(RECIPROCAL[j]).subtract(BigDecimal.ONE);
    return HighPrecision.LN2.multiply(BigDecimal.valueOf(k)).add(log1p(t))
        .subtract(LOG_RECIPROCAL[j]);
  }

  /** log1p(t) = 2 atanh(t / (2 + t)) for |t| <= 2^-6 at 40 digits: s^2 < 2^-14, ~10 terms. */
  private static BigDecimal log1p(BigDecimal t) {
    if (t.signum() == 0) {
      return BigDecimal.ZERO;
    }
    BigDecimal s = t.divide(TWO.add(t), MC);
    BigDecimal z = s.multiply(s, MC);
    BigDecimal power = s;
    BigDecimal sum = s;
    BigDecimal small = s.abs().scaleByPowerOfTen(-42);
    for (int j = 1; ; j++) {
      power = power.multiply(z, MC);
      BigDecimal term = power.multiply(INVERSE_ODD[j], MC);
      sum = sum.add(term, MC);
      if (term.abs().compareTo(small) < 0) {
        return sum.multiply(TWO);
      }
    }
  }

  /**
   * 1 if every value within {@code error} of {@code loss} rounds to {@code got} (strictly between
   * its midpoints), -1 if none does, 0 if the reference cannot tell (or got is 0, infinite or the
   * largest double: ArbitraryPrecision decides).
   */
  private static int decide(BigDecimal loss, BigDecimal error, double got) {
    if (got == 0.0 || Math.abs(got) >= Double.MAX_VALUE || got != got) {
      return 0;
    }
    BigDecimal g = new BigDecimal(got);
    BigDecimal up = g.add(new BigDecimal(Math.nextUp(got))).multiply(HALF);
    BigDecimal down = g.add(new BigDecimal(Math.nextDown(got))).multiply(HALF);
    BigDecimal low = loss.subtract(error);
    BigDecimal high = loss.add(error);
    if (low.compareTo(down) > 0 && high.compareTo(up) < 0) {
      return 1;
    }
    return high.compareTo(down) < 0 || low.compareTo(up) > 0 ? -1 : 0;
  }
}
