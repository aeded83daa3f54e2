package io.github.sqsconsumer.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToDoubleFunction;

/**
 * The README's comparison: the library's batch combinations against two consumers written with the SDK
 * alone, end to end on an embedded ElasticMQ (no setup, no credentials), at concurrency 100, in four
 * scenarios: loopback and 15 ms added to every request by a {@link DelayProxy}, each with a handler that
 * sleeps 10 ms and one that does nothing.
 *
 * <p><b>Throughput</b> is a drain: a fresh queue is filled before the clock starts (through a client of its
 * own, not counted and not delayed), then the clock runs from starting the candidate until the server
 * confirmed the delete of every message. Each case runs {@code repeats} times with the candidates in an
 * order that rotates (A B C D, B C D A, C D A B): the JVM keeps getting faster for minutes (its JIT is still
 * compiling ElasticMQ, the SDK and Netty on the same 2 cores), and a fixed order would give that gain to
 * the candidate that always runs last. The tables give the median and the spread (min-max); the ratios
 * between candidates are medians of the ratios within each repeat, so drift cancels within each pair. Per
 * candidate: messages per second, that against the plain and the uncapped consumer, SQS requests per
 * message, and CPU per message split by whose threads used it
 * ({@link ThreadCpu}): the consumer side (the candidate's threads, the carriers of its virtual threads, the
 * SDK's threads) apart from ElasticMQ, with the process's CPU as a cross-check.
 *
 * <p><b>Latency</b> from send to handler (p50, p99) is taken at a fixed 500 messages per second with the
 * 10 ms handler, well within every candidate's reach, from a producer in the same process; under a drain it
 * would only measure the backlog.
 *
 * <p>A drain of 2,000 messages per trial, not 20,000: the command must finish in three minutes with the
 * build on 2 cores, and each message is paid twice (sent to fill, then consumed) at 2,000-3,500 messages
 * per second there; 48 trials of 20,000 would take a quarter of an hour. {@code --messages} and
 * {@code --repeats} take more where time allows. The figures go to
 * {@code bench/target/compare-trials.csv} (every trial),
 * {@code compare-summary.csv} (the tables) and two charts, {@code compare-throughput.png} and
 * {@code compare-cpu.png}.
 *
 * <p>Run (from the repository root; prints one line per trial, then the tables):
 * <pre>
 * mvn -B -q -pl bench -am -DskipTests package -Pcompare
 * </pre>
 * {@code -Dcompare.args=...} passes arguments: {@code --smoke} (a few hundred messages per case, for CI),
 * {@code --messages=N}, {@code --repeats=N}, {@code --all} (the direct-harvester combinations too),
 * {@code --help} (the usage and the JDK it runs on; runs nothing).
 */
public final class Compare {
  static final int CONCURRENCY = 100;
  /** The README's candidates: the batch combinations (the direct ones make 1.1 requests per message). */
  static final List<Candidate> CANDIDATES = List.of(Candidate.SEMAPHORE_BATCH, Candidate.POOL_BATCH,
      Candidate.PLAIN_SDK, Candidate.UNCAPPED_SDK);
  static final List<Candidate> ALL_CANDIDATES = List.of(Candidate.SEMAPHORE_BATCH, Candidate.POOL_BATCH,
      Candidate.SEMAPHORE_DIRECT, Candidate.POOL_DIRECT, Candidate.PLAIN_SDK, Candidate.UNCAPPED_SDK);
  static final List<HandlerType> HANDLERS = List.of(HandlerType.SLEEP_10MS, HandlerType.NOOP);
  private static final long TRIAL_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(120);

  /**
   * How much to run.
   *
   * @param messages prefilled and drained per trial
   * @param repeats trials per candidate and scenario
   * @param warmUpMessages drained by each candidate once, unmeasured, before the first scenario (JIT)
   */
  record Plan(int messages, int repeats, List<Candidate> candidates, int warmUpMessages, long latencyWarmUpMillis,
      long latencyMillis, double latencyRate, boolean smoke) {

    /**
     * The README's run: 4 scenarios x 4 candidates x 3 repeats x 2,000 messages = 96,000 messages sent and
     * drained (each trial about 1.5 s on a busy 2-core machine: fill 0.3-0.6 s, drain 0.6-1.3 s), plus
     * warm-up (4,000 messages per candidate: the first trials otherwise run half-interpreted), latency and
     * two ElasticMQ starts: about two minutes, leaving a minute for the build.
     */
    static Plan readme() {
      return new Plan(2_000, 3, CANDIDATES, 4_000, 500, 1_200, 500, false);
    }

    /** CI's check that every part runs: figures meaningless. */
    static Plan smokeTest() {
      return new Plan(200, 1, CANDIDATES, 0, 300, 0, 300, true);
    }
  }

