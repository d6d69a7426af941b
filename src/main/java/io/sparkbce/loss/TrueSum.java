package io.sparkbce.loss;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigInteger;

/**
 * The sum of true values (losses, probabilities, exact products) given as {@code hi + lo} with a
 * bounded error, rounded once: Ziv's strategy at the reduction level.
 *
 * <p>Each element added satisfies |hi + lo - v| <= 2^-{@link #restBits} |hi| + 2^-940 (v its true
 * value, hi = RN(hi + lo); {@link Rests} says which tier delivers that). This state keeps S, the
 * exact sum of every hi and lo ({@link ExactSum}), N, the exact sum of |hi| over negative his, and
 * the count n. Then the true sum T is within E of S, with (u = 2^-53)
 *
 * <pre>
 *   sum |hi| = sum hi + 2N = S - sum lo + 2N <= S + u sum |hi| + 2N   (|lo| <= u |hi|)
 *   so sum |hi| <= (S + 2N) / (1 - u), and
 *   |T - S| <= 2^-b sum |hi| + n 2^-940 <= 2^-b (S + 2N) / (1 - u) + n 2^-940 = E
 * </pre>
 *
 * rounded upwards when E is computed in units of 2^-1074 (exact integers).
 *
 * <p>With tier 1's rests ({@link Rests#TABLE}) S is the exact sum of every hi and of every lo
 * truncated to a multiple of 2^-32 ulp(hi) ({@link ExactSum#addWithRest}: one cheaper addition per
 * element instead of two). The truncation adds at most 2^-84 |hi| per element, so then E has the
 * term 2^-84 (S + 2N) / (1 - u) besides (a state that ever took truncated rests keeps it through
 * merges). The truncated rest is a function of the element alone, so S stays exact and
 * partition-independent. Finer rests ({@link Rests#DOUBLE_DOUBLE}) are added exactly. The result is
 * <em>decided</em> when both ends of [S - E, S + E], divided by the divisor, round to the same
 * double: rounding is monotonic, so the true quotient rounds to it too (the correctly rounded
 * value). Otherwise it is S divided and rounded once, which is within 1 ulp of the true value
 * (faithful): the caller can say so, or run again with finer rests. S, N, n are exact, so the
 * value and the decision do not depend on partitioning or order.
 */
