package io.github.sqsconsumer.bench;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The plain-JDK executors the workers are measured against. */
final class PlainExecutors {
  private PlainExecutors() {}

  /**
   * A fixed {@link ThreadPoolExecutor} of {@code threads} threads with a bounded queue of the pool worker's
   * default capacity (the larger of 16 and threads rounded up to a power of two); when the queue is full,
   * {@code execute} blocks in {@code put} until there is room: the same backpressure as the pool worker's
   * waiting room.
   */
  static ThreadPoolExecutor blockingThreadPool(String name, int threads) {
    int capacity = Math.max(16, Integer.highestOneBit(Math.max(1, threads - 1)) << 1);
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(capacity), Thread.ofPlatform().daemon().name(name + "-", 0).factory(),
        (task, executor) -> {
          if (executor.isShutdown()) {
            throw new RejectedExecutionException("executor is shut down");
          }
          try {
            executor.getQueue().put(task);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RejectedExecutionException("interrupted while waiting for room", e);
          }
        });
    pool.prestartAllCoreThreads();
    return pool;
  }

  /** Returns the pool as a dispatch; closing it shuts the pool down. */
  static HandRolledConsumer.Dispatch dispatch(ThreadPoolExecutor pool) {
    return new HandRolledConsumer.Dispatch() {
      @Override
      public void execute(Runnable task) {
        pool.execute(task);
      }

      @Override
      public void close() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
      }
    };
  }

  /** Returns the executor as a dispatch; closing it closes the executor. */
  static HandRolledConsumer.Dispatch dispatch(SemaphoreVirtualThreads executor) {
    return new HandRolledConsumer.Dispatch() {
      @Override
      public void execute(Runnable task) throws InterruptedException {
        executor.execute(task);
      }

      @Override
      public void close() throws InterruptedException {
        executor.close();
      }
    };
  }

  /** Runs each task on a new virtual thread after taking one of {@code permits} permits (blocking). */
  static final class SemaphoreVirtualThreads implements AutoCloseable {
    private final Semaphore permits;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    SemaphoreVirtualThreads(int permits) {
      this.permits = new Semaphore(permits);
    }

    /** Waits for a permit, then starts the task; the permit is given back when it ends. */
    void execute(Runnable task) throws InterruptedException {
      permits.acquire();
      try {
        executor.execute(() -> {
          try {
            task.run();
          } finally {
            permits.release();
          }
        });
      } catch (RejectedExecutionException e) {
        permits.release();
        throw e;
      }
    }

    @Override
    public void close() throws InterruptedException {
      executor.shutdown();
      executor.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
