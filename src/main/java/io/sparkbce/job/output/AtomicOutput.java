package io.sparkbce.job.output;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Outputs that replace a previous version all at once or not at all. New content is written
 * completely under a hidden sibling name ({@code .name.tmp-UUID}) first ({@link #stageText},
 * {@link #stageDirectory}); {@link Staged#commit} then renames it into place. A run that fails
 * before committing leaves the previous good output untouched and removes its temp files
 * ({@link Staged#close}). Committing several staged outputs one after the other keeps the window
 * in which they disagree down to a few renames.
 *
 * <p>Local and HDFS renames are atomic. Object stores (s3a, gs) have no atomic rename; there a
 * reader may briefly see a directory missing, never half-written.
 */
public final class AtomicOutput {
  /**
   * Test hook: called with the temp location once new content is complete, before it can be
   * committed. A test throws from it to simulate a failure at the worst moment.
   */
  public static volatile Consumer<String> beforeCommit;

  private AtomicOutput() {}

  /** New content waiting in its temp location. */
  public static final class Staged implements AutoCloseable {
    private final FileSystem fs;
    private final Path target;
    private final Path tmp;
    private final boolean directory;
    /** Deletes the temp content if the JVM is stopped (Ctrl-C, kill) before this is closed. */
    final InterruptCleanup.Registration onInterrupt;
    private boolean committed;

    private Staged(FileSystem fs, Path target, Path tmp, boolean directory) {
      this.fs = fs;
      this.target = target;
      this.tmp = tmp;
      this.directory = directory;
      this.onInterrupt = InterruptCleanup.register(() -> {
        boolean there = fs.exists(tmp);
        if (there) {
          fs.delete(tmp, true);
        }
        return there;
      });
    }

    /**
     * Moves the new content into place, if the previous content is spark-bce's own (see {@link
     * OutputManifest}); else fails naming the path, and nothing is moved or deleted. A previous
     * directory is moved aside first and deleted after; a previous file is replaced (atomically
     * on local file systems). The new content is then listed in the manifest.
     */
    public void commit() {
      try (CommitLock lock = CommitLock.acquire(fs, target.getParent())) {
        String notOwned = OutputManifest.whyNotOwned(fs, target, kind());
        if (notOwned != null) {
          throw OutputGuard.notOwned(null, null, target.toString(), notOwned);
        }
        replace(fs, tmp, target, directory);
        committed = true;
        OutputManifest.record(fs, target, kind());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
      }
    }

    private OutputManifest.Kind kind() {
      return directory ? OutputManifest.Kind.DIRECTORY : OutputManifest.Kind.FILE;
    }

    /** Removes the temp content if it was not committed. */
    @Override
    public void close() {
      if (!committed) {
        try {
          fs.delete(tmp, true);
        } catch (IOException e) {
          // best effort: a hidden .tmp- leftover is harmless
        }
      }
      onInterrupt.done();
    }
  }

  /** Stages a small text file (the JSON summary). */
  public static Staged stageText(Configuration conf, String target, String text) {
    Staged s = staged(conf, target, false);
    try {
      try (OutputStream out = OutputManifest.raw(s.fs).create(s.tmp, false)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
      hook(s.tmp.toString());
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
  }

  /** Stages a directory: {@code writer} writes it (a Spark write) to the temp path it is given. */
  public static Staged stageDirectory(Configuration conf, String target, Consumer<String> writer) {
    Staged s = staged(conf, target, true);
    try {
      writer.accept(s.tmp.toString());
      hook(s.tmp.toString());
      return s;
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /**
   * Test hook: called with the target once each output of {@link #commitTogether} is in place,
   * before the next; a test pauses there to let another run try to commit in between.
   */
  public static volatile Consumer<String> afterEachCommit;

  /**
   * Commits outputs that belong together (evaluate's {@code losses/} and {@code summary.json}),
   * in order, while holding the {@link CommitLock} of their directory: a second run writing the
   * same directory at the same time commits its pair before or after, never in between, so the
   * pair always comes from one run and the manifest lists both.
   */
  public static void commitTogether(Staged... outputs) {
    Staged first = outputs[0];
    try (CommitLock lock = CommitLock.acquire(first.fs, first.target.getParent())) {
      for (Staged s : outputs) {
        s.commit();
        Consumer<String> h = afterEachCommit;
        if (h != null) {
          h.accept(s.target.toString());
        }
      }
    }
  }

  /** Stages and commits a directory. */
  public static void replaceDirectory(Configuration conf, String target, Consumer<String> writer) {
    try (Staged s = stageDirectory(conf, target, writer)) {
      s.commit();
    }
  }

  /** Stages and commits a text file. */
  public static void writeText(Configuration conf, String target, String text) {
    try (Staged s = stageText(conf, target, text)) {
      s.commit();
    }
  }

  /**
   * Renames {@code tmp} to {@code target}, replacing what is there. A file on the local file
   * system is replaced atomically (through java.nio, with the decoded path: a Hadoop path's URI
   * form is percent-encoded, and Unicode names must not go through it). Otherwise the previous
   * version is moved aside first, put back if the rename fails, and deleted after.
   */
  static void replace(FileSystem fs, Path tmp, Path target, boolean directory)
      throws IOException {
    if (!directory && "file".equals(fs.makeQualified(target).toUri().getScheme())) {
      java.nio.file.Files.move(localPath(tmp), localPath(target),
          java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    Path old = null;
    if (fs.exists(target)) {
      old = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
      if (!fs.rename(target, old)) {
        throw new IOException("cannot move the previous " + target + " aside");
      }
    }
    if (!fs.rename(tmp, target)) {
      if (old != null) {
        fs.rename(old, target);
      }
      throw new IOException("cannot rename " + tmp + " to " + target);
    }
    if (old != null) {
      fs.delete(old, true);
    }
  }

  /** The local file of a {@code file:} Hadoop path. */
  static java.nio.file.Path localPath(Path p) {
    return java.nio.file.Path.of(p.toUri().getPath());
  }

  private static Staged staged(Configuration conf, String target, boolean directory) {
    try {
      Path path = new Path(target);
      FileSystem fs = ForklessLocalFileSystem.of(path, conf);
      Path qualified = fs.makeQualified(path);
      Path parent = qualified.getParent();
      fs.mkdirs(parent);
      Path tmp = new Path(parent, "." + qualified.getName() + ".tmp-" + UUID.randomUUID());
      return new Staged(fs, qualified, tmp, directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  private static void hook(String tmp) {
    Consumer<String> h = beforeCommit;
    if (h != null) {
      h.accept(tmp);
    }
  }
}
