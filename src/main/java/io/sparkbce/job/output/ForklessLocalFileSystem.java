package io.sparkbce.job.output;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system (checksums and all) that sets the permission of what it creates
 * through java.nio. Without Hadoop's native library, {@link RawLocalFileSystem} runs
 * {@code chmod} in a new process for every file and directory it creates: a history write on the
 * driver creates a file and its checksum file per window, and their directories, and spent about
 * as long forking as writing (a tenth of a second for seven windows on a loaded machine); a job's
 * summary and the manifest beside it fork twice per run. The permissions set are the same
 * ({@link FsPermission} after the umask); one that java.nio cannot express (a sticky bit) still
 * goes to Hadoop's way. Only {@code file:} paths left to Hadoop's stock local file system get it.
 */
public final class ForklessLocalFileSystem extends LocalFileSystem {
  private static final String IMPL = "fs.file.impl";
  /** Permissions set this way in this JVM: tests tell from it that a write came through here. */
  static final LongAdder PERMISSIONS_SET = new LongAdder();

  public ForklessLocalFileSystem() {
    super(new Raw());
  }

  /**
   * A copy of {@code conf} with the {@link #settings}: for Hadoop writers that take a
   * configuration (Parquet's).
   */
  public static Configuration in(Configuration conf) {
    Configuration c = new Configuration(conf);
    settings(conf).forEach(c::set);
    return c;
  }

  /**
   * The settings that give file: paths this file system (not cached: the cached one is shared
   * with Spark), or none if {@code conf} chose another file system for them. As options of a
   * Spark write ({@code DataFrameWriter.options}) they reach its Hadoop configuration, on the
   * driver (committer) and the executors (data files, their checksums, partition directories).
   */
  public static Map<String, String> settings(Configuration conf) {
    String chosen = conf.get(IMPL);
    if (chosen != null && !chosen.equals(LocalFileSystem.class.getName())) {
      return Map.of();
    }
    return Map.of(IMPL, ForklessLocalFileSystem.class.getName(),
        "fs.file.impl.disable.cache", "true");
  }

  /**
   * The file system of {@code p}: this one for a file: path (explicit or by the default file
   * system) under the same rule as {@link #settings}, a new instance without copying {@code conf};
   * else {@code p}'s own (HDFS, an object store, a local file system {@code conf} chose).
   */
  public static FileSystem of(Path p, Configuration conf) throws IOException {
    String scheme = p.toUri().getScheme();
    if (scheme == null) {
      scheme = FileSystem.getDefaultUri(conf).getScheme();
    }
    if (!"file".equals(scheme) || settings(conf).isEmpty()) {
      return p.getFileSystem(conf);
    }
    ForklessLocalFileSystem fs = new ForklessLocalFileSystem();
    fs.initialize(URI.create("file:///"), conf);
    return fs;
  }

  private static final class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      if (permission.getStickyBit()) {
        super.setPermission(p, permission);
        return;
      }
      String rwx = permission.getUserAction().SYMBOL + permission.getGroupAction().SYMBOL
          + permission.getOtherAction().SYMBOL;
      try {
        Files.setPosixFilePermissions(pathToFile(p).toPath(),
            PosixFilePermissions.fromString(rwx));
        PERMISSIONS_SET.increment();
      } catch (UnsupportedOperationException e) { // not a POSIX file system
        super.setPermission(p, permission);
      }
    }
  }
}
