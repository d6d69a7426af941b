package io.sparkbce.job;

import static io.sparkbce.job.JobTesting.assertNear;
import static io.sparkbce.job.JobTesting.element;
import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static io.sparkbce.job.JobTesting.summary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example job definitions of spark-job/: each runs as it is against (a small copy of) the
 * demo data; only --input and --output are redirected to the test's directory.
 */
class JobDefinitionsTest {
  @TempDir
  static Path tmp;
  static Path demo;

  @BeforeAll
  static void data() {
    demo = JobTesting.smallDemo(tmp);
  }

  static List<Path> definitions() throws Exception {
    try (Stream<Path> s = Files.list(Path.of("spark-job"))) {
      return s.filter(p -> p.getFileName().toString().matches("evaluate-.*\\.properties"))
          .sorted().toList();
    }
  }

  @Test
  void everyDefinitionRunsAgainstTheDemoData() throws Exception {
    List<Path> defs = definitions();
    assertTrue(defs.size() >= 3, "definitions: " + defs);
    for (Path def : defs) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(def)) {
        p.load(r);
      }
      assertEquals("target/demo/data", p.getProperty("input"), def + " reads the demo data");
      assertTrue(p.getProperty("output").startsWith("target/demo/jobs/"), def + " output");
      Path out = tmp.resolve(def.getFileName().toString());
      run("evaluate", "--config", def.toString(), "--input", demo.toString(), "--output",
          out.toString()).assertCode(0);
      JsonNode s = summary(out);
      assertTrue(s.get("rows_used").asLong() > 0, def.toString());
      if ("none".equals(p.getProperty("reduction"))) {
        assertTrue(Files.isDirectory(out.resolve("losses")), def.toString());
      } else {
        for (JsonNode g : s.get("groups")) {
          assertTrue(g.get("loss").asDouble() > 0, def + ": " + g);
        }
      }
    }
  }

  @Test
  void perClassDefinitionMatchesAPlainComputation() {
    Path out = tmp.resolve("per-class-check");
    run("evaluate", "--config", "spark-job/evaluate-per-class.properties", "--input",
        demo.toString(), "--output", out.toString()).assertCode(0);
    JsonNode s = summary(out);
    List<Row> rows = spark().read().parquet(demo.toString()).where("labels IS NOT NULL")
        .collectAsList();
    double[] pos = new double[16];
    double[] neg = new double[16];
    for (Row r : rows) {
      List<Float> y = r.getList(r.fieldIndex("labels"));
      for (int c = 0; c < 16; c++) {
        pos[c] += y.get(c);
        neg[c] += 1 - y.get(c);
      }
    }
    for (JsonNode g : s.get("groups")) {
      String version = g.get("key").get("model_version").asText();
      double[] sum = new double[16];
      long n = 0;
      for (Row r : rows) {
        if (!r.getString(r.fieldIndex("model_version")).equals(version)) {
          continue;
        }
        List<Float> x = r.getList(r.fieldIndex("logits"));
        List<Float> y = r.getList(r.fieldIndex("labels"));
        for (int c = 0; c < 16; c++) {
          sum[c] += element(x.get(c), y.get(c), 1, neg[c] / pos[c]);
        }
        n++;
      }
      for (int c = 0; c < 16; c++) {
        assertNear(sum[c] / n, g.get("loss_per_class").get(c), version + " class " + c);
      }
    }
  }
}
