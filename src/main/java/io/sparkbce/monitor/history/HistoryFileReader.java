package io.sparkbce.monitor.history;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.DateTimeUtils;
import org.apache.spark.sql.catalyst.util.RebaseDateTime;
import org.apache.spark.sql.execution.datasources.DataSourceUtils;
import org.apache.spark.sql.execution.datasources.parquet.ParquetReadSupport;
import org.apache.spark.sql.execution.datasources.parquet.ParquetWriteSupport;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.StructType;

/**
 * The rows of one history file as Spark's row-based Parquet reader gives them (what
 * {@code ParquetFileFormat} does when the vectorized reader is off), without its per-call
 * broadcast of the Hadoop configuration and without the vectorized reader's column vectors,
 * sized for 4096 rows, allocated for each file of a row or two: Spark's own {@link
 * ParquetReadSupport} converts the records (schema clipping, columns missing from a file as NULL,
 * the rebase of old dates and INT96 times by the file's metadata, as Spark decides it), on
 * parquet-mr's record reader over the file's row groups. The file's footer is read once.
 *
 * <p>Parquet's vectored reads are off: on a local file they hand each row group's read to another
 * thread and wait for it; the bytes read are the same.
 */
final class HistoryFileReader {
  /** parquet-mr's switch for Hadoop vectored I/O (ParquetInputFormat.HADOOP_VECTORED_IO_ENABLED). */
  static final String VECTORED_IO = "parquet.hadoop.vectored.io.enabled";

  private final Configuration conf;
  private final String datetimeRebaseMode;
  private final String int96RebaseMode;
  private final boolean int96Conversion;
  private final String sessionZone;

  /**
   * A reader of files holding {@code data} (the columns in the files), configured as Spark's
   * Parquet source configures its reader for this session ({@code conf}: the session's Hadoop
   * configuration, changed here).
   */
  HistoryFileReader(SparkSession spark, Configuration conf, StructType data) {
    SQLConf sql = spark.sessionState().conf();
    conf.set(ParquetReadSupport.SPARK_ROW_REQUESTED_SCHEMA(), data.json());
    conf.set(ParquetWriteSupport.SPARK_ROW_SCHEMA(), data.json());
    conf.set(SQLConf.SESSION_LOCAL_TIMEZONE().key(), sql.sessionLocalTimeZone());
    conf.setBoolean(SQLConf.NESTED_SCHEMA_PRUNING_ENABLED().key(),
        sql.nestedSchemaPruningEnabled());
    conf.setBoolean(SQLConf.CASE_SENSITIVE().key(), sql.caseSensitiveAnalysis());
    conf.setBoolean(SQLConf.PARQUET_BINARY_AS_STRING().key(), sql.isParquetBinaryAsString());
    conf.setBoolean(SQLConf.PARQUET_INT96_AS_TIMESTAMP().key(), sql.isParquetINT96AsTimestamp());
    conf.setBoolean(SQLConf.PARQUET_INFER_TIMESTAMP_NTZ_ENABLED().key(),
        sql.parquetInferTimestampNTZEnabled());
    conf.setBoolean(SQLConf.LEGACY_PARQUET_NANOS_AS_LONG().key(), sql.legacyParquetNanosAsLong());
    conf.setBoolean(VECTORED_IO, false);
    this.conf = conf;
    this.datetimeRebaseMode = sql.getConf(SQLConf.PARQUET_REBASE_MODE_IN_READ()).toString();
    this.int96RebaseMode = sql.getConf(SQLConf.PARQUET_INT96_REBASE_MODE_IN_READ()).toString();
    this.int96Conversion = sql.isParquetINT96TimestampConversion();
    this.sessionZone = sql.sessionLocalTimeZone();
  }

  /**
   * Passes each row of {@code file} to {@code rows}, in the file's order. The row is the
   * converter's and is reused for the next one: copy what is kept.
   */
  void read(FileStatus file, Consumer<InternalRow> rows) throws IOException {
    ParquetReadOptions options = HadoopReadOptions.builder(conf, file.getPath()).build();
    try (ParquetFileReader reader =
        ParquetFileReader.open(HadoopInputFile.fromStatus(file, conf), options)) {
      FileMetaData meta = reader.getFooter().getFileMetaData();
      Map<String, String> keyValues = meta.getKeyValueMetaData();
      ParquetReadSupport support = readSupport(meta, keyValues);
      MessageType fileSchema = meta.getSchema();
      ReadSupport.ReadContext context =
          support.init(new InitContext(conf, sets(keyValues), fileSchema));
      MessageType requested = context.getRequestedSchema();
      reader.setRequestedSchema(requested);
      RecordMaterializer<InternalRow> materializer =
          support.prepareForRead(conf, keyValues, fileSchema, context);
      MessageColumnIO io = new ColumnIOFactory(meta.getCreatedBy())
          .getColumnIO(requested, fileSchema, true);
      PageReadStore pages;
      while ((pages = reader.readNextRowGroup()) != null) {
        RecordReader<InternalRow> records =
            io.getRecordReader(pages, materializer, FilterCompat.NOOP);
        for (long i = 0, n = pages.getRowCount(); i < n; i++) {
          rows.accept(records.read());
        }
      }
    }
  }

  /**
   * Spark's read support for a file with this metadata: its INT96 times converted to the session
   * time zone only when Spark would (the option on, and a file not written by parquet-mr), old
   * dates and times rebased by what the file records of its writer.
   */
  private ParquetReadSupport readSupport(FileMetaData meta, Map<String, String> keyValues) {
    scala.Function1<String, String> lookup = new scala.runtime.AbstractFunction1<>() {
      @Override
      public String apply(String key) {
        return keyValues.get(key);
      }
    };
    RebaseDateTime.RebaseSpec datetime =
        DataSourceUtils.datetimeRebaseSpec(lookup, datetimeRebaseMode);
    RebaseDateTime.RebaseSpec int96 = DataSourceUtils.int96RebaseSpec(lookup, int96RebaseMode);
    boolean byParquetMr = meta.getCreatedBy() != null
        && meta.getCreatedBy().startsWith("parquet-mr");
    scala.Option<java.time.ZoneId> convertTz = int96Conversion && !byParquetMr
        ? scala.Option.apply(DateTimeUtils.getZoneId(sessionZone)) : scala.Option.empty();
    return new ParquetReadSupport(convertTz, false, datetime, int96);
  }

  private static Map<String, Set<String>> sets(Map<String, String> keyValues) {
    Map<String, Set<String>> out = new HashMap<>();
    keyValues.forEach((k, v) -> out.put(k, Set.of(v)));
    return out;
  }
}
