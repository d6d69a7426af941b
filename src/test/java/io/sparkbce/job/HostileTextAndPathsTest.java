package io.sparkbce.job;

import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paths with any Unicode characters, spaces, '#' and '%' work for every input and output, and
 * data reaches the terminal only as visible escapes: control characters, C1 and bidi overrides in
 * group values never come out raw in tables, alert lines or messages, and JSON stays valid JSON.
 */
class HostileTextAndPathsTest {
  /** Group values a terminal would act on: repaint, rewrite, forge a row, reverse the text. */
  static final List<String> HOSTILE = List.of("clear\u001b[2J\u001b[H", "cr\rforged",
      "lf\nx | 1 | 2", "nul\0tab\t", "c1\u0085\u009b31m", "bidi\u202egnp.exe", "plain");
  /** An independent list of what a terminal acts on (C0 but LF, DEL, C1, bidi controls). */
  static boolean raw(int c) {
    return (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e
        || c == 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
  }

  static final ObjectMapper STRICT_JSON = new ObjectMapper();
  static final StructType SCHEMA = new StructType().add("grp", DataTypes.StringType)
      .add("t", DataTypes.TimestampType).add("logits", DataTypes.DoubleType)
      .add("labels", DataTypes.DoubleType);
  @TempDir
  static Path tmp;
  static Path input;

  @BeforeAll
  static void data() {
    List<Row> rows = new ArrayList<>();
    for (int g = 0; g < HOSTILE.size(); g++) {
      for (int i = 0; i < 4; i++) {
        rows.add(RowFactory.create(HOSTILE.get(g),
            Timestamp.valueOf("2025-06-0" + (1 + i % 2) + " 0" + g + ":00:00"),
            (i - 1.5) * (g + 1), i % 2 == 0 ? 1.0 : 0.0));
      }
    }
    input = tmp.resolve("入力 ünï #1 %20").resolve("data");
    spark().createDataFrame(rows, SCHEMA).write().parquet(input.toString());
  }

  static void assertNothingRaw(String text, String what) {
    for (int i = 0; i < text.length(); i++) {
      int c = text.charAt(i);
      int at = i;
      assertTrue(!raw(c), () -> what + ": raw U+" + Integer.toHexString(c) + " at " + at
          + " in:\n" + text);
    }
  }

  @Test
  void evaluateIntoAUnicodePathShowsDataOnlyAsEscapes() throws Exception {
    Path out = tmp.resolve("出力 ünï #1 %20");
    for (int time = 0; time < 2; time++) { // the second run replaces the first one's outputs
      JobTesting.Run r = run("evaluate", "--input", input.toString(), "--group-by", "grp",
          "--reduction", "none", "--output", out.toString()).assertCode(0);
      assertNothingRaw(r.out(), "stdout");
      r.assertOut("clear\\x1b[2J\\x1b[H", "cr\\rforged", "lf\\nx | 1 | 2", "nul\\0tab\\t",
          "c1\\u0085\\u009b31m", "bidi\\u202egnp.exe", "summary: " + out.resolve("summary.json"));
    }
    try (var names = Files.list(tmp)) {
      assertTrue(names.anyMatch(p -> p.getFileName().toString().equals("出力 ünï #1 %20")));
    }
    String json = Files.readString(out.resolve("summary.json"), StandardCharsets.UTF_8);
    assertNothingRaw(json, "summary.json");
    Set<String> keys = new HashSet<>();
    for (JsonNode g : STRICT_JSON.readTree(json).get("groups")) {
      keys.add(g.get("key").get("grp").asText());
    }
    assertEquals(new HashSet<>(HOSTILE), keys, "the JSON holds the values exactly");
    assertEquals(HOSTILE.size() * 4L,
        spark().read().parquet(out.resolve("losses").toString()).count());
  }

  @Test
  void monitorIntoUnicodePathsEscapesTablesAndAlerts() throws Exception {
    Path out = tmp.resolve("監視 ünï #2 %41");
    JobTesting.Run r = run("monitor", "--input", input.toString(), "--time-col", "t",
        "--group-by", "grp", "--alert-above", "0", "--history", out.resolve("歴史 #").toString(),
        "--report", out.resolve("報告 %.html").toString()).assertCode(3);
    assertNothingRaw(r.out(), "stdout");
    r.assertOut("clear\\x1b[2J\\x1b[H", "bidi\\u202egnp.exe", "report: " + out.resolve("報告 %.html"));
    assertTrue(Files.isDirectory(out.resolve("歴史 #")), "history");
    assertTrue(Files.isRegularFile(out.resolve("報告 %.html")), "report");
    String alerts = Files.readString(out.resolve("alerts.jsonl"), StandardCharsets.UTF_8);
    assertNothingRaw(alerts, "alerts.jsonl");
    int lines = 0;
    for (String line : alerts.split("\n")) {
      STRICT_JSON.readTree(line);
      lines++;
    }
    assertEquals(HOSTILE.size() * 2, lines, "an alert per segment and day");
  }

  @Test
  void anInvalidRowsValuesInAnErrorAreEscaped() {
    Path in = tmp.resolve("invalid");
    spark().createDataFrame(List.of(RowFactory.create("evil\u202e\u001b[31m",
        Timestamp.valueOf("2025-06-01 00:00:00"), 1.0, null)), SCHEMA).write()
        .parquet(in.toString());
    JobTesting.Run r = run("evaluate", "--input", in.toString(), "--invalid", "fail", "--output",
        tmp.resolve("invalid-out").toString()).assertCode(1).assertErr("invalid row (null_labels)");
    assertNothingRaw(r.err(), "stderr");
    r.assertErr("evil\\u202e");
  }
}
