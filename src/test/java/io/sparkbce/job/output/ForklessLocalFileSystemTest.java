package io.sparkbce.job.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outputs' local file system creates files, checksum files and directories with the
 * permissions Hadoop's own local file system gives them (which sets them with chmod), under the
 * default umask and others, and sets every one of them itself.
 */
class ForklessLocalFileSystemTest {
  @TempDir
  Path tmp;

  private static void create(FileSystem fs, Path dir) throws IOException {
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(dir.resolve("a/b/f").toUri());
    try (FSDataOutputStream out = fs.create(file)) {
      out.writeInt(42);
    }
    assertTrue(fs.mkdirs(new org.apache.hadoop.fs.Path(dir.resolve("c").toUri())));
  }

  private static Set<PosixFilePermission> permissions(Path p) throws IOException {
    return Files.getPosixFilePermissions(p);
  }

  /** Hadoop's own raw local file system, counting the permissions it sets (forking chmod). */
  private static final class CountingRaw extends RawLocalFileSystem {
    int permissionsSet;

    @Override
    public void setPermission(org.apache.hadoop.fs.Path p, FsPermission permission)
        throws IOException {
      permissionsSet++;
      super.setPermission(p, permission);
    }
  }

  /** How a caller gets the file system of a path under a configuration. */
  private interface Getter {
    FileSystem get(org.apache.hadoop.fs.Path p, Configuration conf) throws IOException;
  }

  private void sameAsHadoops(String how, Getter getter, String umask) throws IOException {
    Configuration conf = new Configuration();
    if (umask != null) {
      conf.set("fs.permissions.umask-mode", umask);
    }
    Path stock = tmp.resolve("stock-" + how + "-" + umask);
    Path forkless = tmp.resolve("forkless-" + how + "-" + umask);
    CountingRaw hadoopsRaw = new CountingRaw();
    FileSystem hadoops = new LocalFileSystem(hadoopsRaw);
    hadoops.initialize(java.net.URI.create("file:///"), conf);
    create(hadoops, stock);
    assertTrue(hadoopsRaw.permissionsSet > 0);
    FileSystem ours = getter.get(new org.apache.hadoop.fs.Path(forkless.toUri()), conf);
    assertEquals(ForklessLocalFileSystem.class, ours.getClass());
    long before = ForklessLocalFileSystem.PERMISSIONS_SET.sum();
    create(ours, forkless);
    // every permission Hadoop's would set (with chmod), set through java.nio
    assertEquals(hadoopsRaw.permissionsSet, ForklessLocalFileSystem.PERMISSIONS_SET.sum() - before);
    for (String p : new String[] {"a", "a/b", "a/b/f", "a/b/.f.crc", "c"}) {
      assertTrue(Files.exists(forkless.resolve(p)), p);
      assertEquals(permissions(stock.resolve(p)), permissions(forkless.resolve(p)),
          p + " under umask " + umask);
    }
  }

  @Test
  void createsWithHadoopsPermissions() throws IOException {
    for (String umask : new String[] {null, "077", "002"}) {
      sameAsHadoops("in", (p, conf) -> p.getFileSystem(ForklessLocalFileSystem.in(conf)), umask);
      sameAsHadoops("of", ForklessLocalFileSystem::of, umask);
    }
  }

  @Test
  void ofIsThePathsOwnFileSystemWhereThatIsNotTheStockLocalOne() throws IOException {
    Configuration conf = new Configuration();
    conf.set("fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem");
    conf.setBoolean("fs.file.impl.disable.cache", true);
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(tmp.toUri());
    assertEquals(RawLocalFileSystem.class, ForklessLocalFileSystem.of(p, conf).getClass());
    assertEquals(Map.of(), ForklessLocalFileSystem.settings(conf));
    Configuration forkless = ForklessLocalFileSystem.in(new Configuration());
    assertEquals(ForklessLocalFileSystem.class,
        ForklessLocalFileSystem.of(p, forkless).getClass());
  }

  @Test
  void anotherFileSystemChosenForFilePathsStays() {
    Configuration conf = new Configuration();
    conf.set("fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem");
    assertEquals("org.apache.hadoop.fs.RawLocalFileSystem",
        ForklessLocalFileSystem.in(conf).get("fs.file.impl"));
  }
}
