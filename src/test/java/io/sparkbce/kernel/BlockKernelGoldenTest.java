package io.sparkbce.kernel;

import static io.sparkbce.testing.Close.assertExact;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkbce.loss.BlockKernel;
import io.sparkbce.testing.Golden;
import io.sparkbce.testing.Golden.GoldenCase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Both block kernels, scalar and Vector API, on every element of the golden BCE-with-logits cases
 * (weights and pos_weight broadcast as PyTorch does), against {@code exact} bit for bit (correctly rounded, SPEC §1).
 */
class BlockKernelGoldenTest {

  @Test
  void vectorKernelIsAvailableAndSelectedInTests() {
    assertNotNull(BlockKernel.vector(), "surefire runs with --add-modules jdk.incubator.vector");
    assertSame(BlockKernel.vector(), BlockKernel.selected());
  }

  @Test
  void scalarKernelPassesTheGoldenVectors() {
    assertTrue(check(BlockKernel.scalar()) > 5000);
  }

  @Test
  void vectorKernelPassesTheGoldenVectors() {
    assertTrue(check(BlockKernel.vector()) > 5000);
  }

  @Test
  void kernelsGiveIdenticalBitsOnAwkwardValues() {
    double[] xs = {0, -0.0, 1e-300, -1e-300, 40, -40, 700, -700, 800, -800, 1e308,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 3.5, -2.25, 17, 1e-17};
    double[] ys = {0, 1, 0.5, 0.25, -0.5, 1.5, Double.NaN};
    double[] ws = {1, 0, 2.5, -1, Double.NaN};
    double[] ps = {1, 0, 3, Double.POSITIVE_INFINITY, Double.NaN};
    List<double[]> rows = new ArrayList<>();
    for (double x : xs) {
      for (double y : ys) {
        for (double w : ws) {
          for (double p : ps) {
            rows.add(new double[] {x, y, w, p});
          }
        }
      }
    }
    int n = rows.size();
    double[][] cols = new double[4][n];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < 4; k++) {
        cols[k][i] = rows.get(i)[k];
      }
    }
    double[] scalar = new double[n];
    double[] vector = new double[n];
    BlockKernel.scalar().withLogits(cols[0], cols[1], cols[2], cols[3], scalar, n);
    BlockKernel.vector().withLogits(cols[0], cols[1], cols[2], cols[3], vector, n);
    for (int i = 0; i < n; i++) {
      String what = "x=" + cols[0][i] + " y=" + cols[1][i] + " w=" + cols[2][i] + " p="
          + cols[3][i];
      // Same IEEE operations in the same order: the same bits, not just close.
      assertEquals(Double.doubleToRawLongBits(scalar[i]), Double.doubleToRawLongBits(vector[i]),
          what);
      // And the element-by-element function's: the block kernels' passes and special-value
      // checks must not change a result (a NaN p gives NaN even where y = 0).
      double one = io.sparkbce.loss.LossKernel.withLogits(cols[0][i], cols[1][i], cols[2][i],
          cols[3][i]);
      assertEquals(Double.doubleToRawLongBits(one), Double.doubleToRawLongBits(scalar[i]), what);
    }
  }

  /** 200,000 random elements, logits log-uniform over 1e-20 .. 1e3 of both signs: same bits. */
  @Test
  void kernelsGiveIdenticalBitsOnRandomValues() {
    int n = 200_000;
    java.util.Random r = new java.util.Random(42);
    double[][] cols = new double[4][n];
    for (int i = 0; i < n; i++) {
      cols[0][i] = (r.nextBoolean() ? 1 : -1) * Math.pow(10, -20 + 23 * r.nextDouble());
      cols[1][i] = r.nextInt(3) == 0 ? r.nextDouble() : r.nextInt(2);
      cols[2][i] = r.nextDouble() * 3;
      cols[3][i] = r.nextDouble() * 5;
    }
    double[] scalar = new double[n];
    double[] vector = new double[n];
    BlockKernel.scalar().withLogits(cols[0], cols[1], cols[2], cols[3], scalar, n);
    BlockKernel.vector().withLogits(cols[0], cols[1], cols[2], cols[3], vector, n);
    for (int i = 0; i < n; i++) {
      int at = i;
      assertEquals(Double.doubleToRawLongBits(scalar[i]), Double.doubleToRawLongBits(vector[i]),
          () -> "x=" + cols[0][at] + " y=" + cols[1][at]);
    }
  }

  /** BCELoss on probabilities: random and awkward q (0, 1, subnormal, 1 - 2^-53): same bits. */
  @Test
  void probabilityKernelsGiveIdenticalBits() {
    int n = 100_003;
    java.util.Random r = new java.util.Random(7);
    double[] awkward = {0, 1, Double.MIN_VALUE, 1e-300, 0x1p-145, 0x1p-146, 1e-44, 3.7e-44,
        1 - 0x1p-53, 0.5, 0.5 + 0x1p-53, 1e-17, 1e-8, 0.9999999, Math.sqrt(0.5),
        0x1p-8, Math.nextDown(0x1p-8), 1 - 0x1p-8, Math.nextUp(1 - 0x1p-8), 0x1p-1022,
        Math.nextDown(0x1p-1022), 3.720075976020836e-44, Math.nextUp(3.720075976020836e-44)};
    double[][] cols = new double[3][n];
    for (int i = 0; i < n; i++) {
      cols[0][i] = i < awkward.length ? awkward[i]
          : r.nextBoolean() ? r.nextDouble() : Math.pow(10, -40 * r.nextDouble());
      cols[1][i] = r.nextInt(3) == 0 ? r.nextDouble() : r.nextInt(2);
      cols[2][i] = i % 1000 == 1 ? Double.NaN : r.nextDouble() * 3;
    }
    double[] scalar = new double[n];
    double[] vector = new double[n];
    BlockKernel.scalar().probabilities(cols[0], cols[1], cols[2], scalar, n);
    BlockKernel.vector().probabilities(cols[0], cols[1], cols[2], vector, n);
    for (int i = 0; i < n; i++) {
      int at = i;
      assertEquals(Double.doubleToRawLongBits(scalar[i]), Double.doubleToRawLongBits(vector[i]),
          () -> "q=" + cols[0][at] + " y=" + cols[1][at] + " w=" + cols[2][at]);
    }
    // With the rests the aggregates add: the same hi and lo.
    double[] scalarLow = new double[n];
    double[] vectorLow = new double[n];
    BlockKernel.scalar().probabilities(cols[0], cols[1], cols[2], scalar, scalarLow,
        io.sparkbce.loss.Rests.TABLE, n);
    BlockKernel.vector().probabilities(cols[0], cols[1], cols[2], vector, vectorLow,
        io.sparkbce.loss.Rests.TABLE, n);
    for (int i = 0; i < n; i++) {
      int at = i;
      assertEquals(Double.doubleToRawLongBits(scalar[i]), Double.doubleToRawLongBits(vector[i]),
          () -> "with rests: q=" + cols[0][at] + " y=" + cols[1][at] + " w=" + cols[2][at]);
      assertEquals(Double.doubleToRawLongBits(scalarLow[i]),
          Double.doubleToRawLongBits(vectorLow[i]),
          () -> "rest: q=" + cols[0][at] + " y=" + cols[1][at] + " w=" + cols[2][at]);
    }
    // Out of range: both throw, naming the first bad value.
    cols[0][5000] = 1.5;
    cols[1][4000] = -0.25;
    for (BlockKernel k : new BlockKernel[] {BlockKernel.scalar(), BlockKernel.vector()}) {
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class,
          () -> k.probabilities(cols[0], cols[1], cols[2], scalar, n));
      assertTrue(e.getMessage().contains("-0.25"), e.getMessage());
    }
  }

  @Test
  void aPropertyForcesTheScalarKernel() throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    for (String[] run : new String[][] {{"-Dio.sparkbce.kernel=scalar", "scalar"},
        {"-Dio.sparkbce.kernel=auto", "vector"}}) {
      Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", run[0], "-cp",
          cp, KernelName.class.getName()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertTrue(out.contains("kernel: " + run[1]), out);
    }
  }

  /** The same bits interpreted (-Xint) and compiled, vector and scalar, in child JVMs. */
  @Test
  void kernelsGiveTheSameBitsWithTheJitOnAndOff() throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    long expected = InterpretedKernels.hash(BlockKernel.scalar(), 997);
    String line = "vector " + expected + " scalar " + expected;
    for (String mode : new String[] {"-Xint", "-Xmixed"}) {
      Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", mode, "-cp",
          cp, InterpretedKernels.class.getName()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(120, TimeUnit.SECONDS));
      assertTrue(out.contains(line), mode + ": " + out + " (this JVM: " + line + ")");
    }
  }

  /** Element by element: x, y, weight and pos_weight after PyTorch's broadcasting. */
  private static int check(BlockKernel kernel) {
    int checked = 0;
    for (GoldenCase c : Golden.cases("bce_with_logits.jsonl")) {
      if (!"none".equals(c.reduction()) || c.error() != null || c.float32()) {
        continue;
      }
      List<double[]> elements = new ArrayList<>();
      List<JsonNode> exact = new ArrayList<>();
      for (int n = 0; n < c.rows(); n++) {
        flatten(c, c.input().get(n), c.target().get(n), weightOfRow(c, n), c.posWeight(),
            c.exact().get(n), elements, exact);
      }
      int m = elements.size();
      double[][] cols = new double[4][m];
      for (int i = 0; i < m; i++) {
        for (int k = 0; k < 4; k++) {
          cols[k][i] = elements.get(i)[k];
        }
      }
      double[] out = new double[m];
      kernel.withLogits(cols[0], cols[1], cols[2], cols[3], out, m);
      for (int i = 0; i < m; i++) {
        assertExact(exact.get(i).asDouble(), out[i], kernel.name() + " " + c.id() + " #" + i);
      }
      checked += m;
    }
    return checked;
  }

  private static JsonNode weightOfRow(GoldenCase c, int n) {
    if (c.weight() == null) {
      return null;
    }
    return "class".equals(c.weightKind()) ? c.weight() : c.weight().get(n);
  }

  private static void flatten(GoldenCase c, JsonNode x, JsonNode y, JsonNode w, double[] pw,
      JsonNode exact, List<double[]> elements, List<JsonNode> exacts) {
    if (x.isArray()) {
      for (int i = 0; i < x.size(); i++) {
        JsonNode wi = w;
        if (w != null && w.isArray() && depth(w) == depth(x)) {
          wi = w.get(w.size() == 1 ? 0 : i);
        }
        double[] p = pw;
        if (!x.get(i).isArray() && pw != null) {
          p = new double[] {pw[pw.length == 1 ? 0 : i]};
        }
        flatten(c, x.get(i), y.get(i), wi, p, exact.get(i), elements, exacts);
      }
      return;
    }
    JsonNode wv = w;
    while (wv != null && wv.isArray()) {
      wv = wv.get(0);
    }
    elements.add(new double[] {x.asDouble(), y.asDouble(), wv == null ? 1 : wv.asDouble(),
        pw == null ? 1 : pw[0]});
    exacts.add(exact);
  }

  private static int depth(JsonNode v) {
    int d = 0;
    while (v != null && v.isArray()) {
      v = v.size() == 0 ? null : v.get(0);
      d++;
    }
    return d;
  }
}
