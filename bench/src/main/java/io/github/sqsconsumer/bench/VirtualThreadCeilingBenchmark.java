package io.github.sqsconsumer.bench;

import java.util.concurrent.Semaphore;
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

/*
 * Concurrency:
 *   One platform thread (the feeder) takes a permit of `running`, then starts a virtual thread that sleeps
 *   10 ms, counts itself on the meter and gives the permit back: [virtual threads alive <= concurrency].
 *   tearDown interrupts the feeder and waits for it; the virtual threads still sleeping end on their own.
 */
/**
 * The machine's ceiling for {@link ScalingBenchmark}: what virtual threads alone reach with its handler and
 * concurrency, with no queue, no producer and no consumer: start a virtual thread, sleep 10 ms, count it,
 * with {@code concurrency} of them alive at a time. The ideal is {@code concurrency x 100} messages per
 * second, as there; this score over the ideal is the most a virtual-thread consumer could show on the same
 * machine, whatever it does per message, so a scaling share can be read against it.
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -pl bench -am -DskipTests package -Pjmh -Djmh.args="VirtualThreadCeilingBenchmark"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class VirtualThreadCeilingBenchmark {

  @Param({"1024", "4096"})
  public int concurrency;

  private final Meter meter = new Meter();
  private final long timeoutNanos = TimeUnit.SECONDS.toNanos(60);
  private Semaphore running;
  private Thread feeder;

  @Setup(Level.Trial)
  public void setUp() {
    running = new Semaphore(concurrency);
    feeder = Thread.ofPlatform().daemon().name("feeder").start(this::feed);
  }

  private void feed() {
    try {
      while (true) {
        running.acquire();
        Thread.ofVirtual().start(() -> {
          try {
            HandlerType.SLEEP_10MS.work();
            meter.handled(0);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            running.release();
          }
        });
      }
    } catch (InterruptedException e) {
      // tearDown: stop feeding
    }
  }

  /** Counts this iteration's messages from here: none handled between iterations. */
  @Setup(Level.Iteration)
  public void startIteration() {
    meter.startSteps();
  }

  /** Waits until the next 100 messages were handled (see {@link Meter#awaitStep}). */
  @Benchmark
  @OperationsPerInvocation(CombinationBenchmark.MESSAGES_PER_OP)
  public long handle() throws TimeoutException, InterruptedException {
    return meter.awaitStep(CombinationBenchmark.MESSAGES_PER_OP, timeoutNanos);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    feeder.interrupt();
    feeder.join(TimeUnit.SECONDS.toMillis(5));
  }
}
