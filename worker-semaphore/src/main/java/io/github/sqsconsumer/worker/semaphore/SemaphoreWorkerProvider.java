package io.github.sqsconsumer.worker.semaphore;

import static io.github.sqsconsumer.worker.semaphore.Checks.requireArgument;

import io.github.sqsconsumer.spi.Limits;
import io.github.sqsconsumer.spi.Worker;
import io.github.sqsconsumer.spi.WorkerContext;
import io.github.sqsconsumer.spi.WorkerProvider;
import java.util.Objects;

/**
 * Provides the {@code semaphore} worker: each unit of work runs on a new virtual thread once it holds one
 * of {@code concurrency} semaphore permits. No threads are reused. While every permit is taken, units wait
 * in a waiting room as large as the concurrency ({@code waiting()}), and the unit that ends starts the
 * oldest on a new thread; {@code submit} waits only when that room is full, and {@code shutdown} hands
 * back the units still waiting, unstarted.
 *
 * <p>Suits handlers that mostly wait on I/O; handlers that hold a monitor ({@code synchronized}) while
 * blocking pin their carrier thread, and CPU-bound handlers gain nothing over the {@code pool} worker.
 * It reads no settings. Threads are named {@code <consumerName>-semaphore}.
 *
 * <p>Found with {@link java.util.ServiceLoader}; the public no-argument constructor does nothing.
 * Thread-safe.
 */
public final class SemaphoreWorkerProvider implements WorkerProvider {

  /** The name users choose this worker by. */
  static final String NAME = "semaphore";

  /** Creates the provider; does nothing, for {@link java.util.ServiceLoader}. */
  public SemaphoreWorkerProvider() {}

  /** Returns {@code semaphore}. */
  @Override
  public String name() {
    return NAME;
  }

  /**
   * Checks the context's concurrency; creates nothing. The worker reads no settings, so
   * {@link #settingKeys()} is empty and any {@code semaphore.*} setting fails {@code build()}.
   *
   * @throws IllegalArgumentException if the concurrency is not between 1 and 10000
   */
  @Override
  public void validate(WorkerContext context) {
    requireConcurrency(Objects.requireNonNull(context, "context").concurrency());
  }

  /**
   * Creates a semaphore worker for the context's concurrency.
   *
   * @throws IllegalArgumentException if the concurrency is not between 1 and 10000
   */
  @Override
  public Worker create(WorkerContext context) {
    Objects.requireNonNull(context, "context");
    int concurrency = context.concurrency();
    requireConcurrency(concurrency);
    return new SemaphoreWorker(Objects.requireNonNull(context.consumerName(), "consumerName"), concurrency);
  }

  private static void requireConcurrency(int concurrency) {
    requireArgument(concurrency >= 1 && concurrency <= Limits.MAX_CONCURRENCY,
        "concurrency must be between 1 and %d but was %d", Limits.MAX_CONCURRENCY, concurrency);
  }
}