public final class TrueSum implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int UNIT_EXPONENT = -1074;
  /** The absolute error allowed per element for underflow, 2^-940, in units of 2^-1074. */
  private static final BigInteger UNDERFLOW_UNITS = BigInteger.ONE.shiftLeft(1074 - 940);

  private final ExactSum sum = new ExactSum();
  private final ExactSum negatives = new ExactSum();
  private long count;
  private int restBits = Rests.TABLE.bits;
  /** Whether some rest was added truncated to the 2^-84 grid (E's term {@link #GRID_BITS}). */
  private boolean truncatedRests;

  /** Rests are truncated to 2^-GRID_BITS |hi| when restBits is at most this (tier 1). */
  private static final int TRUNCATE_BELOW = 80;
  /** The truncation's relative bound per element: 2^-84 (see {@link ExactSum#addWithRest}). */
  static final int GRID_BITS = 84;

  /** Adds an element's hi and lo (see the class comment for what they must satisfy). */
  public void add(double hi, double lo) {
    if (restBits <= TRUNCATE_BELOW) {
      sum.addWithRest(hi, lo);
      truncatedRests = true;
    } else {
      sum.add(hi);
      sum.add(lo);
    }
    if (hi < 0) {
      negatives.add(-hi);
    }
    count++;
  }

  /** Adds an exact value (a target, a weight): its error is zero. */
  public void add(double exact) {
    add(exact, 0.0);
  }

  /** Adds his[offset + k] + los[offset + k] for k below {@code n}. */
  public void addAll(double[] his, double[] los, int offset, int n) {
    addAll(his, los, offset, 1, n);
  }

  /** Adds his[offset + k * stride] + los[offset + k * stride] for k below {@code n}. */
  public void addAll(double[] his, double[] los, int offset, int stride, int n) {
    if (restBits <= TRUNCATE_BELOW) {
      sum.addAllWithRests(his, los, offset, stride, n);
      truncatedRests |= n > 0;
    } else {
      sum.addAll(his, offset, stride, n);
      sum.addAll(los, offset, stride, n);
    }
    int end = offset + n * stride;
    for (int i = offset; i < end; i += stride) {
      if (his[i] < 0) {
        negatives.add(-his[i]);
      }
    }
    count += n;
  }

  /** The elements' rests are within 2^-bits of their his (a coarser bound wins on merge). */
  void restBits(int bits) {
    restBits = bits;
  }

  int restBits() {
    return restBits;
  }

  public void merge(TrueSum other) {
    sum.merge(other.sum);
    negatives.merge(other.negatives);
    // the coarser bound holds for the union; an empty side has no elements to bound
    restBits = count == 0 ? other.restBits
        : other.count == 0 ? restBits : Math.min(restBits, other.restBits);
    count += other.count;
    truncatedRests |= other.truncatedRests;
  }

  public long count() {
    return count;
  }

  /** The exact sum S of the his and los. */
  ExactSum exactSum() {
    return sum;
  }

  /** The true sum rounded once (see {@link #rounded}). */
  public double value() {
    return rounded().value;
  }

  /** The true sum divided by {@code n}, rounded once; IEEE rules for n = 0. */
  public double dividedBy(long n) {
    return quotient(n).value;
  }

  /** The true sum divided by an exact sum, rounded once; IEEE rules for zero and specials. */
  public double dividedBy(ExactSum denominator) {
    return quotient(denominator).value;
  }

  public Rounded quotient(long n) {
    if (!sum.isFinite() || n == 0) {
      return new Rounded(sum.value() / n, true);
    }
    return rounded(BigInteger.valueOf(n), UNIT_EXPONENT, 1.0);
  }

  public Rounded quotient(ExactSum denominator) {
    if (!sum.isFinite() || !denominator.isFinite()) {
      return new Rounded(sum.value() / denominator.value(), true);
    }
    BigInteger d = denominator.scaledValue();
    if (d.signum() == 0) {
      return new Rounded(sum.value() / denominator.value(), true);
    }
    return rounded(d, 0, d.signum());
  }

  /** The sum itself, rounded once. */
  public Rounded rounded() {
    if (!sum.isFinite()) {
      return new Rounded(sum.value(), true);
    }
    return rounded(BigInteger.ONE, UNIT_EXPONENT, 1.0);
  }

  /**
   * S / d 2^exp2 rounded once, decided when both ends of [S - E, S + E] divided round to the
   * same double (zeros of either sign count as the same: a zero's sign follows S and the
   * divisor's sign, as in IEEE division).
   */
  private Rounded rounded(BigInteger d, int exp2, double divisorSign) {
    BigInteger s = sum.scaledValue();
    double value = s.signum() == 0 ? 0.0 / divisorSign : CorrectRounding.quotient(s, d, exp2);
    BigInteger e = errorUnits(s);
    double below = CorrectRounding.quotient(s.subtract(e), d, exp2);
    double above = CorrectRounding.quotient(s.add(e), d, exp2);
    return new Rounded(value, below == above);
  }

  /**
   * E in units of 2^-1074, rounded up: ceil((S + 2N) 2^-b / (1 - u)) + n 2^134, plus the same
   * with 2^-84 for truncated rests. The factor 1/(1 - u) is covered by adding (S + 2N) 2^-(b+52),
   * more than (S + 2N) 2^-b u / (1 - u).
   */
  private BigInteger errorUnits(BigInteger s) {
    BigInteger magnitude = s.add(negatives.scaledValue().shiftLeft(1)).max(BigInteger.ZERO);
    BigInteger relative = relativeUnits(magnitude, restBits);
    if (truncatedRests) {
      relative = relative.add(relativeUnits(magnitude, GRID_BITS));
    }
    return relative.add(UNDERFLOW_UNITS.multiply(BigInteger.valueOf(count)));
  }

  /** ceil(m 2^-bits) + ceil(m 2^-(bits+52)): at least m 2^-bits / (1 - u). */
  private static BigInteger relativeUnits(BigInteger magnitude, int bits) {
    return ceilShift(magnitude, bits).add(ceilShift(magnitude, bits + 52));
  }

  /** ceil(v / 2^k) for v >= 0. */
  private static BigInteger ceilShift(BigInteger v, int k) {
    BigInteger q = v.shiftRight(k);
    return q.shiftLeft(k).equals(v) ? q : q.add(BigInteger.ONE);
  }

  /** A rounded result, and whether it is proven to be the correctly rounded true value. */
  public static final class Rounded {
    public final double value;
    public final boolean decided;

    Rounded(double value, boolean decided) {
      this.value = value;
      this.decided = decided;
    }
  }

  public void writeTo(DataOutput out) throws IOException {
    out.writeLong(count);
    // restBits <= 90: the top bit says whether rests were truncated
    out.writeByte(restBits | (truncatedRests ? 0x80 : 0));
    sum.writeTo(out);
    negatives.writeTo(out);
  }

  public static TrueSum readFrom(DataInput in) throws IOException {
    TrueSum t = new TrueSum();
    t.count = in.readLong();
    int bits = in.readUnsignedByte();
    t.restBits = bits & 0x7F;
    t.truncatedRests = (bits & 0x80) != 0;
    t.sum.merge(ExactSum.readFrom(in));
    t.negatives.merge(ExactSum.readFrom(in));
    return t;
  }

  @Override
  public String toString() {
    return "TrueSum(" + value() + ")";
  }
}
