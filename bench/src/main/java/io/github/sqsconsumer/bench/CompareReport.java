package io.github.sqsconsumer.bench;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;

/** Writes {@link Compare}'s figures: CSV files and PNG charts drawn by JFreeChart. */
final class CompareReport {
  private static final int WIDTH = 1200;
  private static final int HEIGHT = 700;
  private static final ThreadCpu.Owner[] CPU_STACK = {ThreadCpu.Owner.CONSUMER, ThreadCpu.Owner.CARRIERS,
      ThreadCpu.Owner.SDK, ThreadCpu.Owner.ELASTICMQ};

  static {
    System.setProperty("java.awt.headless", "true"); // charts are drawn off screen, also on a desktop
  }

  private CompareReport() {}

  /** One line per trial: every figure measured, for a spreadsheet. */
  static void writeTrials(Path file, List<List<Compare.Row>> scenarios) throws IOException {
    List<String> lines = new ArrayList<>();
    StringBuilder header = new StringBuilder("delay_ms,handler_ms,candidate,repeat,messages,seconds,msg_per_s,"
        + "requests,requests_per_msg,consumer_side_us_per_msg,process_us_per_msg,unattributed_us_per_msg");
    for (ThreadCpu.Owner owner : ThreadCpu.Owner.values()) {
      header.append(',').append(owner.name().toLowerCase(Locale.ROOT)).append("_us_per_msg");
    }
    lines.add(header.toString());
    for (List<Compare.Row> rows : scenarios) {
      for (Compare.Row row : rows) {
        for (Compare.Trial t : row.trials()) {
          StringBuilder line = new StringBuilder();
          line.append(t.scenario().delay().toMillis()).append(',').append(t.scenario().handler().millis())
              .append(',').append(t.candidate().name()).append(',').append(t.repeat()).append(',')
              .append(t.messages()).append(',').append(number(t.nanos() / 1e9)).append(',')
              .append(number(t.messagesPerSecond())).append(',').append(t.requests()).append(',')
              .append(number(t.requestsPerMessage())).append(',').append(number(t.consumerSideMicros()))
              .append(',').append(number(t.processMicros())).append(',').append(number(t.unattributedMicros()));
          for (ThreadCpu.Owner owner : ThreadCpu.Owner.values()) {
            line.append(',').append(number(t.micros(owner)));
          }
          lines.add(line.toString());
        }
      }
    }
    Files.write(file, lines);
  }

  /** One line per candidate and scenario: the medians and ratios of the printed tables. */
  static void writeSummary(Path file, List<List<Compare.Row>> scenarios) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("delay_ms,handler_ms,candidate,trials,msg_per_s_median,msg_per_s_min,msg_per_s_max,x_plain,"
        + "x_uncapped,requests_per_msg,consumer_side_us_per_msg,consumer_side_x_uncapped,own_us_per_msg,"
        + "vthread_carriers_us_per_msg,sdk_us_per_msg,elasticmq_us_per_msg,process_us_per_msg,p50_ms,p99_ms");
    for (List<Compare.Row> rows : scenarios) {
      Compare.Row plain = Compare.find(rows, Candidate.PLAIN_SDK);
      Compare.Row uncapped = Compare.find(rows, Candidate.UNCAPPED_SDK);
      for (Compare.Row row : rows) {
        lines.add(String.join(",", Long.toString(row.scenario().delay().toMillis()),
            Long.toString(row.scenario().handler().millis()), row.candidate().name(),
            Integer.toString(row.trials().size()), number(row.messagesPerSecond()),
            number(row.minMessagesPerSecond()), number(row.maxMessagesPerSecond()),
            number(row.paired(plain, Compare.Trial::messagesPerSecond)),
            number(row.paired(uncapped, Compare.Trial::messagesPerSecond)), number(row.requestsPerMessage()),
            number(row.consumerSideMicros()), number(row.paired(uncapped, Compare.Trial::consumerSideMicros)),
            number(row.micros(ThreadCpu.Owner.CONSUMER)), number(row.micros(ThreadCpu.Owner.CARRIERS)),
            number(row.micros(ThreadCpu.Owner.SDK)), number(row.micros(ThreadCpu.Owner.ELASTICMQ)),
            number(row.processMicros()), number(row.p50()), number(row.p99())));
      }
    }
    Files.write(file, lines);
  }

  /** Messages per second by scenario and candidate: each trial, as a box (median, spread). */
  static void throughputChart(Path file, List<List<Compare.Row>> scenarios, String subtitle) throws IOException {
    DefaultBoxAndWhiskerCategoryDataset data = new DefaultBoxAndWhiskerCategoryDataset();
    for (List<Compare.Row> rows : scenarios) {
      for (Compare.Row row : rows) {
        List<Double> rates = row.trials().stream().map(Compare.Trial::messagesPerSecond).toList();
        data.add(rates, row.candidate().label(), row.scenario().label());
      }
    }
    JFreeChart chart = ChartFactory.createBoxAndWhiskerChart(
        "sqs-consumer against SDK-only consumers: drain of a prefilled ElasticMQ queue, concurrency "
            + Compare.CONCURRENCY, "scenario", "messages per second (box: trials; line: median)", data, true);
    CategoryPlot plot = chart.getCategoryPlot();
    BoxAndWhiskerRenderer renderer = (BoxAndWhiskerRenderer) plot.getRenderer();
    renderer.setMeanVisible(false);
    renderer.setMedianVisible(true);
    renderer.setFillBox(true);
    renderer.setMaxOutlierVisible(false);
    renderer.setMinOutlierVisible(false);
    ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(true); // bars from zero: ratios read true
    finish(chart, subtitle);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
  }

  /** CPU microseconds per message by thread owner, stacked, for each scenario and candidate (medians). */
  static void cpuChart(Path file, List<List<Compare.Row>> scenarios, String subtitle) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (List<Compare.Row> rows : scenarios) {
      for (Compare.Row row : rows) {
        String column = row.scenario().label() + " | " + row.candidate().label();
        for (ThreadCpu.Owner owner : CPU_STACK) {
          data.addValue(row.micros(owner), owner.label(), column);
        }
      }
    }
    JFreeChart chart = ChartFactory.createStackedBarChart("CPU per message by whose threads used it (medians)",
        null, "CPU microseconds per message", data, PlotOrientation.VERTICAL, true, false, false);
    chart.getCategoryPlot().getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    chart.getCategoryPlot().getDomainAxis().setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    finish(chart, subtitle);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT + 200);
  }

  private static void finish(JFreeChart chart, String subtitle) {
    chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
    chart.setBackgroundPaint(Color.WHITE);
    chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
    chart.getCategoryPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
  }

  private static String number(double value) {
    return Double.isNaN(value) || Double.isInfinite(value) ? "" : String.format(Locale.ROOT, "%.4f", value);
  }
}
