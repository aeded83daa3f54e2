package io.github.sqsconsumer.runner.sqs;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Platform threads that make the SDK calls that virtual threads ask the runner for. */
final class Senders implements AutoCloseable {
  /*
   * Why:
   *   The async client builds, marshals and signs a request on the calling thread before Netty takes it
   *   over: a hundred microseconds or more per request. The pollers are virtual threads, and so are the
   *   semaphore worker's handlers, on which the batch harvester sends the batch an acknowledgement
   *   completes (the direct harvester, each delete). On them the SDK's work ran on the few carrier threads
   *   that every handler shares, and a handler held its slot meanwhile. Against ElasticMQ on 2 cores the
   *   semaphore combination handled about 5-15 % more messages per second with deletes sent here, and
   *   about 9 % more again with receives too (bench/RESULTS.md, 2026-12-07). A platform thread that calls
   *   (the batch harvester's flusher, the heartbeat, the pool worker's threads, the SDK's own) sends itself:
   *   a hand-off would only add a wake-up, and the pool worker measured no gain.
   * Concurrency:
   *   Up to MAX_THREADS daemon threads, started on demand and ended after IDLE without work. A hand-off
   *   goes to an idle thread or a new one (SynchronousQueue: nothing waits in a queue here); when every
   *   thread is busy the caller sends itself, so a send is never held up or lost, whatever the load.
   *   [cancel(ours) => cancel(sdk)]: a call cancelled before a sender took it is not sent; one cancelled
   *   after has its SDK future cancelled, as when the caller sends. A result that arrives once ours was
   *   cancelled goes to the caller's `unclaimed` (a receive's messages, to be released), never nowhere.
   * Shutdown:
   *   close() ends the idle threads; a busy one ends after its call. A call asked for after close runs on
   *   the caller, as a platform caller's always does, and fails in the client if that is closed.
   */
  /** Enough for thousands of batches a second; more would only compete with the handlers for the cores. */
  static final int MAX_THREADS = 4;
  private static final long IDLE_SECONDS = 30;

  private final ThreadPoolExecutor threads;

  /** {@code name} names the threads: {@code <name>-sqs-sender}. */
  Senders(String name) {
    this.threads = new ThreadPoolExecutor(0, MAX_THREADS, IDLE_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(),
        Thread.ofPlatform().daemon().name(name + "-sqs-sender").factory(),
        (call, executor) -> call.run()); // every sender busy, or closed: the caller sends itself
  }

  /**
   * Makes the SDK call on a sender thread if the caller is a virtual thread, else on the caller; returns
   * at once. Never throws: what {@code call} throws fails the returned future.
   *
   * @param call starts the SDK request and returns its future; never null, and never returns null
   * @return the SDK call's outcome; cancelling it cancels the request
   */
  <R> CompletableFuture<R> send(Supplier<CompletableFuture<R>> call) {
    return send(call, null);
  }

  /**
   * Sends as {@link #send(Supplier)} does, and hands a result that arrives after the returned future was
   * cancelled to {@code unclaimed}.
   *
   * @param call starts the SDK request and returns its future; never null, and never returns null
   * @param unclaimed takes a result nobody will read; null if there is nothing to do with one
   * @return the SDK call's outcome; cancelling it cancels the request
   */
  <R> CompletableFuture<R> send(Supplier<CompletableFuture<R>> call, Consumer<? super R> unclaimed) {
    Objects.requireNonNull(call, "call");
    HandOff<R> handOff = new HandOff<>(call, unclaimed);
    if (Thread.currentThread().isVirtual()) {
      threads.execute(handOff);
    } else {
      handOff.run();
    }
    return handOff.result;
  }

  @Override
  public void close() {
    threads.shutdown();
  }

  /** One call, and the future its caller holds. */
  private static final class HandOff<R> implements Runnable {
    private final Supplier<CompletableFuture<R>> call;
    private final Consumer<? super R> unclaimed; // null: a result nobody reads needs nothing
    private final CompletableFuture<R> result = new CompletableFuture<>();

    HandOff(Supplier<CompletableFuture<R>> call, Consumer<? super R> unclaimed) {
      this.call = call;
      this.unclaimed = unclaimed;
    }

    @Override
    public void run() {
      if (result.isDone()) {
        return; // cancelled before it was sent: nothing to send
      }
      CompletableFuture<R> sent;
      try {
        sent = Objects.requireNonNull(call.get(), "the SDK returned no future");
      } catch (Throwable e) { // even an Error: the caller's future must still complete
        result.completeExceptionally(e);
        return;
      }
      sent.whenComplete((value, failure) -> {
        if (failure != null) {
          result.completeExceptionally(failure);
        } else if (!result.complete(value) && unclaimed != null) {
          unclaimed.accept(value); // ours was cancelled first: [only a cancel completes ours first]
        }
      });
      result.whenComplete((ignored, failure) -> {
        if (result.isCancelled()) {
          sent.cancel(true); // [cancel(ours) => cancel(sdk)]
        }
      });
    }
  }
}