  /** Where the candidates run: the delay added to each request, and the handler. */
  record Scenario(Duration delay, HandlerType handler) {
    String label() {
      return (delay.isZero() ? "loopback" : "+" + delay.toMillis() + " ms") + ", "
          + (handler.millis() == 0 ? "no-op" : handler.millis() + " ms handler");
    }
  }

  /** One drain of one candidate. */
  record Trial(Candidate candidate, Scenario scenario, int repeat, long messages, long nanos, long requests,
      ThreadCpu.Usage cpu) {
    double messagesPerSecond() {
      return messages * 1e9 / nanos;
    }

    double requestsPerMessage() {
      return (double) requests / messages;
    }

    /** CPU microseconds per message of the owner's threads. */
    double micros(ThreadCpu.Owner owner) {
      return cpu.nanos(owner) / 1e3 / messages;
    }

    double consumerSideMicros() {
      return cpu.consumerSideNanos() / 1e3 / messages;
    }

    double processMicros() {
      return cpu.processNanos() / 1e3 / messages;
    }

    double unattributedMicros() {
      return cpu.unattributedNanos() / 1e3 / messages;
    }
  }

  /** Latency at a fixed rate. */
  record Latency(double p50, double p99, double messagesPerSecond, double requestsPerMessage) {
    static final Latency NONE = new Latency(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
  }

  /** One candidate's figures in one scenario: medians of its trials, the spread, the latency if taken. */
  record Row(Candidate candidate, Scenario scenario, List<Trial> trials, Latency latency) {
    double messagesPerSecond() {
      return median(Trial::messagesPerSecond);
    }

    double minMessagesPerSecond() {
      return trials.stream().mapToDouble(Trial::messagesPerSecond).min().orElseThrow();
    }

    double maxMessagesPerSecond() {
      return trials.stream().mapToDouble(Trial::messagesPerSecond).max().orElseThrow();
    }

    double requestsPerMessage() {
      return median(Trial::requestsPerMessage);
    }

    double consumerSideMicros() {
      return median(Trial::consumerSideMicros);
    }

    double micros(ThreadCpu.Owner owner) {
      return median(t -> t.micros(owner));
    }

    double processMicros() {
      return median(Trial::processMicros);
    }

    double p50() {
      return latency.p50();
    }

    double p99() {
      return latency.p99();
    }

    /**
     * The median over repeats of this row's figure divided by {@code base}'s in the same repeat: each pair
     * ran back to back, so drift (the JIT still compiling ElasticMQ, the SDK and the consumer; a neighbour
     * on the machine) cancels within the pair instead of landing on whichever candidate ran last.
     */
    double paired(Row base, ToDoubleFunction<Trial> figure) {
      int n = Math.min(trials.size(), base.trials().size());
      double[] ratios = new double[n];
      for (int i = 0; i < n; i++) {
        ratios[i] = figure.applyAsDouble(trials.get(i)) / figure.applyAsDouble(base.trials().get(i));
      }
      return medianOf(ratios);
    }

    double median(ToDoubleFunction<Trial> figure) {
      return medianOf(trials.stream().mapToDouble(figure).toArray());
    }

    private static double medianOf(double[] values) {
      Arrays.sort(values);
      int n = values.length;
      return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
  }

  private final PrintStream out;
  private final Plan plan;
  private final Path outputDirectory;
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final int cores = Runtime.getRuntime().availableProcessors();
  private int trialsDone;
  private int trialsTotal;
  private long startNanos;

  Compare(PrintStream out, Plan plan, Path outputDirectory) {
    this.out = out;
    this.plan = plan;
    this.outputDirectory = outputDirectory;
  }

