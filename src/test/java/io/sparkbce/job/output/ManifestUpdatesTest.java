package io.sparkbce.job.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs writing different outputs into one directory at once (two monitor runs putting their
 * reports side by side) each update the manifest there: none may lose another's entry, or the
 * next run would refuse to replace an output spark-bce wrote.
 */
class ManifestUpdatesTest {
  @TempDir
  Path tmp;

  @Test
  @Timeout(120)
  void concurrentCommitsIntoOneDirectoryAreAllListed() throws Exception {
    Configuration conf = new Configuration();
    int writers = 6;
    int filesEach = 15;
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<Void>> runs = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int id = w;
      runs.add(CompletableFuture.runAsync(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        for (int f = 0; f < filesEach; f++) {
          AtomicOutput.writeText(conf, tmp.resolve("report-" + id + "-" + f + ".html").toString(),
              "run " + id + " file " + f);
        }
      }));
    }
    start.countDown();
    for (CompletableFuture<Void> r : runs) {
      r.get();
    }
    JsonNode manifest = new ObjectMapper().readTree(tmp.resolve(OutputManifest.NAME).toFile());
    TreeSet<String> listed = new TreeSet<>();
    manifest.path("entries").fieldNames().forEachRemaining(listed::add);
    TreeSet<String> written = new TreeSet<>();
    try (var files = Files.list(tmp)) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("report-"))
          .forEach(written::add);
    }
    assertEquals(writers * filesEach, written.size(), "every output is in place");
    TreeSet<String> lost = new TreeSet<>(written);
    lost.removeAll(listed);
    assertEquals(new TreeSet<String>(), lost, "outputs written but missing from the manifest");
    assertEquals(written, listed, "the manifest lists exactly the outputs written");

    // and so each is still owned: a later run may replace any of them
    FileSystem fs = FileSystem.getLocal(conf);
    for (String name : written) {
      assertNull(OutputManifest.whyNotOwned(fs,
          fs.makeQualified(new org.apache.hadoop.fs.Path(tmp.resolve(name).toString())),
          OutputManifest.Kind.FILE), name);
    }
  }
}
