package io.sparkbce.loss;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigInteger;

/**
 * An exact sum of doubles: a fixed-point superaccumulator in the spirit of Neal (2015), "Fast exact
 * summation using small and large superaccumulators".
 *
 * <p>The value is {@code sum(chunk[i] * 2^(32*i - 1074))}: every finite double is an integer
 * multiple of 2^-1074, so adding one touches at most three 32-bit chunks and never rounds. Chunks
 * are signed 64-bit, so up to 2^30 additions fit before carries must be propagated. Infinities and
 * NaN are tracked apart and win over any finite sum. The sum is rounded once, when it is read;
 * hence the same bits whatever the order of additions or the shape of the merge tree.
 *
 * <p>Only the window of chunks that values have reached is allocated: losses of similar magnitude
 * touch a handful of chunks, so a sum costs tens of bytes rather than 68 longs. That matters for
 * per-class state of many groups, which holds thousands of sums.
 */
public final class ExactSum implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int CHUNK_BITS = 32;
  private static final long CHUNK_MASK = (1L << CHUNK_BITS) - 1;
  /** 2^(32*68) exceeds 2^63 additions of the largest double, counted in units of 2^-1074. */
  private static final int CHUNKS = 68;
  private static final int ADDS_BEFORE_CARRY = 1 << 30;
  private static final int UNIT_EXPONENT = -1074;

  private static final long[] NONE = new long[0];
  /** Chunks lo .. lo + chunk.length - 1; those outside the window are zero. */
  private long[] chunk = NONE;
  private int lo;
  private int pendingAdds;
  private boolean nan;
  private boolean posInf;
  private boolean negInf;

  /**
   * Adds {@code values[offset] .. values[offset + count - 1]}, exactly as {@link #add} one by one.
   *
   * <p>Why bins: {@link #add} updates three chunks in memory per value, and consecutive values of
   * similar magnitude wait on each other through those chunks. Here each value's signed 53-bit
   * significand is added to one long per binary exponent ({@link Bins}, per thread), which takes
   * 2^10 of them without overflow (2^10 * 2^53 = 2^63); every 2^10 values (and at the end) each
   * touched bin, an exact integer times a power of two, goes into the chunks once. Infinities and
   * NaN are looked for only when the block holds one (their exponent field is all ones).
   */
  public void addAll(double[] values, int offset, int count) {
    Bins bins = BINS.get();
    long[] bin = bins.sums;
    int end = offset + count;
    boolean special = false;
    for (int start = offset; start < end; start += Bins.VALUES_BEFORE_FLUSH) {
      int stop = Math.min(end, start + Bins.VALUES_BEFORE_FLUSH);
      int low = Bins.SIZE;
      int high = -1;
      for (int i = start; i < stop; i++) {
        long bits = Double.doubleToRawLongBits(values[i]);
        int biased = (int) (bits >>> 52) & 0x7FF;
        long significand = (bits & 0xFFFFFFFFFFFFFL) | (biased == 0 ? 0L : 1L << 52);
        long sign = bits >> 63;
        bin[biased] += (significand ^ sign) - sign;
        low = Math.min(low, biased);
        high = Math.max(high, biased);
      }
      special |= flush(bin, low, high);
    }
    if (special) {
      addSpecials(values, offset, 1, count);
    }
  }

  /**
   * Adds {@code values[offset + k * stride]} for k below {@code count}, exactly as {@link #add}
   * one by one, the way {@link #addAll(double[], int, int)} adds a contiguous range: one class's
   * elements of rows laid out one after another. (A loop of its own: a stride of 1 through this
   * one made the contiguous sum 7% slower.)
   */
  public void addAll(double[] values, int offset, int stride, int count) {
    long[] bin = BINS.get().sums;
    boolean special = false;
    for (int done = 0; done < count; done += Bins.VALUES_BEFORE_FLUSH) {
      int stop = offset + Math.min(count, done + Bins.VALUES_BEFORE_FLUSH) * stride;
      int low = Bins.SIZE;
      int high = -1;
      for (int i = offset + done * stride; i < stop; i += stride) {
        long bits = Double.doubleToRawLongBits(values[i]);
        int biased = (int) (bits >>> 52) & 0x7FF;
        bin[biased] += signedSignificand(bits, biased);
        low = Math.min(low, biased);
        high = Math.max(high, biased);
      }
      special |= flush(bin, low, high);
    }
    if (special) {
      addSpecials(values, offset, stride, count);
    }
  }

  /**
   * {@link #addWithRest} of his[k] and rests[k] for k in offset .. offset + count - 1, exactly as
   * one by one, binned as {@link #addAll}: each hi's significand into its exponent's bin, its
   * truncated rest (|r| < 2^31 grid units of 2^(biased - 1107)) into a second bin per exponent;
   * elements {@link #addWithRest} adds as two doubles go to it directly.
   */
  public void addAllWithRests(double[] his, double[] rests, int offset, int count) {
    addAllWithRests(his, rests, offset, 1, count);
  }

  /** {@link #addAllWithRests} of his[offset + k * stride] and its rest, for k below count. */
  public void addAllWithRests(double[] his, double[] rests, int offset, int stride, int count) {
    Bins bins = BINS.get();
    long[] bin = bins.sums;
    long[] restBin = bins.rests;
    for (int done = 0; done < count; done += Bins.VALUES_BEFORE_FLUSH) {
      int stop = offset + Math.min(count, done + Bins.VALUES_BEFORE_FLUSH) * stride;
      int low = Bins.SIZE;
      int high = -1;
      for (int i = offset + done * stride; i < stop; i += stride) {
        long bits = Double.doubleToRawLongBits(his[i]);
        int biased = (int) (bits >>> 52) & 0x7FF;
        double rest = rests[i];
        long r = (long) (rest * Double.longBitsToDouble((long) (2130 - biased) << 52));
        if (biased < 86 || biased == 0x7FF || r >= 1L << 31 || r <= -(1L << 31)
            || rest != rest) {
          addWithRest(his[i], rest);
          continue;
        }
        bin[biased] += signedSignificand(bits, biased);
        restBin[biased] += r;
        low = Math.min(low, biased);
        high = Math.max(high, biased);
      }
      flush(bin, low, high);
      for (int b = low; b <= high; b++) {
        long v = restBin[b];
        if (v != 0) {
          restBin[b] = 0;
          addScaled(v, b - 33);
        }
      }
    }
  }

  /** The double of {@code bits} (biased exponent {@code biased}) as a signed 53-bit integer. */
  private static long signedSignificand(long bits, int biased) {
    long significand = (bits & 0xFFFFFFFFFFFFFL) | (biased == 0 ? 0L : 1L << 52);
    long sign = bits >> 63;
    return (significand ^ sign) - sign;
  }

  /**
   * Moves bins {@code low .. high} into the chunks and zeroes them; whether the block held an
   * infinity or NaN (bin 0x7FF, dropped here: {@link #addSpecials} reads those values).
   */
  private boolean flush(long[] bin, int low, int high) {
    boolean special = high == 0x7FF;
    if (special) {
      bin[0x7FF] = 0;
      high = 0x7FE;
    }
    for (int b = low; b <= high; b++) {
      long v = bin[b];
      if (v != 0) {
        bin[b] = 0;
        addScaled(v, Math.max(b, 1) - 1);
      }
    }
    return special;
  }

  private void addSpecials(double[] values, int offset, int stride, int count) {
    for (int k = 0; k < count; k++) {
      long bits = Double.doubleToRawLongBits(values[offset + k * stride]);
      if (((bits >>> 52) & 0x7FF) == 0x7FF) {
        addSpecial((bits & 0xFFFFFFFFFFFFFL) != 0, bits < 0);
      }
    }
  }

  /** One long per biased exponent, all zero between calls of {@link #addAll}. */
  private static final class Bins {
    static final int SIZE = 0x800;
    static final int VALUES_BEFORE_FLUSH = 1 << 10;
    final long[] sums = new long[SIZE];
    /** {@link #addAllWithRests}' truncated rests, in units of 2^(exponent - 1107). */
    final long[] rests = new long[SIZE];
  }

  private static final ThreadLocal<Bins> BINS = ThreadLocal.withInitial(Bins::new);

  /** Adds {@code v * 2^(position - 1074)} for a signed {@code v} with |v| < 2^63. */
  private void addScaled(long v, int position) {
    addMagnitude(v < 0 ? -v : v, v < 0, position);
  }

  /**
   * Adds or subtracts {@code magnitude * 2^(position - 1074)}, 0 <= magnitude < 2^63: at most
   * three chunks, each by less than 2^32.
   */
  private void addMagnitude(long magnitude, boolean negative, int position) {
    int index = position >>> 5;
    int offset = position & 31;
    if (index < lo || index + 3 > lo + chunk.length) {
      widen(index, index + 2);
    }
    index -= lo;
    long low = (magnitude << offset) & CHUNK_MASK;
    long middle = (magnitude >>> (CHUNK_BITS - offset)) & CHUNK_MASK;
    long high = offset == 0 ? 0 : magnitude >>> (64 - offset);
    if (negative) {
      chunk[index] -= low;
      chunk[index + 1] -= middle;
      chunk[index + 2] -= high;
    } else {
      chunk[index] += low;
      chunk[index + 1] += middle;
      chunk[index + 2] += high;
    }
    if (++pendingAdds == ADDS_BEFORE_CARRY) {
      carry();
    }
  }

  public void add(double v) {
    long bits = Double.doubleToRawLongBits(v);
    int biased = (int) (bits >>> 52) & 0x7FF;
    long mantissa = bits & 0xFFFFFFFFFFFFFL;
    if (biased == 0x7FF) {
      addSpecial(mantissa != 0, bits < 0);
      return;
    }
    if (biased == 0) {
      if (mantissa == 0) {
        return;
      }
      biased = 1;
    } else {
      mantissa |= 1L << 52;
    }
    // v = mantissa * 2^(biased - 1075) = mantissa * 2^(position - 1074).
    addMagnitude(mantissa, bits < 0, biased - 1);
  }

  /**
   * Adds {@code hi + lo'}, lo' being lo truncated (towards zero) to a multiple of 2^-32 ulp(hi)
   * (the grid 2^(e-84), e hi's exponent): what {@link TrueSum} adds for an element with a rest.
   * The truncation error is below 2^-84 |hi| and a function of (hi, lo) alone, so the sum stays
   * exact and independent of order and partitioning. One addition of an 85-bit integer (hi's 53
   * bits and the rest's 32 below them, four chunks) instead of two of three chunks each. Exact
   * (both added as {@link #add}) where the grid would leave the normal range (|hi| < 2^-937),
   * for a special hi or lo, or where |lo'| is not below ulp(hi) (lo is normally |lo| <= ulp/2).
   */
  public void addWithRest(double hi, double rest) {
    long bits = Double.doubleToRawLongBits(hi);
    int biased = (int) (bits >>> 52) & 0x7FF;
    // the rest in units of the grid 2^(biased - 1107) (exact scaling: 2^(1107 - biased) is normal)
    long r = (long) (rest * Double.longBitsToDouble((long) (2130 - biased) << 52));
    if (biased < 86 || biased == 0x7FF || r >= 1L << 31 || r <= -(1L << 31) || rest != rest) {
      add(hi);
      add(rest);
      return;
    }
    long mantissa = (bits & 0xFFFFFFFFFFFFFL) | (1L << 52);
    // value = (upper 2^32 + lower) 2^(position - 1074), lower in [0, 2^32), upper signed
    long upper = (bits < 0 ? -mantissa : mantissa) + (r >> 32);
    long lower = r & CHUNK_MASK;
    int position = biased - 33;
    int index = position >>> 5;
    int offset = position & 31;
    if (index < lo || index + 4 > lo + chunk.length) {
      widen(index, index + 3);
    }
    index -= lo;
    long magnitude = Math.abs(upper);
    long u0 = (magnitude << offset) & CHUNK_MASK;
    long u1 = (magnitude >>> (CHUNK_BITS - offset)) & CHUNK_MASK;
    long u2 = offset == 0 ? 0 : magnitude >>> (64 - offset);
    chunk[index] += (lower << offset) & CHUNK_MASK;
    long carried = offset == 0 ? 0 : lower >>> (CHUNK_BITS - offset);
    if (upper < 0) {
      chunk[index + 1] += carried - u0;
      chunk[index + 2] -= u1;
      chunk[index + 3] -= u2;
    } else {
      chunk[index + 1] += carried + u0;
      chunk[index + 2] += u1;
      chunk[index + 3] += u2;
    }
    // chunk index + 1 may take up to 2^33 per call: count two additions towards the carry
    pendingAdds += 2;
    if (pendingAdds >= ADDS_BEFORE_CARRY) {
      carry();
    }
  }

  private void addSpecial(boolean isNaN, boolean negative) {
    if (isNaN) {
      nan = true;
    } else if (negative) {
      negInf = true;
    } else {
      posInf = true;
    }
  }

  /** Adds another sum exactly; {@code other} keeps its value. */
  public void merge(ExactSum other) {
    carry();
    other.carry();
    if (other.chunk.length > 0) {
      widen(other.lo, other.lo + other.chunk.length - 1);
      int shift = other.lo - lo;
      for (int i = 0; i < other.chunk.length; i++) {
        chunk[shift + i] += other.chunk[i];
      }
    }
    nan |= other.nan;
    posInf |= other.posInf;
    negInf |= other.negInf;
    carry();
  }

  /** Makes the window cover chunks {@code from .. to}, with room to spare on the growing side. */
  private void widen(int from, int to) {
    int oldHi = lo + chunk.length - 1;
    int newLo = chunk.length == 0 ? Math.max(0, from - 1) : Math.min(lo, Math.max(0, from - 1));
    int newHi = chunk.length == 0 ? Math.min(CHUNKS - 1, to + 1)
        : Math.max(oldHi, Math.min(CHUNKS - 1, to + 1));
    long[] wider = new long[newHi - newLo + 1];
    if (chunk.length > 0) {
      System.arraycopy(chunk, 0, wider, lo - newLo, chunk.length);
    }
    chunk = wider;
    lo = newLo;
  }

  /**
   * Brings the chunks below the window's top into [0, 2^32); the top keeps the sign and stays
   * within +-2^31 by moving its excess into chunks above, so that no chunk can overflow before
   * the next carry. Value unchanged.
   */
  private void carry() {
    pendingAdds = 0;
    if (chunk.length == 0) {
      return;
    }
    int last = chunk.length - 1;
    long c = 0;
    for (int i = 0; i < last; i++) {
      long v = chunk[i] + c;
      c = v >> CHUNK_BITS;
      chunk[i] = v & CHUNK_MASK;
    }
    long top = chunk[last] + c;
    while ((top >= (1L << 31) || top < -(1L << 31)) && lo + last < CHUNKS - 1) {
      chunk[last] = top & CHUNK_MASK;
      top >>= CHUNK_BITS;
      if (last == chunk.length - 1) {
        widen(lo + last + 1, lo + last + 1);
      }
      last++;
      top += chunk[last];
    }
    chunk[last] = top;
  }

  public boolean isFinite() {
    return !(nan || posInf || negInf);
  }

  /** The finite part as an integer count of 2^-1074. */
  public BigInteger scaledValue() {
    carry();
    BigInteger v = BigInteger.ZERO;
    for (int i = chunk.length - 1; i >= 0; i--) {
      v = v.shiftLeft(CHUNK_BITS).add(BigInteger.valueOf(chunk[i]));
    }
    return v.shiftLeft(CHUNK_BITS * lo);
  }

  /** The exact sum, rounded once to the nearest double (ties to even). */
  public double value() {
    if (!isFinite()) {
      return special();
    }
    return CorrectRounding.quotient(scaledValue(), BigInteger.ONE, UNIT_EXPONENT);
  }

  /** The exact sum divided by {@code n}, rounded once; IEEE rules for n = 0. */
  public double dividedBy(long n) {
    if (!isFinite() || n == 0) {
      return value() / n;
    }
    return CorrectRounding.quotient(scaledValue(), BigInteger.valueOf(n), UNIT_EXPONENT);
  }

  /** The exact quotient of two exact sums, rounded once; IEEE rules for zero and specials. */
  public double dividedBy(ExactSum denominator) {
    if (!isFinite() || !denominator.isFinite()) {
      return value() / denominator.value();
    }
    BigInteger d = denominator.scaledValue();
    BigInteger num = scaledValue();
    if (d.signum() == 0 || num.signum() == 0) {
      return value() / denominator.value();
    }
    return CorrectRounding.quotient(num, d, 0);
  }

  private double special() {
    if (nan || (posInf && negInf)) {
      return Double.NaN;
    }
    return posInf ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
  }

  /**
   * Compact form for shuffles and checkpoints: a flag byte, then the sign and the range of
   * non-zero 32-bit chunks of the magnitude (a sum of losses of similar magnitude spans a few).
   */
  public void writeTo(DataOutput out) throws IOException {
    BigInteger v = scaledValue();
    BigInteger magnitude = v.abs();
    int lowest = magnitude.signum() == 0 ? 0 : magnitude.getLowestSetBit() / CHUNK_BITS;
    int count = magnitude.signum() == 0 ? 0
        : (magnitude.bitLength() + CHUNK_BITS - 1) / CHUNK_BITS - lowest;
    out.writeByte((nan ? 1 : 0) | (posInf ? 2 : 0) | (negInf ? 4 : 0) | (v.signum() < 0 ? 8 : 0));
    out.writeByte(lowest);
    out.writeByte(count);
    BigInteger words = magnitude.shiftRight(CHUNK_BITS * lowest);
    for (int i = 0; i < count; i++) {
      out.writeLong(words.shiftRight(CHUNK_BITS * i).longValue() & CHUNK_MASK);
    }
  }

  public static ExactSum readFrom(DataInput in) throws IOException {
    ExactSum s = new ExactSum();
    int flags = in.readByte();
    s.nan = (flags & 1) != 0;
    s.posInf = (flags & 2) != 0;
    s.negInf = (flags & 4) != 0;
    int lowest = in.readUnsignedByte();
    int n = in.readUnsignedByte();
    long sign = (flags & 8) != 0 ? -1 : 1;
    if (n > 0) {
      s.chunk = new long[n];
      s.lo = lowest;
      for (int i = 0; i < n; i++) {
        s.chunk[i] = sign * in.readLong();
      }
    }
    s.carry();
    return s;
  }

  public ExactSum copy() {
    ExactSum s = new ExactSum();
    s.merge(this);
    return s;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ExactSum)) {
      return false;
    }
    ExactSum other = (ExactSum) o;
    BigInteger mine = scaledValue();
    BigInteger theirs = other.scaledValue();
    return nan == other.nan && posInf == other.posInf && negInf == other.negInf
        && mine.equals(theirs);
  }

  @Override
  public int hashCode() {
    return scaledValue().hashCode();
  }

  @Override
  public String toString() {
    return "ExactSum(" + value() + ")";
  }
}
