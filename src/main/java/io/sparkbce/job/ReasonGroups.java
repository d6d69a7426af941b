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

  /**
   * The rows of {@code grouped} collected in no particular order, for {@link #foldAnyOrder}: no
   * sort (the sort in one partition of {@link #collectSorted} is planned, generated and run
   * for a result of a few rows).
   */
  public static List<Row> collect(Dataset<Row> grouped) {
    return grouped.collectAsList();
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
      add(g, r, reason, rank);
    }
    return groups;
  }

  /**
   * The groups of {@code rows} in any order (rows of a group need not be adjacent), in the order
   * of their first rows: keys equal as {@link #fold} compares them ({@link Row#equals}) are one
   * group.
   */
  public static List<Group> foldAnyOrder(List<Row> rows, int keys, String reason, int rank) {
    Map<GroupKey, Group> groups = new LinkedHashMap<>();
    for (Row r : rows) {
      add(groups.computeIfAbsent(new GroupKey(keyOf(r, keys)), k -> new Group(r)), r, reason,
          rank);
    }
    return new ArrayList<>(groups.values());
  }

  private static void add(Group g, Row r, String reason, int rank) {
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

  private static long elements(Row r) {
    int e = r.fieldIndex(ELEMENTS);
    return r.isNullAt(e) ? 0 : r.getLong(e);
  }

  /**
   * A group's key columns as a hash key: equal as {@link Row#equals} says, with a hash that
   * agrees with it (Row's own hashes a binary value by identity, where equals compares its
   * bytes).
   */
  private record GroupKey(Row row) {
    @Override
    public boolean equals(Object o) {
      return o instanceof GroupKey k && row.equals(k.row);
    }

    @Override
    public int hashCode() {
      return hash(row);
    }

    /**
     * A hash equal for values that Spark's rows compare equal: binary by content, a double or
     * float zero of either sign alike, NaN alike, decimals by value (1.0 and 1.00), nested rows,
     * arrays and maps by their elements.
     */
    private static int hash(Object v) {
      if (v == null) {
        return 0;
      } else if (v instanceof byte[] b) {
        return Arrays.hashCode(b);
      } else if (v instanceof Double d) {
        return d == 0.0 ? 0 : d.hashCode();
      } else if (v instanceof Float f) {
        return f == 0.0f ? 0 : f.hashCode();
      } else if (v instanceof java.math.BigDecimal d) {
        return d.signum() == 0 ? 0 : d.stripTrailingZeros().hashCode();
      } else if (v instanceof Row r) {
        int h = 1;
        for (int i = 0; i < r.length(); i++) {
          h = 31 * h + hash(r.get(i));
        }
        return h;
      } else if (v instanceof scala.collection.Iterable<?> it) {
        // arrays (Seq) and maps (their pairs, whose order a map's equality ignores: summed)
        int h = 0;
        scala.collection.Iterator<?> i = it.iterator();
        boolean ordered = !(v instanceof scala.collection.Map<?, ?>);
        while (i.hasNext()) {
          Object e = i.next();
          int eh = e instanceof scala.Tuple2<?, ?> t ? 31 * hash(t._1()) + hash(t._2()) : hash(e);
          h = ordered ? 31 * h + eh : h + eh;
        }
        return h;
      }
      return v.hashCode();
    }
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
