package io.github.sqsconsumer.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End to end on an embedded ElasticMQ (127.0.0.1): every combination and the two SDK baselines
 * ({@link PlainSdkConsumer}, a careful hand-written consumer; {@link UncappedSdkConsumer}, the ceiling),
 * handler noop or a 10 ms sleep, concurrency 100, with the network as it is (loopback) or 15 ms longer
 * per request through a {@link DelayProxy}.
 *
 * <p>A {@link Producer} keeps 2,000 messages sent and not yet handled (its own client, straight to
 * ElasticMQ); one operation is 100 messages handled, so the score is messages per second.
 * {@code queueRequests} counts the candidate's SQS requests (an SDK {@code ExecutionInterceptor} on its
 * client, {@link RequestCounter}) per second: divided by the score it is requests per message. ElasticMQ
 * runs in the benchmark's JVM and shares its two cores: on this machine the server is often the limit.
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -pl bench -am -DskipTests package -Pjmh -Djmh.args="ElasticMqBenchmark"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 4, time = 3) // every trial forks a JVM with a cold ElasticMQ, SDK and consumer
@Measurement(iterations = 3, time = 3)
public class ElasticMqBenchmark {
  static final long BACKLOG = 2_000;

  @Param({"SEMAPHORE_BATCH", "SEMAPHORE_DIRECT", "POOL_BATCH", "POOL_DIRECT", "PLAIN_SDK", "UNCAPPED_SDK"})
  public Candidate candidate;

  @Param({"NOOP", "SLEEP_10MS"})
  public HandlerType handler;

  @Param({"0", "15"})
  public int delayMillis;

  @Param({"100"})
  public int concurrency;

  private SqsRig rig;
  private SqsRig.Run run;
  private long timeoutNanos = TimeUnit.SECONDS.toNanos(60);

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    rig = new SqsRig(Duration.ofMillis(delayMillis));
    run = rig.start(candidate, handler, concurrency, BACKLOG, 0);
  }

  /** Counts this iteration's messages from here: none handled between iterations. */
  @Setup(Level.Iteration)
  public void startIteration() {
    run.meter.startSteps();
  }

  /** Waits until the next 100 messages were handled (see {@link Meter#awaitStep}). */
  @Benchmark
  @OperationsPerInvocation(CombinationBenchmark.MESSAGES_PER_OP)
  public long handle(RequestCounters counters) throws TimeoutException, InterruptedException {
    counters.observe(run.requests.total());
    return run.meter.awaitStep(CombinationBenchmark.MESSAGES_PER_OP, timeoutNanos);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    try {
      run.close();
    } finally {
      rig.close();
    }
  }
}
