package io.sparkbce.job;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Rows counted by validity in the loss's own pass. The jobs group their aggregation by their keys
 * and the row's invalid reason ({@link InputColumns#reason}, NULL for a valid row): one
 * {@code count(*)} per (group, reason) stands for a {@code count_if} per reason, which cost more
 * than the loss itself, and the losses, fed only the valid rows, are those of the group's
 * reason-NULL row. {@link #fold} turns the collected rows back into one per group.
 */
public final class ReasonGroups {
  static final String ROWS = "_rows";
  static final String ELEMENTS = "_elements";

  private ReasonGroups() {}

  /**
   * {@code count(*)} and, for arrays, the number of elements of the valid rows ({@code
   * validLogits} is NULL on the others); a valid number is one element, so scalars need no sum.
   */
  public static List<Column> counts(Column validLogits, int rank) {
    List<Column> aggs = new ArrayList<>();
    aggs.add(count(lit(1)).as(ROWS));
    if (rank > 0) {
      aggs.add(sum(InputColumns.elements(validLogits, rank)).as(ELEMENTS));
    }
    return aggs;
  }

  /**
   * The rows of {@code grouped} (keys, then the reason, then the aggregates) collected in key
   * order. They all go to the driver, so they are sorted in one partition: a global sort
   * ({@code orderBy}) would add a sampling job and a range shuffle for a result this small.
   */
  public static List<Row> collectSorted(Dataset<Row> grouped, int keys) {
    Column[] order = Arrays.stream(grouped.columns()).limit(keys + 1L).map(InputColumns::col)
        .toArray(Column[]::new);
    return grouped.coalesce(1).sortWithinPartitions(order).collectAsList();
  }

  /** One group's counts, folded from its rows (one per invalid reason it has). */
  public static final class Group {
    /** A row of the group: its key columns are the first ones. */
    public final Row keys;
    /** The row of the valid rows, whose losses are the group's; else one whose are empty. */
    public Row losses;
    public long rows;
    public long used;
    public long elements;
    /** Rows skipped by reason, every reason of {@link InputColumns#REASONS} in order. */
    public final Map<String, Long> skipped = new LinkedHashMap<>();

    Group(Row first) {
      keys = first;
      losses = first;
      InputColumns.REASONS.forEach(r -> skipped.put(r, 0L));
    }

    public long skippedRows() {
      return rows - used;
    }
  }

  /**
   * The groups of {@code rows}, in order: rows of a group must be adjacent (sorted by the keys),
   * the first {@code keys} columns being the keys, {@code reason} the invalid reason's column.
   */
  public static List<Group> fold(List<Row> rows, int keys, String reason, int rank) {
    List<Group> groups = new ArrayList<>();
    Group g = null;
    Row key = null;
    for (Row r : rows) {
      Row k = keyOf(r, keys);
      if (g == null || !k.equals(key)) {
        g = new Group(r);
        key = k;
        groups.add(g);
      }
      long n = r.getLong(r.fieldIndex(ROWS));
      g.rows += n;
      int why = r.fieldIndex(reason);
      if (r.isNullAt(why)) {
        g.used += n;
        g.losses = r;
        g.elements += rank == 0 ? n : elements(r);
      } else {
        g.skipped.merge(r.getString(why), n, Long::sum);
      }
    }
    return groups;
  }

  private static long elements(Row r) {
    int e = r.fieldIndex(ELEMENTS);
    return r.isNullAt(e) ? 0 : r.getLong(e);
  }

  /** The key columns as a row, compared as Spark's rows compare (binary by content). */
  private static Row keyOf(Row r, int keys) {
    Object[] values = new Object[keys];
    for (int i = 0; i < keys; i++) {
      values[i] = r.get(i);
    }
    return RowFactory.create(values);
  }
}
