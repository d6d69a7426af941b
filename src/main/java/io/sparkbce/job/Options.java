package io.sparkbce.job;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Command-line options of one command: {@code --name value}, {@code --name=value} and boolean
 * flags ({@code --per-class}, {@code --per-class=false}), plus an optional {@code --config
 * file.properties} whose keys are the option names without dashes. Flags given on the command
 * line win over the config file.
 */
public final class Options {
  private final Map<String, String> values;
  private final List<String> positional;

  private Options(Map<String, String> values, List<String> positional) {
    this.values = values;
    this.positional = positional;
  }

  /**
   * @param valued options that take a value
   * @param flags boolean options
   * @param configKey the option naming a properties file with further options, or null
   */
  public static Options parse(String[] args, Set<String> valued, Set<String> flags, String configKey) {
    Map<String, String> cli = new LinkedHashMap<>();
    List<String> positional = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || a.equals("--")) {
        positional.add(a);
        continue;
      }
      String name = a.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (flags.contains(name)) {
        cli.put(name, value == null ? "true" : booleanValue(name, value));
      } else if (valued.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
            throw new UsageException("option --" + name + " needs a value");
          }
          value = args[++i];
        }
        if (cli.containsKey(name)) {
          throw new UsageException("option --" + name + " given twice");
        }
        cli.put(name, nonBlank("option --" + name, value));
      } else {
        throw new UsageException("unknown option --" + name + "; valid options are "
            + names(valued, flags, true));
      }
    }
    Map<String, String> merged = new LinkedHashMap<>();
    if (configKey != null && cli.containsKey(configKey)) {
      merged.putAll(readConfig(cli.get(configKey), valued, flags, configKey));
    }
    merged.putAll(cli);
    return new Options(merged, positional);
  }

  private static Map<String, String> readConfig(
      String file, Set<String> valued, Set<String> flags, String configKey) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      throw new UsageException("--" + configKey + ": no such file: " + file);
    } catch (IOException | IllegalArgumentException e) {
      throw new UsageException("--" + configKey + ": cannot read " + file + ": " + e.getMessage());
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : new TreeSet<>(p.stringPropertyNames())) {
      String value = p.getProperty(key).trim();
      if (key.equals(configKey) || key.equals("help")
          || !(valued.contains(key) || flags.contains(key))) {
        Set<String> keys = new TreeSet<>(valued);
        keys.addAll(flags);
        keys.remove(configKey);
        keys.remove("help");
        throw new UsageException("unknown key '" + key + "' in " + file + "; valid keys are "
            + String.join(", ", keys));
      }
      out.put(key, flags.contains(key) ? booleanValue(key, value)
          : nonBlank("key '" + key + "' in " + file, value));
    }
    return out;
  }

  /**
   * A blank value is an error, not the option's default: {@code --pos-weight " "} or {@code
   * --where "$UNSET"} is more likely a mistake than a wish for no pos_weight or no filter.
   */
  private static String nonBlank(String what, String value) {
    if (value.isBlank()) {
      throw new UsageException(what + " is blank; give a value, or leave the option out for its "
          + "default");
    }
    return value;
  }

  private static String booleanValue(String name, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (v.equals("true") || v.equals("false")) {
      return v;
    }
    throw new UsageException("option " + name + " is true or false, got '" + value + "'");
  }

  private static String names(Set<String> valued, Set<String> flags, boolean dashes) {
    List<String> all = new ArrayList<>(valued);
    all.addAll(flags);
    Collections.sort(all);
    StringBuilder b = new StringBuilder();
    for (String n : all) {
      b.append(b.length() == 0 ? "" : ", ").append(dashes ? "--" : "").append(n);
    }
    return b.toString();
  }

  public String get(String name) {
    String v = values.get(name);
    return v == null || v.isBlank() ? null : v;
  }

  public String get(String name, String fallback) {
    String v = get(name);
    return v == null ? fallback : v;
  }

  public boolean flag(String name) {
    return "true".equals(values.get(name));
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  public int intValue(String name, int fallback) {
    String v = get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " needs a whole number, got '" + v + "'");
    }
  }

  long longValue(String name, long fallback) {
    String v = get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Long.parseLong(v.trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " needs a whole number, got '" + v + "'");
    }
  }

  /** {@link #intValue}, refusing a value below {@code min} with the option and the value. */
  public int intValue(String name, int fallback, int min) {
    int v = intValue(name, fallback);
    requireAtLeast(name, v, min);
    return v;
  }

  /** {@link #longValue}, refusing a value below {@code min} with the option and the value. */
  long longValue(String name, long fallback, long min) {
    long v = longValue(name, fallback);
    requireAtLeast(name, v, min);
    return v;
  }

  private void requireAtLeast(String name, long v, long min) {
    if (v < min) {
      throw new UsageException("--" + name + " must be at least " + min + ", got '"
          + get(name).trim() + "'");
    }
  }

  public List<String> positional() {
    return positional;
  }
}
