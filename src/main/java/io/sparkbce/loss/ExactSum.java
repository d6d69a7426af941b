package io.sparkbce.loss;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * An exact sum of doubles: a fixed-point superaccumulator in the spirit of Neal (2015), "Fast exact
 * summation using small and large superaccumulators".
 *
 * <p>The value is {@code sum(chunk[i] * 2^(32*i - 1074))}: every finite double is an integer
 * multiple of 2^-1074, so adding one touches at most three 32-bit chunks and never rounds. Chunks
 * are signed 64-bit, so up to 2^30 additions fit before carries must be propagated. Infinities and
 * NaN are tracked apart and win over any finite sum. The sum is rounded once, when it is read;
 * hence the same bits whatever the order of additions or the shape of the merge tree.
 */
public final class ExactSum implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int CHUNK_BITS = 32;
  private static final long CHUNK_MASK = (1L << CHUNK_BITS) - 1;
  /** 2^(32*68) exceeds 2^63 additions of the largest double, counted in units of 2^-1074. */
  private static final int CHUNKS = 68;
  private static final int ADDS_BEFORE_CARRY = 1 << 30;
  private static final int UNIT_EXPONENT = -1074;

  private final long[] chunk = new long[CHUNKS];
  private int pendingAdds;
  private boolean nan;
  private boolean posInf;
  private boolean negInf;

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
    int position = biased - 1;
    int index = position >>> 5;
    int offset = position & 31;
    long low = (mantissa << offset) & CHUNK_MASK;
    long middle = (mantissa >>> (CHUNK_BITS - offset)) & CHUNK_MASK;
    long high = offset == 0 ? 0 : mantissa >>> (64 - offset);
    if (bits < 0) {
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
    for (int i = 0; i < CHUNKS; i++) {
      chunk[i] += other.chunk[i];
    }
    nan |= other.nan;
    posInf |= other.posInf;
    negInf |= other.negInf;
    carry();
  }

  /** Brings chunks 0..n-2 into [0, 2^32); the top chunk keeps the sign. Value unchanged. */
  private void carry() {
    long c = 0;
    for (int i = 0; i < CHUNKS - 1; i++) {
      long v = chunk[i] + c;
      c = v >> CHUNK_BITS;
      chunk[i] = v & CHUNK_MASK;
    }
    chunk[CHUNKS - 1] += c;
    pendingAdds = 0;
  }

  public boolean isFinite() {
    return !(nan || posInf || negInf);
  }

  /** The finite part as an integer count of 2^-1074. */
  public BigInteger scaledValue() {
    carry();
    BigInteger v = BigInteger.valueOf(chunk[CHUNKS - 1]);
    for (int i = CHUNKS - 2; i >= 0; i--) {
      v = v.shiftLeft(CHUNK_BITS).add(BigInteger.valueOf(chunk[i]));
    }
    return v;
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
   * Compact form for shuffles and checkpoints: a flag byte, then only the range of non-zero
   * chunks (a sum of losses of similar magnitude spans a few chunks, not 68).
   */
  public void writeTo(DataOutput out) throws IOException {
    carry();
    // A negative sum's normalised chunks are all non-zero (two's complement), so write the
    // magnitude, whose chunks are as sparse as a positive sum's.
    boolean negative = chunk[CHUNKS - 1] < 0;
    long[] magnitude = chunk;
    if (negative) {
      magnitude = new long[CHUNKS];
      long c = 0;
      for (int i = 0; i < CHUNKS; i++) {
        long v = -chunk[i] + c;
        c = v >> CHUNK_BITS;
        magnitude[i] = i == CHUNKS - 1 ? v : v & CHUNK_MASK;
      }
    }
    int lo = 0;
    while (lo < CHUNKS && magnitude[lo] == 0) {
      lo++;
    }
    int hi = CHUNKS - 1;
    while (hi >= lo && magnitude[hi] == 0) {
      hi--;
    }
    out.writeByte((nan ? 1 : 0) | (posInf ? 2 : 0) | (negInf ? 4 : 0) | (negative ? 8 : 0));
    out.writeByte(lo);
    out.writeByte(hi - lo + 1);
    for (int i = lo; i <= hi; i++) {
      out.writeLong(magnitude[i]);
    }
  }

  public static ExactSum readFrom(DataInput in) throws IOException {
    ExactSum s = new ExactSum();
    int flags = in.readByte();
    s.nan = (flags & 1) != 0;
    s.posInf = (flags & 2) != 0;
    s.negInf = (flags & 4) != 0;
    int lo = in.readUnsignedByte();
    int n = in.readUnsignedByte();
    long sign = (flags & 8) != 0 ? -1 : 1;
    for (int i = 0; i < n; i++) {
      s.chunk[lo + i] = sign * in.readLong();
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
    carry();
    other.carry();
    return nan == other.nan && posInf == other.posInf && negInf == other.negInf
        && Arrays.equals(chunk, other.chunk);
  }

  @Override
  public int hashCode() {
    carry();
    return Arrays.hashCode(chunk);
  }

  @Override
  public String toString() {
    return "ExactSum(" + value() + ")";
  }
}
