package io.sparkbce.loss;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LossKernel#withLogits(double, double, double, double)} over SIMD lanes: the same
 * cancellation-free form and the same zero-coefficient and NaN rules, with the JDK's vectorised
 * exp and log1p. Loaded only when the JVM has jdk.incubator.vector ({@link BlockKernels}).
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
      DoubleVector tail = xv.abs().neg().lanewise(VectorOperators.EXP)
          .lanewise(VectorOperators.LOG1P);
      DoubleVector softplusMinusX = xv.neg().max(zero).add(tail);
      DoubleVector softplusX = xv.max(zero).add(tail);
      DoubleVector pos = pv.mul(yv).blend(zero, yv.eq(zero));
      DoubleVector neg = one.sub(yv);
      DoubleVector t1 = pos.mul(softplusMinusX).blend(zero, pos.eq(zero));
      DoubleVector t2 = neg.mul(softplusX).blend(zero, neg.eq(zero));
      DoubleVector r = wv.mul(t1.add(t2)).blend(zero, wv.eq(zero));
      VectorMask<Double> anyNaN = xv.test(VectorOperators.IS_NAN)
          .or(yv.test(VectorOperators.IS_NAN))
          .or(wv.test(VectorOperators.IS_NAN))
          .or(pv.test(VectorOperators.IS_NAN));
      r.blend(nan, anyNaN).intoArray(out, i);
    }
    for (; i < n; i++) {
      out[i] = LossKernel.withLogits(x[i], y[i], w[i], p[i]);
    }
  }

  @Override
  public String name() {
    return "vector(" + SPECIES.length() + " lanes)";
  }
}
