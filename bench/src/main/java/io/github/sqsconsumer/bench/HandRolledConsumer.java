package io.github.sqsconsumer.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/*
 * Concurrency:
 *   `pollers` platform threads each loop: take 10 permits (if permits are held from receive to delete),
 *   receive up to 10, give back the permits of messages that did not come, hand each message to the
 *   dispatch (which may block for room: the executor's own backpressure). A handler thread runs the
 *   handler and puts the message on `toDelete`. One deleter thread takes what is there (waiting up to
 *   2 ms for a batch of 10 to fill) and sends one batch delete; when its reply comes, the batch's permits
 *   are given back: [received and not deleted <= permits].
 * Shutdown:
 *   close() stops the loops (interrupts), closes the dispatch. Messages in flight then are left to their
 *   visibility timeout: a benchmark recreates its queue for every trial.
 */
/**
 * The consumer a careful user writes by hand, parameterised by transport, number of receive loops,
 * concurrency cap (or none) and executor. The plain baselines are instances of it (the uncapped one is
 * {@link UncappedSdkConsumer}); the library is not used.
 *
 * @param <M> the transport's message type
 */
final class HandRolledConsumer<M> implements AutoCloseable {

  /** Runs each task on a new virtual thread, without limit. */
  static Dispatch virtualThreads() {
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    return new Dispatch() {
      @Override
      public void execute(Runnable task) {
        executor.execute(task);
      }

      @Override
      public void close() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
      }
    };
  }

  /** What the loops need from a queue. */
  interface Transport<M> {
    /** Receives up to {@code max} messages, long-polling. */
    CompletableFuture<List<M>> receive(int max);

    /** Deletes 1 to 10 messages in one request. */
    CompletableFuture<?> delete(List<M> messages);
  }

  /** Runs a task, waiting for room if the executor behind it is full. */
  interface Dispatch extends AutoCloseable {
    void execute(Runnable task) throws InterruptedException;
  }

  private static final int BATCH = 10;
  /** A careful user lets a delete batch fill for a moment rather than sending one request per message. */
  private static final long BATCH_FILL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private final Transport<M> transport;
  private final Consumer<M> handler;
  private final Semaphore permits; // null: none held from receive to delete
  private final Dispatch dispatch;
  private final BlockingQueue<M> toDelete = new LinkedBlockingQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  /**
   * Starts consuming.
   *
   * @param pollers how many receive loops
   * @param heldPermits the most messages between receive and delete; 0 for no such limit
   * @param dispatch runs the handlers; closed by {@link #close()}
   * @param handler must not throw
   */
  HandRolledConsumer(String name, Transport<M> transport, int pollers, int heldPermits, Dispatch dispatch,
      Consumer<M> handler) {
    this.transport = transport;
    this.handler = handler;
    this.permits = heldPermits > 0 ? new Semaphore(heldPermits) : null;
    this.dispatch = dispatch;
    for (int i = 0; i < pollers; i++) {
      threads.add(Thread.ofPlatform().daemon().name(name + "-poll-" + i).start(this::pollLoop));
    }
    threads.add(Thread.ofPlatform().daemon().name(name + "-delete").start(this::deleteLoop));
  }

  private void pollLoop() {
    while (running) {
      try {
        if (permits != null) {
          permits.acquire(BATCH);
        }
        List<M> messages;
        try {
          messages = transport.receive(BATCH).get();
        } catch (Exception e) {
          if (permits != null) {
            permits.release(BATCH);
          }
          if (e instanceof InterruptedException) {
            throw (InterruptedException) e;
          }
          Thread.sleep(10); // a failed receive: do not spin
          continue;
        }
        if (permits != null && messages.size() < BATCH) {
          permits.release(BATCH - messages.size());
        }
        for (M message : messages) {
          dispatch.execute(() -> {
            handler.accept(message);
            toDelete.add(message);
          });
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) { // dispatch closed
        if (!running) {
          return;
        }
        throw e;
      }
    }
  }

  private void deleteLoop() {
    List<M> batch = new ArrayList<>(BATCH);
    while (running) {
      try {
        batch.add(toDelete.take());
        long deadline = System.nanoTime() + BATCH_FILL_NANOS;
        while (batch.size() < BATCH) {
          M next = toDelete.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
          if (next == null) {
            break;
          }
          batch.add(next);
        }
      } catch (InterruptedException e) {
        return;
      }
      int size = batch.size();
      transport.delete(List.copyOf(batch)).whenComplete((reply, failure) -> {
        if (permits != null) {
          permits.release(size);
        }
      });
      batch.clear();
    }
  }

  @Override
  public void close() throws Exception {
    running = false;
    for (Thread thread : threads) {
      thread.interrupt();
    }
    for (Thread thread : threads) {
      thread.join(5_000);
    }
    dispatch.close();
  }
}
