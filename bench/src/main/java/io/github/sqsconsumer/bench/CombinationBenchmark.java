package io.github.sqsconsumer.bench;

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
 * The framework's overhead without a network: every worker x harvester combination consuming the
 * in-memory queue through a whole {@code Consumer} (runner {@code memory}), against two hand-written
 * loops doing the same dispatch-and-acknowledge work on the same queue ({@link PlainMemoryConsumer}:
 * receive 10, run on a fixed {@code ThreadPoolExecutor} or on virtual threads behind a semaphore, delete
 * in batches).
 *
 * <p>Steady state rather than drain: a {@link Producer} keeps 1,000 messages more than the consumer may hold
 * ({@code concurrency + prefetch}, {@link MemoryRig#backlog}) sent and not yet handled, so the consumer
 * always finds a full queue, and one operation is 100 messages
 * handled. A drain of a prefilled queue would need a refill per invocation (setup work inside the
 * measurement, or {@code Level.Invocation}) and measures the start and the tail of every batch; steady
 * state gives the stable figure that matters, throughput under saturation. The producer's sends cost the
 * same CPU for every candidate. Score: messages per second. {@code queueRequests} (per second) divided by
 * the score is requests per message.
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -pl bench -am -DskipTests package -Pjmh -Djmh.args="CombinationBenchmark"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class CombinationBenchmark {
  static final int MESSAGES_PER_OP = 100;

  @Param({"SEMAPHORE_BATCH", "SEMAPHORE_DIRECT", "POOL_BATCH", "POOL_DIRECT", "PLAIN_THREAD_POOL",
      "PLAIN_VIRTUAL_THREADS"})
  public Candidate candidate;

  @Param({"NOOP", "SLEEP_1MS"})
  public HandlerType handler;

  @Param({"16", "256"})
  public int concurrency;

  private MemoryRig rig;
  private long timeoutNanos = TimeUnit.SECONDS.toNanos(60);

  @Setup(Level.Trial)
  public void setUp() {
    rig = new MemoryRig(candidate, handler, concurrency);
  }

  /** Counts this iteration's messages from here: none handled between iterations. */
  @Setup(Level.Iteration)
  public void startIteration() {
    rig.meter.startSteps();
  }

  /** Waits until the next 100 messages were handled (see {@link Meter#awaitStep}). */
  @Benchmark
  @OperationsPerInvocation(MESSAGES_PER_OP)
  public long handle(RequestCounters counters) throws TimeoutException, InterruptedException {
    counters.observe(rig.queue.requests());
    return rig.meter.awaitStep(MESSAGES_PER_OP, timeoutNanos);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    rig.close();
  }
}
