package io.sparkbce.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.loss.BlockKernel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * -Dio.sparkbce.rounding=fast (issue 17): the previous round's kernels, a few ulp from the
 * correctly rounded default, the same bits scalar and vector, selected only by the property.
 */
class FastRoundingTest {
  @Test
  void fastVectorAndScalarKernelsGiveTheSameBits() {
    assertNotNull(BlockKernel.fastVector(), "the tests run with jdk.incubator.vector");
    Random r = new Random(17);
    int n = 4099; // a tail past the last whole vector
    double[][] c = new double[4][n];
    double[] q = new double[n];
    for (int i = 0; i < n; i++) {
      c[0][i] = i % 97 == 0 ? (i % 2 == 0 ? 800.0 : -1e-310) : r.nextGaussian() * Math.pow(10, r.nextInt(4) - 1);
      c[1][i] = i % 5 == 0 ? r.nextDouble() : r.nextInt(2);
      c[2][i] = i % 11 == 0 ? 0.0 : 0.5 + r.nextDouble();
      c[3][i] = i % 3 == 0 ? 1.0 : 1 + r.nextInt(4);
      q[i] = i % 89 == 0 ? (i % 2 == 0 ? 0.0 : 1.0) : 1 / (1 + Math.exp(-c[0][i]));
    }
    c[0][7] = Double.NaN;
    c[0][8] = Double.POSITIVE_INFINITY;
    double[] scalar = new double[n];
    double[] vector = new double[n];
    BlockKernel.fastScalar().withLogits(c[0], c[1], c[2], c[3], scalar, n);
    BlockKernel.fastVector().withLogits(c[0], c[1], c[2], c[3], vector, n);
    assertSameBits(scalar, vector, "withLogits");
    BlockKernel.fastScalar().probabilities(q, c[1], c[2], scalar, n);
    BlockKernel.fastVector().probabilities(q, c[1], c[2], vector, n);
    assertSameBits(scalar, vector, "probabilities");
  }

  /** Within 4 ulp of the correctly rounded kernel, and not always equal to it. */
  @Test
  void fastLossesAreWithinAFewUlpOfTheCorrectlyRoundedOnes() {
    Random r = new Random(3);
    int n = 20000;
    double[][] c = new double[4][n];
    for (int i = 0; i < n; i++) {
      c[0][i] = r.nextGaussian() * 5;
      c[1][i] = r.nextInt(2);
      c[2][i] = 1.0;
      c[3][i] = 1.0;
    }
    double[] fast = new double[n];
    double[] correct = new double[n];
    BlockKernel.fastScalar().withLogits(c[0], c[1], c[2], c[3], fast, n);
    BlockKernel.scalar().withLogits(c[0], c[1], c[2], c[3], correct, n);
    int differ = 0;
    for (int i = 0; i < n; i++) {
      double ulps = Math.abs(fast[i] - correct[i]) / Math.ulp(correct[i]);
      assertTrue(ulps <= 4, "x=" + c[0][i] + " y=" + c[1][i] + ": " + ulps + " ulp");
      differ += fast[i] == correct[i] ? 0 : 1;
    }
    assertTrue(differ > n / 10, differ + " of " + n + " differ"); // issue 17: 47% were off
  }

  @Test
  void thePropertySelectsTheFastKernelsAndRejectsOtherValues() throws Exception {
    String fast = "losses: " + losses(BlockKernel.fastScalar());
    String correct = "losses: " + losses(BlockKernel.scalar());
    assertTrue(!fast.equals(correct), "the witness logits tell the kernels apart");
    String vector = run("-Dio.sparkbce.rounding=fast");
    assertTrue(vector.contains("kernel: fast vector") && vector.contains(fast), vector);
    String scalar = run("-Dio.sparkbce.rounding=FAST", "-Dio.sparkbce.kernel=scalar");
    assertTrue(scalar.contains("kernel: fast scalar") && scalar.contains(fast), scalar);
    String byDefault = run("-Dio.sparkbce.kernel=auto");
    assertTrue(byDefault.contains("kernel: vector") && byDefault.contains(correct), byDefault);
    String bad = run("-Dio.sparkbce.rounding=fastest");
    assertTrue(bad.contains("-Dio.sparkbce.rounding=fastest: expected 'correct' (the default) or"
        + " 'fast'"), bad);
  }

  private static long losses(BlockKernel kernel) {
    int n = KernelName.LOGITS.length;
    double[] ones = new double[n];
    java.util.Arrays.fill(ones, 1.0);
    double[] out = new double[n];
    kernel.withLogits(KernelName.LOGITS, ones, ones, ones, out, n);
    return KernelName.hash(out);
  }

  private static String run(String... properties) throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(
        List.of(java, "--add-modules", "jdk.incubator.vector"));
    cmd.addAll(List.of(properties));
    cmd.addAll(List.of("-cp", cp, KernelName.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
    return out;
  }

  private static void assertSameBits(double[] a, double[] b, String what) {
    for (int i = 0; i < a.length; i++) {
      assertEquals(Double.doubleToRawLongBits(a[i]), Double.doubleToRawLongBits(b[i]),
          what + " #" + i);
    }
  }
}
