package io.github.sqsconsumer.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The README's comparison: every worker x harvester combination and the hand-written SDK baselines,
 * end to end on an embedded ElasticMQ (no setup, no credentials), with a 10 ms handler at concurrency 100,
 * first on loopback, then with 15 ms added to every request by a {@link DelayProxy}.
 *
 * <p>Each candidate gets a fresh queue and two stages: <em>saturated</em> (a producer keeps 2,000 messages
 * waiting; measured: messages per second, SQS requests per message, CPU of the whole process, which hosts
 * ElasticMQ too) and <em>steady</em> (the producer sends a fixed 500 messages per second, well within
 * every candidate's reach; measured: p50 and p99 from send to handler, and requests per message at a load
 * that does not fill batches). A few seconds of unmeasured warm-up come first. Latency under saturation would only measure the backlog, so it is taken at
 * the fixed rate.
 *
 * <p>Run (from the repository root; prints one line per phase, then the tables):
 * <pre>
 * mvn -B -q -pl bench -am -DskipTests package -Pcompare
 * </pre>
 * {@code --smoke} (a few hundred messages per candidate, for CI) is passed with
 * {@code -Dcompare.args=--smoke}; {@code -Dcompare.args=--help} prints the usage and the JDK it runs on, and
 * runs nothing.
 */
public final class Compare {
  private static final int CONCURRENCY = 100;
  private static final HandlerType HANDLER = HandlerType.SLEEP_10MS;
  private static final double IDEAL = CONCURRENCY * 1000.0 / HANDLER.millis();
  private static final List<Candidate> CANDIDATES = List.of(Candidate.SEMAPHORE_BATCH,
      Candidate.SEMAPHORE_DIRECT, Candidate.POOL_BATCH, Candidate.POOL_DIRECT, Candidate.PLAIN_SDK,
      Candidate.UNCAPPED_SDK);

  private static final long WARM_UP_MILLIS = 1_500;
  private static final int SMOKE_SATURATED_MESSAGES = 200;
  private static final int SMOKE_STEADY_MESSAGES = 50;

  private final PrintStream out;
  private final boolean smoke;
  private final long warmupMillis;
  private final long saturatedMillis;
  private final long steadyMillis;
  private final double steadyRate;
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final int cores = Runtime.getRuntime().availableProcessors();

  /** One candidate's figures in one scenario. */
  record Row(Candidate candidate, double messagesPerSecond, double requestsPerMessage, double cpuShare, long backlog,
      double p50, double p99, double steadyMessagesPerSecond, double steadyRequestsPerMessage) {}

  Compare(PrintStream out, boolean smoke) {
    this.out = out;
    this.smoke = smoke;
    this.warmupMillis = smoke ? 300 : 800;
    this.saturatedMillis = smoke ? 700 : 2_000;
    this.steadyMillis = smoke ? 700 : 1_200;
    this.steadyRate = smoke ? 300 : 500;
  }

  public static void main(String[] args) throws Exception {
    for (String arg : args) {
      if (arg.equals("--help")) {
        // also a quick check of the command's wiring (JDK, class path) without running anything
        System.out.printf(Locale.ROOT, "usage: Compare [--smoke] [--help] (Java %s from %s)%n  --smoke  a few "
            + "hundred messages per candidate, +15 ms delay only: a check that all run, figures meaningless%n",
            Runtime.version(), System.getProperty("java.home"));
        return;
      }
      if (!arg.equals("--smoke")) {
        System.err.println("unknown argument " + arg + "; use --smoke or --help");
        System.exit(2);
      }
    }
    boolean smoke = List.of(args).contains("--smoke");
    new Compare(System.out, smoke).run(smoke ? List.of(Duration.ofMillis(15)) : List.of(Duration.ZERO,
        Duration.ofMillis(15)));
    System.exit(0); // SDK and ElasticMQ leave no user threads, but do not let a stray one hold the JVM
  }

