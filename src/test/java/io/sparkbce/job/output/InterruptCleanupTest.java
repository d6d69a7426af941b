package io.sparkbce.job.output;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.util.ShutdownHookManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deletion that runs when a job is stopped by a signal. A subprocess test
 * ({@code SubmitScriptTest.evaluateInterruptedWhileWritingLeavesNothing}) checks it end to end;
 * these check what a signal cannot force: a writer recreating the directory after a deletion.
 */
class InterruptCleanupTest {
  @TempDir
  Path tmp;

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void deletesAgainWhatAWriterRecreatesAfterADeletion() throws Exception {
    Path dir = tmp.resolve(".losses.tmp-1");
    Files.createDirectories(dir.resolve("_temporary"));
    AtomicInteger deletions = new AtomicInteger();
    // A task still writing: puts a file back twice after it was deleted, then stops.
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; i < 2; i++) {
          while (Files.exists(dir)) {
            Thread.sleep(10);
          }
          Files.createDirectories(dir.resolve("_temporary").resolve("part-" + i));
        }
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    writer.start();
    boolean gone = InterruptCleanup.deleteUntilGone(() -> {
      boolean there = Files.exists(dir);
      if (there) {
        org.apache.spark.network.util.JavaUtils.deleteRecursively(dir.toFile());
        deletions.incrementAndGet();
      }
      return there;
    });
    writer.join();
    assertTrue(gone);
    assertFalse(Files.exists(dir));
    assertTrue(deletions.get() >= 3, "deleted " + deletions.get() + " times");
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void givesUpAfterItsLimitWhenTheWriterNeverStops() {
    long start = System.nanoTime();
    boolean gone = InterruptCleanup.deleteUntilGone(() -> true);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertFalse(gone);
    assertTrue(seconds >= InterruptCleanup.MAX_SECONDS - 1 && seconds < InterruptCleanup.MAX_SECONDS + 5,
        seconds + " s");
  }

  @Test
  void aFinishedRunLeavesNoShutdownHook() {
    InterruptCleanup.Registration r = InterruptCleanup.register(() -> false);
    assertTrue(ShutdownHookManager.get().hasShutdownHook(r.hook));
    r.done();
    assertFalse(ShutdownHookManager.get().hasShutdownHook(r.hook));
  }

  @Test
  void aStagedOutputRegistersItsTempAndReleasesItWhenClosed() throws Exception {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    Runnable hook;
    try (AtomicOutput.Staged s = AtomicOutput.stageText(conf, tmp.resolve("summary.json")
        .toString(), "{}\n")) {
      hook = s.onInterrupt.hook;
      assertTrue(ShutdownHookManager.get().hasShutdownHook(hook));
    }
    assertFalse(ShutdownHookManager.get().hasShutdownHook(hook));
    try (var files = Files.list(tmp)) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().contains(".tmp-")));
    }
  }
}
