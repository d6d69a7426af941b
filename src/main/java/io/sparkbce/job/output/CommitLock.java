package io.sparkbce.job.output;

import io.sparkbce.job.JobFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One committer at a time in an output directory: the renames that put a run's outputs in place
 * and the updates of {@link OutputManifest} beside them (a read, a change and a rewrite of one
 * file, which two runs doing at once would each base on the old content, losing one's entry).
 * Without it two runs writing the same {@code --output} at once could leave one run's {@code
 * losses/} beside the other's {@code summary.json}, or lose one run's manifest entry (the next
 * run would then refuse its own output). Held only while committing (a few renames), so a second run waits, then commits whole.
 *
 * <p>Within a JVM, a lock per directory. Across processes on the local disk, an OS file lock on the hidden {@value
 * #NAME} in that directory, which the OS releases when its process dies: a run killed with SIGKILL
 * never leaves a stale lock. The empty file stays: deleting a lock file races with a run waiting
 * on it, which would then lock a file no longer there. The file is locked through one channel
 * only and never opened otherwise, because closing any other descriptor of a file releases the
 * process's POSIX locks on it. Reentrant on one thread: every manifest update takes it, also
 * inside a commit that holds it already. Other file systems (HDFS, object stores) have no such
 * lock: there only runs in one JVM are serialized.
 */
public final class CommitLock implements AutoCloseable {
  public static final String NAME = ".spark-bce-output.lock";
  /** How long a commit waits for another run's commit (a few renames) before failing. */
  private static final Duration WAIT = Duration.ofMinutes(2);

  private static final ConcurrentHashMap<String, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

  private final ReentrantLock local;
  private final FileChannel channel;
  private final FileLock fileLock;

  private CommitLock(ReentrantLock local, FileChannel channel, FileLock fileLock) {
    this.local = local;
    this.channel = channel;
    this.fileLock = fileLock;
  }

  /** Takes the lock of the directory {@code dir} (qualified), waiting for another committer. */
  static CommitLock acquire(FileSystem fs, Path dir) {
    String key = fs.makeQualified(dir).toString();
    ReentrantLock local = IN_JVM.computeIfAbsent(key, k -> new ReentrantLock());
    long deadline = System.nanoTime() + WAIT.toNanos();
    try {
      if (!local.tryLock(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw busy(key);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JobFailure("interrupted while waiting to write into " + key);
    }
    if (local.getHoldCount() > 1) {
      // this thread already holds the directory (a commit recording its manifest entry): the
      // outer holder has the file lock, and a second lock on it from this JVM would throw
      return new CommitLock(local, null, null);
    }
    if (!(OutputManifest.raw(fs) instanceof org.apache.hadoop.fs.RawLocalFileSystem)) {
      return new CommitLock(local, null, null);
    }
    try {
      java.nio.file.Path file = AtomicOutput.localPath(new Path(fs.makeQualified(dir), NAME));
      while (true) {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        FileLock lock = null;
        try {
          lock = channel.tryLock();
        } finally {
          if (lock == null) {
            closeQuietly(channel);
          }
        }
        if (lock != null) {
          return new CommitLock(local, channel, lock);
        }
        if (System.nanoTime() > deadline) {
          throw busy(key);
        }
        Thread.sleep(100);
      }
    } catch (IOException | RuntimeException | InterruptedException e) {
      local.unlock();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        throw new JobFailure("interrupted while waiting to write into " + key);
      }
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot lock " + key + " to write into it: "
            + io.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
  }

  private static JobFailure busy(String dir) {
    return new JobFailure("another spark-bce run is writing its outputs into " + dir
        + " and has not finished within " + WAIT.toSeconds() + " s; nothing of this run was "
        + "written. Retry when it has finished, or choose another output path");
  }

  @Override
  public void close() {
    try {
      if (fileLock != null) {
        fileLock.release();
      }
    } catch (IOException e) {
      // closing the channel releases it too
    } finally {
      closeQuietly(channel);
      local.unlock();
    }
  }

  private static void closeQuietly(FileChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        // nothing held any more
      }
    }
  }
}
