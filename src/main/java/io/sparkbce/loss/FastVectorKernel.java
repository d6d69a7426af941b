package io.sparkbce.loss;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FastLosses#withLogits(double, double, double, double)} over SIMD lanes, the kernel of
 * {@link LossRounding#FAST}. Every step
 * repeats the scalar code's IEEE operations in the same order ({@link SoftplusTail}), so each lane
 * gets the scalar result's exact bits: a loss does not depend on the kernel, the JIT's state or
 * where an element sits in its row. Loaded only when the JVM has jdk.incubator.vector
 * ({@link BlockKernels}).
 *
 * <p>Why passes over the block (e^-|x|, its log1p, then the loss) with every constant
 * broadcast before its loop: one loop doing it all is too big for C2 to inline every Vector API
 * call, and a call it does not inline returns its vector boxed on the heap. Split like this the
 * kernel ran at about 2 ns per element instead of 4.6 (AVX-512, 8 lanes).
 */
final class FastVectorKernel implements BlockKernel {
  private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;

  /** Two columns per thread for the passes (kernels are shared by a task's threads). */
  private static final ThreadLocal<double[][]> SCRATCH =
      ThreadLocal.withInitial(() -> new double[][] {new double[0], new double[0]});

  private static double[] scratch(int n, int column) {
    double[][] s = SCRATCH.get();
    if (s[column].length < n) {
      s[column] = new double[Math.max(n, 2 * s[column].length)];
    }
    return s[column];
  }

  @Override
  public void withLogits(double[] x, double[] y, double[] w, double[] p, double[] out,
      double[] low, Rests rests, int n) {
    int bound = SPECIES.loopBound(n);
    double[] exps = scratch(bound, 0);
    double[] tail = scratch(bound, 1);
    VectorSigmoids.expMinusAbs(x, exps, bound); // the same e^-|x| as the sigmoids'
    log1p(exps, tail, bound);
    loss(x, y, w, p, tail, out, bound);
    for (int i = bound; i < n; i++) {
      out[i] = FastLosses.withLogits(x[i], y[i], w[i], p[i]);
    }
    if (rests != null) {
      java.util.Arrays.fill(low, 0, n, 0.0); // no rests: the elements are taken as they are
    }
  }

  private static DoubleVector broadcast(double v) {
    return DoubleVector.broadcast(SPECIES, v);
  }

  /** into = log1p(e) for e = e^-|x| in [0, 1]: {@link SoftplusTail#log1p}, lane by lane. */
  private static void log1p(double[] e, double[] into, int bound) {
    double[] c = Logarithm.COEFFICIENTS;
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
    DoubleVector zero = DoubleVector.zero(SPECIES);
    DoubleVector one = broadcast(1.0);
    DoubleVector ln2Hi = broadcast(SoftplusTail.LN2_HI);
    DoubleVector ln2Lo = broadcast(SoftplusTail.LN2_LO);
    DoubleVector zFloor = broadcast(SoftplusTail.Z_FLOOR);
    for (int i = 0; i < bound; i += SPECIES.length()) {
      DoubleVector ev = DoubleVector.fromArray(SPECIES, e, i);
      VectorMask<Double> upper = ev.compare(VectorOperators.GT, SoftplusTail.UPPER);
      DoubleVector t = ev.blend(ev.sub(1.0), upper).mul(2.0)
          .div(ev.add(2.0).blend(ev.add(3.0), upper));
      DoubleVector h = t.mul(0.5);
      DoubleVector z = h.fma(h, zFloor);
      DoubleVector q = c0.fma(z, c1).fma(z, c2).fma(z, c3).fma(z, c4).fma(z, c5).fma(z, c6)
          .fma(z, c7).fma(z, c8).fma(z, c9).fma(z, c10).fma(z, c11).fma(z, one);
      DoubleVector k = zero.blend(one, upper);
      k.fma(ln2Hi, k.fma(ln2Lo, t.mul(q))).intoArray(into, i);
    }
  }

  /** out = the loss, out holding e^-|x| and tail its log1p: {@link FastLosses#withLogits}. */
  private static void loss(
      double[] x, double[] y, double[] w, double[] p, double[] tails, double[] out, int bound) {
    DoubleVector zero = DoubleVector.zero(SPECIES);
    DoubleVector one = broadcast(1.0);
    DoubleVector nan = broadcast(Double.NaN);
    for (int i = 0; i < bound; i += SPECIES.length()) {
      DoubleVector xv = DoubleVector.fromArray(SPECIES, x, i);
      DoubleVector yv = DoubleVector.fromArray(SPECIES, y, i);
      DoubleVector wv = DoubleVector.fromArray(SPECIES, w, i);
      DoubleVector pv = DoubleVector.fromArray(SPECIES, p, i);
      DoubleVector tail = DoubleVector.fromArray(SPECIES, tails, i)
          .blend(zero, xv.abs().compare(VectorOperators.GT, SoftplusTail.UNDERFLOW));
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
  }

  /**
   * {@link FastLosses#probabilities(double, double, double)} over lanes, in passes as above:
   * log(q), log(1 - q), then the loss. A block with a q or y outside [0, 1] goes to the scalar
   * loop, which throws at the first one exactly as the row path would.
   */
  @Override
  public void probabilities(
      double[] q, double[] y, double[] w, double[] out, double[] low, Rests rests, int n) {
    if (!BlockKernels.probabilitiesInRange(q, y, n)) {
      BlockKernels.FAST_SCALAR.probabilities(q, y, w, out, low, rests, n);
      return;
    }
    if (rests != null) {
      java.util.Arrays.fill(low, 0, n, 0.0);
    }
    int bound = SPECIES.loopBound(n);
    double[] log1mQ = scratch(bound, 0);
    for (int i = 0; i < bound; i += SPECIES.length()) {
      broadcast(1.0).sub(DoubleVector.fromArray(SPECIES, q, i)).intoArray(log1mQ, i);
    }
    logarithm(q, out, bound);
    logarithm(log1mQ, log1mQ, bound);
    probabilityLoss(q, y, w, log1mQ, out, bound);
    for (int i = bound; i < n; i++) {
      out[i] = FastLosses.probabilities(q[i], y[i], w[i]);
    }
  }

  /** into = log(v) for positive normal v (anything for others): {@link Logarithm#of}. */
  private static void logarithm(double[] v, double[] into, int bound) {
    double[] c = Logarithm.COEFFICIENTS;
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
    DoubleVector round = broadcast(SoftplusTail.ROUND);
    DoubleVector ln2Hi = broadcast(SoftplusTail.LN2_HI);
    DoubleVector ln2Lo = broadcast(SoftplusTail.LN2_LO);
    for (int i = 0; i < bound; i += SPECIES.length()) {
      LongVector bits = DoubleVector.fromArray(SPECIES, v, i).reinterpretAsLongs();
      DoubleVector k = bits.lanewise(VectorOperators.LSHR, 52).add(SoftplusTail.ROUND_BITS)
          .reinterpretAsDoubles().sub(round).sub(1023.0);
      DoubleVector m = bits.and(Logarithm.MANTISSA).or(Logarithm.ONE_BITS).reinterpretAsDoubles();
      VectorMask<Double> upper = m.compare(VectorOperators.GT, Logarithm.SQRT2);
      m = m.blend(m.mul(0.5), upper);
      k = k.blend(k.add(1.0), upper);
      DoubleVector s = m.sub(1.0).div(m.add(1.0));
      DoubleVector z = s.mul(s);
      DoubleVector poly = c0.fma(z, c1).fma(z, c2).fma(z, c3).fma(z, c4).fma(z, c5).fma(z, c6)
          .fma(z, c7).fma(z, c8).fma(z, c9).fma(z, c10).fma(z, c11).fma(z, one);
      k.fma(ln2Hi, k.fma(ln2Lo, s.mul(2.0).mul(poly))).intoArray(into, i);
    }
  }

  /**
   * out = the loss, out holding log(q) and log1mQ log(1 - q): the clamps and Goldberg's log1p of
   * {@link Logarithm}, then {@link FastLosses#probabilities(double, double, double, double, double)}.
   */
  private static void probabilityLoss(
      double[] q, double[] y, double[] w, double[] log1mQ, double[] out, int bound) {
    DoubleVector one = broadcast(1.0);
    DoubleVector clamp = broadcast(Logarithm.CLAMP);
    DoubleVector nan = broadcast(Double.NaN);
    for (int i = 0; i < bound; i += SPECIES.length()) {
      DoubleVector qv = DoubleVector.fromArray(SPECIES, q, i);
      DoubleVector yv = DoubleVector.fromArray(SPECIES, y, i);
      DoubleVector wv = DoubleVector.fromArray(SPECIES, w, i);
      DoubleVector logQ = DoubleVector.fromArray(SPECIES, out, i).max(clamp)
          .blend(clamp, qv.compare(VectorOperators.LT, Logarithm.CLAMPED_BELOW));
      DoubleVector u = one.sub(qv);
      DoubleVector minusQ = qv.neg();
      DoubleVector log1p = DoubleVector.fromArray(SPECIES, log1mQ, i).mul(minusQ.div(u.sub(1.0)))
          .blend(minusQ, u.eq(one)).max(clamp)
          .blend(clamp, u.compare(VectorOperators.LT, Logarithm.CLAMPED_BELOW));
      wv.neg().mul(yv.mul(logQ).add(one.sub(yv).mul(log1p)))
          .blend(nan, wv.compare(VectorOperators.NE, wv)).intoArray(out, i);
    }
  }

  @Override
  public void sigmoids(double[] x, int from, double[] out, int n) {
    VectorSigmoids.sigmoids(x, from, out, n);
  }

  @Override
  public long unitLabelOnes(double[] y, double[] w, double[] p, int from, int n) {
    return VectorSigmoids.unitLabelOnes(y, w, p, from, n);
  }

  @Override
  public String name() {
    return "fast vector(" + SPECIES.length() + " lanes)";
  }
}
