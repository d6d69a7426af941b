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
 *
 * <p>Why passes over the block (e^-|x|, its log1p, then the loss) with every constant
 * broadcast before its loop: one loop doing it all is too big for C2 to inline every Vector API
 * call, and a call it does not inline returns its vector boxed on the heap. Split like this the
 * kernel ran at about 2 ns per element instead of 4.6 (AVX-512, 8 lanes).
 */
final class VectorBlockKernel implements BlockKernel {
  private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;

  /** A second column per thread for the passes (kernels are shared by a task's threads). */
  private static final ThreadLocal<double[]> SCRATCH = ThreadLocal.withInitial(() -> new double[0]);

  private static double[] scratch(int n) {
    double[] s = SCRATCH.get();
    if (s.length < n) {
      s = new double[Math.max(n, 2 * s.length)];
      SCRATCH.set(s);
    }
    return s;
  }

  /**
   * The e^-|x| of this thread's last {@link #withLogits} block, kept for {@link #sigmoids}: the
   * monitor's quality state asks for the sigmoids of the same x right after their losses, and
   * e^-|x| is most of a sigmoid's cost. {@code x} is a copy of the block's inputs: a run of
   * sigmoids uses {@code e} only where its inputs equal them, so a stale or foreign memo cannot
   * change a result (e^-|x| is a function of |x| alone), it only costs the recomputation.
   */
  private static final class ExpMemo {
    double[] x = new double[0];
    double[] e = new double[0];
    int size;

    void ensure(int n) {
      if (x.length < n) {
        int capacity = Math.max(n, 2 * x.length);
        x = new double[capacity];
        e = new double[capacity];
      }
    }
  }

  private static final ThreadLocal<ExpMemo> LAST_BLOCK = ThreadLocal.withInitial(ExpMemo::new);

  @Override
  public void withLogits(double[] x, double[] y, double[] w, double[] p, double[] out, int n) {
    int bound = SPECIES.loopBound(n);
    double[] tail = scratch(bound);
    ExpMemo memo = LAST_BLOCK.get();
    memo.ensure(n);
    expMinusAbs(x, memo.x, memo.e, bound);
    for (int i = bound; i < n; i++) { // only lanes of the sigmoids' passes read these
      memo.x[i] = x[i];
      memo.e[i] = SoftplusTail.expMinus(Math.abs(x[i]));
    }
    memo.size = n;
    log1p(memo.e, tail, bound);
    loss(x, y, w, p, tail, out, bound);
    for (int i = bound; i < n; i++) {
      out[i] = LossKernel.withLogits(x[i], y[i], w[i], p[i]);
    }
  }

  private static DoubleVector broadcast(double v) {
    return DoubleVector.broadcast(SPECIES, v);
  }

  /** out = e^-|x|: {@link SoftplusTail#expMinus}, lane by lane. */
  private static void expMinusAbs(double[] x, double[] out, int bound) {
    expMinusAbs(x, null, out, bound);
  }

  /**
   * {@link #expMinusAbs(double[], double[], int)} that also copies x into {@code copy} unless it
   * is null: in the same pass, which has x in its registers already.
   */
  private static void expMinusAbs(double[] x, double[] copy, double[] out, int bound) {
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
      if (copy != null) {
        xv.intoArray(copy, i);
      }
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

  /** out = the loss, out holding e^-|x| and tail its log1p: {@link LossKernel#withLogits}. */
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
   * {@link LossKernel#probabilities(double, double, double)} over lanes, in passes as above:
   * log(q), log(1 - q), then the loss. A block with a q or y outside [0, 1] goes to the scalar
   * loop, which throws at the first one exactly as the row path would.
   */
  @Override
  public void probabilities(double[] q, double[] y, double[] w, double[] out, int n) {
    for (int i = 0; i < n; i++) {
      if (!(q[i] >= 0.0 && q[i] <= 1.0 && y[i] >= 0.0 && y[i] <= 1.0)) {
        BlockKernels.SCALAR.probabilities(q, y, w, out, n);
        return;
      }
    }
    int bound = SPECIES.loopBound(n);
    double[] log1mQ = scratch(bound);
    for (int i = 0; i < bound; i += SPECIES.length()) {
      broadcast(1.0).sub(DoubleVector.fromArray(SPECIES, q, i)).intoArray(log1mQ, i);
    }
    logarithm(q, out, bound);
    logarithm(log1mQ, log1mQ, bound);
    probabilityLoss(q, y, w, log1mQ, out, bound);
    for (int i = bound; i < n; i++) {
      out[i] = LossKernel.probabilities(q[i], y[i], w[i]);
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
   * {@link Logarithm}, then {@link LossKernel#probabilities(double, double, double, double, double)}.
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

  /**
   * {@link LossKernel#reproducibleSigmoid} over lanes, in two passes: e^-|x| by
   * {@link #expMinusAbs} (of a copy of the run when it does not start at 0: that pass reads from
   * index 0), then the quotient. When the run lies in this thread's last {@link #withLogits} block
   * with the same inputs, that block's e^-|x| ({@link ExpMemo}) replaces the first pass. The
   * scalar loop takes the last n mod lanes.
   */
  @Override
  public void sigmoids(double[] x, int from, double[] out, int n) {
    int bound = SPECIES.loopBound(n);
    ExpMemo memo = LAST_BLOCK.get();
    if (from + bound > memo.size || !logisticOfKnown(x, from, memo, out, bound)) {
      if (from == 0) {
        expMinusAbs(x, out, bound);
      } else {
        System.arraycopy(x, from, out, 0, bound);
        expMinusAbs(out, out, bound);
      }
      logistic(x, from, out, bound);
    }
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
   * {@link #logistic} with e from the memo, at the run's place in the block; false if an input
   * differs from the memo's (a NaN always does), and out is then to be recomputed.
   */
  private static boolean logisticOfKnown(double[] x, int from, ExpMemo memo, double[] out,
      int bound) {
    double[] known = memo.x;
    double[] exps = memo.e;
    DoubleVector zero = DoubleVector.zero(SPECIES);
    DoubleVector one = broadcast(1.0);
    VectorMask<Double> differs = zero.compare(VectorOperators.NE, zero);
    for (int i = 0; i < bound; i += SPECIES.length()) {
      DoubleVector xv = DoubleVector.fromArray(SPECIES, x, from + i);
      differs = differs.or(xv.compare(VectorOperators.NE,
          DoubleVector.fromArray(SPECIES, known, from + i)));
      DoubleVector e = DoubleVector.fromArray(SPECIES, exps, from + i)
          .blend(zero, xv.abs().compare(VectorOperators.GT, SoftplusTail.UNDERFLOW));
      e.blend(one, xv.compare(VectorOperators.GE, 0.0)).div(one.add(e)).intoArray(out, i);
    }
    return !differs.anyTrue();
  }

  /**
   * {@link BlockKernel#unitLabelOnes} over lanes, in double arithmetic (masks or-ed lane by lane
   * cost C2 more than the scalar loop): |w - 1| + |p - 1| + |y * (1 - y)| is 0 exactly when w
   * and p are 1 and y is 0, -0 or 1 (a difference or product of doubles rounds to 0 only when it
   * is 0; a NaN or an infinity stays), and a sum of non-negative doubles is 0 only when each is.
   * The ones are y's sum per lane: whole numbers below 2^53, exact.
   */
  @Override
  public long unitLabelOnes(double[] y, double[] w, double[] p, int from, int n) {
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

  @Override
  public String name() {
    return "vector(" + SPECIES.length() + " lanes)";
  }
}
