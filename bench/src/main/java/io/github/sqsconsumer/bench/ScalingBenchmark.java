package io.github.sqsconsumer.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
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
 * {@code Consumer} (batch harvester), concurrency 16 to 4,096. The ideal is {@code concurrency x 100}
 * messages per second (every handler busy all the time); score / ideal is the share of ideal, which falls
 * where the machine's CPU (or the worker) runs out. Same steady-state method as
 * {@link CombinationBenchmark}.
 *
 * <p>Memory per in-flight message: before the consumer starts, once the producer has filled the queue, the
 * heap after a full GC is read; at the end of the trial, with the consumer at full concurrency, again. The
 * fork prints both, the difference divided by the concurrency (what the consumer holds per message it may
 * run: its units, virtual threads' stacks, which live on the heap, and its prefetched messages), and the
 * loaded heap divided by the concurrency. Platform threads' stacks (the pool's) are native memory, not
 * heap, and are not in these figures.
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

  @Param({"16", "100", "256", "1024", "4096"})
  public int concurrency;

  private MemoryRig rig;
  private long idleHeap;
  private long timeoutNanos = TimeUnit.SECONDS.toNanos(60);

  @Setup(Level.Trial)
  public void setUp() throws InterruptedException {
    Candidate candidate = worker == WorkerType.POOL ? Candidate.POOL_BATCH : Candidate.SEMAPHORE_BATCH;
    rig = new MemoryRig(candidate, HandlerType.SLEEP_10MS, concurrency, false, UnaryOperator.identity());
    long deadline = System.nanoTime() + timeoutNanos;
    while (rig.sent() < MemoryRig.backlog(concurrency) && System.nanoTime() < deadline) {
      Thread.sleep(10); // the producer fills the queue to its backlog, then waits for the consumer
    }
    idleHeap = heapAfterGc();
    rig.startConsumer();
  }

  /** Counts this iteration's messages from here: none handled between iterations. */
  @Setup(Level.Iteration)
  public void startIteration() {
    rig.meter.startSteps();
  }

  /** Waits until the next 100 messages were handled (see {@link Meter#awaitStep}). */
  @Benchmark
  @OperationsPerInvocation(CombinationBenchmark.MESSAGES_PER_OP)
  public long handle(RequestCounters counters) throws TimeoutException, InterruptedException {
    counters.observe(rig.queue.requests());
    return rig.meter.awaitStep(CombinationBenchmark.MESSAGES_PER_OP, timeoutNanos);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    long loadedHeap = heapAfterGc();
    System.out.printf(Locale.ROOT, "%n[memory] %s concurrency %d: heap after GC %,d KiB idle (queue full, no"
            + " consumer), %,d KiB loaded; (loaded - idle) / concurrency = %,d bytes per in-flight message;"
            + " loaded / concurrency = %,d bytes; live platform threads %d%n", worker, concurrency, idleHeap / 1024,
        loadedHeap / 1024, (loadedHeap - idleHeap) / concurrency, loadedHeap / concurrency,
        ManagementFactory.getThreadMXBean().getThreadCount());
    rig.close();
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 2; i++) {
      System.gc(); // two: the second collects what the first's finalization and reference processing freed
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
