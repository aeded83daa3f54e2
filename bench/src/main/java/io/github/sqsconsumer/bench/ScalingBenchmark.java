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
 * Where each worker stops scaling: a 10 ms handler on the in-memory queue through a whole
 * {@code Consumer} (batch harvester), concurrency 16 to 4096 (100: the target of 80 % of the ideal
 * 10,000 msg/s). The ideal is {@code concurrency x 100} messages per second; the score falls below it
 * where the machine's CPU (or the worker) runs out. Same steady-state method as
 * {@link CombinationBenchmark}.
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -pl bench -am -DskipTests package -Pjmh -Djmh.args="ScalingBenchmark"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class ScalingBenchmark {

  @Param
  public WorkerType worker;

  @Param({"16", "64", "100", "256", "1024", "4096"})
  public int concurrency;

  private MemoryRig rig;
  private long timeoutNanos = TimeUnit.SECONDS.toNanos(60);

  @Setup(Level.Trial)
  public void setUp() {
    Candidate candidate = worker == WorkerType.POOL ? Candidate.POOL_BATCH : Candidate.SEMAPHORE_BATCH;
    rig = new MemoryRig(candidate, HandlerType.SLEEP_10MS, concurrency);
  }

  /** Waits until 100 more messages were handled. */
  @Benchmark
  @OperationsPerInvocation(CombinationBenchmark.MESSAGES_PER_OP)
  public long handle(RequestCounters counters) throws TimeoutException, InterruptedException {
    counters.observe(rig.queue.requests());
    return rig.meter.awaitMore(CombinationBenchmark.MESSAGES_PER_OP, timeoutNanos);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    rig.close();
  }
}
