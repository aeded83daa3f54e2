package io.github.sqsconsumer.bench;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.RetryPolicy;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Adaptive concurrency against fixed settings, in memory: a simulated downstream whose latency is 50 ms
 * (+-30 % jitter) up to a capacity of N concurrent calls, grows as (calls / N)^2 above it (4x at 2N), and
 * throttles (throws at once) beyond 2N, with N = 20, then 60, then 10 for a phase each. Each setting
 * (fixed 10, 20, 50, 100; adaptive with maximum 100 and minimum 1, the throttle as its overload signal)
 * consumes a prefilled {@link InMemoryQueue} through every phase; throttled messages come back after
 * 100 ms (fixed retry policy). Per phase: goodput (handlers that succeeded per second), the share of
 * handler calls throttled, and for adaptive the limit sampled every 250 ms.
 *
 * <p>Figures go to {@code bench/target/adaptive-summary.csv}, {@code adaptive-trace.csv} and two charts,
 * {@code adaptive-goodput.png} and {@code adaptive-limit.png}. Run (from the repository root):
 * <pre>
 * mvn -B -q -pl bench -am -DskipTests package -Padaptive
 * </pre>
 * {@code -Dadaptive.args=--phase=N} sets the seconds per phase (default 20).
 */
public final class AdaptiveCompare {
  private static final int[] CAPACITIES = {20, 60, 10};
  private static final int[] FIXED = {10, 20, 50, 100};
  private static final int MAX = 100;
  private static final long BASE_NANOS = Duration.ofMillis(50).toNanos();
  private static final double JITTER = 0.3;
  private static final long SAMPLE_MILLIS = 250;

  private AdaptiveCompare() {}

  /** What the downstream throws beyond twice its capacity. */
  static final class ThrottledException extends RuntimeException {
    ThrottledException() {
      super("throttled", null, false, false);
    }
  }

  /** The simulated downstream: capacity N, latency x (c/N)^2 above it, throttles beyond 2N. */
  static final class Downstream {
    private final AtomicInteger calls = new AtomicInteger();
    private volatile int capacity = CAPACITIES[0];
    final LongAdder succeeded = new LongAdder();
    final LongAdder throttled = new LongAdder();

    void call() throws InterruptedException {
      int now = calls.incrementAndGet();
      try {
        int n = capacity;
        if (now > 2 * n) {
          throttled.increment();
          throw new ThrottledException();
        }
        double x = Math.max(1, (double) now / n);
        double jitter = 1 + JITTER * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        Thread.sleep(Duration.ofNanos((long) (BASE_NANOS * x * x * jitter)));
        succeeded.increment();
      } finally {
        calls.decrementAndGet();
      }
    }
  }

  /** One setting's figures per phase, and its trace. */
  record Run(String name, double[] goodput, double[] throttledShare, List<double[]> trace) {}

  public static void main(String[] args) throws Exception {
    int phaseSeconds = 20;
    for (String arg : args) {
      if (arg.startsWith("--phase=")) {
        phaseSeconds = Integer.parseInt(arg.substring("--phase=".length()));
      }
    }
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    System.out.printf(Locale.ROOT, "AdaptiveCompare %s, JDK %s, %d cores, load average %.1f, %d s per phase%n",
        Instant.now(), Runtime.version(), Runtime.getRuntime().availableProcessors(), load, phaseSeconds);
    List<Run> runs = new ArrayList<>();
    for (int fixed : FIXED) {
      runs.add(run("fixed " + fixed, fixed, false, phaseSeconds));
    }
    runs.add(run("adaptive 1-" + MAX, MAX, true, phaseSeconds));
    System.out.printf(Locale.ROOT, "load average after: %.1f%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    report(runs, Path.of("target"));
  }

  private static Run run(String name, int concurrency, boolean adaptive, int phaseSeconds) throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("adaptive", Duration.ofSeconds(30));
    for (int i = 0; i < 1_500 * 3 * phaseSeconds; i++) {
      queue.send("m" + i);
    }
    Downstream downstream = new Downstream();
    Consumer.Builder builder = Consumer.builder().name(name.replace(' ', '-')).queue(queue.name())
        .runner(queue.runner()).worker("semaphore").harvester("batch").concurrency(concurrency)
        .waitTime(Duration.ofMillis(500)).mdc(false).retryPolicy(RetryPolicy.fixed(Duration.ofMillis(100)))
        .handler(message -> downstream.call());
    if (adaptive) {
      builder.adaptiveConcurrency(1).overloadOn(ThrottledException.class);
    }
    double[] goodput = new double[3];
    double[] share = new double[3];
    List<double[]> trace = new ArrayList<>();
    try (Consumer consumer = builder.build()) {
      long start = System.nanoTime();
      consumer.start();
      for (int phase = 0; phase < 3; phase++) {
        downstream.capacity = CAPACITIES[phase];
        long ok = downstream.succeeded.sum();
        long throttled = downstream.throttled.sum();
        long phaseEnd = start + Duration.ofSeconds((long) phaseSeconds * (phase + 1)).toNanos();
        long phaseStart = System.nanoTime();
        while (System.nanoTime() < phaseEnd) {
          Thread.sleep(Math.min(SAMPLE_MILLIS, Math.max(1, (phaseEnd - System.nanoTime()) / 1_000_000)));
          trace.add(new double[] {(System.nanoTime() - start) / 1e9, consumer.concurrencyLimit(),
              CAPACITIES[phase], downstream.succeeded.sum(), downstream.throttled.sum()});
        }
        double seconds = (System.nanoTime() - phaseStart) / 1e9;
        long phaseOk = downstream.succeeded.sum() - ok;
        long phaseThrottled = downstream.throttled.sum() - throttled;
        goodput[phase] = phaseOk / seconds;
        share[phase] = phaseOk + phaseThrottled == 0 ? 0 : (double) phaseThrottled / (phaseOk + phaseThrottled);
      }
    }
    System.out.printf(Locale.ROOT, "%-14s goodput %7.1f %7.1f %7.1f msg/s   throttled %5.1f %5.1f %5.1f %%%n", name,
        goodput[0], goodput[1], goodput[2], 100 * share[0], 100 * share[1], 100 * share[2]);
    return new Run(name, goodput, share, trace);
  }

