package io.sparkbce.job.output;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Deletes what a run stopped by a signal (Ctrl-C, {@code kill}) would leave behind: a job's staged
 * output, the bench's data. It runs as a Hadoop shutdown hook after Spark's (which stop the
 * context) and before Hadoop closes its cached file systems, so an HDFS path can still be
 * deleted.
 *
 * <p>Why a loop: when the JVM stops, a task still writing is not waited for; Spark's write aborts
 * and the caller's own cleanup may delete the directory while a task thread creates files in it
 * again (seen: an interrupted {@code evaluate --reduction none} left an empty
 * {@code .losses.tmp-UUID}). So the deletion is repeated until the path has stayed gone for
 * {@value #QUIET_ROUNDS} rounds of {@value #ROUND_MILLIS} ms, for at most
 * {@value #MAX_SECONDS} s.
 */
public final class InterruptCleanup {
  /** What to delete: returns whether anything was there. */
  @FunctionalInterface
  public interface Deletion {
    boolean deleteIfPresent() throws IOException, InterruptedException;
  }

  /**
   * Below Spark's hook (Hadoop priority 40, inside which the context stops) and above Hadoop's
   * file system cache (10), which closes the file systems a deletion needs.
   */
  static final int PRIORITY = 20;
  static final int QUIET_ROUNDS = 3;
  static final int ROUND_MILLIS = 200;
  static final int MAX_SECONDS = 10;

  private InterruptCleanup() {}

  /** A registered deletion; call {@link #done} once the run no longer needs it. */
  public static final class Registration {
    final Runnable hook;
    private volatile boolean cancelled;

    private Registration(Deletion deletion) {
      this.hook = () -> {
        if (!cancelled) {
          deleteUntilGone(deletion);
        }
      };
    }

    /**
     * The run committed or cleaned up itself: nothing to do at shutdown. Unless the JVM is
     * already stopping: then a task may still write after the caller's own cleanup, and the
     * hook stays.
     */
    public void done() {
      org.apache.hadoop.util.ShutdownHookManager hooks =
          org.apache.hadoop.util.ShutdownHookManager.get();
      if (hooks.isShutdownInProgress()) {
        return;
      }
      cancelled = true;
      try {
        hooks.removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already stopping: the hook sees the flag and does nothing
      }
    }
  }

  /** Deletes at shutdown, unless {@link Registration#done} first. */
  public static Registration register(Deletion deletion) {
    Registration r = new Registration(deletion);
    try {
      org.apache.hadoop.util.ShutdownHookManager.get().addShutdownHook(r.hook, PRIORITY);
    } catch (IllegalStateException e) {
      // the JVM is already stopping: the caller's own cleanup is all there is
    }
    return r;
  }

  /**
   * Deletes until the path has stayed gone for {@value #QUIET_ROUNDS} rounds, or for at most
   * {@value #MAX_SECONDS} s. Returns whether it is gone.
   */
  static boolean deleteUntilGone(Deletion deletion) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_SECONDS);
    int quiet = 0;
    while (quiet < QUIET_ROUNDS) {
      try {
        quiet = deletion.deleteIfPresent() ? 0 : quiet + 1;
      } catch (IOException | RuntimeException e) {
        quiet = 0; // a writer still at work: the next round deletes what it left
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (quiet == QUIET_ROUNDS || System.nanoTime() >= end) {
        break;
      }
      try {
        Thread.sleep(ROUND_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return quiet == QUIET_ROUNDS;
  }
}
