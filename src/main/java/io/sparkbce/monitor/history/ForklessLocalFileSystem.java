package io.sparkbce.monitor.history;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system (checksums and all) that sets the permission of what it creates
 * through java.nio. Without Hadoop's native library, {@link RawLocalFileSystem} runs
 * {@code chmod} in a new process for every file and directory it creates: a history write on the
 * driver creates a file and its checksum file per window, and their directories, and spent about
 * as long forking as writing (a tenth of a second for seven windows on a loaded machine). The
 * permissions set are the same ({@link FsPermission} after the umask); one that java.nio cannot
 * express (a sticky bit) still goes to Hadoop's way.
 */
public final class ForklessLocalFileSystem extends LocalFileSystem {
  private static final String IMPL = "fs.file.impl";

  public ForklessLocalFileSystem() {
    super(new Raw());
  }

  /**
   * A copy of {@code conf} whose file: paths get this file system (not cached: the cached one is
   * shared with Spark), unless {@code conf} chose another file system for them.
   */
  static Configuration in(Configuration conf) {
    Configuration c = new Configuration(conf);
    String chosen = conf.get(IMPL);
    if (chosen == null || chosen.equals(LocalFileSystem.class.getName())) {
      c.set(IMPL, ForklessLocalFileSystem.class.getName());
      c.setBoolean("fs.file.impl.disable.cache", true);
    }
    return c;
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
      } catch (UnsupportedOperationException e) { // not a POSIX file system
        super.setPermission(p, permission);
      }
    }
  }
}
