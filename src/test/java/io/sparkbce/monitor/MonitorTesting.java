package io.sparkbce.monitor;

import static io.sparkbce.job.JobTesting.spark;

import io.sparkbce.job.JobTesting;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Small time-stamped data sets for the monitor tests, and the reference computations. */
public final class MonitorTesting {
  private MonitorTesting() {}

  /** One row: event time, model, id, C logits and labels (labels may be null), a row weight. */
  public record Event(Timestamp ts, String model, long id, double[] x, double[] y, double w) {
    public Row row() {
      return RowFactory.create(ts, model, id, JobTesting.box(x), JobTesting.box(y), w);
    }

    public String day() {
      return ts.toString().substring(0, 10);
    }
  }

  public static final StructType SCHEMA = new StructType()
      .add("ts", DataTypes.TimestampType)
      .add("model", DataTypes.StringType)
      .add("id", DataTypes.LongType)
      .add("logits", DataTypes.createArrayType(DataTypes.DoubleType))
      .add("labels", DataTypes.createArrayType(DataTypes.DoubleType))
      .add("w", DataTypes.DoubleType);

  /**
   * {@code perDayAndModel} events per day (from 2025-06-01) and model "a"/"b" at various hours;
   * model b's logits get {@code drift(day)} added against the label (worse loss) per day.
   */
  public static List<Event> events(int days, int perDayAndModel, int classes, long seed, int firstDay,
      java.util.function.IntToDoubleFunction drift) {
    Random r = new Random(seed);
    List<Event> out = new ArrayList<>();
    long id = seed * 1_000_000;
    for (int d = firstDay; d < firstDay + days; d++) {
      for (String model : List.of("a", "b")) {
        for (int i = 0; i < perDayAndModel; i++) {
          double[] x = new double[classes];
          double[] y = new double[classes];
          double shift = model.equals("b") ? drift.applyAsDouble(d) : 0;
          for (int c = 0; c < classes; c++) {
            y[c] = r.nextDouble() < 0.2 + 0.2 * c ? 1 : 0;
            x[c] = Math.round(((y[c] == 1 ? 1 : -1) * (1.5 - shift) + r.nextGaussian()) * 1000)
                / 1000.0;
          }
          Timestamp ts = Timestamp.valueOf(String.format("2025-06-%02d %02d:%02d:00", d + 1,
              r.nextInt(24), r.nextInt(60)));
          out.add(new Event(ts, model, id++, x, y, 0.5 + (i % 4) * 0.5));
        }
      }
    }
    return out;
  }

  public static void write(List<Event> events, Path dir, boolean append) {
    List<Row> rows = events.stream().map(Event::row).toList();
    spark().createDataFrame(rows, SCHEMA).write().mode(append ? SaveMode.Append
        : SaveMode.ErrorIfExists).parquet(dir.toString());
  }

  /** {sum of w*loss, elements, sum of weights over elements} of the valid events, one class or all. */
  public static double[] reference(List<Event> events, double[] posWeight, boolean weighted, int cls) {
    double sum = 0;
    double n = 0;
    double weights = 0;
    for (Event e : events) {
      if (e.y() == null) {
        continue;
      }
      for (int c = 0; c < e.x().length; c++) {
        if (cls >= 0 && c != cls) {
          continue;
        }
        double p = posWeight == null ? 1 : posWeight[c];
        double w = weighted ? e.w() : 1;
        sum += JobTesting.element(e.x()[c], e.y()[c], w, p);
        n++;
        weights += w;
      }
    }
    return new double[] {sum, n, weights};
  }
}
