package io.sparkbce.job;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.format.converter.ParquetMetadataConverter;
import org.apache.parquet.hadoop.Footer;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.util.CharVarcharUtils$;
import org.apache.spark.sql.execution.datasources.InMemoryFileIndex;
import org.apache.spark.sql.execution.datasources.NoopCache$;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat$;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFooterReader;
import org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter;
import org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter$;
import org.apache.spark.sql.execution.streaming.sinks.FileStreamSink$;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.collection.immutable.Map$;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The schema Spark infers for a plain Parquet directory or file, read from the one footer Spark
 * would read, on the driver: Spark reads it in a one-task job (closure cleaning, a serialised
 * Hadoop configuration, scheduling), which cost a warm run about as much as the footer's bytes
 * many times over. Only where the result is Spark's by construction: no glob, no partition
 * directories (a given schema would turn off their type inference), no streaming sink's log, no
 * schema merging; the file Spark picks (the first {@code _common_metadata}, else {@code
 * _metadata}, else data file by path, as {@code ParquetUtils.inferSchema}), listed by Spark's own
 * file index, read and converted by Spark's own functions with the session's settings. Anywhere
 * else, and on any error, {@link #of} returns null and Spark infers (and reports) as before.
 */
final class ParquetFooterSchema {
  private ParquetFooterSchema() {}

  /** The schema Spark would infer for {@code input}, or null where Spark should infer it. */
  static StructType of(SparkSession spark, String input) {
    SQLConf conf = spark.sessionState().conf();
    if (conf.isParquetSchemaMergingEnabled() || isGlob(input)) {
      return null;
    }
    try {
      Configuration hadoop = spark.sessionState().newHadoopConf();
      Path given = new Path(input);
      FileSystem fs = given.getFileSystem(hadoop);
      Path path = given.makeQualified(fs.getUri(), fs.getWorkingDirectory());
      if (!fs.exists(path)
          || FileStreamSink$.MODULE$.hasMetadata(seq(List.of(input)), hadoop, conf)) {
        return null;
      }
      InMemoryFileIndex index = new InMemoryFileIndex(spark, seq(List.of(path)),
          Map$.MODULE$.empty(), Option.empty(), NoopCache$.MODULE$, Option.empty(),
          Option.empty());
      if (index.partitionSchema().nonEmpty()) {
        return null;
      }
      FileStatus file = fileToRead(CollectionConverters.asJava(index.allFiles()));
      if (file == null) {
        return null;
      }
      // What ParquetFileFormat.readParquetFootersInParallel does for a file, on this thread: its
      // pool of threads for one file cost more than the read (a corrupt file throws: Spark infers
      // and reports it, or skips it, as before)
      Footer footer = new Footer(file.getPath(), ParquetFooterReader.readFooter(
          HadoopInputFile.fromStatus(file, hadoop), ParquetMetadataConverter.SKIP_ROW_GROUPS));
      StructType schema = ParquetFileFormat$.MODULE$.readSchemaFromFooter(footer,
          converter(conf));
      // DataFrameReader.schema refuses CHAR and VARCHAR, which an inferred schema may hold. The
      // relation makes every column nullable either way: the schema is given as it ends up.
      return CharVarcharUtils$.MODULE$.hasCharVarchar(schema) ? null : schema.asNullable();
    } catch (Exception e) {
      return null;
    }
  }

  /** {@code SparkHadoopUtil.isGlobPath}'s characters. */
  private static boolean isGlob(String input) {
    return input.chars().anyMatch(c -> "{}[]*?\\".indexOf(c) >= 0);
  }

  /** The file ParquetUtils.inferSchema reads when schemas are not merged, or null. */
  static FileStatus fileToRead(List<FileStatus> files) {
    FileStatus[] sorted = files.toArray(new FileStatus[0]);
    Arrays.sort(sorted, Comparator.comparing(f -> f.getPath().toString()));
    for (String summary : List.of(ParquetFileWriter.PARQUET_COMMON_METADATA_FILE,
        ParquetFileWriter.PARQUET_METADATA_FILE)) {
      for (FileStatus f : sorted) {
        if (f.getPath().getName().equals(summary)) {
          return f;
        }
      }
    }
    for (FileStatus f : sorted) {
      String name = f.getPath().getName();
      if (!name.equals(ParquetFileWriter.PARQUET_COMMON_METADATA_FILE)
          && !name.equals(ParquetFileWriter.PARQUET_METADATA_FILE)) {
        return f;
      }
    }
    return null;
  }

  /** The converter ParquetFileFormat.mergeSchemasInParallel builds, argument for argument. */
  private static ParquetToSparkSchemaConverter converter(SQLConf conf) {
    ParquetToSparkSchemaConverter$ defaults = ParquetToSparkSchemaConverter$.MODULE$;
    return new ParquetToSparkSchemaConverter(conf.isParquetBinaryAsString(),
        conf.isParquetINT96AsTimestamp(), defaults.$lessinit$greater$default$3(),
        conf.parquetInferTimestampNTZEnabled(), conf.legacyParquetNanosAsLong(),
        defaults.$lessinit$greater$default$6(), defaults.$lessinit$greater$default$7());
  }

  private static <T> scala.collection.immutable.Seq<T> seq(List<T> list) {
    return CollectionConverters.asScala(list).toSeq();
  }
}