  /** Runs every scenario and prints the tables; returns the rows by scenario. */
  List<List<Row>> run(List<Duration> delays) throws Exception {
    out.printf(Locale.ROOT, "sqs-consumer comparison on %s, %d cores, Java %s, load average %.1f%s%n",
        os.getName(), cores, Runtime.version(), os.getSystemLoadAverage(),
        smoke ? " (smoke: tiny samples, figures meaningless)" : "");
    out.printf(Locale.ROOT, "handler: %d ms sleep, concurrency %d (ideal %,.0f msg/s); per candidate: %.1f s "
            + "saturated after %.1f s warm-up, then %.1f s at %,.0f msg/s for latency%n",
        HANDLER.millis(), CONCURRENCY, IDEAL, saturatedMillis / 1e3, warmupMillis / 1e3, steadyMillis / 1e3,
        steadyRate);
    List<List<Row>> all = new ArrayList<>();
    int phase = 0;
    int phases = delays.size() * CANDIDATES.size();
    long start = System.nanoTime();
    for (Duration delay : delays) {
      List<Row> rows = new ArrayList<>();
      try (SqsRig rig = new SqsRig(delay)) {
        if (all.isEmpty() && !smoke) {
          warmUp(rig);
        }
        for (Candidate candidate : CANDIDATES) {
          phase++;
          out.printf(Locale.ROOT, "[%2d/%d] %-24s delay %2d ms ... ", phase, phases, candidate.label(),
              delay.toMillis());
          out.flush();
          Row row = measure(rig, candidate);
          rows.add(row);
          out.printf(Locale.ROOT, "%,8.0f msg/s  %.3f req/msg  cpu %3.0f%%  p50 %6.1f ms  p99 %6.1f ms  "
                  + "(%.0f s)%n", row.messagesPerSecond(), row.requestsPerMessage(), row.cpuShare() * 100,
              row.p50(), row.p99(), (System.nanoTime() - start) / 1e9);
        }
      }
      all.add(rows);
    }
    for (int i = 0; i < delays.size(); i++) {
      printTable(delays.get(i), all.get(i));
    }
    out.printf(Locale.ROOT, "%ntook %.0f s; load average now %.1f (above %d, other processes took CPU: expect noise)%n",
        (System.nanoTime() - start) / 1e9, os.getSystemLoadAverage(), cores);
    return all;
  }

  /**
   * Runs a library combination and the plain consumer for a few seconds, unmeasured, so the first
   * candidate measured does not pay for compiling the SDK's, ElasticMQ's and the consumer's code.
   */
  private void warmUp(SqsRig rig) throws Exception {
    out.print("warming up (JIT, ElasticMQ) ... ");
    out.flush();
    long handled = 0;
    for (Candidate candidate : List.of(Candidate.POOL_BATCH, Candidate.SEMAPHORE_DIRECT, Candidate.PLAIN_SDK)) {
      try (SqsRig.Run run = rig.start(candidate, HANDLER, CONCURRENCY, ElasticMqBenchmark.BACKLOG, 0)) {
        Thread.sleep(WARM_UP_MILLIS);
        handled += run.meter.count();
      }
    }
    out.printf(Locale.ROOT, "%,d messages%n", handled);
  }

