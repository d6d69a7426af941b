package io.sparkbce.monitor.history;

import static io.sparkbce.job.JobTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.JobTesting;
import io.sparkbce.monitor.MonitorTesting;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer at a time on a history, in one JVM: the lock file of another run (written here by
 * hand, as another process would leave it) makes a run wait or fail with who holds it; the lock of
 * a dead process is taken over; the staging directory of a live writer is never removed.
 * {@link ConcurrentWritersTest} runs two real processes.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HistoryLockTest {
  static final String LOCK = "_lock.json";
  @TempDir
  Path tmp;
  Path input;
  Path history;

  @BeforeEach
  void data() {
    input = tmp.resolve("in");
    MonitorTesting.write(MonitorTesting.events(2, 10, 2, 5, 0, d -> 0), input, false);
    history = tmp.resolve("out").resolve("history");
  }

  private String[] args(String... more) {
    List<String> a = new ArrayList<>(List.of("monitor", "--input", input.toString(),
        "--time-col", "ts", "--output", tmp.resolve("out").toString()));
    a.addAll(List.of(more));
    return a.toArray(new String[0]);
  }

  /** A lock file as a run of (host, pid) started at processStart would write it. */
  private Path lockOf(String host, long pid, Long processStart, Instant modified)
      throws IOException {
    Files.createDirectories(history);
    Path lock = history.resolve(LOCK);
    Files.writeString(lock, "{\"owner\":\"other-run\",\"host\":\"" + host + "\",\"pid\":" + pid
        + (processStart == null ? "" : ",\"process_start_ms\":" + processStart)
        + ",\"since\":\"2026-01-02T03:04:05Z\"}");
    Files.setLastModifiedTime(lock, FileTime.from(modified));
    return lock;
  }

  static String host() throws IOException {
    return InetAddress.getLocalHost().getHostName();
  }

  static long selfStart() {
    return ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
  }

  private List<String> partitions() {
    return Files.exists(history) ? HistoryTest.partitions(history) : List.of();
  }

  @Test
  void aLiveWritersLockFailsARunAtOnceNamingItAndItsStagingStays() throws Exception {
    long pid = ProcessHandle.current().pid();
    // alive on this host: never robbed, even with a heartbeat an hour old
    Path lock = lockOf(host(), pid, selfStart(), Instant.now().minusSeconds(3600));
    Path staging = Files.createDirectories(history.resolve(".staging-live-writer"));
    Files.writeString(staging.resolve("part-0.parquet"), "being written");
    String before = Files.readString(lock);

    run(args("--lock-wait", "0")).assertCode(75).assertErr(
        "another monitor run is writing the history " + history, "host " + host(),
        "pid " + pid, "since 2026-01-02T03:04:05Z", "Retry when it has finished");
    assertTrue(Files.exists(staging.resolve("part-0.parquet")), "a live writer's staging");
    assertEquals(before, Files.readString(lock));
    assertEquals(List.of(), partitions());
  }

  @Test
  void aFreshLockOfAnotherHostIsRespectedAStaleOneTakenOver() throws Exception {
    lockOf("another-host.invalid", 4242, null, Instant.now());
    run(args("--lock-wait", "0")).assertCode(75).assertErr("host another-host.invalid",
        "pid 4242", "Retry");
    assertEquals(List.of(), partitions());

    // silent for longer than the lease (5 minutes): presumed dead
    lockOf("another-host.invalid", 4242, null, Instant.now().minusSeconds(3600));
    Files.createDirectories(history.resolve(".staging-dead-writer"));
    run(args("--lock-wait", "0")).assertCode(0)
        .assertOut("took over the lock of a dead writer (no heartbeat from another-host.invalid");
    assertEquals(List.of("window_date=2025-06-01", "window_date=2025-06-02"), partitions());
    assertFalse(Files.exists(history.resolve(".staging-dead-writer")));
    assertFalse(Files.exists(history.resolve(LOCK)), "released");
  }

  @Test
  void theLockOfADeadProcessOnThisHostIsTakenOver() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    // a fresh heartbeat does not keep a lock whose process is gone
    lockOf(host(), p.pid(), null, Instant.now());
    run(args("--lock-wait", "0")).assertCode(0)
        .assertOut("took over the lock of a dead writer (process " + p.pid() + " is not running");
    assertEquals(2, partitions().size());

    // the pid reused by another process (this one, started at another time) is dead too
    lockOf(host(), ProcessHandle.current().pid(), selfStart() - 3_600_000, Instant.now());
    run(args("--lock-wait", "0")).assertCode(0).assertOut("is now another process");
  }

  @Test
  void aRunWaitsForTheLockThenWrites() throws Exception {
    Path lock = lockOf(host(), ProcessHandle.current().pid(), selfStart(), Instant.now());
    CompletableFuture<JobTesting.Run> waiting =
        CompletableFuture.supplyAsync(() -> run(args("--lock-wait", "3 minutes")));
    Thread.sleep(4000);
    assertFalse(waiting.isDone(), "the run waits while the lock is held");
    assertEquals(List.of(), partitions());
    Files.delete(lock);
    waiting.get(3, TimeUnit.MINUTES).assertCode(0)
        .assertOut("is locked by another monitor run", "waiting up to 180 s");
    assertEquals(2, partitions().size());
  }
}
