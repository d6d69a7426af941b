package io.sparkbce.loss;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LossKernel#withLogits(double, double, double, double)} over SIMD lanes. Every step
 * repeats the scalar code's IEEE operations in the same order ({@link SoftplusTail}), so each lane
 * gets the scalar result's exact bits: a loss does not depend on the kernel, the JIT's state or
 * where an element sits in its row. Loaded only when the JVM has jdk.incubator.vector
 * ({@link BlockKernels}).
 */
final class VectorBlockKernel implements BlockKernel {
  private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;

  @Override
  public void withLogits(double[] x, double[] y, double[] w, double[] p, double[] out, int n) {
    DoubleVector zero = DoubleVector.zero(SPECIES);
    DoubleVector one = DoubleVector.broadcast(SPECIES, 1.0);
    DoubleVector nan = DoubleVector.broadcast(SPECIES, Double.NaN);
    int i = 0;
    for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
      DoubleVector xv = DoubleVector.fromArray(SPECIES, x, i);
      DoubleVector yv = DoubleVector.fromArray(SPECIES, y, i);
      DoubleVector wv = DoubleVector.fromArray(SPECIES, w, i);
      DoubleVector pv = DoubleVector.fromArray(SPECIES, p, i);
      DoubleVector tail = softplusTail(xv.abs(), zero, one);
      DoubleVector softplusMinusX = xv.neg().max(zero).add(tail);
      DoubleVector softplusX = xv.max(zero).add(tail);
      DoubleVector pos = pv.mul(yv).blend(zero, yv.eq(zero));
      DoubleVector neg = one.sub(yv);
      DoubleVector up = pos.mul(softplusMinusX).blend(zero, pos.eq(zero));
      DoubleVector down = neg.mul(softplusX).blend(zero, neg.eq(zero));
      DoubleVector r = wv.mul(up.add(down)).blend(zero, wv.eq(zero));
      // NaN is the one value unequal to itself (a comparison C2 compiles to one instruction).
      VectorMask<Double> anyNaN = xv.compare(VectorOperators.NE, xv)
          .or(yv.compare(VectorOperators.NE, yv))
          .or(wv.compare(VectorOperators.NE, wv))
          .or(pv.compare(VectorOperators.NE, pv));
      r.blend(nan, anyNaN).intoArray(out, i);
    }
    for (; i < n; i++) {
      out[i] = LossKernel.withLogits(x[i], y[i], w[i], p[i]);
    }
  }

  /** {@link SoftplusTail#of}, lane by lane. */
  private static DoubleVector softplusTail(DoubleVector a, DoubleVector zero, DoubleVector one) {
    DoubleVector e = expMinus(a);
    DoubleVector u = one.add(e);
    DoubleVector goldberg = log(u, zero, one).mul(e.div(u.sub(1.0)));
    return goldberg.blend(e, u.eq(one)).blend(zero, a.compare(VectorOperators.GT,
        SoftplusTail.UNDERFLOW));
  }

  /** {@link SoftplusTail#expMinus}, lane by lane. */
  private static DoubleVector expMinus(DoubleVector a) {
    DoubleVector z = a.neg();
    DoubleVector shifted = z.mul(SoftplusTail.INV_LN2).add(SoftplusTail.ROUND);
    DoubleVector n = shifted.sub(SoftplusTail.ROUND);
    DoubleVector minusN = n.neg();
    DoubleVector r = minusN.fma(broadcast(SoftplusTail.LN2_HI), z);
    r = minusN.fma(broadcast(SoftplusTail.LN2_LO), r);
    double[] c = SoftplusTail.EXP_COEFFICIENTS;
    DoubleVector q = DoubleVector.broadcast(SPECIES, c[0]);
    for (int k = 1; k < c.length; k++) {
      q = q.fma(r, DoubleVector.broadcast(SPECIES, c[k]));
    }
    DoubleVector one = DoubleVector.broadcast(SPECIES, 1.0);
    q = q.fma(r, one);
    q = q.fma(r, one);
    // n's integer value sits in the low bits of the shifted double (no double-to-long convert).
    LongVector ni = shifted.reinterpretAsLongs().sub(SoftplusTail.ROUND_BITS);
    LongVector half = ni.lanewise(VectorOperators.ASHR, 1);
    DoubleVector f1 = half.add(1023L).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
    DoubleVector f2 =
        ni.sub(half).add(1023L).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
    return q.mul(f1).mul(f2);
  }

  /** {@link SoftplusTail#log}, lane by lane. */
  private static DoubleVector log(DoubleVector u, DoubleVector zero, DoubleVector one) {
    VectorMask<Double> upper = u.compare(VectorOperators.GT, SoftplusTail.SQRT2);
    DoubleVector m = u.blend(u.mul(0.5), upper);
    DoubleVector k = zero.blend(one, upper);
    DoubleVector s = m.sub(1.0).div(m.add(1.0));
    DoubleVector z = s.mul(s);
    double[] c = SoftplusTail.LOG_COEFFICIENTS;
    DoubleVector q = DoubleVector.broadcast(SPECIES, c[0]);
    for (int i = 1; i < c.length; i++) {
      q = q.fma(z, DoubleVector.broadcast(SPECIES, c[i]));
    }
    q = q.fma(z, one);
    DoubleVector logM = s.mul(2.0).mul(q);
    return k.fma(broadcast(SoftplusTail.LN2_HI), k.fma(broadcast(SoftplusTail.LN2_LO), logM));
  }

  private static DoubleVector broadcast(double v) {
    return DoubleVector.broadcast(SPECIES, v);
  }

  @Override
  public String name() {
    return "vector(" + SPECIES.length() + " lanes)";
  }
}
