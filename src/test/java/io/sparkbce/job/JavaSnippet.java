package io.sparkbce.job;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.spark.sql.SparkSession;

/**
 * A Java block of the README compiled with javax.tools against this JVM's class path and run in
 * it: its {@code import} lines go above a class, the rest is the body of a method with a
 * {@code SparkSession spark} in scope (what the README's Java blocks assume). What it prints, with
 * {@code System.out} or Spark's {@code show()} (Scala's {@code Console.out}), is returned.
 */
final class JavaSnippet {
  private JavaSnippet() {}

  static String run(String code, String className, Path dir, SparkSession spark) throws Exception {
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String line : code.split("\n")) {
      (line.startsWith("import ") ? imports : body).append(line).append('\n');
    }
    Path source = dir.resolve(className + ".java");
    Files.writeString(source, imports + "public class " + className + " {\n"
        + "  public static void run(org.apache.spark.sql.SparkSession spark) throws Exception {\n"
        + body + "  }\n}\n");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter messages = new StringWriter();
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    boolean compiled = javac.getTask(messages, null, null,
        List.of("-classpath", classpath, "-d", dir.toString(), "-proc:none"), null,
        javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)
            .getJavaFileObjects(source.toFile())).call();
    if (!compiled) {
      throw new AssertionError("does not compile:\n" + messages + "\n" + Files.readString(source));
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream systemOut = System.out;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
            JavaSnippet.class.getClassLoader());
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      var method = loader.loadClass(className).getMethod("run", SparkSession.class);
      System.setOut(out);
      scala.Console.withOut(out, () -> {
        try {
          return method.invoke(null, spark);
        } catch (InvocationTargetException e) {
          throw new AssertionError("the block failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      });
    } finally {
      System.setOut(systemOut);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
