package io.sparkbce.job.output;

import io.sparkbce.job.InputData;
import io.sparkbce.job.JobFailure;
import io.sparkbce.job.UsageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The checks every job runs on its outputs once the input is known and before any computation:
 * an output is never the input, inside it or around it (every input file, the {@code --input}
 * path or glob matches, the base path, a catalog table's location), outputs do not overlap each
 * other, and each output either does not exist yet or was written by spark-bce (see {@link
 * OutputManifest}). {@link AtomicOutput} checks ownership again at the moment it replaces.
 */
public final class OutputGuard {
  /**
   * An output of a job: the option that names it, its path, and how it is replaced ({@code null}
   * for a directory the job only writes into, such as evaluate's {@code --output}, or a streaming
   * checkpoint). A {@code container} may hold the job's other outputs. {@code role} is how a
   * message names it, the option itself unless the output is derived from one.
   */
  public record Output(String option, String role, String path, OutputManifest.Kind kind,
      boolean container) {
    public Output(String option, String path, OutputManifest.Kind kind, boolean container) {
      this(option, option, path, kind, container);
    }
  }

  private OutputGuard() {}

  /**
   * Fails (usage error or failure) if an output could overwrite input or data not spark-bce's.
   * {@code in} is null for a job that reads no data set ({@code monitor --rollup} reads a history,
   * which it lists among the outputs: it takes that history's lock).
   */
  public static void check(SparkSession spark, InputData in, String input, List<Output> outputs) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<PathLocation> where = new ArrayList<>();
    for (Output o : outputs) {
      if (new Path(o.path().trim()).getName().equals(OutputManifest.NAME)) {
        throw new UsageException(o.role() + " " + o.path() + ": " + OutputManifest.NAME
            + " is the list of what spark-bce wrote; choose another name");
      }
      where.add(PathLocation.of(conf, new Path(o.path().trim())));
    }
    for (int i = 0; i < outputs.size(); i++) {
      for (int j = i + 1; j < outputs.size(); j++) {
        refuseOverlap(outputs.get(i), where.get(i), outputs.get(j), where.get(j));
      }
    }
    for (PathLocation[] in2 : inputLocations(spark, in, input)) {
      for (int i = 0; i < outputs.size(); i++) {
        refuseInput(outputs.get(i), where.get(i), input, in2[0], in2[1]);
      }
    }
    for (Output o : outputs) {
      requireOwned(conf, o);
    }
  }

  /** Lists the metric history at {@code path} as spark-bce's (it is checked by {@link #check}). */
  public static void claimHistory(Configuration conf, String path) {
    Path p = new Path(path.trim());
    try {
      FileSystem fs = ForklessLocalFileSystem.of(p, conf);
      Path q = fs.makeQualified(p);
      fs.mkdirs(q.getParent());
      OutputManifest.record(fs, q, OutputManifest.Kind.HISTORY);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write beside the history " + path + ": "
          + e.getMessage(), e);
    }
  }

  /** The failure for an output that is not spark-bce's: what, why and what to do. */
  static JobFailure notOwned(String role, String option, String path, String why) {
    return new JobFailure(path + (role == null ? "" : " (" + role + ")") + " " + why
        + ". spark-bce replaces only outputs it wrote itself (listed in " + OutputManifest.NAME
        + " beside them); choose another " + (option == null ? "output path" : option)
        + ", or move or remove " + path + " yourself");
  }

  private static void requireOwned(Configuration conf, Output o) {
    Path p = new Path(o.path().trim());
    try {
      FileSystem fs = p.getFileSystem(conf);
      Path q = fs.makeQualified(p);
      if (o.kind() == null) {
        if (fs.exists(q) && !fs.getFileStatus(q).isDirectory()) {
          throw new JobFailure(o.role() + " " + o.path() + ": is a file, not a directory; "
              + "choose another " + o.option());
        }
        return;
      }
      String why = OutputManifest.whyNotOwned(fs, q, o.kind());
      if (why != null) {
        throw notOwned(o.role(), o.option(), o.path(), why);
      }
    } catch (IOException e) {
      throw new JobFailure("cannot check " + o.option() + " " + o.path() + ": " + e.getMessage(),
          e);
    }
  }

  private static void refuseOverlap(Output a, PathLocation la, Output b, PathLocation lb) {
    if (lb.within(la) && !la.within(lb)) {
      refuseOverlap(b, lb, a, la); // the inner one first
      return;
    }
    if (!la.within(lb) || (b.container() && !lb.within(la))) {
      return;
    }
    String how = lb.within(la) ? "is the same path as" : "is inside";
    throw new UsageException(a.role() + " " + a.path() + " " + how + " " + b.role() + " "
        + b.path() + "; each output needs a place of its own");
  }

  private static void refuseInput(Output o, PathLocation out, String input, PathLocation in,
      PathLocation shown) {
    String how;
    if (out.equals(in)) {
      how = "is";
    } else if (out.within(in)) {
      how = "is inside";
    } else if (in.within(out)) {
      how = "contains";
    } else {
      return;
    }
    String detail = shown == null ? "" : " (" + shown + ")";
    throw new UsageException(o.role() + " " + o.path() + " " + how + " the input --input "
        + input.trim() + detail + "; the jobs never write into or around their input: choose "
        + o.option() + " outside it");
  }

  /**
   * Every place the input lives, each with what to show in a message: the --input path or its
   * glob matches, the base path, the relations' root paths (a table's location) and every file.
   */
  private static List<PathLocation[]> inputLocations(SparkSession spark, InputData in,
      String input) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<PathLocation[]> out = new ArrayList<>();
    if (in == null) {
      return out;
    }
    try {
      if (!in.format.equals("table")) {
        Path given = new Path(input.trim());
        FileSystem fs = given.getFileSystem(conf);
        FileStatus[] matches = fs.globStatus(given);
        if (matches != null) {
          for (FileStatus m : matches) {
            out.add(shown(PathLocation.of(conf, m.getPath())));
          }
        }
        out.add(new PathLocation[] {PathLocation.of(conf, given), null});
      }
      if (in.basePath != null) {
        out.add(shown(PathLocation.of(conf, new Path(in.basePath))));
      }
    } catch (IOException e) {
      throw new JobFailure("cannot list --input " + input + ": " + e.getMessage(), e);
    }
    for (Path root : in.rootPaths()) {
      out.add(shown(PathLocation.of(conf, root)));
    }
    Map<String, String> realDirs = new HashMap<>();
    for (String file : in.inputFiles()) {
      try {
        out.add(shown(PathLocation.of(new Path(new URI(file)), realDirs)));
      } catch (URISyntaxException e) {
        out.add(shown(PathLocation.of(new Path(file), realDirs)));
      }
    }
    return out;
  }

  private static PathLocation[] shown(PathLocation l) {
    return new PathLocation[] {l, l};
  }
}
