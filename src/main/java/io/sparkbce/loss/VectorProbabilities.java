package io.sparkbce.loss;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * BCELoss on probabilities for {@link VectorBlockKernel}: the first tier of correct rounding
 * ({@link CorrectlyRounded#probabilitiesTable}, {@link TableLogarithm}) over SIMD lanes, with the
 * scalar code's IEEE operations in the same order, so the same bits: a lane either passes the
 * same test on the same value or is computed by the scalar code. The error analysis is the scalar
 * code's. Passes over the block: log q, log(1 - q) (each computing both of the scalar code's
 * branches and blending, table rows by gathers), then the combine and the rounding test.
 */
final class VectorProbabilities {
  private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
  private static final int L = SPECIES.length();
  private static final VectorSpecies<Integer> ROWS =
      VectorSpecies.of(int.class, VectorShape.forBitSize(32 * L));
  private static final double MIN_NORMAL = 0x1p-1022;

  private VectorProbabilities() {}

  /** Per thread: log q and log(1 - q) of the block, as hi and lo, and one vector's rows. */
  private static final class Scratch {
    double[] logHi = new double[0];
    double[] logLo = new double[0];
    double[] log1mHi = new double[0];
    double[] log1mLo = new double[0];
    final int[] rows = new int[L];

    Scratch ensure(int n) {
      if (logHi.length < n) {
        int size = Math.max(n, 2 * logHi.length);
        logHi = new double[size];
        logLo = new double[size];
        log1mHi = new double[size];
        log1mLo = new double[size];
      }
      return this;
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** As {@link BlockKernel#probabilities}; q and y already checked to be in [0, 1]. */
  static void probabilities(
      double[] q, double[] y, double[] w, double[] out, double[] low, Rests rests, int n) {
    int bound = SPECIES.loopBound(n);
    Scratch s = SCRATCH.get().ensure(bound);
    logarithms(q, false, s.logHi, s.logLo, s.rows, bound);
    logarithms(q, true, s.log1mHi, s.log1mLo, s.rows, bound);
    loss(q, y, w, s, out, rests == null ? null : low, rests, bound);
    DoubleDouble v = new DoubleDouble();
    for (int i = 0; i < n; i++) {
      if (i >= bound || out[i] != out[i]) {
        ScalarBlockKernel.deliverProbability(q[i], y[i], w[i], rests, v, out, low, i);
      }
    }
  }

  private static DoubleVector broadcast(double v) {
    return DoubleVector.broadcast(SPECIES, v);
  }

  /**
   * hi + lo = {@link TableLogarithm#log}(q) ({@code complement} false) or
   * {@link TableLogarithm#log1mq}(q) (true), lane by lane; anything where the scalar code is not
   * called (q = 0 for log q, q = 1 for log(1 - q): the clamp replaces them).
   */
  private static void logarithms(double[] q, boolean complement, double[] hi, double[] lo,
      int[] rows, int bound) {
    double[] rc = TableSoftplus.LOG_R;
    DoubleVector r0 = broadcast(rc[0]);
    DoubleVector r1 = broadcast(rc[1]);
    DoubleVector r2 = broadcast(rc[2]);
    DoubleVector r3 = broadcast(rc[3]);
    DoubleVector r4 = broadcast(rc[4]);
    DoubleVector r5 = broadcast(rc[5]);
    DoubleVector r6 = broadcast(rc[6]);
    DoubleVector zero = DoubleVector.zero(SPECIES);
    DoubleVector one = broadcast(1.0);
    DoubleVector round = broadcast(DoubleDoubleMath.ROUND);
    DoubleVector ln2Hi = broadcast(DoubleDoubleMath.LN2_HI);
    DoubleVector ln2Lo = broadcast(DoubleDoubleMath.LN2_LO);
    DoubleVector subnormalShift = broadcast(-54.0);
    for (int i = 0; i < bound; i += L) {
      DoubleVector qv = DoubleVector.fromArray(SPECIES, q, i);
      // The scalar code's branches: near 1 the series on an exact t (direct), else the table on
      // vh + vl scaled by 2^shift.
      VectorMask<Double> near;
      DoubleVector direct;
      DoubleVector vh;
      DoubleVector vl;
      DoubleVector shift;
      if (complement) {
        near = qv.compare(VectorOperators.LT, TableLogarithm.NEAR);
        direct = qv.neg();
        vh = one.sub(qv);
        vl = one.sub(vh).sub(qv);
        shift = zero;
      } else {
        near = qv.compare(VectorOperators.GT, 1.0 - TableLogarithm.NEAR);
        direct = qv.sub(1.0);
        VectorMask<Double> normal = qv.compare(VectorOperators.GE, MIN_NORMAL);
        vh = qv.mul(0x1p54).blend(qv, normal);
        vl = zero;
        shift = subnormalShift.blend(zero, normal);
      }
      // TableLogarithm.table: k from the exponent bits (a small integer, exact as a double by
      // the ROUND trick), m in [1, 2), the row from m's top 8 bits.
      LongVector bits = vh.reinterpretAsLongs();
      DoubleVector k = bits.lanewise(VectorOperators.LSHR, 52).add(DoubleDoubleMath.ROUND_BITS)
          .reinterpretAsDoubles().sub(round).sub(1023.0).add(shift);
      DoubleVector m = bits.and(DoubleDoubleMath.MANTISSA).or(DoubleDoubleMath.ONE_BITS)
          .reinterpretAsDoubles();
      DoubleVector ml = vl.mul(2.0);
      ((IntVector) bits.lanewise(VectorOperators.LSHR, 44).and(0xFFL).castShape(ROWS, 0))
          .intoArray(rows, 0);
      DoubleVector c = DoubleVector.fromArray(SPECIES, TableSoftplus.C, 0, rows, 0);
      DoubleVector ph = m.mul(c);
      DoubleVector pl = m.fma(c, ph.neg());
      DoubleVector t0 = ph.sub(1.0);
      DoubleVector t1 = pl.add(ml.mul(c));
      DoubleVector th = t0.add(t1);
      DoubleVector bb = th.sub(t0);
      DoubleVector tl = t0.sub(th.sub(bb)).add(t1.sub(bb));
      DoubleVector kh = k.mul(ln2Hi);
      DoubleVector kl = k.fma(ln2Lo, k.fma(ln2Hi, kh.neg()));
      DoubleVector lh = DoubleVector.fromArray(SPECIES, TableSoftplus.MINUS_LOG_C_HI, 0, rows, 0);
      DoubleVector ah = kh.add(lh);
      DoubleVector al = lh.sub(ah.sub(kh)).add(kl.add(
          DoubleVector.fromArray(SPECIES, TableSoftplus.MINUS_LOG_C_LO, 0, rows, 0)));
      th = th.blend(direct, near);
      tl = tl.blend(zero, near);
      ah = ah.blend(zero, near);
      al = al.blend(zero, near);
      // TableLogarithm.series
      DoubleVector sh = th.mul(th);
      DoubleVector sl = th.fma(th, sh.neg());
      DoubleVector r = r0.fma(th, r1).fma(th, r2).fma(th, r3).fma(th, r4).fma(th, r5).fma(th, r6);
      DoubleVector z = th.mul(r);
      DoubleVector cubic = sh.fma(z, sl.mul(z));
      DoubleVector rest = tl.sub(th.mul(tl)).add(sh.mul(tl).sub(sl.mul(0.5)));
      DoubleVector half = sh.mul(-0.5);
      DoubleVector sum = th.add(half);
      DoubleVector s1 = half.sub(sum.sub(th));
      DoubleVector p = sum.add(cubic);
      DoubleVector p1 = cubic.sub(p.sub(sum));
      DoubleVector b = ah.add(p);
      bb = b.sub(ah);
      DoubleVector b1 = ah.sub(b.sub(bb)).add(p.sub(bb));
      DoubleVector low = b1.add(s1.add(p1)).add(rest.add(al));
      DoubleVector h = b.add(low);
      h.intoArray(hi, i);
      low.sub(h.sub(b)).intoArray(lo, i);
    }
  }

  /**
   * out = the loss where {@link CorrectlyRounded#probabilitiesTable} delivers it, NaN where the
   * scalar path must: its domain test, clamps, combine and rounding test (or, with rests, its
   * relative bound and the rest in low), lane by lane.
   */
  private static void loss(double[] q, double[] y, double[] w, Scratch s, double[] out,
      double[] low, Rests rests, int bound) {
    double ratio = rests == null ? 0.0 : rests.tableRatio;
    DoubleVector zero = DoubleVector.zero(SPECIES);
    DoubleVector one = broadcast(1.0);
    DoubleVector clamp = broadcast(CorrectlyRounded.CLAMP);
    DoubleVector testError = broadcast(CorrectlyRounded.TABLE_TEST_ERROR);
    DoubleVector underflow = broadcast(CorrectlyRounded.UNDERFLOW_ERROR);
    DoubleVector nan = broadcast(Double.NaN);
    for (int i = 0; i < bound; i += L) {
      DoubleVector qv = DoubleVector.fromArray(SPECIES, q, i);
      DoubleVector yv = DoubleVector.fromArray(SPECIES, y, i);
      DoubleVector wv = DoubleVector.fromArray(SPECIES, w, i);
      DoubleVector nh = one.sub(yv);
      DoubleVector bb = nh.sub(one);
      DoubleVector nl = one.sub(nh.sub(bb)).add(yv.neg().sub(bb));
      VectorMask<Double> ok = wv.compare(VectorOperators.NE, 0.0).and(VectorBlockKernel.inRange(wv))
          .and(VectorBlockKernel.inRange(yv)).and(VectorBlockKernel.inRange(nh));
      // L1 for y != 0: the clamp below CLAMP_BELOW, else log q; L2 for N != 0: the clamp at
      // q = 1, else log(1 - q); 0 (both parts) where the coefficient is 0.
      VectorMask<Double> clampQ = qv.compare(VectorOperators.LT, CorrectlyRounded.CLAMP_BELOW);
      VectorMask<Double> noY = yv.eq(zero);
      DoubleVector l1h = DoubleVector.fromArray(SPECIES, s.logHi, i).blend(clamp, clampQ)
          .blend(zero, noY);
      DoubleVector l1l = DoubleVector.fromArray(SPECIES, s.logLo, i).blend(zero, clampQ)
          .blend(zero, noY);
      VectorMask<Double> clampNotQ = qv.eq(one);
      VectorMask<Double> noN = nh.eq(zero);
      DoubleVector l2h = DoubleVector.fromArray(SPECIES, s.log1mHi, i).blend(clamp, clampNotQ)
          .blend(zero, noN);
      DoubleVector l2l = DoubleVector.fromArray(SPECIES, s.log1mLo, i).blend(zero, clampNotQ)
          .blend(zero, noN);
      DoubleVector h1 = yv.mul(l1h);
      DoubleVector e1 = yv.fma(l1h, h1.neg()).add(yv.mul(l1l));
      DoubleVector h2 = nh.mul(l2h);
      DoubleVector e2 = nh.fma(l2h, h2.neg()).add(nh.mul(l2l).add(nl.mul(l2h)));
      DoubleVector sh = h1.add(h2);
      bb = sh.sub(h1);
      DoubleVector sl = h1.sub(sh.sub(bb)).add(h2.sub(bb)).add(e1.add(e2));
      DoubleVector minusW = wv.neg();
      DoubleVector vh = sh.mul(minusW);
      DoubleVector vl = sh.fma(minusW, vh.neg()).add(sl.mul(minusW));
      DoubleVector magnitude = wv.abs().mul(yv.mul(l1h).add(nh.mul(l2h)).neg());
      ok = ok.and(magnitude.compare(VectorOperators.NE, 0.0));
      DoubleVector hi = vh.add(vl);
      DoubleVector lo = vl.sub(hi.sub(vh));
      // The test written out, not delivered(): one more call in this loop and C2 stops inlining
      // the Vector API's (its vectors then go through the heap: 7 -> 12 ns per element).
      if (low == null) {
        DoubleVector errorBound = testError.mul(magnitude).add(underflow);
        DoubleVector above = hi.add(lo.add(errorBound));
        DoubleVector below = hi.add(lo.sub(errorBound));
        ok = ok.and(above.eq(below));
      } else {
        ok = ok.and(magnitude.compare(VectorOperators.LE, hi.abs().mul(ratio)));
        lo.intoArray(low, i);
      }
      nan.blend(hi, ok).intoArray(out, i);
    }
  }
}
