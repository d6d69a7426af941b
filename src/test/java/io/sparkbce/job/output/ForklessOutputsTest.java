package io.sparkbce.job.output;

import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.JobTesting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs' outputs on the local disk (a summary, the manifest beside it, evaluate's per-row
 * losses written by Spark) have the permissions Hadoop's local file system gives them under the
 * configured umask, set without forking {@code chmod}.
 */
class ForklessOutputsTest {
  private static final String UMASK = "fs.permissions.umask-mode";
  @TempDir
  static Path tmp;

  private static String permissions(Path p) {
    try {
      return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aSummaryAndItsManifestGetTheUmasksPermissionsThroughJavaNio() throws IOException {
    Configuration conf = new Configuration();
    conf.set(UMASK, "027");
    Path dir = Files.createDirectories(tmp.resolve("text"));
    for (int run = 0; run < 2; run++) { // created, then replaced
      long before = ForklessLocalFileSystem.PERMISSIONS_SET.sum();
      AtomicOutput.writeText(conf, dir.resolve("summary.json").toString(), "{\"run\": " + run
          + "}\n");
      assertEquals(2, ForklessLocalFileSystem.PERMISSIONS_SET.sum() - before,
          "the summary and the manifest, each written once under a temp name");
      // 0666 without the umask's 027
      assertEquals("rw-r-----", permissions(dir.resolve("summary.json")));
      assertEquals("rw-r-----", permissions(dir.resolve(OutputManifest.NAME)));
      assertEquals("{\"run\": " + run + "}\n", Files.readString(dir.resolve("summary.json")));
    }
  }

  /** Permissions under {@code dir} by kind of entry: directory, checksum, marker, data file. */
  private static Map<String, Set<String>> permissionsByKind(Path dir) throws IOException {
    Map<String, Set<String>> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      all.filter(p -> !p.equals(dir)).forEach(p -> {
        String name = p.getFileName().toString();
        String kind = Files.isDirectory(p) ? "directory" : name.endsWith(".crc") ? "checksum"
            : name.startsWith("_") ? "marker" : "data";
        out.computeIfAbsent(kind, k -> new TreeSet<>()).add(permissions(p));
      });
    }
    return out;
  }

  private static long files(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void perRowLossesGetTheSamePermissionsAsSparksOwnWriteThroughJavaNio() throws IOException {
    List<Row> rows = new ArrayList<>();
    JobTesting.samples(40, 2, 7).forEach(s -> rows.add(s.row()));
    Path input = tmp.resolve("in");
    spark().createDataFrame(rows, JobTesting.SCHEMA).write().partitionBy("day")
        .parquet(input.toString());
    Configuration hadoop = spark().sparkContext().hadoopConfiguration();
    String umask = hadoop.get(UMASK);
    hadoop.set(UMASK, "027");
    try {
      Path out = tmp.resolve("out");
      long before = ForklessLocalFileSystem.PERMISSIONS_SET.sum();
      run("evaluate", "--input", input.toString(), "--reduction", "none", "--output",
          out.toString()).assertCode(0);
      long set = ForklessLocalFileSystem.PERMISSIONS_SET.sum() - before;
      Path losses = out.resolve("losses");
      assertTrue(set >= files(losses) + 2, set + " permissions set for " + files(losses)
          + " files of losses/, the summary and the manifest: every one through here");
      // Spark's own write of the same rows, through Hadoop's local file system (a new one: a
      // cached one keeps the umask it was created under)
      Path stock = tmp.resolve("stock");
      spark().read().parquet(losses.toString()).write()
          .option("fs.file.impl", LocalFileSystem.class.getName())
          .option("fs.file.impl.disable.cache", "true")
          .partitionBy("day").parquet(stock.toString());
      Map<String, Set<String>> expected = permissionsByKind(stock);
      assertEquals(Set.of("rw-r-----"), expected.get("data"), "the umask applies");
      assertEquals(expected, permissionsByKind(losses));
    } finally {
      if (umask == null) {
        hadoop.unset(UMASK);
      } else {
        hadoop.set(UMASK, umask);
      }
    }
  }
}
