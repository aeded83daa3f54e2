package io.github.sqsconsumer.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;

/**
 * A diagnostic: runs one candidate on ElasticMQ and prints, every second, messages handled, SQS requests
 * by kind and CPU, to see where a candidate loses (attach a profiler or take thread dumps meanwhile).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.github.sqsconsumer.bench.Probe POOL_BATCH SLEEP_10MS 100 15 20
 * </pre>
 * Arguments: candidate, handler, concurrency, delay in ms, seconds, and optionally a fixed rate in
 * messages per second (default: keep a backlog of 2,000).
 */
public final class Probe {
  private Probe() {}

  public static void main(String[] args) throws Exception {
    Candidate candidate = Candidate.valueOf(args[0]);
    HandlerType handler = HandlerType.valueOf(args[1]);
    int concurrency = Integer.parseInt(args[2]);
    Duration delay = Duration.ofMillis(Long.parseLong(args[3]));
    int seconds = Integer.parseInt(args[4]);
    double rate = args.length > 5 ? Double.parseDouble(args[5]) : 0;
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (SqsRig rig = new SqsRig(delay);
        SqsRig.Run run = rig.start(candidate, handler, concurrency, ElasticMqBenchmark.BACKLOG, rate)) {
      long messages = 0;
      long receives = 0;
      long deletes = 0;
      long changes = 0;
      long total = 0;
      long cpu = os.getProcessCpuTime();
      for (int i = 0; i < seconds; i++) {
        Thread.sleep(1_000);
        long m = run.meter.count();
        long r = run.requests.receives();
        long d = run.requests.deletes();
        long c = run.requests.visibilityChanges();
        long t = run.requests.total();
        long u = os.getProcessCpuTime();
        System.out.printf(Locale.ROOT, "%3d s  %,7d msg/s  receive %,5d/s (%.1f msg each)  delete %,5d/s  visibility "
                + "%,4d/s  other %,4d/s  cpu %3.0f%%  backlog %,d  p50 %.1f ms  p99 %.1f ms%n",
            i + 1, m - messages, r - receives, (m - messages) / (double) Math.max(1, r - receives),
            d - deletes, c - changes, (t - total) - (r - receives) - (d - deletes) - (c - changes),
            (u - cpu) / 1e7 / 2, run.sent() - m, run.meter.latencyMillis(0.5), run.meter.latencyMillis(0.99));
        run.meter.resetLatencies();
        messages = m;
        receives = r;
        deletes = d;
        changes = c;
        total = t;
        cpu = u;
      }
    }
    System.exit(0);
  }
}
