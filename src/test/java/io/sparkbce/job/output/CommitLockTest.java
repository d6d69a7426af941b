package io.sparkbce.job.output;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The commit lock between processes: another live process holds it off, a killed one does not. */
class CommitLockTest {
  @TempDir
  Path tmp;

  /** Run in a child JVM: takes the lock of args[0], says so, and holds it until killed. */
  public static final class Holder {
    public static void main(String[] args) throws Exception {
      org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(args[0]);
      try (CommitLock lock = CommitLock.acquire(dir.getFileSystem(new Configuration()), dir)) {
        System.out.println("held");
        System.out.flush();
        Thread.sleep(600_000);
      }
    }
  }

  @Test
  @Timeout(120)
  void aCommitWaitsForAnotherLiveProcessAndNotForOneKilledHoldingTheLock() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Process holder = new ProcessBuilder(java, "-cp", cp, Holder.class.getName(), tmp.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertTrue("held".equals(out.readLine()), "the child process took the lock");

      org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(tmp.toString());
      FileSystem fs = dir.getFileSystem(new Configuration());
      CompletableFuture<Void> mine = CompletableFuture.runAsync(() -> {
        try (CommitLock lock = CommitLock.acquire(fs, dir)) {
          // taken and released on this thread, as a commit does
        }
      });
      Thread.sleep(1500);
      assertFalse(mine.isDone(), "took the lock while another process holds it");

      holder.destroyForcibly(); // SIGKILL: the OS releases the dead process's lock
      holder.waitFor(30, TimeUnit.SECONDS);
      mine.get(30, TimeUnit.SECONDS);
    } finally {
      holder.destroyForcibly();
    }
  }
}
