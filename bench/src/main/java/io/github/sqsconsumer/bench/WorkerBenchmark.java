package io.github.sqsconsumer.bench;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.WorkUnit;
import io.github.sqsconsumer.spi.Worker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Each worker against the plain-JDK executor doing the same work with the same backpressure: the pool
 * against a fixed {@link ThreadPoolExecutor} of {@code concurrency} threads whose bounded queue (of the
 * pool's default waiting-room size) blocks the submitter when full; the semaphore worker against
 * {@code Executors.newVirtualThreadPerTaskExecutor()} behind a {@code Semaphore(concurrency)}.
 *
 * <p>One operation is one unit submitted by the single dispatching thread (as the consumer's core does);
 * each unit does the work of the core's unit minus the handler: the work ({@link HandlerType}: nothing or
 * a 1 ms sleep) and an acknowledgement to a cheap in-memory sink (a {@link LongAdder}). Both sides block
 * the submitter when full, so in steady state the submission rate is the completion rate: the score is
 * units per second. Report the ratio LIBRARY / PLAIN_JDK for each worker, work and concurrency; the target
 * is at least 0.9.
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -pl bench -am -DskipTests package -Pjmh -Djmh.args="WorkerBenchmark"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class WorkerBenchmark {

  /** Which side runs the units. */
  public enum Implementation {
    /** The library's worker of the chosen {@link WorkerType}. */
    LIBRARY,
    /** Its plain-JDK counterpart. */
    PLAIN_JDK
  }

  /** Submits one unit, waiting for room. */
  private interface Dispatcher extends AutoCloseable {
    void submit(Runnable work) throws InterruptedException;
  }

  @Param
  public WorkerType worker;

  @Param
  public Implementation implementation;

  @Param({"NOOP", "SLEEP_1MS"})
  public HandlerType work;

  @Param({"16", "256"})
  public int concurrency;

  // inputs in non-final fields, set up per trial, as JMH advises (a final one may be constant-folded)
  private LongAdder acknowledged;
  private Message message;
  private Dispatcher dispatcher;
  private Runnable unitWork;

  @Setup(Level.Trial)
  public void setUp() {
    acknowledged = new LongAdder();
    message = Message.builder().id("m").body("b").receiptHandle("r").build();
    HandlerType w = work;
    LongAdder sink = acknowledged;
    unitWork = () -> {
      try {
        w.work();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      sink.increment();
    };
    dispatcher = switch (implementation) {
      case LIBRARY -> library(worker.create(concurrency));
      case PLAIN_JDK -> switch (worker) {
        case POOL -> threadPool(PlainExecutors.blockingThreadPool("jdk-pool", concurrency));
        case SEMAPHORE -> virtualThreads(new PlainExecutors.SemaphoreVirtualThreads(concurrency));
      };
    };
  }

  private Dispatcher library(Worker w) {
    List<Message> messages = List.of(message);
    return new Dispatcher() {
      @Override
      public void submit(Runnable work) throws InterruptedException {
        WorkUnit unit = new BenchUnit(messages, work);
        if (!w.submit(unit, Duration.ofSeconds(30))) {
          throw new IllegalStateException("the worker took no unit for 30 s");
        }
      }

      @Override
      public void close() throws InterruptedException {
        w.shutdown(Duration.ofSeconds(10));
      }
    };
  }

  private static Dispatcher threadPool(ThreadPoolExecutor pool) {
    return new Dispatcher() {
      @Override
      public void submit(Runnable work) {
        pool.execute(work);
      }

      @Override
      public void close() throws InterruptedException {
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
      }
    };
  }

  private static Dispatcher virtualThreads(PlainExecutors.SemaphoreVirtualThreads executor) {
    return new Dispatcher() {
      @Override
      public void submit(Runnable work) throws InterruptedException {
        executor.execute(work);
      }

      @Override
      public void close() throws InterruptedException {
        executor.close();
      }
    };
  }

  /** A unit of one message, as the core hands the worker. */
  private record BenchUnit(List<Message> messages, Runnable work) implements WorkUnit {
    @Override
    public void run() {
      work.run();
    }
  }

  /** Submits one unit; blocks while the worker is full. */
  @Benchmark
  public void submit() throws InterruptedException {
    dispatcher.submit(unitWork);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    dispatcher.close();
  }
}
