package io.sparkbce.loss;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The quality state's lane-wise helpers for {@link VectorBlockKernel}: the reproducible sigmoid
 * ({@link LossKernel#reproducibleSigmoid}, from {@link SoftplusTail}'s e^-|x| with the scalar
 * code's IEEE operations in the same order, so the same bits) and the unit-row check. They are
 * not losses: the sigmoid is within 2 ulp, reproducible rather than correctly rounded, as the
 * README's decisions say.
 */
final class VectorSigmoids {
  private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;

  private VectorSigmoids() {}

  private static DoubleVector broadcast(double v) {
    return DoubleVector.broadcast(SPECIES, v);
  }

  /** out = e^-|x|: {@link SoftplusTail#expMinus}, lane by lane (also the fast kernel's). */
  static void expMinusAbs(double[] x, double[] out, int bound) {
    double[] c = SoftplusTail.EXP_COEFFICIENTS;
    DoubleVector c0 = broadcast(c[0]);
    DoubleVector c1 = broadcast(c[1]);
    DoubleVector c2 = broadcast(c[2]);
    DoubleVector c3 = broadcast(c[3]);
    DoubleVector c4 = broadcast(c[4]);
    DoubleVector c5 = broadcast(c[5]);
    DoubleVector c6 = broadcast(c[6]);
    DoubleVector c7 = broadcast(c[7]);
    DoubleVector c8 = broadcast(c[8]);
    DoubleVector c9 = broadcast(c[9]);
    DoubleVector c10 = broadcast(c[10]);
    DoubleVector c11 = broadcast(c[11]);
    DoubleVector one = broadcast(1.0);
    DoubleVector invLn2 = broadcast(SoftplusTail.INV_LN2);
    DoubleVector round = broadcast(SoftplusTail.ROUND);
    DoubleVector ln2Hi = broadcast(SoftplusTail.LN2_HI);
    DoubleVector ln2Lo = broadcast(SoftplusTail.LN2_LO);
    for (int i = 0; i < bound; i += SPECIES.length()) {
      DoubleVector xv = DoubleVector.fromArray(SPECIES, x, i);
      DoubleVector z = xv.abs().neg();
      DoubleVector shifted = z.mul(invLn2).add(round);
      DoubleVector minusN = shifted.sub(round).neg();
      DoubleVector r = minusN.fma(ln2Hi, z);
      r = minusN.fma(ln2Lo, r);
      DoubleVector q = c0.fma(r, c1).fma(r, c2).fma(r, c3).fma(r, c4).fma(r, c5).fma(r, c6)
          .fma(r, c7).fma(r, c8).fma(r, c9).fma(r, c10).fma(r, c11).fma(r, one).fma(r, one);
      // n's integer value sits in the low bits of the shifted double (no double-to-long convert).
      LongVector ni = shifted.reinterpretAsLongs().sub(SoftplusTail.ROUND_BITS);
      LongVector half = ni.lanewise(VectorOperators.ASHR, 1);
      DoubleVector f1 = half.add(1023L).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
      DoubleVector f2 =
          ni.sub(half).add(1023L).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
      q.mul(f1).mul(f2).intoArray(out, i);
    }
  }

  static void sigmoids(double[] x, int from, double[] out, int n) {
    int bound = SPECIES.loopBound(n);
    if (from == 0) {
      expMinusAbs(x, out, bound);
    } else {
      System.arraycopy(x, from, out, 0, bound);
      expMinusAbs(out, out, bound);
    }
    logistic(x, from, out, bound);
    for (int i = bound; i < n; i++) {
      out[i] = LossKernel.reproducibleSigmoid(x[from + i]);
    }
  }

  /** out = (x >= 0 ? 1 : e) / (1 + e), out holding e = e^-|x|, 0 beyond UNDERFLOW. */
  private static void logistic(double[] x, int from, double[] out, int bound) {
    DoubleVector zero = DoubleVector.zero(SPECIES);
    DoubleVector one = broadcast(1.0);
    for (int i = 0; i < bound; i += SPECIES.length()) {
      DoubleVector xv = DoubleVector.fromArray(SPECIES, x, from + i);
      DoubleVector e = DoubleVector.fromArray(SPECIES, out, i)
          .blend(zero, xv.abs().compare(VectorOperators.GT, SoftplusTail.UNDERFLOW));
      e.blend(one, xv.compare(VectorOperators.GE, 0.0)).div(one.add(e)).intoArray(out, i);
    }
  }

  /**
   * {@link BlockKernel#unitLabelOnes} over lanes, in double arithmetic (masks or-ed lane by lane
   * cost C2 more than the scalar loop): |w - 1| + |p - 1| + |y * (1 - y)| is 0 exactly when w
   * and p are 1 and y is 0, -0 or 1 (a difference or product of doubles rounds to 0 only when it
   * is 0; a NaN or an infinity stays), and a sum of non-negative doubles is 0 only when each is.
   * The ones are y's sum per lane: whole numbers below 2^53, exact.
   */
  static long unitLabelOnes(double[] y, double[] w, double[] p, int from, int n) {
    int bound = SPECIES.loopBound(n);
    DoubleVector one = broadcast(1.0);
    DoubleVector ones = DoubleVector.zero(SPECIES);
    DoubleVector misfit = DoubleVector.zero(SPECIES);
    for (int i = 0; i < bound; i += SPECIES.length()) {
      DoubleVector yv = DoubleVector.fromArray(SPECIES, y, from + i);
      DoubleVector wv = DoubleVector.fromArray(SPECIES, w, from + i);
      DoubleVector pv = DoubleVector.fromArray(SPECIES, p, from + i);
      misfit = misfit.add(wv.sub(one).abs()).add(pv.sub(one).abs())
          .add(yv.mul(one.sub(yv)).abs());
      ones = ones.add(yv);
    }
    long rest = LossKernel.unitLabelOnes(y, w, p, from + bound, n - bound);
    if (rest < 0 || misfit.compare(VectorOperators.NE, 0.0).anyTrue()) { // NaN is != 0 too
      return -1;
    }
    return (long) ones.reduceLanes(VectorOperators.ADD) + rest;
  }
}