  public static void main(String[] args) throws Exception {
    Plan plan = Plan.readme();
    for (String arg : args) {
      if (arg.equals("--help")) {
        // also a quick check of the command's wiring (JDK, class path) without running anything
        System.out.printf(Locale.ROOT, "usage: Compare [--smoke] [--all] [--messages=N] [--repeats=N] [--help]"
                + " (Java %s from %s)%n  --smoke  a few hundred messages per case: a check that all run, figures"
                + " meaningless%n  --all    the direct-harvester combinations too%n", Runtime.version(),
            System.getProperty("java.home"));
        return;
      } else if (arg.equals("--smoke")) {
        plan = Plan.smokeTest();
      } else if (arg.equals("--all")) {
        plan = new Plan(plan.messages(), plan.repeats(), ALL_CANDIDATES, plan.warmUpMessages(),
            plan.latencyWarmUpMillis(), plan.latencyMillis(), plan.latencyRate(), plan.smoke());
      } else if (arg.startsWith("--messages=")) {
        plan = new Plan(Integer.parseInt(arg.substring(11)), plan.repeats(), plan.candidates(),
            plan.warmUpMessages(), plan.latencyWarmUpMillis(), plan.latencyMillis(), plan.latencyRate(), plan.smoke());
      } else if (arg.startsWith("--repeats=")) {
        plan = new Plan(plan.messages(), Integer.parseInt(arg.substring(10)), plan.candidates(),
            plan.warmUpMessages(), plan.latencyWarmUpMillis(), plan.latencyMillis(), plan.latencyRate(), plan.smoke());
      } else {
        System.err.println("unknown argument " + arg + "; use --help");
        System.exit(2);
      }
    }
    // exec:exec runs in bench/; from the repository root, write to bench/target all the same
    Path target = Files.isDirectory(Path.of("bench", "target")) ? Path.of("bench", "target") : Path.of("target");
    new Compare(System.out, plan, target).run(List.of(Duration.ZERO, Duration.ofMillis(15)));
    System.exit(0); // SDK and ElasticMQ leave no user threads, but do not let a stray one hold the JVM
  }

  /** Runs every scenario, prints the tables, writes CSV and charts; returns the rows by scenario. */
  List<List<Row>> run(List<Duration> delays) throws Exception {
    String machine = String.format(Locale.ROOT, "%s %s, %d cores", os.getName(), os.getArch(), cores);
    String jdk = "Java " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + ")";
    Instant date = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    out.printf(Locale.ROOT, "sqs-consumer comparison, %s, on %s, %s, load average %.1f%s%n", date, machine, jdk,
        os.getSystemLoadAverage(), plan.smoke() ? " (smoke: tiny samples, figures meaningless)" : "");
    out.printf(Locale.ROOT, "concurrency %d; per case a drain of %,d prefilled messages, %d times, candidates"
            + " alternated; latency at %,.0f msg/s with the 10 ms handler%n", CONCURRENCY, plan.messages(),
        plan.repeats(), plan.latencyRate());
    trialsTotal = delays.size() * HANDLERS.size() * plan.repeats() * plan.candidates().size();
    startNanos = System.nanoTime();
    List<List<Row>> all = new ArrayList<>();
    for (Duration delay : delays) {
      try (SqsRig rig = new SqsRig(delay)) {
        if (all.isEmpty() && plan.warmUpMessages() > 0) {
          warmUp(rig);
        }
        Map<Candidate, Latency> latencies = latencies(rig, delay);
        for (HandlerType handler : HANDLERS) {
          Scenario scenario = new Scenario(delay, handler);
          Map<Candidate, List<Trial>> trials = new LinkedHashMap<>();
          List<Candidate> candidates = plan.candidates();
          for (int repeat = 1; repeat <= plan.repeats(); repeat++) {
            for (int i = 0; i < candidates.size(); i++) {
              // the order rotates from repeat to repeat (A B C D, B C D A, ...): the JVM is still getting
              // faster during the run, and a fixed order would hand that gain to whoever always runs last
              Candidate candidate = candidates.get((repeat - 1 + i) % candidates.size());
              Trial trial = drain(rig, candidate, scenario, repeat);
              trials.computeIfAbsent(candidate, c -> new ArrayList<>()).add(trial);
            }
          }
          List<Row> rows = new ArrayList<>();
          trials.forEach((candidate, list) -> rows.add(new Row(candidate, scenario, list,
              handler == HandlerType.SLEEP_10MS ? latencies.get(candidate) : Latency.NONE)));
          all.add(rows);
        }
      }
    }
    for (List<Row> rows : all) {
      printTable(rows);
    }
    List<String> unclassified = ThreadCpu.unclassified();
    if (!unclassified.isEmpty()) {
      out.println("threads of no known owner (CPU counted as \"other\"): " + String.join(", ", unclassified));
    }
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    out.printf(Locale.ROOT, "%ntook %.0f s; load average now %.1f (above %d, other processes took CPU: expect"
        + " noise)%n", seconds, os.getSystemLoadAverage(), cores);
    String suffix = plan.smoke() ? "-smoke" : "";
    Files.createDirectories(outputDirectory);
    CompareReport.writeTrials(outputDirectory.resolve("compare-trials" + suffix + ".csv"), all);
    CompareReport.writeSummary(outputDirectory.resolve("compare-summary" + suffix + ".csv"), all);
    String subtitle = String.format(Locale.ROOT, "%s; %s; %s; drain of %,d messages x %d, concurrency %d", date,
        jdk, machine, plan.messages(), plan.repeats(), CONCURRENCY);
    CompareReport.throughputChart(outputDirectory.resolve("compare-throughput" + suffix + ".png"), all, subtitle);
    CompareReport.cpuChart(outputDirectory.resolve("compare-cpu" + suffix + ".png"), all, subtitle);
    out.println("wrote " + outputDirectory.toAbsolutePath().normalize() + "/compare-{trials,summary}" + suffix
        + ".csv and compare-{throughput,cpu}" + suffix + ".png");
    return all;
  }

