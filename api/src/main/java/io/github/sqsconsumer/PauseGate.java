package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.Runner;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Pauses and resumes receiving ({@link Consumer#pause()}), and ends it at the stop: the pollers pass this
 * gate before each receive.
 *
 * <pre>
 * Concurrency:
 *   A poller waits in awaitOpen() while paused (in slices, so it looks at the consumer's running flag), and
 *   starts each receive through receive(), which counts it in `starting` while the runner's non-blocking
 *   receive() is called, then looks at `paused`: if set, it starts nothing. pause() sets `paused`, then
 *   waits until `starting` is zero. Both sides write their own volatile field before reading the other's,
 *   so at least one sees the other: either the poller sees the pause and starts nothing, or pause() sees
 *   the poller counted and waits until its receive was sent. [once pause() returned, no receive starts
 *   until resume()] Receives sent before complete as usual: their messages are handled and deleted; they
 *   are not cancelled, since the runner releases a cancelled receive's messages, and every such release
 *   counts toward the queue's maxReceiveCount.
 *   The wait in pause() is short: the runner's receive() does not block (its contract), so `starting` falls
 *   to zero within a call; it is bounded all the same (PAUSE_WAIT), should a runner break that contract.
 * Stopping:
 *   stopReceives() is pause() for good, with `stopped` in place of `paused`: the engine calls it before the
 *   consumer reads STOPPING. A poller looks at the consumer's running flag before it takes this gate, but
 *   between that look and the send a stop could begin and end unseen; here, counted in `starting`, either
 *   it sees `stopped` or the stop waits for its send. [no receive is sent once the consumer has left
 *   RUNNING]
 * </pre>
 */
final class PauseGate {
  /** How long a paused poller waits before it looks again whether the consumer still runs. */
  private static final Duration SLICE = Duration.ofSeconds(1);
  /** The most pause() waits for receives being sent; a runner's receive() does not block, so microseconds. */
  private static final Duration PAUSE_WAIT = Duration.ofSeconds(1);

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition resumed = lock.newCondition();
  private volatile boolean paused;
  private volatile boolean stopped;
  private final AtomicInteger starting = new AtomicInteger();

  /** Stops new receives; returns once none is being sent. Idempotent, from any thread. */
  void pause() {
    paused = true;
    awaitNoneStarting(); // [no receive starts after pause() returned]
  }

  /** Stops receives for good (the consumer stops); returns once none is being sent. Idempotent. */
  void stopReceives() {
    stopped = true;
    awaitNoneStarting(); // [no receive is sent once the consumer has left RUNNING]
  }

  private void awaitNoneStarting() {
    long deadline = System.nanoTime() + PAUSE_WAIT.toNanos();
    while (starting.get() > 0 && System.nanoTime() < deadline) {
      Thread.yield();
    }
  }

  /** Lets the pollers receive again. Idempotent, from any thread. */
  void resume() {
    lock.lock();
    try {
      paused = false;
      resumed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  boolean paused() {
    return paused;
  }

  /**
   * Waits while paused, at most a slice; returns true if receiving may go on, false if still paused (the
   * caller looks whether the consumer still runs, then waits again).
   */
  boolean awaitOpen() throws InterruptedException {
    if (!paused) {
      return true;
    }
    lock.lock();
    try {
      if (paused) {
        resumed.await(SLICE.toNanos(), TimeUnit.NANOSECONDS);
      }
      return !paused;
    } finally {
      lock.unlock();
    }
  }

  /** Starts a receive unless paused or stopped; returns null, having started nothing, if so. */
  CompletableFuture<List<Message>> receive(Runner runner, int maxMessages, Duration waitTime,
      Duration visibility) {
    starting.incrementAndGet();
    try {
      if (paused || stopped) {
        return null;
      }
      return runner.receive(maxMessages, waitTime, visibility);
    } finally {
      starting.decrementAndGet();
    }
  }
}
