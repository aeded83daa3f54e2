package io.github.sqsconsumer.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A diagnostic beside {@link Compare}: drains prefilled queues with the candidates named, one scenario, in
 * one process and with nothing else, so that a profiler attached to it (JFR) sees those candidates alone.
 * Prints each trial: messages per second, requests per message and CPU per message by thread owner.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.github.sqsconsumer.bench.Drain SEMAPHORE_BATCH,UNCAPPED_SDK NOOP 0 20000 3
 * </pre>
 * Arguments: candidates (comma-separated), handler, delay in ms, messages per trial, trials per candidate.
 * A library candidate may carry a suffix, a variant of its configuration: {@code SEMAPHORE_BATCH:none}
 * (receives ask for neither system nor message attributes beyond the core's), {@code :nosys},
 * {@code :nomsg}, or {@code :inflight50} (the batch harvester's {@code batch.maxInFlight}). {@code -Ddrain.warmUps=N} (default 2) rounds of every candidate run first, unprinted: the
 * JVM keeps getting faster for minutes. The order of the candidates rotates from round to round, so the
 * drift does not favour the one that always runs last; compare candidates within a round.
 */
public final class Drain {
  private Drain() {}

  public static void main(String[] args) throws Exception {
    List<String> candidates = List.of(args[0].split(","));
    HandlerType handler = HandlerType.valueOf(args[1]);
    Duration delay = Duration.ofMillis(Long.parseLong(args[2]));
    int messages = Integer.parseInt(args[3]);
    int repeats = Integer.parseInt(args[4]);
    try (SqsRig rig = new SqsRig(delay)) {
      int warmUps = Integer.getInteger("drain.warmUps", 2);
      for (int i = 0; i < warmUps; i++) {
        for (String candidate : candidates) {
          drain(rig, candidate, handler, messages, false);
        }
      }
      for (int i = 0; i < repeats; i++) {
        for (int j = 0; j < candidates.size(); j++) { // the order rotates: none is always last
          drain(rig, candidates.get((i + j) % candidates.size()), handler, messages, true);
        }
      }
    }
    System.exit(0);
  }

  /** {@code name} is a candidate, optionally with ":" and a variant, passed on as {@code bench.variant}. */
  private static void drain(SqsRig rig, String name, HandlerType handler, int messages, boolean print)
      throws Exception {
    String[] parts = name.split(":");
    Candidate candidate = Candidate.valueOf(parts[0]);
    if (parts.length > 1) {
      System.setProperty("bench.variant", parts[1]);
    } else {
      System.clearProperty("bench.variant");
    }
    String queueUrl = rig.prefilled(messages);
    try (SqsRig.Run run = rig.open(queueUrl)) {
      ThreadCpu.Snapshot before = ThreadCpu.take();
      long t0 = System.nanoTime();
      run.startConsumer(candidate, handler, Compare.CONCURRENCY);
      Compare.awaitDeleted(run, messages, candidate); // a drain that times out fails, it prints no rate
      long nanos = System.nanoTime() - t0;
      ThreadCpu.Usage cpu = ThreadCpu.between(before, ThreadCpu.take());
      if (print) {
        System.out.printf(Locale.ROOT, "%-26s %,8.0f msg/s %6.3f req/msg  CPU us/msg: consumer side %5.1f (own %5.1f,"
                + " vthread %5.1f, SDK %5.1f), ElasticMQ %5.1f, process %5.1f%n", name,
            messages * 1e9 / nanos, (double) run.requests.total() / messages, cpu.consumerSideNanos() / 1e3 / messages,
            cpu.nanos(ThreadCpu.Owner.CONSUMER) / 1e3 / messages, cpu.nanos(ThreadCpu.Owner.CARRIERS) / 1e3 / messages,
            cpu.nanos(ThreadCpu.Owner.SDK) / 1e3 / messages, cpu.nanos(ThreadCpu.Owner.ELASTICMQ) / 1e3 / messages,
            cpu.processNanos() / 1e3 / messages);
      }
    }
  }
}
