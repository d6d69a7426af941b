package io.sparkbce.job.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One place, however it is spelled: local paths and Hadoop URIs (no name node is contacted). */
class PathLocationTest {
  static final Configuration CONF = new Configuration();
  @TempDir
  Path tmp;

  private static PathLocation at(String p) {
    return PathLocation.of(CONF, new org.apache.hadoop.fs.Path(p));
  }

  @Test
  void hdfsUrisCompareByFileSystemAndNormalizedPath() {
    PathLocation data = at("hdfs://localhost:8020/lake/data");
    assertEquals(data, at("hdfs://localhost:8020/lake/./x/../data/"));
    assertTrue(at("hdfs://localhost:8020/lake/data/day=1/part-0.parquet").within(data));
    assertTrue(data.within(at("hdfs://localhost:8020/lake")));
    assertFalse(at("hdfs://localhost:8020/lake/data2").within(data), "a sibling with the same prefix");
    assertFalse(at("hdfs://127.0.0.1:8020/lake/data/x").within(data), "another cluster");
    assertFalse(at("file:/lake/data/x").within(data), "another file system");
    assertTrue(at("hdfs://localhost:8020/lake/出力 #1 %20").within(at("hdfs://localhost:8020/lake/")));
  }

  @Test
  void localPathsFollowLinksAndIgnoreTheFileScheme() throws Exception {
    Path real = Files.createDirectories(tmp.resolve("real dir #1 %20 ünï"));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
    PathLocation r = at(real.toString());
    assertEquals(r, at("file:" + real + "/"));
    assertEquals(r, at(link.toString()));
    assertEquals(r, at(tmp + "/missing/../real dir #1 %20 ünï"));
    assertTrue(at(link.resolve("not yet/written").toString()).within(r));
    assertFalse(r.within(at(real + "x")));
  }
}
