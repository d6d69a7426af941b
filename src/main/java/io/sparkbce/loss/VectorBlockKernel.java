package io.sparkbce.loss;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel. When only the rounded losses are wanted, the first tier of correct
 * rounding ({@link CorrectlyRounded#withLogitsTable}, {@link TableSoftplus}) runs over SIMD lanes
 * with the scalar code's IEEE operations in the same order; a lane whose input is outside that
 * tier's domain, or whose rounding test fails, takes the scalar path. Its bits are the scalar
 * kernel's: a lane either passes the same test on the same value or is computed by the scalar
 * code, and a correctly rounded result is unique anyway. With the rests wanted (reductions), at
 * {@link Rests#TABLE}, a lane is delivered on tier 1's relative bound instead of its rounding
 * test, with its rest; at {@link Rests#DOUBLE_DOUBLE} it runs the scalar code. Loaded only when the JVM has jdk.incubator.vector ({@link BlockKernels}).
 *
 * <p>Passes over the block (e^-|x|, its log1p, each reading its table entries by gathers, then
 * the loss and the rounding test) with every constant broadcast before its loop: one loop doing it all is too big for C2 to inline every
 * Vector API call, and a call it does not inline returns its vector boxed on the heap.
 */
final class VectorBlockKernel implements BlockKernel {
  private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
  private static final int L = SPECIES.length();
  /** Table rows as ints, one per lane, for the gathers. */
  private static final VectorSpecies<Integer> ROWS =
      VectorSpecies.of(int.class, VectorShape.forBitSize(32 * L));

  /** Per thread: the block's intermediate columns (kernels are shared by a task's threads). */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static final class Scratch {
    double[] hi = new double[0];
    double[] lo = new double[0];
    /** One vector's table rows, for the gathers (which take their indices from an array). */
    final int[] rows = new int[L];

    Scratch ensure(int n) {
      if (hi.length < n) {
        int size = Math.max(n, 2 * hi.length);
        hi = new double[size];
        lo = new double[size];
      }
      return this;
    }
  }

  @Override
  public void withLogits(double[] x, double[] y, double[] w, double[] p, double[] out,
      double[] low, Rests rests, int n) {
    if (rests != null && rests.tableRatio == 0.0) {
      BlockKernels.SCALAR.withLogits(x, y, w, p, out, low, rests, n);
      return;
    }
    int bound = SPECIES.loopBound(n);
    Scratch s = SCRATCH.get().ensure(bound);
    expMinusAbs(x, s, bound);
    log1p(s, bound);
    if (VectorSigmoids.unitLabelOnes(y, w, p, 0, bound) >= 0) {
      unitLoss(x, y, s, out, rests == null ? null : low, rests, bound);
    } else {
      loss(x, y, w, p, s, out, rests == null ? null : low, rests, bound);
    }
    // Lanes the table tier did not deliver (NaN marks them; a NaN loss comes from the scalar path).
    DoubleDouble v = new DoubleDouble();
    for (int i = 0; i < n; i++) {
      if (i >= bound || out[i] != out[i]) {
        ScalarBlockKernel.deliver(x[i], y[i], w[i], p[i], rests, v, out, low, i);
      }
    }
  }

  @Override
  /**
   * {@link VectorProbabilities}; a block with a q or y outside [0, 1] goes to the scalar loop,
   * which throws at the first one exactly as the row path would.
   */
  public void probabilities(
      double[] q, double[] y, double[] w, double[] out, double[] low, Rests rests, int n) {
    if ((rests == null || rests.tableRatio != 0.0) && BlockKernels.probabilitiesInRange(q, y, n)) {
      VectorProbabilities.probabilities(q, y, w, out, low, rests, n);
    } else {
      BlockKernels.SCALAR.probabilities(q, y, w, out, low, rests, n);
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
    return "vector(" + L + " lanes)";
  }

  private static DoubleVector broadcast(double v) {
    return DoubleVector.broadcast(SPECIES, v);
  }

  /** s.hi + s.lo = e^-|x|: {@link TableSoftplus#tail}. */
  private static void expMinusAbs(double[] x, Scratch s, int bound) {
    double[] q = TableSoftplus.EXP_Q;
    DoubleVector q0 = broadcast(q[0]);
    DoubleVector q1 = broadcast(q[1]);
    DoubleVector q2 = broadcast(q[2]);
    DoubleVector q3 = broadcast(q[3]);
    DoubleVector q4 = broadcast(q[4]);
    DoubleVector q5 = broadcast(q[5]);
    DoubleVector invStep = broadcast(TableSoftplus.INV_STEP);
    DoubleVector round = broadcast(DoubleDoubleMath.ROUND);
    DoubleVector step1 = broadcast(TableSoftplus.STEP1);
    DoubleVector step2 = broadcast(TableSoftplus.STEP2);
    DoubleVector step3 = broadcast(TableSoftplus.STEP3);
    DoubleVector half = broadcast(0.5);
    int[] rows = s.rows;
    for (int i = 0; i < bound; i += L) {
      DoubleVector a = DoubleVector.fromArray(SPECIES, x, i).abs();
      // Beyond the domain (and NaN) a stands as 0 here; loss() sends those lanes to the scalar path.
      a = a.blend(0.0, a.compare(VectorOperators.LE, TableSoftplus.LARGEST).not());
      DoubleVector shifted = a.mul(invStep).add(round);
      DoubleVector k = shifted.sub(round);
      LongVector ki = shifted.reinterpretAsLongs().sub(DoubleDoubleMath.ROUND_BITS);
      DoubleVector r1 = k.fma(step1, a.neg());
      DoubleVector p2 = k.mul(step2);
      DoubleVector p2e = k.fma(step2, p2.neg());
      DoubleVector rh = r1.add(p2);
      DoubleVector bb = rh.sub(r1);
      DoubleVector rl = r1.sub(rh.sub(bb)).add(p2.sub(bb)).add(p2e.add(k.mul(step3)));
      DoubleVector sh = rh.mul(rh);
      DoubleVector sl = rh.fma(rh, sh.neg());
      DoubleVector qv = q0.fma(rh, q1).fma(rh, q2).fma(rh, q3).fma(rh, q4).fma(rh, q5);
      DoubleVector low = rl.add(sl.mul(half).add(rh.mul(rl).add(sh.mul(rh).mul(qv))));
      DoubleVector hh = rh.add(sh.mul(half));
      DoubleVector hl = sh.mul(half).sub(hh.sub(rh));
      DoubleVector gh = hh.add(low);
      bb = gh.sub(hh);
      DoubleVector gl = hh.sub(gh.sub(bb)).add(low.sub(bb)).add(hl);
      // 2^(-j/64), j = k mod 64 (lanes outside the domain read row 0; loss() sends them on)
      ((IntVector) ki.and(63L).castShape(ROWS, 0)).intoArray(rows, 0);
      DoubleVector th = DoubleVector.fromArray(SPECIES, TableSoftplus.POW2_HI, 0, rows, 0);
      DoubleVector tlo = DoubleVector.fromArray(SPECIES, TableSoftplus.POW2_LO, 0, rows, 0);
      DoubleVector ph = th.mul(gh);
      DoubleVector pl = th.fma(gh, ph.neg());
      DoubleVector eh = th.add(ph);
      DoubleVector el = ph.sub(eh.sub(th)).add(pl.add(tlo.add(th.mul(gl).add(tlo.mul(gh)))));
      DoubleVector scale = ki.lanewise(VectorOperators.ASHR, 6).neg().add(1023L)
          .lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
      eh.mul(scale).intoArray(s.hi, i);
      el.mul(scale).intoArray(s.lo, i);
    }
  }

  /** s.hi + s.lo = log1p(s.hi + s.lo): {@link TableSoftplus#log1p}, both branches blended. */
  private static void log1p(Scratch s, int bound) {
    double[] rc = TableSoftplus.LOG_R;
    DoubleVector r0 = broadcast(rc[0]);
    DoubleVector r1 = broadcast(rc[1]);
    DoubleVector r2 = broadcast(rc[2]);
    DoubleVector r3 = broadcast(rc[3]);
    DoubleVector r4 = broadcast(rc[4]);
    DoubleVector r5 = broadcast(rc[5]);
    DoubleVector r6 = broadcast(rc[6]);
    DoubleVector one = broadcast(1.0);
    DoubleVector half = broadcast(0.5);
    int[] rows = s.rows;
    for (int i = 0; i < bound; i += L) {
      DoubleVector eh = DoubleVector.fromArray(SPECIES, s.hi, i);
      DoubleVector el = DoubleVector.fromArray(SPECIES, s.lo, i);
      VectorMask<Double> table = eh.compare(VectorOperators.GE, TableSoftplus.SMALL);
      DoubleVector vh = one.add(eh);
      DoubleVector vl = eh.sub(vh.sub(one)).add(el);
      // the row of v, the scalar code's (int) ((vh - 1) 256): for vh in [1, 2] its bits shifted
      // right by 44 are 0x3FF00 plus the top 8 bits of the fraction (0x40000 for vh = 2)
      ((IntVector) vh.reinterpretAsLongs().lanewise(VectorOperators.LSHR, 44).sub(0x3FF00L)
          .castShape(ROWS, 0)).intoArray(rows, 0);
      DoubleVector c = DoubleVector.fromArray(SPECIES, TableSoftplus.C, 0, rows, 0);
      DoubleVector ph = vh.mul(c);
      DoubleVector pl = vh.fma(c, ph.neg());
      DoubleVector t0 = ph.sub(one);
      DoubleVector t1 = pl.add(vl.mul(c));
      DoubleVector th = t0.add(t1);
      DoubleVector bb = th.sub(t0);
      DoubleVector tl = t0.sub(th.sub(bb)).add(t1.sub(bb));
      th = eh.blend(th, table);
      tl = el.blend(tl, table);
      DoubleVector lh = DoubleVector.fromArray(SPECIES, TableSoftplus.MINUS_LOG_C_HI, 0, rows, 0)
          .blend(0.0, table.not());
      DoubleVector ll = DoubleVector.fromArray(SPECIES, TableSoftplus.MINUS_LOG_C_LO, 0, rows, 0)
          .blend(0.0, table.not());
      DoubleVector sh = th.mul(th);
      DoubleVector sl = th.fma(th, sh.neg());
      DoubleVector r = r0.fma(th, r1).fma(th, r2).fma(th, r3).fma(th, r4).fma(th, r5).fma(th, r6);
      DoubleVector low = tl.sub(sl.mul(half)).sub(th.mul(tl)).add(sh.mul(tl))
          .add(sh.mul(th).mul(r));
      DoubleVector a = lh.add(th);
      bb = a.sub(lh);
      DoubleVector a1 = lh.sub(a.sub(bb)).add(th.sub(bb));
      DoubleVector minusHalf = sh.neg().mul(half);
      DoubleVector b = a.add(minusHalf);
      bb = b.sub(a);
      DoubleVector b1 = a.sub(b.sub(bb)).add(minusHalf.sub(bb));
      DoubleVector rest = a1.add(b1).add(ll.add(low));
      DoubleVector hi = b.add(rest);
      hi.intoArray(s.hi, i);
      rest.sub(hi.sub(b)).intoArray(s.lo, i);
    }
  }

  /**
   * out = the loss where {@link CorrectlyRounded#withLogitsTable} delivers it, NaN where the
   * scalar path must: the same domain test, combine and rounding test (without rests) or
   * relative bound (with rests, and the rest in low), lane by lane.
   */
  private static void loss(double[] x, double[] y, double[] w, double[] p, Scratch s,
      double[] out, double[] low, Rests rests, int bound) {
    double ratio = rests == null ? 0.0 : rests.tableRatio;
    DoubleVector zero = DoubleVector.zero(SPECIES);
    DoubleVector one = broadcast(1.0);
    DoubleVector testError = broadcast(CorrectlyRounded.TABLE_TEST_ERROR);
    DoubleVector underflow = broadcast(CorrectlyRounded.UNDERFLOW_ERROR);
    DoubleVector nan = broadcast(Double.NaN);
    for (int i = 0; i < bound; i += L) {
      DoubleVector xv = DoubleVector.fromArray(SPECIES, x, i);
      DoubleVector yv = DoubleVector.fromArray(SPECIES, y, i);
      DoubleVector wv = DoubleVector.fromArray(SPECIES, w, i);
      DoubleVector pv = DoubleVector.fromArray(SPECIES, p, i);
      DoubleVector a = xv.abs();
      // LossKernel: p counts only where y != 0; a NaN p gives NaN even there (scalar path).
      VectorMask<Double> yZero = yv.eq(zero);
      DoubleVector py = pv.blend(zero, yZero);
      DoubleVector ph = py.mul(yv);
      DoubleVector pl = py.fma(yv, ph.neg());
      DoubleVector nh = one.sub(yv);
      DoubleVector bb = nh.sub(one);
      DoubleVector nl = one.sub(nh.sub(bb)).add(yv.neg().sub(bb));
      VectorMask<Double> ok = a.compare(VectorOperators.LE, TableSoftplus.LARGEST)
          .and(wv.compare(VectorOperators.NE, 0.0)).and(inRange(wv)).and(inRange(ph))
          .and(inRange(nh)).and(pv.eq(pv));
      DoubleVector th = DoubleVector.fromArray(SPECIES, s.hi, i);
      DoubleVector tl = DoubleVector.fromArray(SPECIES, s.lo, i);
      DoubleVector ah = ph.add(nh);
      bb = ah.sub(ph);
      DoubleVector al = ph.sub(ah.sub(bb)).add(nh.sub(bb)).add(pl.add(nl));
      VectorMask<Double> positive = xv.compare(VectorOperators.GE, 0.0);
      DoubleVector ch = ph.blend(nh, positive);
      DoubleVector cl = pl.blend(nl, positive);
      DoubleVector h1 = ah.mul(th);
      DoubleVector l1 = ah.fma(th, h1.neg()).add(ah.mul(tl).add(al.mul(th)));
      DoubleVector h2 = ch.mul(a);
      DoubleVector l2 = ch.fma(a, h2.neg()).add(cl.mul(a));
      DoubleVector sh = h1.add(h2);
      bb = sh.sub(h1);
      DoubleVector sl = h1.sub(sh.sub(bb)).add(h2.sub(bb)).add(l1.add(l2));
      DoubleVector vh = sh.mul(wv);
      DoubleVector vl = sh.fma(wv, vh.neg()).add(sl.mul(wv));
      DoubleVector hi = vh.add(vl);
      DoubleVector lo = vl.sub(hi.sub(vh));
      DoubleVector magnitude = wv.abs().mul(ah.abs().mul(th).add(ch.abs().mul(a)));
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

  /**
   * {@link #loss} for a block whose weights and pos_weights are all 1 and targets 0 or 1 (the
   * common unweighted hard labels): there A = 1, C |x| = s, exactly |x| or 0, and w = 1, so the
   * combine is t + s. Every operation below is one {@link #loss} (and the scalar code) performs
   * on such an element, in the same order, with the terms that are exact zeros or products by 1
   * written out as such; so the same hi, lo and test, lane by lane: (A t: h1 = t.hi, its error
   * fma(1, th, -th) = +0, l1 = +0 + (tl + +0); C |x|: h2 = s, l2 = +0; times w = 1: vh = sh, vl = +0 + sl.)
   */
  private static void unitLoss(double[] x, double[] y, Scratch s, double[] out, double[] low,
      Rests rests, int bound) {
    double ratio = rests == null ? 0.0 : rests.tableRatio;
    DoubleVector zero = DoubleVector.zero(SPECIES);
    DoubleVector nan = broadcast(Double.NaN);
    for (int i = 0; i < bound; i += L) {
      DoubleVector xv = DoubleVector.fromArray(SPECIES, x, i);
      DoubleVector yv = DoubleVector.fromArray(SPECIES, y, i);
      DoubleVector a = xv.abs();
      VectorMask<Double> ok = a.compare(VectorOperators.LE, TableSoftplus.LARGEST);
      // C = N (x >= 0) or P (x < 0): 1 exactly when that side's label is the other one
      VectorMask<Double> used = xv.compare(VectorOperators.GE, 0.0)
          .eq(yv.compare(VectorOperators.NE, 1.0));
      DoubleVector h2 = zero.blend(a, used);
      DoubleVector th = DoubleVector.fromArray(SPECIES, s.hi, i);
      DoubleVector tl = DoubleVector.fromArray(SPECIES, s.lo, i);
      DoubleVector l1 = zero.add(tl.add(zero));
      DoubleVector sh = th.add(h2);
      DoubleVector bb = sh.sub(th);
      DoubleVector sl = th.sub(sh.sub(bb)).add(h2.sub(bb)).add(l1.add(zero));
      DoubleVector vl = zero.add(sl);
      DoubleVector hi = sh.add(vl);
      DoubleVector lo = vl.sub(hi.sub(sh));
      DoubleVector magnitude = th.add(h2);
      nan.blend(hi, ok.and(delivered(hi, lo, magnitude, low, ratio, i))).intoArray(out, i);
    }
  }

  /**
   * Which lanes tier 1 delivers, given hi + lo (normalised) and M, the magnitude of the terms:
   * without rests ({@code low} null) those whose rounding test passes
   * ({@link CorrectlyRounded#decided} at {@link CorrectlyRounded#TABLE_TEST_ERROR}); with them
   * those within the rests' relative bound ({@link Rests#within} at {@code ratio}), storing lo.
   */
  static VectorMask<Double> delivered(DoubleVector hi, DoubleVector lo, DoubleVector magnitude,
      double[] low, double ratio, int i) {
    if (low == null) {
      DoubleVector errorBound = magnitude.mul(CorrectlyRounded.TABLE_TEST_ERROR)
          .add(CorrectlyRounded.UNDERFLOW_ERROR);
      DoubleVector above = hi.add(lo.add(errorBound));
      DoubleVector below = hi.add(lo.sub(errorBound));
      return above.eq(below);
    }
    lo.intoArray(low, i);
    return magnitude.compare(VectorOperators.LE, hi.abs().mul(ratio));
  }

  /** |v| is 0 or within [2^-900, 2^60] ({@link CorrectlyRounded}'s domain). */
  static VectorMask<Double> inRange(DoubleVector v) {
    DoubleVector m = v.abs();
    return m.eq(0.0).or(m.compare(VectorOperators.GE, CorrectlyRounded.SMALLEST)
        .and(m.compare(VectorOperators.LE, CorrectlyRounded.LARGEST)));
  }
}
