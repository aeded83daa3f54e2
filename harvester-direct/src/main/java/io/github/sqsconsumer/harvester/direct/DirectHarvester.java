package io.github.sqsconsumer.harvester.direct;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.Backoff;
import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.HarvesterCallback;
import io.github.sqsconsumer.spi.Limits;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueuePort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Concurrency:
 *   Worker threads call acknowledge/release; answers complete on the port's threads (SDK threads, or the
 *   caller's own thread if the port answers at once); retries are sent from one scheduler thread.
 *   A Semaphore of maxInFlight permits bounds what this harvester holds: a caller takes a permit before
 *   its message is registered and the message's one report gives it back, so a full harvester makes
 *   callers wait (backpressure) [unsettled.size() + reporting <= permits taken <= maxInFlight].
 *   `lock` guards `state` and `unsettled`. Registering a message and closing both happen under it, so they
 *   are linearizable: a message is registered while OPEN, and then close waits for it or reports it, or
 *   the caller gets IllegalStateException and keeps its message - never lost, never a crash
 *   [registered only while OPEN]. A ReentrantLock, not synchronized: callers may be virtual threads.
 *   An entry is reported only by the thread that removes it from `unsettled` under the lock, and the
 *   callback runs after unlocking [each entry reported exactly once]; `reporting` counts callbacks under
 *   way, so that close returns only after they were made.
 *
 * Retries:
 *   A transient failure is sent again after an exponential backoff with jitter, up to maxAttempts sends
 *   (spi.Backoff). An invalid receipt handle or a fatal failure is reported at once. An entry stays in
 *   `unsettled` and keeps its permit while it waits to retry.
 *
 * Shutdown:
 *   close() moves OPEN -> CLOSING under the lock (new messages are rejected), waits on `drained` until
 *   nothing is unsettled or the timeout runs out, then moves to CLOSED, takes every entry still unsettled
 *   and reports it failed. Answers arriving later find their entry gone and do nothing. The scheduler
 *   stops last; a retry it rejects reports its entry failed, if still unsettled. A second close sees
 *   state != OPEN and returns at once.
 */
/** One request per outcome, a bounded number in flight. */
final class DirectHarvester implements Harvester {
  private static final Logger LOG = LoggerFactory.getLogger(DirectHarvester.class);

  private enum State {
    /** Taking messages. */
    OPEN,
    /** close() is waiting for what is unsettled; new messages are rejected. */
    CLOSING,
    /** Everything was reported; new messages are rejected. */
    CLOSED
  }

  /** One message to delete (visibility null) or release; sent by one thread at a time. */
  private static final class Entry {
    final Message message;
    final Duration visibility;
    int attempts; // written before each send, read in the answer: ordered by the future's completion

    Entry(Message message, Duration visibility) {
      this.message = message;
      this.visibility = visibility;
    }

    String action() {
      return visibility == null ? "delete" : "release";
    }
  }

  private final QueuePort port;
  private final HarvesterCallback callback;
  /** SQS answers in tens of milliseconds: 50 ms lets a throttling burst pass; 2 s keeps all attempts short. */
  private static final Backoff RETRY_BACKOFF = Backoff.of(Duration.ofMillis(50), Duration.ofSeconds(2));

  private final int maxAttempts;
  private final Semaphore permits;
  private final ScheduledThreadPoolExecutor scheduler;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition drained = lock.newCondition();
  private volatile State state = State.OPEN; // written under lock; read without it only to fail fast
  private final Set<Entry> unsettled = Collections.newSetFromMap(new IdentityHashMap<>()); // guarded by lock
  private int reporting; // guarded by lock: entries out of `unsettled` whose callback has not returned

  DirectHarvester(String consumerName, QueuePort port, HarvesterCallback callback, int maxInFlight,
      int maxAttempts) {
    this.port = Objects.requireNonNull(port, "port");
    this.callback = Objects.requireNonNull(callback, "callback");
    this.maxAttempts = maxAttempts;
    this.permits = new Semaphore(maxInFlight);
    String threadName = consumerName + "-harvester-direct";
    this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    scheduler.setRemoveOnCancelPolicy(true);
  }

  int availablePermits() {
    return permits.availablePermits();
  }

  @Override
  public void acknowledge(Message message) {
    Objects.requireNonNull(message, "message");
    take(new Entry(message, null));
  }

