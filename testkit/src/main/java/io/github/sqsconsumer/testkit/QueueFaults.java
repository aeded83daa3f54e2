package io.github.sqsconsumer.testkit;

import io.github.sqsconsumer.spi.QueueException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The faults an {@link InMemoryQueue} injects: failing calls (the next n, or a share at random) and the
 * latency of every reply. Thread-safe without the queue's lock: settings are an atomic and volatiles, read
 * before the lock is taken.
 */
final class QueueFaults {
  private static final String INJECTED = "InjectedFailure";

  private final AtomicInteger failuresToInject = new AtomicInteger();
  private volatile double failRate;
  private volatile long latencyNanos;

  void latency(long nanos) {
    latencyNanos = nanos;
  }

  long latencyNanos() {
    return latencyNanos;
  }

  /** Replaces the count of calls still to fail. */
  void failNext(int calls) {
    failuresToInject.set(calls);
  }

  void failRate(double rate) {
    failRate = rate;
  }

  /**
   * Returns the failure for this call if one is due ({@code call} says which, for the message), or null:
   * counts one of the next calls to fail down, else draws against the rate.
   */
  QueueException injectedFailure(String call) {
    boolean fail = failuresToInject.get() > 0 && failuresToInject.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    if (!fail) {
      double rate = failRate;
      fail = rate > 0 && ThreadLocalRandom.current().nextDouble() < rate;
    }
    return fail ? new QueueException(QueueException.Kind.TRANSIENT, INJECTED,
        call + " failed: injected failure", null) : null;
  }

  /** Returns a future of {@code value}, or of {@code failure} if not null, completed after the latency. */
  <T> CompletableFuture<T> reply(T value, QueueException failure) {
    long latency = latencyNanos;
    if (latency == 0) {
      return failure == null ? CompletableFuture.completedFuture(value) : CompletableFuture.failedFuture(failure);
    }
    CompletableFuture<T> future = new CompletableFuture<>();
    QueueTimer.INSTANCE.schedule(() -> {
      if (failure == null) {
        future.complete(value);
      } else {
        future.completeExceptionally(failure);
      }
    }, latency, TimeUnit.NANOSECONDS);
    return future;
  }
}
