package io.sparkbce.job;

import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkbce.job.output.AtomicOutput;
import io.sparkbce.monitor.MonitorTesting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs on {@code hdfs://} (an in-process MiniDFSCluster, one data node): evaluate's input,
 * summary and per-row losses and monitor's input, history and report live on HDFS, give the
 * results a local disk gives, and a failed run leaves the previous outputs as they were.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HdfsJobsTest {
  @TempDir
  static java.nio.file.Path tmp;

  private static MiniDFSCluster hdfs;
  private static FileSystem fs;
  private static String root;
  private static List<JobTesting.Sample> samples;

  @BeforeAll
  static void startHdfsAndWriteTheInputs() throws IOException {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
    hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    hdfs.waitActive();
    fs = hdfs.getFileSystem();
    root = fs.getUri() + "/lake";
    samples = JobTesting.samples(600, 3, 17);
    spark().createDataFrame(samples.stream().map(JobTesting.Sample::row).toList(),
        JobTesting.SCHEMA).write().partitionBy("day", "model").parquet(root + "/scores");
    JobTesting.writeParquet(samples, tmp.resolve("local-scores"));
    MonitorTesting.write(MonitorTesting.events(4, 40, 2, 5, 0, d -> 0), tmp.resolve("events"),
        false);
    spark().read().parquet(tmp.resolve("events").toString()).write()
        .parquet(root + "/events");
  }

  @AfterAll
  static void stopHdfs() {
    AtomicOutput.beforeCommit = null;
    if (hdfs != null) {
      hdfs.shutdown();
    }
  }

  @AfterEach
  void noHook() {
    AtomicOutput.beforeCommit = null;
  }

  @Test
  void evaluateOnHdfsGivesTheLocalResultsAndAFailedRunLeavesThePreviousOutputs()
      throws Exception {
    String out = root + "/eval";
    String[] args = {"evaluate", "--input", root + "/scores", "--logits", "logits", "--labels",
        "labels", "--weight", "w", "--reduction", "none", "--output", out};
    run(args).assertCode(0);
    java.nio.file.Path localOut = tmp.resolve("local-eval");
    run("evaluate", "--input", tmp.resolve("local-scores").toString(), "--logits", "logits",
        "--labels", "labels", "--weight", "w", "--reduction", "none", "--output",
        localOut.toString()).assertCode(0);
    JsonNode s = JobTesting.JSON.readTree(read(out + "/summary.json"));
    JsonNode local = JobTesting.summary(localOut);
    assertEquals(samples.size(), s.get("rows_used").asLong());
    for (String f : List.of("rows", "rows_used", "elements", "loss", "skipped_by_reason")) {
      assertEquals(local.get(f), s.get(f), f + " on HDFS vs. local disk");
    }
    assertEquals(
        spark().read().parquet(localOut.resolve("losses").toString())
            .selectExpr("id", "loss").orderBy("id").collectAsList(),
        spark().read().parquet(out + "/losses").selectExpr("id", "loss").orderBy("id")
            .collectAsList(), "per-row losses on HDFS vs. local disk");

    // A failure once the new losses are completely written, before anything is replaced.
    String summaryBefore = read(out + "/summary.json");
    Map<String, String> filesBefore = files(out);
    AtomicOutput.beforeCommit = tmpPath -> {
      if (tmpPath.contains(".losses.tmp-")) {
        assertTrue(tmpPath.startsWith("hdfs://"), tmpPath);
        throw new IllegalStateException("simulated failure on HDFS before " + tmpPath);
      }
    };
    List<String> other = new java.util.ArrayList<>(List.of(args));
    other.addAll(List.of("--where", "day = 'd1'"));
    run(other.toArray(new String[0])).assertCode(1).assertErr("simulated failure on HDFS");
    assertEquals(summaryBefore, read(out + "/summary.json"));
    assertEquals(filesBefore, files(out), "nothing added, removed or rewritten under " + out);
  }

  @Test
  void monitorKeepsItsHistoryAndReportOnHdfsAndAFailedRunLeavesThemAsTheyWere()
      throws Exception {
    String history = root + "/monitor/history";
    String report = root + "/monitor/report.html";
    String[] args = {"monitor", "--input", root + "/events", "--logits", "logits", "--labels",
        "labels", "--time-col", "ts", "--window", "1 day", "--group-by", "model", "--history",
        history, "--report", report};
    run(args).assertCode(0);
    java.nio.file.Path localHistory = tmp.resolve("local-history");
    run("monitor", "--input", tmp.resolve("events").toString(), "--logits", "logits",
        "--labels", "labels", "--time-col", "ts", "--window", "1 day", "--group-by", "model",
        "--history", localHistory.toString(), "--report", tmp.resolve("r.html").toString())
        .assertCode(0);
    String cols = "window_start, segment, loss, weighted_mean_loss, elements, rows_used,"
        + " loss_per_class";
    assertEquals(
        spark().read().parquet(localHistory.toString()).selectExpr(cols.split(", "))
            .orderBy("window_start", "segment").collectAsList(),
        spark().read().parquet(history).selectExpr(cols.split(", "))
            .orderBy("window_start", "segment").collectAsList(), "history on HDFS vs. local");
    assertEquals(8, spark().read().parquet(history).count(), "4 days x 2 models");
    assertTrue(read(report).contains("<svg"), "the report on HDFS");

    // The same run over an input with a file that is not Parquet fails: nothing is replaced.
    Map<String, String> before = files(root + "/monitor");
    try (FSDataOutputStream o = fs.create(new Path(root + "/events/part-99999-bad.parquet"))) {
      o.write("not parquet".getBytes(StandardCharsets.UTF_8));
    }
    run(args).assertCode(1).assertErr("part-99999-bad.parquet");
    assertEquals(before, files(root + "/monitor"), "history and report untouched");
    fs.delete(new Path(root + "/events/part-99999-bad.parquet"), false);
  }

  private static String read(String path) throws IOException {
    try (var in = fs.open(new Path(path))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Every file under {@code dir}: relative path to length and modification time. */
  private static Map<String, String> files(String dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    Path base = fs.makeQualified(new Path(dir));
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(base, true);
    while (it.hasNext()) {
      LocatedFileStatus f = it.next();
      out.put(f.getPath().toString().substring(base.toString().length()),
          f.getLen() + " bytes, modified " + f.getModificationTime());
    }
    return out;
  }
}
