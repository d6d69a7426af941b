package io.sparkbce.job;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code sql FILE...} (or {@code sql --execute "SQL"}): runs each statement with the spark-bce
 * functions registered and prints each result as a table, like the spark-sql CLI. Stops at the
 * first failing statement, naming it and its line.
 */
public final class SqlCommand {
  static final String USAGE = String.join("\n",
      "usage: submit.sh sql [--max-rows N] [--truncate N] FILE... | --execute \"SQL; SQL\"",
      "",
      "  --max-rows N   rows shown per result (default 20)",
      "  --truncate N   cut cells longer than N characters (default 0: never)",
      "",
      Main.EXIT_CODES);

  /** A statement that ran, and its result (an empty schema for commands). */
  public record Executed(String source, int line, String sql, Dataset<Row> result) {}

  private SqlCommand() {}

  public static List<Executed> run(
      Supplier<SparkSession> sparkSupplier, PrintStream out, String... args) {
    Options o = Options.parse(args, Set.of("max-rows", "truncate", "execute"), Set.of("help"),
        null);
    if (o.flag("help")) {
      out.println(USAGE);
      return List.of();
    }
    int maxRows = o.intValue("max-rows", 20, 0);
    int truncate = o.intValue("truncate", 0, 0);
    List<String[]> sources = new ArrayList<>();
    if (o.get("execute") != null) {
      sources.add(new String[] {"--execute", o.get("execute")});
    }
    for (String file : o.positional()) {
      try {
        sources.add(new String[] {file, Files.readString(Path.of(file), StandardCharsets.UTF_8)});
      } catch (NoSuchFileException e) {
        // a missing input, like evaluate's missing --input: a failure, not a usage error
        throw new JobFailure("sql: no such file: " + file);
      } catch (IOException e) {
        throw new JobFailure("sql: cannot read " + file + ": " + e.getMessage());
      }
    }
    if (sources.isEmpty()) {
      throw new UsageException("sql needs a file (submit.sh sql udf/examples.sql) or --execute");
    }
    SparkSession spark = sparkSupplier.get();
    List<Executed> done = new ArrayList<>();
    for (String[] source : sources) {
      List<SqlScript.Statement> statements = SqlScript.split(source[1]);
      for (int i = 0; i < statements.size(); i++) {
        SqlScript.Statement s = statements.get(i);
        out.println("spark-sql> " + s.sql().replace("\n", "\n          > ") + ";");
        try {
          spark.sparkContext().setJobDescription("spark-bce sql: " + source[0] + ":" + s.line());
          Dataset<Row> r = spark.sql(s.sql());
          if (r.schema().isEmpty()) {
            out.println("OK");
          } else {
            out.print(TerminalText.escapeKeepingLines(
                ((org.apache.spark.sql.classic.Dataset<Row>) r).showString(maxRows, truncate, false)));
          }
          out.println();
          done.add(new Executed(source[0], s.line(), s.sql(), r));
        } catch (Exception e) {
          throw new JobFailure("statement " + (i + 1) + " of " + source[0] + " (line " + s.line()
              + ") failed: " + JobFailure.rootMessage(e), e);
        } finally {
          spark.sparkContext().setJobDescription(null);
        }
      }
    }
    return done;
  }
}
