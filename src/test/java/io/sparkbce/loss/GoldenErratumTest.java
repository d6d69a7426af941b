package io.sparkbce.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.testing.Golden;
import io.sparkbce.testing.Golden.GoldenCase;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/**
 * The one deliberate difference from the golden vectors: {@code bce(1e-300, 0)}, whose
 * {@code exact} is 0 in the golden file while the true value -log(1 - q) rounds to q = 1e-300.
 * Proven here with exact rationals only (no logarithm): for 0 < q <= 1/2,
 * q < -log(1 - q) = q + q^2/2 + q^3/3 + ... < q + q^2, and both ends round to q because q^2 is
 * far below half an ulp of q. If the golden file is corrected, the first assertion fails and the
 * correction in {@link GoldenCase#exactElement} can go.
 */
class GoldenErratumTest {
  private static final double Q = 1e-300;

  @Test
  void theGoldenFileSaysZero() {
    GoldenCase c = Golden.cases("bce.jsonl").stream()
        .filter(g -> g.id().equals("extreme_probs_label0/none/float64")).findFirst().orElseThrow();
    assertEquals(Q, c.input().get(1).asDouble());
    assertEquals(0.0, c.target().get(1).asDouble());
    assertEquals(0.0, c.exact().get(1).asDouble(), "the erratum is still in the golden file");
    assertEquals(Q, c.exactElement(1), "the tests compare against the corrected value");
  }

  @Test
  void theTrueValueRoundsToQ() {
    BigDecimal q = new BigDecimal(Q);
    BigDecimal halfUlp = new BigDecimal(Math.ulp(Q)).divide(BigDecimal.valueOf(2));
    BigDecimal upper = q.add(q.multiply(q)); // -log(1 - q) < q + q^2 for q <= 1/2
    assertTrue(upper.subtract(q).compareTo(halfUlp) < 0);
    // q < -log(1 - q) < q + q^2 < q + ulp(q)/2: the nearest double is q itself.
    assertEquals(Q, HighPrecision.round(upper));
    assertEquals(Q, LossKernel.probabilities(Q, 0.0, 1.0));
  }
}