  /** Each candidate drains a small queue, unmeasured: the first trial should not pay for the JIT. */
  private void warmUp(SqsRig rig) throws Exception {
    out.print("warming up (JIT, ElasticMQ) ... ");
    out.flush();
    for (Candidate candidate : plan.candidates()) {
      String queueUrl = rig.prefilled(plan.warmUpMessages());
      try (SqsRig.Run run = rig.open(queueUrl)) {
        run.startConsumer(candidate, HandlerType.NOOP, CONCURRENCY);
        awaitDeleted(run, plan.warmUpMessages(), candidate);
      }
    }
    out.printf(Locale.ROOT, "%.0f s%n", (System.nanoTime() - startNanos) / 1e9);
  }

  private Trial drain(SqsRig rig, Candidate candidate, Scenario scenario, int repeat) throws Exception {
    Trial trial = measureDrain(rig, candidate, scenario, repeat, plan.messages());
    trialsDone++;
    out.printf(Locale.ROOT, "[%3d/%d] %-20s %-24s #%d %,8.0f msg/s %6.3f req/msg  CPU us/msg: consumer side"
            + " %5.0f, ElasticMQ %5.0f, process %5.0f  (%.0f s)%n", trialsDone, trialsTotal, scenario.label(),
        candidate.label(), repeat, trial.messagesPerSecond(), trial.requestsPerMessage(), trial.consumerSideMicros(),
        trial.micros(ThreadCpu.Owner.ELASTICMQ), trial.processMicros(), (System.nanoTime() - startNanos) / 1e9);
    return trial;
  }

  /**
   * One timed drain: fills a fresh queue with {@code messages} before the clock starts, then times the
   * candidate from its start until the server confirmed every delete, with the CPU each thread owner used
   * meanwhile. Fails if the drain times out or the candidate deleted messages it did not handle.
   */
  static Trial measureDrain(SqsRig rig, Candidate candidate, Scenario scenario, int repeat, int messages)
      throws Exception {
    String queueUrl = rig.prefilled(messages);
    try (SqsRig.Run run = rig.open(queueUrl)) {
      ThreadCpu.Snapshot before = ThreadCpu.take();
      long t0 = System.nanoTime();
      run.startConsumer(candidate, scenario.handler(), CONCURRENCY);
      awaitDeleted(run, messages, candidate);
      long nanos = System.nanoTime() - t0;
      ThreadCpu.Snapshot after = ThreadCpu.take();
      long requests = run.requests.total();
      if (run.meter.count() < messages) {
        throw new IllegalStateException(candidate.label() + " deleted " + messages + " messages but handled "
            + run.meter.count());
      }
      return new Trial(candidate, scenario, repeat, messages, nanos, requests, ThreadCpu.between(before, after));
    }
  }

