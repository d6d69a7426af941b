package io.sparkbce.loss;

/**
 * An unevaluated sum {@code hi + lo} of two doubles (about 106 bits), mutated in place so that
 * an evaluation allocates nothing once the JIT has inlined it.
 *
 * <p>Error bounds, with u = 2^-53, are those proven by Joldes, Muller and Popescu, "Tight and
 * rigorous error bounds for basic building blocks of double-word arithmetic" (ACM TOMS 44, 2017),
 * for the algorithm each method names; every result is normalised ({@code hi} is {@code hi + lo}
 * rounded to nearest). They hold while no intermediate result underflows; where one can, the
 * caller adds an absolute term for it.
 */
final class DoubleDouble {
  double hi;
  double lo;

  DoubleDouble set(double h, double l) {
    hi = h;
    lo = l;
    return this;
  }

  /** this = a + b exactly (2Sum, Knuth). */
  DoubleDouble twoSum(double a, double b) {
    double s = a + b;
    double bb = s - a;
    lo = (a - (s - bb)) + (b - bb);
    hi = s;
    return this;
  }

  /** this = a + b exactly, given exponent(a) >= exponent(b) or a == 0 (Fast2Sum, Dekker). */
  DoubleDouble fastTwoSum(double a, double b) {
    double s = a + b;
    lo = b - (s - a);
    hi = s;
    return this;
  }

  /** this = a * b exactly, unless the product underflows (2MultFMA). */
  DoubleDouble twoProd(double a, double b) {
    double p = a * b;
    lo = Math.fma(a, b, -p);
    hi = p;
    return this;
  }

  /** this += b (DWPlusFP, Algorithm 4): relative error <= 2u^2. */
  DoubleDouble add(double b) {
    double s = hi + b;
    double bb = s - hi;
    double e = (hi - (s - bb)) + (b - bb);
    return fastTwoSum(s, lo + e);
  }

  /** this += bh + bl (AccurateDWPlusDW, Algorithm 6): relative error <= 3u^2 + 13u^3, any signs. */
  DoubleDouble add(double bh, double bl) {
    double s = hi + bh;
    double bb = s - hi;
    double se = (hi - (s - bb)) + (bh - bb);
    double t = lo + bl;
    double tb = t - lo;
    double te = (lo - (t - tb)) + (bl - tb);
    double c = se + t;
    double vh = s + c;
    double vl = c - (vh - s);
    return fastTwoSum(vh, vl + te);
  }

  /** this *= b (DWTimesFP3, Algorithm 9): relative error <= 2u^2. */
  DoubleDouble mul(double b) {
    double ch = hi * b;
    double cl1 = Math.fma(hi, b, -ch);
    double cl3 = Math.fma(lo, b, cl1);
    return fastTwoSum(ch, cl3);
  }

  /** this *= bh + bl (DWTimesDW3, Algorithm 12): relative error <= 4u^2. */
  DoubleDouble mul(double bh, double bl) {
    double ch = hi * bh;
    double cl1 = Math.fma(hi, bh, -ch);
    double tl1 = Math.fma(hi, bl, lo * bl);
    double cl2 = Math.fma(lo, bh, tl1);
    return fastTwoSum(ch, cl1 + cl2);
  }

  /** this /= bh + bl (DWDivDW2, Algorithm 17): relative error <= 15u^2 + 56u^3. */
  DoubleDouble div(double bh, double bl) {
    double th = hi / bh;
    // r = (bh + bl) * th (DWTimesFP1); then (this - r) / bh is the correction.
    double rh = bh * th;
    double rl = Math.fma(bh, th, -rh) + bl * th;
    double sh = rh + rl;
    rl = rl - (sh - rh);
    double dh = hi - sh;
    double dl = lo - rl;
    double tl = (dh + dl) / bh;
    return fastTwoSum(th, tl);
  }
}
