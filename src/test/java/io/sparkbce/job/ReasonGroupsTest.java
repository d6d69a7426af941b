package io.sparkbce.job;

import static io.sparkbce.job.JobTesting.spark;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The groups folded from rows in any order ({@link ReasonGroups#foldAnyOrder}, monitor's) are
 * those folded from the rows Spark sorted by their keys ({@link ReasonGroups#fold} of
 * {@link ReasonGroups#collectSorted}, evaluate's), whatever the key types: binary keys (which a
 * row hashes by identity), doubles of both zeros, decimals, NULLs, a struct and an array.
 */
public class ReasonGroupsTest {
  private static final int KEYS = 6;

  private static Dataset<Row> grouped() {
    StructType schema = new StructType()
        .add("s", DataTypes.StringType)
        .add("b", DataTypes.BinaryType)
        .add("d", DataTypes.DoubleType)
        .add("m", DataTypes.createDecimalType(10, 2))
        .add("st", new StructType().add("i", DataTypes.IntegerType).add("t", DataTypes.StringType))
        .add("a", DataTypes.createArrayType(DataTypes.LongType))
        .add("why", DataTypes.StringType)
        .add("e", DataTypes.LongType);
    Random rnd = new Random(7);
    String[] strings = {"a", "b", null, "é"};
    byte[][] bins = {{1, 2}, {1, 2, 0}, {}, null};
    Double[] doubles = {0.0, -0.0, 1.5, Double.NaN, null};
    BigDecimal[] decimals = {new BigDecimal("1.00"), new BigDecimal("2.50"), null};
    String[] reasons = {null, null, InputColumns.REASONS.get(1), InputColumns.REASONS.get(4)};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      byte[] bin = bins[rnd.nextInt(bins.length)];
      rows.add(RowFactory.create(strings[rnd.nextInt(strings.length)],
          bin == null ? null : bin.clone(), doubles[rnd.nextInt(doubles.length)],
          decimals[rnd.nextInt(decimals.length)],
          rnd.nextInt(5) == 0 ? null : RowFactory.create(rnd.nextInt(2), rnd.nextBoolean() ? "x"
              : null),
          rnd.nextInt(4) == 0 ? null : List.of((long) rnd.nextInt(2), 3L).toArray(new Long[0]),
          reasons[rnd.nextInt(reasons.length)], (long) rnd.nextInt(3)));
    }
    Dataset<Row> df = spark().createDataFrame(rows, schema).repartition(3);
    Column[] by = Arrays.stream(schema.fieldNames()).limit(KEYS + 1L).map(c -> col(c))
        .toArray(Column[]::new);
    return df.groupBy(by).agg(org.apache.spark.sql.functions.count(
        org.apache.spark.sql.functions.lit(1)).as(ReasonGroups.ROWS),
        org.apache.spark.sql.functions.sum(col("e")).as(ReasonGroups.ELEMENTS));
  }

  /** A group as text: its key values (binary as bytes) and its counts. */
  private static String text(ReasonGroups.Group g) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < KEYS; i++) {
      Object v = g.keys.get(i);
      b.append(v instanceof byte[] bytes ? Arrays.toString(bytes) : String.valueOf(v)).append('|');
    }
    return b.append(g.rows).append(' ').append(g.used).append(' ').append(g.elements).append(' ')
        .append(g.skipped).append(' ').append(g.losses.isNullAt(g.losses.fieldIndex("why"))
            ? "valid " + g.losses.getLong(g.losses.fieldIndex(ReasonGroups.ROWS)) : "none")
        .toString();
  }

  private static List<String> texts(List<ReasonGroups.Group> groups) {
    List<String> out = new ArrayList<>();
    groups.forEach(g -> out.add(text(g)));
    Collections.sort(out);
    return out;
  }

  @Test
  void groupsInAnyOrderAreTheGroupsOfTheSortedRows() {
    Dataset<Row> grouped = grouped().cache();
    List<ReasonGroups.Group> sorted = ReasonGroups.fold(ReasonGroups.collectSorted(grouped, KEYS),
        KEYS, "why", 1);
    List<Row> rows = new ArrayList<>(ReasonGroups.collect(grouped));
    Collections.shuffle(rows, new Random(3));
    List<ReasonGroups.Group> any = ReasonGroups.foldAnyOrder(rows, KEYS, "why", 1);

    List<String> expected = texts(sorted);
    List<String> actual = texts(any);
    List<String> missing = new ArrayList<>(expected);
    missing.removeAll(actual);
    List<String> extra = new ArrayList<>(actual);
    extra.removeAll(expected);
    assertEquals(List.of(), missing, "groups not folded in any order");
    assertEquals(List.of(), extra, "groups folded only in any order");
    assertEquals(expected, actual);
    // many groups of several reasons each: the test folds something
    assertEquals(sorted.size(), any.size());
    long multi = any.stream().filter(g -> g.skippedRows() > 0 && g.used > 0).count();
    org.junit.jupiter.api.Assertions.assertTrue(multi > 20, "groups with both kinds: " + multi);
    org.junit.jupiter.api.Assertions.assertTrue(rows.size() > any.size());
    grouped.unpersist();
  }
}