  /** Waits until the server confirmed the delete of {@code messages} messages (checked every millisecond). */
  static void awaitDeleted(SqsRig.Run run, long messages, Candidate candidate) throws TimeoutException {
    long deadline = System.nanoTime() + TRIAL_TIMEOUT_NANOS;
    while (run.requests.deleted() < messages) {
      if (System.nanoTime() - deadline > 0) {
        throw new TimeoutException(candidate.label() + " deleted " + run.requests.deleted() + " of " + messages
            + " messages in " + TimeUnit.NANOSECONDS.toSeconds(TRIAL_TIMEOUT_NANOS) + " s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  /** Latency from send to handler at a fixed rate, 10 ms handler, per candidate. */
  private Map<Candidate, Latency> latencies(SqsRig rig, Duration delay) throws Exception {
    out.printf(Locale.ROOT, "latency at %,.0f msg/s, %s:", plan.latencyRate(),
        delay.isZero() ? "loopback" : "+" + delay.toMillis() + " ms");
    Map<Candidate, Latency> latencies = new LinkedHashMap<>();
    for (Candidate candidate : plan.candidates()) {
      try (SqsRig.Run run = rig.start(candidate, HandlerType.SLEEP_10MS, CONCURRENCY, 0, plan.latencyRate())) {
        Thread.sleep(plan.latencyWarmUpMillis());
        run.meter.resetLatencies();
        long t0 = System.nanoTime();
        long messages0 = run.meter.count();
        long requests0 = run.requests.total();
        if (plan.smoke()) {
          run.meter.awaitCount(messages0 + 50, TimeUnit.SECONDS.toNanos(60)); // a cold JVM may take seconds
        } else {
          Thread.sleep(plan.latencyMillis());
        }
        long messages = run.meter.count() - messages0;
        if (messages == 0) {
          throw new IllegalStateException(candidate.label() + " handled no message at " + plan.latencyRate()
              + " msg/s");
        }
        Latency latency = new Latency(run.meter.latencyMillis(0.50), run.meter.latencyMillis(0.99),
            messages * 1e9 / (System.nanoTime() - t0), (double) (run.requests.total() - requests0) / messages);
        latencies.put(candidate, latency);
        out.printf(Locale.ROOT, " %s %.0f/%.0f ms;", candidate.label(), latency.p50(), latency.p99());
        out.flush();
      }
    }
    out.println();
    return latencies;
  }

  private void printTable(List<Row> rows) {
    Row plain = find(rows, Candidate.PLAIN_SDK);
    Row uncapped = find(rows, Candidate.UNCAPPED_SDK);
    Scenario scenario = rows.get(0).scenario();
    out.println();
    out.printf(Locale.ROOT, "ElasticMQ, %s, concurrency %d: drain of %,d prefilled messages, median of %d (min-max)%n",
        scenario.label(), CONCURRENCY, plan.messages(), plan.repeats());
    out.printf(Locale.ROOT, "%-24s %21s %7s %8s %7s | %-30s %7s | %6s %6s | %6s %6s%n", "", "", "", "", "",
        "CPU us/msg, consumer side", "x", "CPU us/msg", "", "", "");
    out.printf(Locale.ROOT, "%-24s %21s %7s %8s %7s | %6s %7s %7s %7s %7s | %6s %6s | %6s %6s%n", "candidate",
        "msg/s (min-max)", "x plain", "x uncap", "req/msg", "total", "own", "vthread", "SDK", "uncap", "ElasMQ",
        "proc", "p50 ms", "p99 ms");
    for (Row row : rows) {
      String spread = String.format(Locale.ROOT, "%,.0f (%,.0f-%,.0f)", row.messagesPerSecond(),
          row.minMessagesPerSecond(), row.maxMessagesPerSecond());
      out.printf(Locale.ROOT, "%-24s %21s %6.2fx %7.2fx %7.3f | %6.0f %7.0f %7.0f %7.0f %6.2fx | %6.0f %6.0f | %6.1f"
              + " %6.1f%n", row.candidate().label(), spread, row.paired(plain, Trial::messagesPerSecond),
          row.paired(uncapped, Trial::messagesPerSecond), row.requestsPerMessage(), row.consumerSideMicros(),
          row.micros(ThreadCpu.Owner.CONSUMER), row.micros(ThreadCpu.Owner.CARRIERS),
          row.micros(ThreadCpu.Owner.SDK), row.paired(uncapped, Trial::consumerSideMicros),
          row.micros(ThreadCpu.Owner.ELASTICMQ), row.processMicros(), row.p50(), row.p99());
    }
    out.println("(CPU per message by thread owner, medians: own = the candidate's platform threads; vthread = the"
        + " carriers of virtual threads (the MXBean sees no virtual thread, only its carrier); SDK = the SDK's"
        + " response threads and Netty; proc = the whole process, ElasticMQ and the JVM's GC and JIT included;"
        + " x plain, x uncap and CPU x uncap: medians of the ratios within each repeat, whose order rotates)");
  }

  static Row find(List<Row> rows, Candidate candidate) {
    return rows.stream().filter(r -> r.candidate() == candidate).findFirst().orElseThrow();
  }
}
