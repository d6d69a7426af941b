package io.sparkbce.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The {@code --input} of evaluate: a path or glob on any Hadoop file system (format from {@code
 * --format}, else from the extension, else Parquet) or a table of the session's catalog.
 */
public final class InputData {
  public final Dataset<Row> df;
  /** "table" or the file format. */
  public final String format;
  public final String basePath;
  /** Partition columns of the input (Hive-style directories or the table's), in order. */
  final List<String> partitionColumns;

  private InputData(Dataset<Row> df, String format, String basePath, List<String> partitions) {
    this.df = df;
    this.format = format;
    this.basePath = basePath;
    this.partitionColumns = partitions;
  }

  public static InputData load(SparkSession spark, EvaluateOptions o) {
    String input = o.input.trim();
    boolean pathLike = o.format != null || o.basePath != null || input.contains("/")
        || input.contains("\\") || input.contains(":") || hasGlob(input);
    if (!pathLike && tableExists(spark, input)) {
      Dataset<Row> df = spark.table(input);
      List<String> parts = partitionColumns(df);
      if (parts.isEmpty()) {
        parts = catalogPartitions(spark, input);
      }
      return new InputData(df, "table", null, parts);
    }
    String format = o.format != null ? o.format : formatOf(input);
    String basePath = o.basePath != null ? o.basePath : globBasePath(input);
    DataFrameReader reader = spark.read().format(format);
    if (format.equals("csv")) {
      reader = reader.option("header", "true").option("inferSchema", "true");
    }
    if (basePath != null) {
      reader = reader.option("basePath", basePath);
    } else if (format.equals("parquet")) {
      StructType schema = ParquetFooterSchema.of(spark, input);
      if (schema != null) {
        reader = reader.schema(schema); // what Spark would infer, without its schema job
      }
    }
    Dataset<Row> df;
    try {
      df = reader.load(input);
    } catch (Exception e) {
      if (!(e instanceof AnalysisException)) {
        throw e;
      }
      String what = pathLike ? "" : " (and there is no table of that name)";
      String why = "UNABLE_TO_INFER_SCHEMA".equals(((AnalysisException) e).getCondition())
          ? noDataFiles(format) : e.getMessage();
      throw new JobFailure("cannot read --input " + input + " as " + format + what + ": " + why,
          e);
    }
    return new InputData(df, format, basePath, partitionColumns(df));
  }

  /**
   * Spark's UNABLE_TO_INFER_SCHEMA says "It must be specified manually", which no option of the
   * jobs does: what it means here is that the path holds no data file of the format.
   */
  private static String noDataFiles(String format) {
    return "it holds no " + format + " data file (an empty directory, or only files whose names "
        + "start with '_' or '.', which Spark skips); give a path with data, or --format if the "
        + "files are not " + format;
  }

  static String formatOf(String input) {
    String s = input.toLowerCase(Locale.ROOT);
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    for (String f : EvaluateOptions.FORMATS) {
      if (s.endsWith("." + f)) {
        return f;
      }
    }
    if (s.endsWith(".jsonl") || s.endsWith(".ndjson")) {
      return "json";
    }
    return "parquet";
  }

  private static boolean hasGlob(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0
        || s.indexOf('{') >= 0;
  }

  /**
   * For a glob over Hive-style partition directories ({@code data/date=2025-06-0*}, {@code
   * data/date=2025-06-01/model=*}), the directory above the {@code name=value} segments that lead
   * to the first globbed one, so that all partition columns are still discovered. Null otherwise.
   */
  static String globBasePath(String input) {
    if (!hasGlob(input)) {
      return null;
    }
    String[] segments = input.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      if (hasGlob(segments[i])) {
        if (!segments[i].contains("=")) {
          return null;
        }
        int first = i;
        while (first > 0 && segments[first - 1].matches("[^=]+=[^=]*")) {
          first--;
        }
        String base = String.join("/", java.util.Arrays.copyOfRange(segments, 0, first));
        return base.isEmpty() || base.endsWith(":") ? null : base;
      }
    }
    return null;
  }

  private static boolean tableExists(SparkSession spark, String name) {
    try {
      return spark.catalog().tableExists(name);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * The root paths of the file-based relations under the plan: the input directories, files or
   * glob matches as Spark resolved them, or a catalog table's location.
   */
  public List<org.apache.hadoop.fs.Path> rootPaths() {
    List<org.apache.hadoop.fs.Path> out = new ArrayList<>();
    for (LogicalPlan leaf : leaves(df)) {
      if (leaf instanceof LogicalRelation lr && lr.relation() instanceof HadoopFsRelation fs) {
        out.addAll(CollectionConverters.asJava(fs.location().rootPaths()));
      }
    }
    return out;
  }

  /**
   * The input's files, as {@link Dataset#inputFiles} gives them for a file input, from the file
   * indexes of its relations (listed when the input was loaded) rather than through the optimizer,
   * which inputFiles runs on the plan first; a catalog table, or any plan with another kind of
   * leaf, goes through inputFiles.
   */
  public String[] inputFiles() {
    List<LogicalPlan> leaves = leaves(df);
    java.util.Set<String> files = new java.util.LinkedHashSet<>();
    for (LogicalPlan leaf : leaves) {
      if (format.equals("table") || !(leaf instanceof LogicalRelation lr
          && lr.relation() instanceof HadoopFsRelation fs)) {
        return df.inputFiles();
      }
      files.addAll(java.util.Arrays.asList(fs.location().inputFiles()));
    }
    return leaves.isEmpty() ? df.inputFiles() : files.toArray(new String[0]);
  }

  private static List<LogicalPlan> leaves(Dataset<Row> df) {
    if (!(df instanceof org.apache.spark.sql.classic.Dataset)) {
      return List.of();
    }
    LogicalPlan plan = ((org.apache.spark.sql.classic.Dataset<Row>) df).queryExecution().analyzed();
    return CollectionConverters.asJava(plan.collectLeaves());
  }

  /** The partition columns of a file-based relation under {@code df}'s plan, if any. */
  static List<String> partitionColumns(Dataset<Row> df) {
    for (LogicalPlan leaf : leaves(df)) {
      if (leaf instanceof LogicalRelation lr && lr.relation() instanceof HadoopFsRelation fs) {
        return List.of(fs.partitionSchema().fieldNames());
      }
    }
    return List.of();
  }

  private static List<String> catalogPartitions(SparkSession spark, String table) {
    List<String> out = new ArrayList<>();
    try {
      for (org.apache.spark.sql.catalog.Column c : spark.catalog().listColumns(table).collectAsList()) {
        if (c.isPartition()) {
          out.add(c.name());
        }
      }
    } catch (Exception e) {
      // a view or temp table: no partitions
    }
    return out;
  }
}
