package io.sparkbce.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The finish decision of a reduction (Ziv at the reduction level) on synthetic states whose exact
 * sum S sits at, near or far from a rounding boundary; expected values are worked out by hand.
 */
class TrueSumTest {
  /** 1 + 2^-53 is the midpoint between 1 and 1 + 2^-52. */
  private static final double HALF_ULP_OF_ONE = 0x1p-53;

  @Test
  void aSumAtAMidpointIsUndecidedAndFaithful() {
    TrueSum t = new TrueSum();
    t.add(1.0, HALF_ULP_OF_ONE);
    TrueSum.Rounded r = t.rounded();
    assertFalse(r.decided, "the true value could lie on either side of the midpoint");
    assertEquals(1.0, r.value, "S itself rounded (ties to even): within 1 ulp of the truth");
  }

  @Test
  void aSumFarFromABoundaryIsDecided() {
    TrueSum t = new TrueSum();
    t.add(1.0, 0x1p-60);
    assertTrue(t.rounded().decided);
    assertEquals(1.0, t.value());
  }

  @Test
  void theRestsBoundDecidesHowCloseToABoundaryIsDecided() {
    // S = 1 + 2^-53 + 2^-80: 2^-80 above the midpoint. Tier 1's bound (2^-67 S) covers the
    // midpoint, tier 2's (2^-90 S) does not: then S rounds up, and so does the true value.
    double lo = HALF_ULP_OF_ONE + 0x1p-80;
    TrueSum table = new TrueSum();
    table.add(1.0, lo);
    assertFalse(table.rounded().decided);
    TrueSum doubleDouble = new TrueSum();
    doubleDouble.restBits(Rests.DOUBLE_DOUBLE.bits);
    doubleDouble.add(1.0, lo);
    assertTrue(doubleDouble.rounded().decided);
    assertEquals(1.0 + 0x1p-52, doubleDouble.value());
  }

  @Test
  void aMeanIsDecidedOnTheQuotient() {
    // Three elements of 1 + 2^-53 each: S = 3 + 3 2^-53, S / 3 = 1 + 2^-53 again a midpoint.
    TrueSum t = new TrueSum();
    for (int i = 0; i < 3; i++) {
      t.add(1.0, HALF_ULP_OF_ONE);
    }
    assertFalse(t.quotient(3).decided);
    assertEquals(1.0, t.dividedBy(3));
    // S / 4 = 0.75 + 1.5 2^-54: half an ulp-half (2^-55) above the midpoint 0.75 + 2^-54
    // (ulp 2^-53 in [0.5, 1)), far more than E / 4 ~ 2^-67: decided, rounds up.
    assertTrue(t.quotient(4).decided);
    assertEquals(0.75 + 0x1p-53, t.dividedBy(4));
  }

  @Test
  void negativeElementsWidenTheBound() {
    // S = 1 + 2^-60 from 2^20 and -(2^20 - 1): cancellation. The bound follows sum |hi| ~ 2^21,
    // not S: 2^-67 2^21 = 2^-46 > the distance 2^-53 - 2^-60 to the midpoint.
    TrueSum t = new TrueSum();
    t.add(0x1p20, 0x1p-60);
    t.add(-(0x1p20 - 1), 0.0);
    assertFalse(t.rounded().decided);
    assertEquals(1.0, t.value());
    TrueSum positive = new TrueSum();
    positive.add(1.0, 0x1p-60);
    assertTrue(positive.rounded().decided);
  }

  @Test
  void mergingAndSerialisingKeepTheValueTheDecisionAndTheBound() throws Exception {
    TrueSum whole = new TrueSum();
    TrueSum left = new TrueSum();
    TrueSum right = new TrueSum();
    whole.restBits(Rests.DOUBLE_DOUBLE.bits);
    left.restBits(Rests.DOUBLE_DOUBLE.bits);
    right.restBits(Rests.DOUBLE_DOUBLE.bits);
    double[] his = {0.5, 0.25, 1.5, 3.0};
    double[] los = {0x1p-55, 0x1p-56, 0x1p-54 + 0x1p-85, 0x1p-52};
    for (int i = 0; i < his.length; i++) {
      whole.add(his[i], los[i]);
      (i < 2 ? left : right).add(his[i], los[i]);
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    right.writeTo(new java.io.DataOutputStream(bytes));
    TrueSum restored = TrueSum.readFrom(
        new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
    TrueSum merged = new TrueSum();
    merged.merge(left);
    merged.merge(restored);
    assertEquals(Rests.DOUBLE_DOUBLE.bits, merged.restBits());
    assertEquals(whole.value(), merged.value());
    assertEquals(whole.rounded().decided, merged.rounded().decided);
    assertEquals(whole.quotient(4).value, merged.quotient(4).value);
    // A state summed with tier 1's rests makes the union's bound tier 1's.
    TrueSum coarse = new TrueSum();
    coarse.add(1.0, 0.0);
    merged.merge(coarse);
    assertEquals(Rests.TABLE.bits, merged.restBits());
  }

  @Test
  void aLossStateSaysWhetherEachReductionIsDecided() {
    LossAccumulator a = new LossAccumulator();
    a.add(1.0, HALF_ULP_OF_ONE, 1.0);
    assertFalse(a.decided(Reduction.SUM));
    assertFalse(a.decided(Reduction.MEAN));
    assertFalse(a.decided(Reduction.WEIGHTED_MEAN));
    a.add(1.0, 0.0, 1.0); // S = 2 + 2^-53: a quarter ulp above 2, far from a midpoint
    assertTrue(a.decided(Reduction.SUM));
    assertEquals(2.0, a.result(Reduction.SUM));
    assertTrue(new LossAccumulator().decided(Reduction.MEAN), "an empty mean is NULL: decided");
  }
}