  private Row measure(SqsRig rig, Candidate candidate) throws Exception {
    double rate;
    double requestsPerMessage;
    double cpu;
    long backlog;
    try (SqsRig.Run run = rig.start(candidate, HANDLER, CONCURRENCY, ElasticMqBenchmark.BACKLOG, 0)) {
      Thread.sleep(warmupMillis);
      long messages0 = run.meter.count();
      long requests0 = run.requests.total();
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      stage(run.meter, saturatedMillis, SMOKE_SATURATED_MESSAGES);
      long messages = run.meter.count() - messages0;
      long requests = run.requests.total() - requests0;
      long elapsed = System.nanoTime() - t0;
      backlog = run.sent() - run.meter.count();
      cpu = (os.getProcessCpuTime() - cpu0) / (double) elapsed / cores;
      rate = messages * 1e9 / elapsed;
      requestsPerMessage = messages == 0 ? Double.NaN : (double) requests / messages;
      if (messages == 0) {
        throw new IllegalStateException(candidate.label() + " handled no message in "
            + saturatedMillis + " ms");
      }
    }
    double p50;
    double p99;
    double steadyRequests;
    double steadyMeasured;
    try (SqsRig.Run run = rig.start(candidate, HANDLER, CONCURRENCY, 0, steadyRate)) {
      Thread.sleep(warmupMillis);
      run.meter.resetLatencies();
      long t0 = System.nanoTime();
      long messages0 = run.meter.count();
      long requests0 = run.requests.total();
      stage(run.meter, steadyMillis, SMOKE_STEADY_MESSAGES);
      long messages = run.meter.count() - messages0;
      steadyMeasured = messages * 1e9 / (System.nanoTime() - t0);
      steadyRequests = messages == 0 ? Double.NaN : (double) (run.requests.total() - requests0) / messages;
      p50 = run.meter.latencyMillis(0.50);
      p99 = run.meter.latencyMillis(0.99);
      if (messages == 0) {
        throw new IllegalStateException(candidate.label() + " handled no message at " + steadyRate + " msg/s");
      }
    }
    return new Row(candidate, rate, requestsPerMessage, cpu, backlog, p50, p99, steadyMeasured, steadyRequests);
  }

  /**
   * Lets a stage run: for its time, or in smoke mode until a few messages were handled (a cold JVM may
   * take seconds for the first; CI only needs to see every candidate work).
   */
  private void stage(Meter meter, long millis, int smokeMessages) throws Exception {
    if (smoke) {
      meter.awaitMore(smokeMessages, TimeUnit.SECONDS.toNanos(60));
    } else {
      Thread.sleep(millis);
    }
  }

  private void printTable(Duration delay, List<Row> rows) {
    Row plain = find(rows, Candidate.PLAIN_SDK);
    Row uncapped = find(rows, Candidate.UNCAPPED_SDK);
    out.println();
    out.printf(Locale.ROOT, "ElasticMQ, %s, %d ms handler, concurrency %d%n",
        delay.isZero() ? "loopback" : "+" + delay.toMillis() + " ms per request", HANDLER.millis(), CONCURRENCY);
    out.println("                           saturated (producer keeps up to 2,000 waiting)                     "
        + "| steady " + (int) steadyRate + " msg/s");
    out.printf(Locale.ROOT, "%-24s %9s %8s %9s %8s %8s %6s %7s | %8s %8s %8s%n", "combination", "msg/s",
        "x plain", "uncapped", "ideal", "req/msg", "cpu", "backlog", "p50 ms", "p99 ms", "req/msg");
    for (Row row : rows) {
      out.printf(Locale.ROOT, "%-24s %,9.0f %7.2fx %8.0f%% %7.0f%% %8.3f %5.0f%% %,7d | %8.1f %8.1f %8.3f%n",
          row.candidate().label(), row.messagesPerSecond(), row.messagesPerSecond() / plain.messagesPerSecond(),
          100 * row.messagesPerSecond() / uncapped.messagesPerSecond(), 100 * row.messagesPerSecond() / IDEAL,
          row.requestsPerMessage(), 100 * row.cpuShare(), row.backlog(), row.p50(), row.p99(),
          row.steadyRequestsPerMessage());
    }
    out.println("(cpu: the whole process, ElasticMQ included, as a share of all " + cores + " cores; backlog: sent"
        + " and not handled at the end, far below " + ElasticMqBenchmark.BACKLOG + " means the producer, not the"
        + " candidate, set the pace)");
  }

  private static Row find(List<Row> rows, Candidate candidate) {
    return rows.stream().filter(r -> r.candidate() == candidate).findFirst().orElseThrow();
  }

}