  @Override
  public void release(Message message, Duration visibility) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(visibility, "visibility");
    if (visibility.isNegative() || visibility.compareTo(Limits.MAX_VISIBILITY) > 0) {
      throw new IllegalArgumentException(
          "visibility must be between 0 and 12 hours but was " + visibility);
    }
    take(new Entry(message, visibility));
  }

  private void take(Entry entry) {
    if (state != State.OPEN) {
      throw closed();
    }
    permits.acquireUninterruptibly(); // keeps waiting if interrupted, and returns with the flag set
    lock.lock();
    try {
      if (state != State.OPEN) {
        permits.release();
        throw closed();
      }
      unsettled.add(entry); // [registered only while OPEN]
    } finally {
      lock.unlock();
    }
    send(entry);
  }

  private static IllegalStateException closed() {
    return new IllegalStateException("harvester is closed");
  }

  private void send(Entry entry) {
    entry.attempts++;
    CompletableFuture<Void> answer;
    try {
      answer = entry.visibility == null
          ? port.delete(entry.message)
          : port.changeVisibility(entry.message, entry.visibility);
      Objects.requireNonNull(answer, "the port returned no future");
    } catch (Throwable e) {
      // a port that throws, an Error too, instead of failing its future: a failed answer all the same, or
      // the entry would keep its permit and stay unsettled until close
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete((ignored, error) -> onAnswer(entry, error));
  }

  private void onAnswer(Entry entry, Throwable error) {
    if (error == null) {
      settle(entry, null);
      return;
    }
    Throwable cause = error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
    if (entry.attempts >= maxAttempts || QueueException.kindOf(cause) != QueueException.Kind.TRANSIENT
        || !isUnsettled(entry)) {
      settle(entry, cause);
      return;
    }
    long delay = RETRY_BACKOFF.delay(entry.attempts).toMillis();
    LOG.debug("{} of {} failed on attempt {}, retrying in {} ms: {}", entry.action(), entry.message,
        entry.attempts, delay, describe(cause));
    try {
      scheduler.schedule(() -> {
        if (isUnsettled(entry)) { // not reported by a close that timed out meanwhile
          send(entry);
        }
      }, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      settle(entry, cause);
    }
  }

  private boolean isUnsettled(Entry entry) {
    lock.lock();
    try {
      return unsettled.contains(entry);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Reports the entry (cause null: it succeeded) if no one else did, then gives its permit back: a
   * message holds its permit until its report has returned.
   */
  private void settle(Entry entry, Throwable cause) {
    lock.lock();
    try {
      if (!unsettled.remove(entry)) {
        return; // already reported, by close
      }
      reporting++;
    } finally {
      lock.unlock();
    }
    try {
      report(entry, cause);
    } finally { // whatever the report threw: a permit kept here would be lost for good
      lock.lock();
      try {
        reporting--;
        if (unsettled.isEmpty() && reporting == 0) {
          drained.signalAll();
        }
      } finally {
        lock.unlock();
      }
      permits.release();
    }
  }

  private void report(Entry entry, Throwable cause) {
    if (cause != null) {
      LOG.warn("could not {} {} after {} attempt(s): {}", entry.action(), entry.message, entry.attempts,
          describe(cause));
    }
    reportQuietly(entry, cause);
  }

  /** Calls the callback; never throws: what the callback throws is logged. */
  private void reportQuietly(Entry entry, Throwable cause) {
    try {
      if (cause != null) {
        callback.failed(entry.message, cause);
      } else if (entry.visibility == null) {
        callback.acknowledged(entry.message);
      } else {
        callback.released(entry.message, entry.visibility);
      }
    } catch (Throwable e) {
      // anything, an Error too: the caller's bookkeeping (room, counts) must still happen, and on a port
      // thread a throw would only vanish in the answer's future
      try {
        LOG.error("harvester callback failed for {}", entry.message, e);
      } catch (Throwable ignored) {
        // a logger that fails in turn changes nothing either
      }
    }
  }

  private static String describe(Throwable cause) {
    return cause instanceof QueueException e
        ? e.kind() + (e.code().isEmpty() ? "" : " " + e.code())
        : cause.getClass().getName();
  }

  @Override
  public void close(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative but was " + timeout);
    }
    List<Entry> unsent;
    InterruptedException interrupted = null;
    lock.lock();
    try {
      if (state != State.OPEN) {
        return;
      }
      state = State.CLOSING;
      long left = timeout.toNanos();
      while ((!unsettled.isEmpty() || reporting > 0) && left > 0) { // until the reports were made
        try {
          left = drained.awaitNanos(left);
        } catch (InterruptedException e) {
          interrupted = e;
          break;
        }
      }
      state = State.CLOSED;
      unsent = new ArrayList<>(unsettled);
      unsettled.clear();
    } finally {
      lock.unlock();
    }
    scheduler.shutdownNow();
    if (!unsent.isEmpty()) {
      LOG.warn("closed with {} message(s) unsettled after {}; they come back after their visibility timeout",
          unsent.size(), timeout);
    }
    for (Entry entry : unsent) {
      try {
        reportQuietly(entry, new QueueException(QueueException.Kind.TRANSIENT, "",
            "harvester closed before the queue answered", null)); // one warning above for all
      } finally {
        permits.release();
      }
    }
    if (interrupted != null) {
      throw interrupted;
    }
  }
}
