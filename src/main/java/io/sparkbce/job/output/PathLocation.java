package io.sparkbce.job.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where a path really is, for telling whether two paths are the same or one is inside the other:
 * the file system (scheme and authority) and the absolute, normalized path, with symbolic links
 * resolved on the local file system ({@code file:/a/b}, {@code /a/./b/}, {@code /a/c/../b} and a
 * link to {@code /a/b} are one location).
 */
record PathLocation(String fileSystem, String path) {

  /** The location of {@code p} (qualified against its file system's working directory). */
  static PathLocation of(Configuration conf, Path p) {
    try {
      FileSystem fs = p.getFileSystem(conf);
      return of(fs.makeQualified(p), null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve " + p + ": " + e.getMessage(), e);
    }
  }

  /**
   * The location of a qualified path; {@code realDirs} caches resolved local directories (input
   * files share a few), or is null.
   */
  static PathLocation of(Path qualified, Map<String, String> realDirs) {
    java.net.URI uri = qualified.toUri();
    String scheme = uri.getScheme() == null ? "file" : uri.getScheme();
    String path = new Path(uri.getPath()).toString(); // normalized: no "..", ".", "//", trailing /
    if (scheme.equals("file")) {
      java.nio.file.Path local = java.nio.file.Path.of(path).toAbsolutePath().normalize();
      java.nio.file.Path parent = local.getParent();
      if (realDirs != null && parent != null) {
        String real = realDirs.computeIfAbsent(parent.toString(), d -> real(parent).toString());
        path = java.nio.file.Path.of(real).resolve(local.getFileName()).toString();
      } else {
        path = real(local).toString();
      }
    }
    String authority = uri.getAuthority() == null ? "" : uri.getAuthority();
    return new PathLocation(scheme + "://" + authority, path);
  }

  /** {@code p} with its longest existing prefix resolved to its real path (links followed). */
  private static java.nio.file.Path real(java.nio.file.Path p) {
    java.nio.file.Path existing = p;
    while (existing != null && !Files.exists(existing, new LinkOption[0])) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return p;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(p)).normalize();
    } catch (IOException e) {
      return p;
    }
  }

  /** Whether this is {@code other} or inside it. */
  boolean within(PathLocation other) {
    if (!fileSystem.equals(other.fileSystem)) {
      return false;
    }
    if (path.equals(other.path)) {
      return true;
    }
    String prefix = other.path.endsWith("/") ? other.path : other.path + "/";
    return path.startsWith(prefix);
  }

  @Override
  public String toString() {
    return fileSystem.equals("file://") ? path : fileSystem + path;
  }
}
