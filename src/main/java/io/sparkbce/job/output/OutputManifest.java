package io.sparkbce.job.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkbce.job.TerminalText;
import io.sparkbce.monitor.history.HistoryLock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * What spark-bce wrote in one directory: a hidden {@code .spark-bce-output.json} beside its
 * outputs lists each of them with a fingerprint of what was written (a file's SHA-256, a
 * directory's files and their sizes; a metric history, which grows run after run, by name only).
 * An output may be replaced only if it does not exist, is an empty directory, or is listed with
 * the same content; anything else belongs to someone else and is never moved, deleted or
 * rewritten. Outputs of releases before the manifest have none, so they count as not owned.
 */
public final class OutputManifest {
  public static final String NAME = ".spark-bce-output.json";
  private static final ObjectMapper JSON = TerminalText.jsonMapper(true);
  private static final String WRITTEN_BY = "spark-bce";

  /** How an output is written, and so how its ownership is checked. */
  public enum Kind {
    /** Replaced whole (summary, report, alerts): owned while its content is what was written. */
    FILE,
    /** Replaced whole (per-row losses): owned while it holds only the files written, same sizes. */
    DIRECTORY,
    /** Updated in place run after run (the metric history): owned once listed. */
    HISTORY
  }

  private OutputManifest() {}

  /**
   * Null if {@code target} may be replaced; else why not, as a phrase that follows the path
   * ("holds important.csv, which spark-bce did not write").
   */
  static String whyNotOwned(FileSystem fs, Path target, Kind kind) throws IOException {
    if (!fs.exists(target)) {
      return null;
    }
    FileStatus status = fs.getFileStatus(target);
    if (kind == Kind.FILE && status.isDirectory()) {
      return "is a directory";
    }
    if (kind != Kind.FILE && !status.isDirectory()) {
      return "is a file, not a directory";
    }
    if (status.isDirectory() && fs.listStatus(target).length == 0) {
      return null; // nothing to lose
    }
    if (kind == Kind.HISTORY && fs.exists(new Path(target, HistoryLock.NAME))) {
      // a monitor run holds (or held) its lock: it claims the history under that lock, and the
      // lock tells a second writer to wait or fail with the retryable message
      return null;
    }
    Path manifestPath = new Path(target.getParent(), NAME);
    ObjectNode manifest = read(fs, manifestPath);
    if (manifest == null) {
      return "exists, and spark-bce did not write it (there is no " + NAME + " beside it, which "
          + "spark-bce writes to list its outputs)";
    }
    JsonNode entry = manifest.path("entries").path(target.getName());
    if (!entry.isObject() || !kind.name().toLowerCase(Locale.ROOT)
        .equals(entry.path("kind").asText())) {
      return "exists, and spark-bce did not write it (" + NAME + " beside it does not list it)";
    }
    switch (kind) {
      case FILE:
        return sha256(fs, target).equals(entry.path("sha256").asText()) ? null
            : "was changed since spark-bce wrote it";
      case DIRECTORY:
        JsonNode written = entry.path("files");
        Map<String, Long> now = files(fs, target);
        for (Map.Entry<String, Long> f : now.entrySet()) {
          JsonNode size = written.get(f.getKey());
          if (size == null || size.asLong() != f.getValue()) {
            return "holds " + f.getKey() + ", which spark-bce did not write"
                + (size == null ? "" : " (it has changed)");
          }
        }
        return null;
      default:
        return null;
    }
  }

  /**
   * Lists {@code target} as written by spark-bce, with the fingerprint of its content now, under
   * the directory's {@link CommitLock}: runs writing other outputs into the same directory at the
   * same time each add their entry, none lost.
   */
  public static void record(FileSystem fs, Path target, Kind kind) throws IOException {
    try (CommitLock lock = CommitLock.acquire(fs, target.getParent())) {
      recordLocked(fs, target, kind);
    }
  }

  private static void recordLocked(FileSystem fs, Path target, Kind kind) throws IOException {
    Path manifestPath = new Path(target.getParent(), NAME);
    ObjectNode manifest = read(fs, manifestPath);
    if (manifest == null) {
      manifest = JSON.createObjectNode();
      manifest.put("written_by", WRITTEN_BY);
      manifest.put("about", "outputs spark-bce wrote here and may replace; anything else in this "
          + "directory is left alone");
      manifest.putObject("entries");
    }
    ObjectNode entry = JSON.createObjectNode();
    entry.put("kind", kind.name().toLowerCase(Locale.ROOT));
    if (kind == Kind.FILE) {
      entry.put("sha256", sha256(fs, target));
    } else if (kind == Kind.DIRECTORY) {
      ObjectNode files = entry.putObject("files");
      files(fs, target).forEach(files::put);
    }
    ObjectNode entries = (ObjectNode) manifest.get("entries");
    if (entry.equals(entries.get(target.getName()))) {
      return; // already listed as it is: a run that fails later leaves the manifest untouched
    }
    entries.set(target.getName(), entry);
    byte[] bytes = (JSON.writeValueAsString(manifest) + "\n").getBytes(StandardCharsets.UTF_8);
    FileSystem raw = raw(fs);
    Path tmp = new Path(target.getParent(), "." + NAME + ".tmp-" + UUID.randomUUID());
    try (OutputStream out = raw.create(tmp, false)) {
      out.write(bytes);
    }
    try {
      AtomicOutput.replace(raw, tmp, manifestPath, false);
    } finally {
      raw.delete(tmp, false);
    }
  }

  /** The manifest at {@code path}, or null if there is none or it is not spark-bce's. */
  private static ObjectNode read(FileSystem fs, Path path) throws IOException {
    if (!fs.exists(path)) {
      return null;
    }
    try (InputStream in = fs.open(path)) {
      JsonNode n = JSON.readTree(in);
      if (n instanceof ObjectNode o && WRITTEN_BY.equals(o.path("written_by").asText())
          && o.path("entries").isObject()) {
        return o;
      }
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      // not JSON: not ours
    }
    return null;
  }

  /** Every file under {@code dir} (side files such as .crc included), by relative path. */
  private static Map<String, Long> files(FileSystem fs, Path dir) throws IOException {
    FileSystem raw = raw(fs);
    Path root = raw.makeQualified(dir);
    String prefix = root.toUri().getPath();
    prefix = prefix.endsWith("/") ? prefix : prefix + "/";
    Map<String, Long> out = new TreeMap<>();
    RemoteIterator<LocatedFileStatus> it = raw.listFiles(root, true);
    while (it.hasNext()) {
      LocatedFileStatus s = it.next();
      String p = s.getPath().toUri().getPath();
      out.put(p.startsWith(prefix) ? p.substring(prefix.length()) : p, s.getLen());
    }
    return out;
  }

  private static String sha256(FileSystem fs, Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = raw(fs).open(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** Local files without Hadoop's checksum layer: its .crc side files are listed as files too. */
  static FileSystem raw(FileSystem fs) {
    return fs instanceof org.apache.hadoop.fs.LocalFileSystem local ? local.getRaw() : fs;
  }
}
