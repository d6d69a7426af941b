package io.sparkbce.monitor.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history's local file system creates files, checksum files and directories with the
 * permissions Hadoop's own local file system gives them (which sets them with chmod), under the
 * default umask and another.
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

  private void sameAsHadoops(String umask) throws IOException {
    Configuration conf = new Configuration();
    if (umask != null) {
      conf.set("fs.permissions.umask-mode", umask);
    }
    Path stock = tmp.resolve("stock-" + umask);
    Path forkless = tmp.resolve("forkless-" + umask);
    FileSystem hadoops = new LocalFileSystem();
    hadoops.initialize(java.net.URI.create("file:///"), conf);
    create(hadoops, stock);
    FileSystem ours = new org.apache.hadoop.fs.Path(forkless.toUri())
        .getFileSystem(ForklessLocalFileSystem.in(conf));
    assertEquals(ForklessLocalFileSystem.class, ours.getClass());
    create(ours, forkless);
    for (String p : new String[] {"a", "a/b", "a/b/f", "a/b/.f.crc", "c"}) {
      assertTrue(Files.exists(forkless.resolve(p)), p);
      assertEquals(permissions(stock.resolve(p)), permissions(forkless.resolve(p)),
          p + " under umask " + umask);
    }
  }

  @Test
  void createsWithHadoopsPermissions() throws IOException {
    sameAsHadoops(null);
    sameAsHadoops("077");
    sameAsHadoops("002");
  }

  @Test
  void anotherFileSystemChosenForFilePathsStays() {
    Configuration conf = new Configuration();
    conf.set("fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem");
    assertEquals("org.apache.hadoop.fs.RawLocalFileSystem",
        ForklessLocalFileSystem.in(conf).get("fs.file.impl"));
  }
}
