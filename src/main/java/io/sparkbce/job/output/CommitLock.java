package io.sparkbce.job.output;

import io.sparkbce.job.JobFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One committer at a time in evaluate's output directory: the renames that put a run's outputs in
 * place and the updates of {@link OutputManifest} beside them. Without it two runs writing the same
 * {@code --output} at once could leave one run's {@code losses/} beside the other's {@code
 * summary.json}, or lose one run's manifest entry (the next run would then refuse its own
 * output). Held only while committing (a few renames), so a second run waits, then commits whole.
 *
 * <p>Within a JVM, a lock per directory (reentrant: a pair of commits holds it around each
 * commit's own). Across processes on the local disk, an OS file lock on the hidden {@value
 * #NAME} in that directory, which the OS releases when its process dies: a run killed with SIGKILL
 * leaves at most that small file (the next commit there removes it), never a stale lock. Other
 * file systems (HDFS, object stores) have no such lock: there only runs in one JVM are serialized.
 */
public final class CommitLock implements AutoCloseable {
  public static final String NAME = ".spark-bce-output.lock";
  /** How long a commit waits for another run's commit (a few renames) before failing. */
  private static final Duration WAIT = Duration.ofMinutes(2);

  private static final ConcurrentHashMap<String, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

  private final ReentrantLock local;
  private final java.nio.file.Path file;
  private final FileChannel channel;
  private final FileLock fileLock;

  private CommitLock(ReentrantLock local, java.nio.file.Path file, FileChannel channel,
      FileLock fileLock) {
    this.local = local;
    this.file = file;
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
    if (local.getHoldCount() > 1 || !(OutputManifest.raw(fs)
        instanceof org.apache.hadoop.fs.RawLocalFileSystem)) {
      return new CommitLock(local, null, null, null);
    }
    try {
      java.nio.file.Path file = AtomicOutput.localPath(new Path(fs.makeQualified(dir), NAME));
      String token = UUID.randomUUID().toString();
      while (true) {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        boolean held = false;
        FileLock lock = null;
        try {
          lock = channel.tryLock();
          held = lock != null && holds(channel, file, token);
        } finally {
          if (!held) {
            closeQuietly(channel); // releases a lock on a file that was replaced
          }
        }
        if (held) {
          return new CommitLock(local, file, channel, lock);
        }
        if (System.nanoTime() > deadline) {
          throw busy(key);
        }
        Thread.sleep(lock == null ? 100 : 1);
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

  /**
   * Whether the locked {@code channel} is the file at {@code file} now: the holder deletes the
   * file before releasing, so a waiter may lock a file that is no longer there (or was made anew
   * by a third run). Only holders write, so the file holds this run's token if and only if it is
   * the locked one.
   */
  private static boolean holds(FileChannel channel, java.nio.file.Path file, String token)
      throws IOException {
    channel.truncate(0);
    channel.write(java.nio.ByteBuffer.wrap(token.getBytes(StandardCharsets.UTF_8)), 0);
    try {
      return Files.readString(file, StandardCharsets.UTF_8).equals(token);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  private static JobFailure busy(String dir) {
    return new JobFailure("another spark-bce run is writing its outputs into " + dir
        + " and has not finished within " + WAIT.toSeconds() + " s; nothing of this run was "
        + "written. Retry when it has finished, or choose another output path");
  }

  /** Releases the lock; the lock file goes first, so that an output directory keeps no trace. */
  @Override
  public void close() {
    try {
      if (fileLock != null) {
        Files.deleteIfExists(file);
        fileLock.release();
      }
    } catch (IOException e) {
      // closing the channel releases the lock; a file left behind is locked anew by the next run
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
