package io.github.sqsconsumer.bench;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.micrometer.ConsumerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
 * What observing a consumer costs: {@link CombinationBenchmark}'s steady state on the in-memory queue with
 * no hook at all ({@code NONE}: the log context off, the handler called directly), with the default log
 * context ({@code MDC}), with the log context plus the Micrometer binder on a {@code SimpleMeterRegistry}
 * ({@code MICROMETER}), and with the binder alone ({@code METRICS}). Score: messages per second.
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -pl bench -am -DskipTests package -Pjmh -Djmh.args="ObservabilityBenchmark"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class ObservabilityBenchmark {

  /** How the consumer is observed. */
  public enum Observation {
    /** No hook, no log context: the handler is called directly. */
    NONE(builder -> builder.mdc(false)),
    /** The default: the log context only. */
    MDC(UnaryOperator.identity()),
    /** The log context and the Micrometer binder. */
    MICROMETER(UnaryOperator.identity()), // the binder is installed in setUp
    /** The Micrometer binder alone, the log context off: the binder's own cost against {@code NONE}. */
    METRICS(builder -> builder.mdc(false)); // the binder is installed in setUp

    final UnaryOperator<Consumer.Builder> customize;

    Observation(UnaryOperator<Consumer.Builder> customize) {
      this.customize = customize;
    }
  }

  @Param({"POOL_BATCH", "SEMAPHORE_BATCH"})
  public Candidate candidate;

  @Param({"NOOP"})
  public HandlerType handler;

  @Param({"16"})
  public int concurrency;

  @Param({"NONE", "MDC", "MICROMETER", "METRICS"})
  public Observation observation;

  private MemoryRig rig;
  private ConsumerMetrics metrics;
  private long timeoutNanos = TimeUnit.SECONDS.toNanos(60);

  @Setup(Level.Trial)
  public void setUp() {
    UnaryOperator<Consumer.Builder> customize = observation.customize;
    if (observation == Observation.MICROMETER || observation == Observation.METRICS) {
      UnaryOperator<Consumer.Builder> own = customize;
      customize = builder -> {
        metrics = ConsumerMetrics.installOn(own.apply(builder));
        return builder;
      };
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    rig = new MemoryRig(candidate, handler, concurrency, customize);
    if (metrics != null) {
      metrics.bindTo(registry); // the consumer started already: its first messages go uncounted
    }
  }

  /** Counts this iteration's messages from here: none handled between iterations. */
  @Setup(Level.Iteration)
  public void startIteration() {
    rig.meter.startSteps();
  }

  /** Waits until the next 100 messages were handled (see {@link Meter#awaitStep}). */
  @Benchmark
  @OperationsPerInvocation(CombinationBenchmark.MESSAGES_PER_OP)
  public long handle() throws TimeoutException, InterruptedException {
    return rig.meter.awaitStep(CombinationBenchmark.MESSAGES_PER_OP, timeoutNanos);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    rig.close();
  }
}
