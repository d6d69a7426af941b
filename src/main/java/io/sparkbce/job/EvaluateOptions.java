package io.sparkbce.job;

import io.sparkbce.loss.Reduction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** The options of {@code evaluate}, checked and typed. Keys of {@code --config} files are the same. */
public final class EvaluateOptions {
  public static final Set<String> VALUED = Set.of("input", "format", "base-path", "logits", "labels",
      "weight", "pos-weight", "reduction", "group-by", "where", "output", "invalid", "config");
  public static final Set<String> FLAGS = Set.of("per-class", "help");
  static final List<String> FORMATS = List.of("parquet", "orc", "csv", "json");
  static final String DEFAULT_OUTPUT = "target/bce-evaluation";

  /** What to do with a row that cannot be evaluated. */
  public enum InvalidRows { REPORT, FAIL }

  public String input;
  /** parquet, orc, csv or json; null when not given (then from the extension, else parquet). */
  public String format;
  public String basePath;
  public String logits = "logits";
  public String labels = "labels";
  public String weight;
  /** The {@code --pos-weight} text as given: null, {@code auto}, {@code @file} or a list. */
  public String posWeight;
  public Reduction reduction = Reduction.MEAN;
  public List<String> groupBy = List.of();
  public boolean perClass;
  public String where;
  public String output = DEFAULT_OUTPUT;
  public InvalidRows invalid = InvalidRows.REPORT;
  public boolean help;

  /** Parses command-line arguments (after the command name), including {@code --config}. */
  public static EvaluateOptions parse(String... args) {
    Options o = Options.parse(args, VALUED, FLAGS, "config");
    if (!o.positional().isEmpty()) {
      throw new UsageException("evaluate takes no positional arguments, got '"
          + o.positional().get(0) + "' (options are --name value)");
    }
    EvaluateOptions e = new EvaluateOptions();
    e.help = o.flag("help");
    if (e.help) {
      return e;
    }
    e.input = o.get("input");
    if (e.input == null) {
      throw new UsageException("evaluate needs --input (a path, glob or table name)");
    }
    e.format = o.get("format");
    if (e.format != null) {
      e.format = e.format.trim().toLowerCase(Locale.ROOT);
      if (!FORMATS.contains(e.format)) {
        throw new UsageException("unknown --format '" + o.get("format") + "'; valid formats are "
            + String.join(", ", FORMATS));
      }
    }
    e.basePath = o.get("base-path");
    e.logits = o.get("logits", e.logits);
    e.labels = o.get("labels", e.labels);
    e.weight = o.get("weight");
    e.posWeight = o.get("pos-weight");
    String r = o.get("reduction");
    if (r != null) {
      try {
        e.reduction = Reduction.parse(r, true);
      } catch (IllegalArgumentException ex) {
        throw new UsageException("--reduction: " + ex.getMessage());
      }
    }
    e.groupBy = names(o.get("group-by"));
    e.perClass = o.flag("per-class");
    e.where = o.get("where");
    e.output = o.get("output", DEFAULT_OUTPUT);
    String inv = o.get("invalid");
    if (inv != null) {
      switch (inv.trim().toLowerCase(Locale.ROOT)) {
        case "report" -> e.invalid = InvalidRows.REPORT;
        case "fail" -> e.invalid = InvalidRows.FAIL;
        default -> throw new UsageException(
            "unknown --invalid '" + inv + "'; valid values are report, fail");
      }
    }
    if (e.perClass && e.reduction == Reduction.NONE) {
      throw new UsageException("--per-class needs a reduction (mean, sum or weighted_mean); with "
          + "--reduction none every element's loss is written already");
    }
    return e;
  }

  private static List<String> names(String list) {
    if (list == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String s : list.split(",")) {
      if (!s.isBlank()) {
        String n = s.trim();
        if (out.contains(n)) {
          throw new UsageException("--group-by names column '" + n + "' twice");
        }
        out.add(n);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** The pos_weight to use: none, from the labels, or given values. */
  public static final class PosWeight {
    public final boolean auto;
    /** The values given (list or file); null for none or auto. */
    public final double[] values;
    /** "none", "auto", "list" or "file:PATH". */
    public final String source;

    private PosWeight(boolean auto, double[] values, String source) {
      this.auto = auto;
      this.values = values;
      this.source = source;
    }

    /** Parses {@code --pos-weight}; {@code @file} is read through Hadoop (any file system URI). */
    public static PosWeight parse(String spec, Configuration hadoop) {
      if (spec == null) {
        return new PosWeight(false, null, "none");
      }
      if (spec.isBlank()) {
        throw new UsageException("--pos-weight is blank; give auto, @FILE or numbers (1.0,3.0), "
            + "or leave the option out for no pos_weight");
      }
      String s = spec.trim();
      if (s.equalsIgnoreCase("auto")) {
        return new PosWeight(true, null, "auto");
      }
      if (s.startsWith("@")) {
        String file = s.substring(1).trim();
        String text;
        try {
          Path p = new Path(file);
          FileSystem fs = p.getFileSystem(hadoop);
          try (FSDataInputStream in = fs.open(p)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          }
        } catch (IOException e) {
          // the exception's message, not its class: "File /x does not exist"
          throw new UsageException("--pos-weight @" + file + ": cannot read the file: "
              + (e.getMessage() != null ? e.getMessage() : e.toString()));
        }
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\\R")) {
          int hash = line.indexOf('#');
          b.append(hash >= 0 ? line.substring(0, hash) : line).append('\n');
        }
        return new PosWeight(false, numbers(b.toString(), "--pos-weight @" + file), "file:" + file);
      }
      return new PosWeight(false, numbers(s, "--pos-weight"), "list");
    }

    /** Numbers separated by commas and/or white space, optionally in [brackets] (a JSON array). */
    private static double[] numbers(String text, String what) {
      String t = text.trim();
      if (t.startsWith("[") && t.endsWith("]")) {
        t = t.substring(1, t.length() - 1);
      }
      List<Double> out = new ArrayList<>();
      for (String part : t.split("[,\\s]+")) {
        if (part.isEmpty()) {
          continue;
        }
        double v;
        try {
          v = Double.parseDouble(part);
        } catch (NumberFormatException e) {
          throw new UsageException(what + ": '" + TerminalText.escape(part) + "' is not a number; "
              + "expected numbers separated by commas (e.g. 1.0,3.0), @file or auto");
        }
        if (!Double.isFinite(v) || v < 0) {
          throw new UsageException(what + ": '" + TerminalText.escape(part) + "' is "
              + (Double.isNaN(v) ? "not a number" : Double.isInfinite(v)
                  ? "not a finite number (it is beyond the range of a double)" : "negative")
              + "; pos_weight values are finite and >= 0 (0 ignores the positives of a class)");
        }
        out.add(v);
      }
      if (out.isEmpty()) {
        throw new UsageException(what + ": no numbers given");
      }
      double[] r = new double[out.size()];
      for (int i = 0; i < r.length; i++) {
        r[i] = out.get(i);
      }
      return r;
    }
  }
}
