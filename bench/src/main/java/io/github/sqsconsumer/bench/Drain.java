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
 * {@code :nomsg}, or {@code :inflight50} (the batch harvester's {@code batch.maxInFlight}); the uncapped
 * consumer may carry {@code :chains8} (8 receive chains instead of 32).
 * {@code -Ddrain.warmUps=N} (default 2) rounds of every candidate run first, unprinted: the JVM keeps
 * getting faster for minutes. The order of the candidates rotates from round to round, so the drift does
 * not favour the one that always runs last; compare candidates within a round. Each drain is measured as
 * {@link Compare} measures its trials ({@code Compare.measureDrain}).
 */
public final class Drain {
  private Drain() {}

  public static void main(String[] args) throws Exception {
    List<String> candidates = List.of(args[0].split(","));
    Duration delay = Duration.ofMillis(Long.parseLong(args[2]));
    Compare.Scenario scenario = new Compare.Scenario(delay, HandlerType.valueOf(args[1]));
    int messages = Integer.parseInt(args[3]);
    int repeats = Integer.parseInt(args[4]);
    try (SqsRig rig = new SqsRig(delay)) {
      int warmUps = Integer.getInteger("drain.warmUps", 2);
      for (int i = 0; i < warmUps; i++) {
        for (String candidate : candidates) {
          drain(rig, candidate, scenario, messages, false);
        }
      }
      for (int i = 0; i < repeats; i++) {
        for (int j = 0; j < candidates.size(); j++) { // the order rotates: none is always last
          drain(rig, candidates.get((i + j) % candidates.size()), scenario, messages, true);
        }
      }
    }
    System.exit(0);
  }

  /** {@code name} is a candidate, optionally with ":" and a variant, passed on as {@code bench.variant}. */
  private static void drain(SqsRig rig, String name, Compare.Scenario scenario, int messages, boolean print)
      throws Exception {
    String[] parts = name.split(":");
    Candidate candidate = Candidate.valueOf(parts[0]);
    if (parts.length > 1) {
      System.setProperty("bench.variant", parts[1]);
    } else {
      System.clearProperty("bench.variant");
    }
    Compare.Trial trial = Compare.measureDrain(rig, candidate, scenario, 1, messages);
    if (print) {
      System.out.printf(Locale.ROOT, "%-26s %,8.0f msg/s %6.3f req/msg  CPU us/msg: consumer side %5.1f (own"
              + " %5.1f, vthread %5.1f, SDK %5.1f), ElasticMQ %5.1f, process %5.1f%n", name,
          trial.messagesPerSecond(), trial.requestsPerMessage(), trial.consumerSideMicros(),
          trial.micros(ThreadCpu.Owner.CONSUMER), trial.micros(ThreadCpu.Owner.CARRIERS),
          trial.micros(ThreadCpu.Owner.SDK), trial.micros(ThreadCpu.Owner.ELASTICMQ), trial.processMicros());
    }
  }
}
