package io.sparkbce.monitor.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkbce.job.JobFailure;
import io.sparkbce.job.RetryableFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The one-writer lock of a metric history: the file {@value #NAME} in the history directory,
 * created atomically (O_EXCL on the local disk, {@code create(overwrite=false)} on HDFS), holding
 * who owns it (host, pid, process start, since). The holder touches the file's modification time
 * every {@code lease / 10} (its heartbeat) and deletes it when done.
 *
 * <p>A lock is stale, and is taken over, when its holder is known dead: on the same host, when the
 * pid is not running (or runs another process, started at another time); on another host, when the
 * heartbeat is older than the lease. A live holder on the same host is never robbed, whatever its
 * heartbeat. Taking over goes through a second exclusive file per stale owner, so two processes
 * that find the same stale lock cannot both take it, nor remove the lock of a third that got it in
 * the meantime. The guarantees hold where exclusive create is atomic: the local disk and HDFS (on
 * object stores such as s3a the lock is best effort).
 */
public final class HistoryLock implements AutoCloseable {
  public static final String NAME = "_lock.json";
  /** Test hook: the lease (how long another host's silent holder counts as alive). */
  static volatile Duration lease = Duration.ofMillis(
      Long.getLong("sparkbce.historyLock.leaseMillis", Duration.ofMinutes(5).toMillis()));

  private static final ObjectMapper JSON = new ObjectMapper();

  private final FileSystem fs;
  private final Path file;
  private final String history;
  private final Holder me;
  private final Thread heartbeat;
  private volatile String lost;

  /** Who holds a lock, as written in its file; {@code heartbeat} is the file's modification time. */
  record Holder(String owner, String host, long pid, Long processStart, Instant since,
      Instant heartbeat) {

    ObjectNode json() {
      ObjectNode o = JSON.createObjectNode();
      o.put("owner", owner);
      o.put("host", host);
      o.put("pid", pid);
      if (processStart != null) {
        o.put("process_start_ms", processStart);
      }
      o.put("since", since.toString());
      return o;
    }

    static Holder of(JsonNode n, Instant heartbeat) {
      return new Holder(n.path("owner").asText(), n.path("host").asText(), n.path("pid").asLong(),
          n.hasNonNull("process_start_ms") ? n.get("process_start_ms").asLong() : null,
          Instant.parse(n.path("since").asText()), heartbeat);
    }

    /** Why this holder is dead, or empty while it may be alive. */
    Optional<String> deadReason(Instant now) {
      if (host.equals(localHost())) {
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive()) {
          return Optional.of("process " + pid + " is not running on " + host);
        }
        Optional<Instant> start = p.get().info().startInstant();
        if (processStart != null && start.isPresent()
            && Math.abs(start.get().toEpochMilli() - processStart) > 1000) {
          return Optional.of("pid " + pid + " on " + host + " is now another process");
        }
        return Optional.empty();
      }
      if (heartbeat.plus(lease).isBefore(now)) {
        return Optional.of("no heartbeat from " + host + " since " + heartbeat + " (lease "
            + lease.toSeconds() + " s)");
      }
      return Optional.empty();
    }

    String describe(Instant now) {
      return "host " + host + ", pid " + pid + ", since " + since + ", last heartbeat "
          + Math.max(0, Duration.between(heartbeat, now).toSeconds()) + " s ago";
    }
  }

  private HistoryLock(FileSystem fs, Path file, String history, Holder me) {
    this.fs = fs;
    this.file = file;
    this.history = history;
    this.me = me;
    long period = Math.max(50, lease.toMillis() / 10);
    this.heartbeat = new Thread(() -> beat(period), "spark-bce history lock heartbeat");
    heartbeat.setDaemon(true);
  }

  /**
   * Takes the lock of the history at {@code history}, waiting up to {@code wait} for another
   * holder to finish (a line on {@code log} says whom it waits for). Fails with a retryable
   * {@link JobFailure} naming the holder when the wait is over.
   */
  static HistoryLock acquire(Configuration conf, String history, Duration wait, PrintStream log) {
    try {
      Path root = new Path(history);
      FileSystem fs = root.getFileSystem(conf);
      root = fs.makeQualified(root);
      fs.mkdirs(root);
      Path file = new Path(root, NAME);
      ProcessHandle self = ProcessHandle.current();
      Holder me = new Holder(UUID.randomUUID().toString(), localHost(), self.pid(),
          self.info().startInstant().map(Instant::toEpochMilli).orElse(null), Instant.now(),
          Instant.now());
      Instant deadline = Instant.now().plus(wait);
      boolean announced = false;
      while (true) {
        if (createExclusive(fs, file, me.json().toString())) {
          HistoryLock lock = new HistoryLock(fs, file, history, me);
          lock.heartbeat.start();
          return lock;
        }
        Optional<Holder> holder = read(fs, file);
        Instant now = Instant.now();
        if (holder.isPresent()) {
          Optional<String> dead = holder.get().deadReason(now);
          if (dead.isPresent()) {
            if (takeOver(fs, file, holder.get())) {
              log.println("history " + history + ": took over the lock of a dead writer ("
                  + dead.get() + ")");
            }
            continue;
          }
        }
        if (!now.isBefore(deadline)) {
          // Nothing of this run is written yet: a scheduler retrying on 75 is the right remedy.
          throw new RetryableFailure("another monitor run is writing the history " + history + " ("
              + holder.map(h -> h.describe(now)).orElse("lock being created or released")
              + "; lock file " + file + "). Waited " + wait.toSeconds()
              + " s (--lock-wait). Retry when it has finished, or give a longer --lock-wait; "
              + "a lock whose holder died is taken over automatically.", null);
        }
        if (!announced && holder.isPresent()) {
          log.println("history " + history + " is locked by another monitor run ("
              + holder.get().describe(now) + "); waiting up to " + wait.toSeconds() + " s");
          announced = true;
        }
        Thread.sleep(Math.max(1, Math.min(500, Duration.between(now, deadline).toMillis())));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock the history " + history + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JobFailure("interrupted while waiting for the lock of the history " + history);
    }
  }

  /** Fails if this run no longer holds the lock (it was presumed dead and taken over). */
  void checkHeld() {
    String why = lost;
    if (why == null && !isMine()) {
      why = "the lock file " + file + " no longer names this run";
    }
    if (why != null) {
      lost = why;
      throw new JobFailure("this run lost the lock of the history " + history + " (" + why
          + "): another writer took it over; nothing more is written. Retry.");
    }
  }

  /** Releases the lock if this run still holds it. */
  @Override
  public void close() {
    heartbeat.interrupt();
    try {
      heartbeat.join(5000);
      if (isMine()) {
        fs.delete(file, false);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // left behind, it is taken over once this process is gone
    }
  }

  private boolean isMine() {
    try {
      return read(fs, file).map(h -> h.owner().equals(me.owner())).orElse(false);
    } catch (IOException e) {
      return false;
    }
  }

  private void beat(long periodMillis) {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(periodMillis);
        if (!isMine()) {
          lost = "the lock file " + file + " was taken over";
          return;
        }
        fs.setTimes(file, System.currentTimeMillis(), -1);
      } catch (InterruptedException e) {
        return;
      } catch (IOException e) {
        // the next beat tries again; a long silence only matters to other hosts
      }
    }
  }

  /**
   * Removes the lock of a dead {@code holder} unless someone else is doing so or did already;
   * true if this call removed it.
   */
  private static boolean takeOver(FileSystem fs, Path file, Holder holder) throws IOException {
    Path breaking = new Path(file.getParent(), file.getName() + ".break-" + holder.owner());
    if (!createExclusive(fs, breaking, "")) {
      // a breaker that died half-way leaves its file: old enough, it is removed
      FileStatus s = statusOrNull(fs, breaking);
      if (s != null && s.getModificationTime() + lease.toMillis() < System.currentTimeMillis()) {
        fs.delete(breaking, false);
      }
      return false;
    }
    try {
      Optional<Holder> now = read(fs, file);
      if (now.isPresent() && now.get().owner().equals(holder.owner())) {
        return fs.delete(file, false);
      }
      return false;
    } finally {
      fs.delete(breaking, false);
    }
  }

  /** The holder named by the lock file; empty if there is none. */
  static Optional<Holder> read(FileSystem fs, Path file) throws IOException {
    FileStatus s = statusOrNull(fs, file);
    if (s == null) {
      return Optional.empty();
    }
    String text;
    try (InputStream in = fs.open(file)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.FileNotFoundException e) {
      return Optional.empty();
    }
    Instant modified = Instant.ofEpochMilli(s.getModificationTime());
    try {
      return Optional.of(Holder.of(JSON.readTree(text), modified));
    } catch (IOException | RuntimeException e) {
      // being written, or left half-written by a crash: judged by its age like another host's
      return Optional.of(new Holder("unreadable-" + s.getModificationTime(), "(unreadable)", -1,
          null, modified, modified));
    }
  }

  private static FileStatus statusOrNull(FileSystem fs, Path p) throws IOException {
    try {
      return fs.getFileStatus(p);
    } catch (java.io.FileNotFoundException e) {
      return null;
    }
  }

  /** Creates {@code p} with {@code text} if it does not exist, atomically; false if it exists. */
  private static boolean createExclusive(FileSystem fs, Path p, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    RawLocalFileSystem local = fs instanceof LocalFileSystem l ? (RawLocalFileSystem) l.getRaw()
        : fs instanceof RawLocalFileSystem r ? r : null;
    if (local != null) {
      // Hadoop's local create(overwrite=false) checks, then opens: not atomic. O_EXCL is.
      java.nio.file.Path f = local.pathToFile(p).toPath();
      try (OutputStream out = Files.newOutputStream(f, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        out.write(bytes);
      } catch (FileAlreadyExistsException e) {
        return false;
      }
      return true;
    }
    try (OutputStream out = fs.create(p, false)) {
      out.write(bytes);
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      // HDFS reports a file being created by another client as AlreadyBeingCreatedException
      if (fs.exists(p)) {
        return false;
      }
      throw e;
    }
    return true;
  }

  static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }
}
