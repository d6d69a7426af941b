package io.sparkbce.kernel;

import io.sparkbce.loss.BlockKernel;

/** Prints the kernel this JVM selected; run in a child JVM by {@link BlockKernelGoldenTest}. */
public final class KernelName {
  private KernelName() {}

  public static void main(String[] args) {
    System.out.println("kernel: " + BlockKernel.selected().name());
  }
}