  private static void report(List<Run> runs, Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> summary = new ArrayList<>();
    summary.add("setting,phase,capacity,goodput_msg_per_s,throttled_share,x_best_fixed");
    System.out.println();
    System.out.println("| setting | N = 20 | N = 60 | N = 10 | throttled (20 / 60 / 10) |");
    System.out.println("|---|---:|---:|---:|---|");
    for (Run run : runs) {
      StringBuilder row = new StringBuilder("| " + run.name() + " |");
      for (int phase = 0; phase < 3; phase++) {
        double best = 0;
        for (Run other : runs) {
          if (other.name().startsWith("fixed")) {
            best = Math.max(best, other.goodput()[phase]);
          }
        }
        double ratio = run.goodput()[phase] / best;
        summary.add(String.join(",", run.name(), Integer.toString(phase + 1), Integer.toString(CAPACITIES[phase]),
            number(run.goodput()[phase]), number(run.throttledShare()[phase]), number(ratio)));
        row.append(String.format(Locale.ROOT, " %.0f (%.2fx) |", run.goodput()[phase], ratio));
      }
      row.append(String.format(Locale.ROOT, " %.1f %% / %.1f %% / %.1f %% |", 100 * run.throttledShare()[0],
          100 * run.throttledShare()[1], 100 * run.throttledShare()[2]));
      System.out.println(row);
    }
    Files.write(dir.resolve("adaptive-summary.csv"), summary);
    List<String> trace = new ArrayList<>();
    trace.add("setting,seconds,limit,capacity,succeeded,throttled");
    for (Run run : runs) {
      for (double[] t : run.trace()) {
        trace.add(String.join(",", run.name(), number(t[0]), Integer.toString((int) t[1]),
            Integer.toString((int) t[2]), Long.toString((long) t[3]), Long.toString((long) t[4])));
      }
    }
    Files.write(dir.resolve("adaptive-trace.csv"), trace);
    charts(runs, dir);
    System.out.println("wrote " + dir.toAbsolutePath().resolve("adaptive-*.csv, adaptive-*.png"));
  }

  private static void charts(List<Run> runs, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    DefaultCategoryDataset bars = new DefaultCategoryDataset();
    for (Run run : runs) {
      for (int phase = 0; phase < 3; phase++) {
        bars.addValue(run.goodput()[phase], run.name(), "phase " + (phase + 1) + ": N = " + CAPACITIES[phase]);
      }
    }
    JFreeChart goodput = ChartFactory.createBarChart("Goodput by phase: fixed concurrency against adaptive (max "
        + MAX + ")", null, "successful handler calls per second", bars, PlotOrientation.VERTICAL, true, false,
        false);
    goodput.setBackgroundPaint(Color.WHITE);
    goodput.getCategoryPlot().setBackgroundPaint(Color.WHITE);
    goodput.getCategoryPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
    ChartUtils.saveChartAsPNG(dir.resolve("adaptive-goodput.png").toFile(), goodput, 1000, 600);

    XYSeries limit = new XYSeries("adaptive limit");
    XYSeries capacity = new XYSeries("downstream capacity N");
    for (double[] t : runs.get(runs.size() - 1).trace()) {
      limit.add(t[0], t[1]);
      capacity.add(t[0], t[2]);
    }
    XYSeriesCollection lines = new XYSeriesCollection();
    lines.addSeries(limit);
    lines.addSeries(capacity);
    JFreeChart trace = ChartFactory.createXYLineChart("Adaptive concurrency limit over time (sampled every "
        + SAMPLE_MILLIS + " ms)", "seconds", "concurrent handler calls", lines, PlotOrientation.VERTICAL, true,
        false, false);
    XYPlot plot = trace.getXYPlot();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    renderer.setSeriesPaint(0, Color.BLUE);
    renderer.setSeriesPaint(1, Color.GRAY);
    renderer.setSeriesStroke(1, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
        new float[] {6, 4}, 0));
    plot.setRenderer(renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    trace.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(dir.resolve("adaptive-limit.png").toFile(), trace, 1000, 500);
  }

  private static String number(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }
}
