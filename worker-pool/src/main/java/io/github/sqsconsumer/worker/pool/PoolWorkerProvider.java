package io.github.sqsconsumer.worker.pool;

import static io.github.sqsconsumer.worker.pool.Checks.requireArgument;

import io.github.sqsconsumer.spi.Limits;
import io.github.sqsconsumer.spi.Settings;
import io.github.sqsconsumer.spi.Worker;
import io.github.sqsconsumer.spi.WorkerContext;
import io.github.sqsconsumer.spi.WorkerProvider;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Provides the {@code pool} worker: an elastic pool of reused platform threads. Threads start on demand,
 * up to {@code concurrency}; when all are busy, units wait in a bounded first-in first-out waiting room,
 * and when that is full {@code submit} waits (backpressure). A thread idle for {@code pool.idleTimeout}
 * stops, down to {@code pool.minWorkers}. Threads are named {@code <consumerName>-pool-<n>}; they are not
 * daemon threads, so a unit in flight is not cut off by the JVM exiting before the consumer is closed
 * (with the default minimum of 0 they all stop on their own after the idle timeout).
 *
 * <p>Its settings ({@code pool.*}: keys, ranges, defaults and why) are documented on the module, in
 * {@code module-info.java}; {@link #validate} checks them at {@code build()} and {@link #create} reads them again.
 *
 * <p>Found with {@link java.util.ServiceLoader}; the public no-argument constructor does nothing.
 * Thread-safe.
 */
public final class PoolWorkerProvider implements WorkerProvider {

  /** The name users choose this worker by. */
  static final String NAME = "pool";

  static final String MIN_WORKERS = "pool.minWorkers";
  static final String IDLE_TIMEOUT = "pool.idleTimeout";
  static final String QUEUE_CAPACITY = "pool.queueCapacity";

  static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  static final Duration MIN_IDLE_TIMEOUT = Duration.ofMillis(1);
  static final Duration MAX_IDLE_TIMEOUT = Duration.ofHours(1);
  /** 2^20 references, 4 to 8 MiB: far beyond any useful backlog in memory. */
  static final int MAX_QUEUE_CAPACITY = 1 << 20;

  /** Creates the provider; does nothing, for {@link java.util.ServiceLoader}. */
  public PoolWorkerProvider() {}

  /** Returns {@code pool}. */
  @Override
  public String name() {
    return NAME;
  }

  /** Returns {@code pool.minWorkers}, {@code pool.idleTimeout} and {@code pool.queueCapacity}. */
  @Override
  public Set<String> settingKeys() {
    return Set.of(MIN_WORKERS, IDLE_TIMEOUT, QUEUE_CAPACITY);
  }

  /**
   * Checks the context's concurrency and the {@code pool.*} settings; creates nothing.
   *
   * @throws IllegalArgumentException if the concurrency is not between 1 and 10000, or a setting is out of
   *     range; the message names the setting, its range and the value
   */
  @Override
  public void validate(WorkerContext context) {
    config(Objects.requireNonNull(context, "context"));
  }

  /**
   * Creates a pool worker from the context's concurrency and the {@code pool.*} settings.
   *
   * @throws IllegalArgumentException if the concurrency is not between 1 and 10000, or a setting is out of
   *     range; the message names the setting, its range and the value
   */
  @Override
  public Worker create(WorkerContext context) {
    Objects.requireNonNull(context, "context");
    PoolConfig config = config(context);
    return new PoolWorker(Objects.requireNonNull(context.consumerName(), "consumerName"), config.concurrency(),
        config.minWorkers(), config.idleTimeout(), config.queueCapacity());
  }

  /** Reads and checks the concurrency and settings; the one place both validate and create read them. */
  static PoolConfig config(WorkerContext context) {
    int concurrency = context.concurrency();
    requireArgument(concurrency >= 1 && concurrency <= Limits.MAX_CONCURRENCY,
        "concurrency must be between 1 and %d but was %d", Limits.MAX_CONCURRENCY, concurrency);
    Settings settings = context.settings();

    // The typed getters check the ranges and name the key, the range and the value when one is out.
    int minWorkers = settings.getInt(MIN_WORKERS, 0, 0, concurrency);
    Duration idleTimeout = settings.getDuration(IDLE_TIMEOUT, DEFAULT_IDLE_TIMEOUT, MIN_IDLE_TIMEOUT,
        MAX_IDLE_TIMEOUT);
    int queueCapacity = settings.getInt(QUEUE_CAPACITY, defaultQueueCapacity(concurrency), 1,
        MAX_QUEUE_CAPACITY);
    return new PoolConfig(concurrency, minWorkers, idleTimeout, nextPowerOfTwo(queueCapacity));
  }

  /** The checked settings; the queue capacity rounded up to a power of two. */
  record PoolConfig(int concurrency, int minWorkers, Duration idleTimeout, int queueCapacity) {}

  static int defaultQueueCapacity(int concurrency) {
    return Math.max(16, nextPowerOfTwo(concurrency));
  }

  /** Returns the smallest power of two at least {@code n}; for n in [1, 2^30]. */
  static int nextPowerOfTwo(int n) {
    return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
  }
}
