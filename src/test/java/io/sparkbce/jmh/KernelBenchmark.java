package io.sparkbce.jmh;

import io.sparkbce.loss.BlockKernel;
import io.sparkbce.loss.ExactSum;
import io.sparkbce.loss.LossAccumulator;
import io.sparkbce.loss.Rests;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * ns per element of the loss kernels and of exact accumulation, on a block of 4096 elements with
 * logits ~ N(0, 3^2), soft targets, weights and pos_weight. Run:
 * {@code java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt)
 * io.sparkbce.jmh.KernelBenchmark} (see README).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KernelBenchmark {
  private static final int N = 4096;
  private final double[] x = new double[N];
  private final double[] y = new double[N];
  private final double[] w = new double[N];
  private final double[] p = new double[N];
  private final double[] out = new double[N];
  private final double[] low = new double[N];
  private final double[] q = new double[N];
  private final double[] ones = new double[N];

  @Setup
  public void setup() {
    Random r = new Random(1);
    for (int i = 0; i < N; i++) {
      x[i] = r.nextGaussian() * 3;
      y[i] = r.nextDouble() < 0.3 ? 1 : 0;
      w[i] = 0.5 + r.nextDouble();
      p[i] = 1 + r.nextInt(4);
      q[i] = 1 / (1 + Math.exp(-x[i]));
      ones[i] = 1;
    }
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] vectorKernel() {
    BlockKernel.vector().withLogits(x, y, w, p, out, N);
    return out;
  }

  /** Unweighted hard labels (weights and pos_weights 1), as `bce_with_logits_loss(x, y)`. */
  @Benchmark
  @OperationsPerInvocation(N)
  public double[] vectorKernelUnitRows() {
    BlockKernel.vector().withLogits(x, y, ones, ones, out, N);
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] vectorKernelUnitRowsWithRests() {
    BlockKernel.vector().withLogits(x, y, ones, ones, out, low, Rests.TABLE, N);
    return out;
  }

  /** -Dio.sparkbce.rounding=fast's kernels, for scale: the previous round's. */
  @Benchmark
  @OperationsPerInvocation(N)
  public double[] fastVectorKernel() {
    BlockKernel.fastVector().withLogits(x, y, w, p, out, N);
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] fastScalarKernel() {
    BlockKernel.fastScalar().withLogits(x, y, w, p, out, N);
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] fastVectorProbabilities() {
    BlockKernel.fastVector().probabilities(q, y, w, out, N);
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] scalarKernel() {
    BlockKernel.scalar().withLogits(x, y, w, p, out, N);
    return out;
  }

  /** With the rest of each loss, as the aggregates take it (tier 1's rests). */
  @Benchmark
  @OperationsPerInvocation(N)
  public double[] scalarKernelWithRests() {
    BlockKernel.scalar().withLogits(x, y, w, p, out, low, Rests.TABLE, N);
    return out;
  }

  /** The same on the vector kernel. */
  @Benchmark
  @OperationsPerInvocation(N)
  public double[] vectorKernelWithRests() {
    BlockKernel.vector().withLogits(x, y, w, p, out, low, Rests.TABLE, N);
    return out;
  }

  /** What a mean aggregate does per block: the kernel with rests, then the exact state. */
  @Benchmark
  @OperationsPerInvocation(N)
  public void vectorMeanAggregate(Blackhole bh) {
    LossAccumulator a = new LossAccumulator(false);
    BlockKernel.vector().withLogits(x, y, w, p, out, low, Rests.TABLE, N);
    a.acceptAll(out, low, w, 0, N);
    bh.consume(a);
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public void scalarMeanAggregate(Blackhole bh) {
    LossAccumulator a = new LossAccumulator(false);
    BlockKernel.scalar().withLogits(x, y, w, p, out, low, Rests.TABLE, N);
    a.acceptAll(out, low, w, 0, N);
    bh.consume(a);
  }

  /** With double-double rests (spark.sparkbce.reduction.exactRests=true): tier 2 throughout. */
  @Benchmark
  @OperationsPerInvocation(N)
  public double[] scalarKernelWithExactRests() {
    BlockKernel.scalar().withLogits(x, y, w, p, out, low, Rests.DOUBLE_DOUBLE, N);
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] vectorProbabilities() {
    BlockKernel.vector().probabilities(q, y, w, out, N);
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public double[] scalarProbabilities() {
    BlockKernel.scalar().probabilities(q, y, w, out, N);
    return out;
  }

  /** BCELoss with Math.log and Math.log1p, for scale. */
  @Benchmark
  @OperationsPerInvocation(N)
  public double[] naiveProbabilities() {
    for (int i = 0; i < N; i++) {
      out[i] = -w[i] * (y[i] * Math.max(Math.log(q[i]), -100)
          + (1 - y[i]) * Math.max(Math.log1p(-q[i]), -100));
    }
    return out;
  }

  /** The textbook formula with Math.log1p(Math.exp(..)), for scale. */
  @Benchmark
  @OperationsPerInvocation(N)
  public double[] naiveLog1pExp() {
    for (int i = 0; i < N; i++) {
      out[i] = w[i] * ((1 - y[i]) * x[i]
          + (1 + (p[i] - 1) * y[i]) * Math.log1p(Math.exp(-x[i])));
    }
    return out;
  }

  @Benchmark
  @OperationsPerInvocation(N)
  public void exactSumAdd(Blackhole bh) {
    ExactSum s = new ExactSum();
    for (int i = 0; i < N; i++) {
      s.add(x[i]);
    }
    bh.consume(s);
  }

  public static void main(String[] args) throws Exception {
    new Runner(new OptionsBuilder().include(KernelBenchmark.class.getName()).build()).run();
  }
}
