package io.sparkbce.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.loss.BlockKernel;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the cluster tests rely on, at the level of one element: its loss has the same bits in every
 * JVM. Every executor starts cold and warms up at its own pace, and may lack the Vector API
 * module, so a kernel whose bits changed when the JIT compiles it, or between the vector and the
 * scalar kernel, would make a reduction depend on which executor saw which rows first, whatever
 * the exactness of the sums (SPEC §1, "Exactness of reductions"). An earlier vector kernel (the
 * JDK's lanewise EXP/LOG1P, whose compiled form differs from the interpreted one) gave other bits
 * for about 3% of the elements once compiled, which showed as rare 1-ulp differences between
 * local[1] and the cluster.
 *
 * <p>Runs in a fresh child JVM ({@link Probe}), where the first call is interpreted: the selected
 * kernel on one block cold, then warm (after enough calls for C2), then the scalar kernel.
 */
class KernelDeterminismTest {

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void elementLossesDoNotDependOnTheJitState() throws Exception {
    String classpath = String.join(java.io.File.pathSeparator, ClusterSupport.testClasspath());
    List<String> cmd = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-modules")) {
        cmd.add(arg);
      }
    }
    if (cmd.stream().noneMatch(a -> a.contains("jdk.incubator.vector"))) {
      cmd.add("--add-modules=jdk.incubator.vector");
    }
    cmd.addAll(List.of("-cp", classpath, Probe.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(1, TimeUnit.MINUTES), out);
    assertEquals(0, p.exitValue(), out);
    String line = out.lines().filter(l -> l.startsWith("kernel ")).findFirst().orElseThrow(
        () -> new AssertionError("no result from the child JVM: " + out));
    // "kernel NAME elements N cold-vs-warm A warm-vs-scalar B"
    String[] v = line.split(" ");
    assertTrue(v[1].startsWith("vector"), () -> "the child JVM should select the vector kernel: "
        + line);
    assertEquals("0", v[5], () -> "the " + v[1] + " kernel gave other bits for " + v[5] + " of "
        + v[3] + " elements once JIT-compiled than in its first, interpreted call");
    assertEquals("0", v[7], () -> "the " + v[1] + " kernel and the scalar kernel differ on " + v[7]
        + " of " + v[3] + " elements");
  }

  /** Child JVM: one block through the selected kernel, cold and then warm. */
  public static final class Probe {
    private Probe() {}

    public static void main(String[] args) {
      Random r = new Random(7);
      int n = 1000;
      double[] x = new double[n];
      double[] y = new double[n];
      double[] w = new double[n];
      double[] p = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = (r.nextDouble() - 0.5) * (i % 10 == 0 ? 1600 : 80);
        y[i] = i % 7 == 0 ? r.nextDouble() : r.nextInt(4) == 0 ? 1 : 0;
        w[i] = i % 13 == 0 ? 0 : 0.25 + r.nextDouble();
        p[i] = 0.5 + r.nextInt(17) * 0.25;
      }
      BlockKernel k = BlockKernel.selected();
      double[] cold = new double[n];
      k.withLogits(x, y, w, p, cold, n);
      double[] warm = new double[n];
      for (int it = 0; it < 30_000; it++) {
        k.withLogits(x, y, w, p, warm, n);
      }
      double[] scalar = new double[n];
      BlockKernel.scalar().withLogits(x, y, w, p, scalar, n);
      System.out.println("kernel " + k.name().replace(' ', '_') + " elements " + n
          + " cold-vs-warm " + differing(cold, warm)
          + " warm-vs-scalar " + differing(warm, scalar));
    }

    private static int differing(double[] a, double[] b) {
      int d = 0;
      for (int i = 0; i < a.length; i++) {
        if (Double.doubleToRawLongBits(a[i]) != Double.doubleToRawLongBits(b[i])) {
          d++;
        }
      }
      return d;
    }
  }
}
