package io.github.sqsconsumer.harvester.batch;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.harvester.batch.BatchHarvesterProvider.BatchConfig;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.HarvesterCallback;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.VisibilityChange;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Concurrency:
 *   Three kinds of threads meet here: worker threads call acknowledge/release (take), one flusher thread
 *   sends what is due by age, and the port's threads (SDK threads, or the sender itself when the port
 *   answers at once) complete the answers (onReply). One ReentrantLock guards all mutable state - the
 *   state, the list of unsettled entries, the two lanes of pending entries, the retry queue and the count
 *   of requests in flight - and every decision is taken under it; requests are sent and callbacks run after
 *   unlocking. A ReentrantLock rather than synchronized: callers may be virtual threads, which must not
 *   pin while they wait for room. The lock is held for a few field updates only, so a caller waits only
 *   when the buffer is full.
 *   Conditions: `notFull` (callers wait for room), `wake` (only the flusher waits on it) and `drained`
 *   (close waits for the last entry). Each is signalled only when someone waits on it for what changed:
 *   room is signalled once per freed slot while callers wait, `drained` only after close began, and the
 *   flusher only when something is due before the time it sleeps until (flusherWakeAt).
 *   Unsettled entries form an intrusive doubly-linked list (prev/next in each entry): adding and removing
 *   allocate nothing, and close walks it.
 *   [held() <= bufferSize], held() = unsettledCount + reporting: an entry is added only after waiting
 *   for room and counts until its one report has returned - pending, in flight, waiting to retry or being
 *   reported - so memory is bounded, and close returns only once the reports were made.
 *   [requestsInFlight <= maxInFlight]: the flusher, or the caller that fills a batch, takes one only below
 *   the bound.
 *   [each entry reported exactly once]: only the thread that unlinks an entry from the unsettled list,
 *   under the lock, reports it.
 *
 * Flushing:
 *   Each lane (deletes, releases) keeps entries in arrival order with a flush deadline, arrival +
 *   maxWait. A lane is ready when it holds ten entries or its OLDEST entry's deadline has passed. The
 *   caller whose entry fills a batch of ten takes it and sends it on its own thread, if a request slot is
 *   free: nobody is woken per batch on a busy queue. The flusher sends the rest - lanes whose oldest entry
 *   is due, full batches left while every slot was taken, retries, everything while CLOSING - and sleeps
 *   until the earliest deadline. New entries never move that deadline (the Go original
 *   reset a timer on every add, so a trickle of messages waited many times the interval). Entries of
 *   different visibilities share one batch: each VisibilityChange carries its own. Duplicates of one
 *   message are distinct entries answered by position, so they never fail a batch.
 *   [a lane's entries are ordered by deadline, except retried entries put back at the head, all due]
 *
 * Retries:
 *   A transient failure, of the whole request or of one entry, puts the entry in `retrying` with a due
 *   time after an exponential backoff with jitter (Retries), up to maxAttempts sends; when due it goes
 *   back to the head of its lane, ready at once. An invalid receipt handle or a fatal failure is reported
 *   at once.
 *
 * Shutdown:
 *   close() moves OPEN -> CLOSING under the lock, so that a take either registered its entry before (and
 *   close waits for it) or sees CLOSING and throws IllegalStateException: never lost, never crashed
 *   [entries are added only while OPEN]. While CLOSING every non-empty lane is ready (no waiting for
 *   maxWait) and retries keep their backoff. close waits on `drained` up to its timeout, then moves to
 *   CLOSED, takes every unsettled entry, reports it failed and wakes the flusher, which exits. Answers
 *   arriving later find their entries gone. A second close sees state != OPEN and returns at once.
 */
/** Batches of up to ten, flushed when full or when the oldest entry is maxWait old. */
final class BatchHarvester implements Harvester {
  private static final Logger LOG = LoggerFactory.getLogger(BatchHarvester.class);
  private static final Duration MAX_VISIBILITY = Duration.ofHours(12);
  private static final int MAX_BATCH = QueuePort.MAX_BATCH_SIZE;

  private enum State {
    /** Taking entries. */
    OPEN,
    /** close() is flushing and waiting; new entries are rejected. */
    CLOSING,
    /** Everything was reported; the flusher exits; new entries are rejected. */
    CLOSED
  }

  /** One message to delete (visibility null) or release. Fields guarded by the harvester's lock. */
  private static final class Entry {
    final Message message;
    final Duration visibility;
    int attempts;
    long deadlineNanos; // when pending: send by then; when retrying: send not before then
    boolean unsettled; // in the list of unsettled entries: not reported yet
    Entry prev; // neighbours in that list
    Entry next;

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
  private final long maxWaitNanos;
  private final int maxInFlight;
  private final int bufferSize;
  private final int maxAttempts;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notFull = lock.newCondition();
  private final Condition wake = lock.newCondition();
  private final Condition drained = lock.newCondition();
  // guarded by lock
  private State state = State.OPEN;
  private Entry first; // the list of unsettled entries, newest first
  private int unsettledCount;
  private final ArrayDeque<Entry> deletes = new ArrayDeque<>();
  private final ArrayDeque<Entry> releases = new ArrayDeque<>();
  private final PriorityQueue<Entry> retrying =
      new PriorityQueue<>(Comparator.comparingLong((Entry e) -> e.deadlineNanos));
  private int requestsInFlight;
  private int reporting; // entries out of the unsettled list whose callback has not returned yet
  private int maxHeldSeen;
  private int roomWaiters; // callers waiting on notFull
  private boolean flusherWaiting; // the flusher waits on `wake`
  private long flusherWakeAt; // when it wakes by itself (System.nanoTime), if flusherWaiting and not forever
  private boolean flusherWaitsForever;

  private Thread flusher;

  private BatchHarvester(QueuePort port, HarvesterCallback callback, BatchConfig config) {
    this.port = Objects.requireNonNull(port, "port");
    this.callback = Objects.requireNonNull(callback, "callback");
    this.maxWaitNanos = config.maxWait().toNanos();
    this.maxInFlight = config.maxInFlight();
    this.bufferSize = config.bufferSize();
    this.maxAttempts = config.maxAttempts();
  }

  /** Creates the harvester and starts its flusher, a daemon thread named {@code <consumer>-harvester-batch}. */
  static BatchHarvester start(String consumerName, QueuePort port, HarvesterCallback callback,
      BatchConfig config) {
    BatchHarvester harvester = new BatchHarvester(port, callback, config);
    harvester.flusher = Thread.ofPlatform().daemon().name(consumerName + "-harvester-batch")
        .start(harvester::flushLoop);
    return harvester;
  }

  Thread flusher() {
    return flusher;
  }

  /** Returns the most messages ever held at once (taken, not yet reported); for tests of the bound. */
  int maxHeldSeen() {
    lock.lock();
    try {
      return maxHeldSeen;
    } finally {
      lock.unlock();
    }
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
    if (visibility.isNegative() || visibility.compareTo(MAX_VISIBILITY) > 0) {
      throw new IllegalArgumentException("visibility must be between 0 and 12 hours but was " + visibility);
    }
    take(new Entry(message, visibility));
  }

  private void take(Entry entry) {
    List<Entry> batch = null;
    lock.lock();
    try {
      if (state == State.OPEN && held() >= bufferSize) {
        roomWaiters++;
        try {
          while (state == State.OPEN && held() >= bufferSize) {
            notFull.awaitUninterruptibly(); // keeps waiting if interrupted, returns with the flag set
          }
        } finally {
          roomWaiters--;
        }
      }
      if (state != State.OPEN) {
        throw new IllegalStateException("harvester is closed");
      }
      link(entry); // [held() <= bufferSize] [entries are added only while OPEN]
      maxHeldSeen = Math.max(maxHeldSeen, held());
      long now = System.nanoTime();
      entry.deadlineNanos = now + maxWaitNanos;
      ArrayDeque<Entry> lane = laneOf(entry);
      lane.addLast(entry);
      if (lane.size() >= MAX_BATCH && requestsInFlight < maxInFlight) {
        batch = takeBatch(lane); // this caller sends it, below
        requestsInFlight++; // [requestsInFlight <= maxInFlight]
      } else {
        wakeFlusherIfSooner(now); // a new earliest deadline, or a full batch left for a free slot
      }
    } finally {
      lock.unlock();
    }
    if (batch != null) {
      send(batch);
    }
  }

  /** Guarded by lock: messages taken and not yet fully reported. */
  private int held() {
    return unsettledCount + reporting;
  }

  /** Guarded by lock: adds the entry to the list of unsettled entries. */
  private void link(Entry entry) {
    entry.unsettled = true;
    entry.next = first;
    if (first != null) {
      first.prev = entry;
    }
    first = entry;
    unsettledCount++;
  }

  /** Guarded by lock: removes the entry from the list of unsettled entries; it is then reported once. */
  private void unlink(Entry entry) {
    if (entry.prev != null) {
      entry.prev.next = entry.next;
    } else {
      first = entry.next;
    }
    if (entry.next != null) {
      entry.next.prev = entry.prev;
    }
    entry.prev = null;
    entry.next = null;
    entry.unsettled = false;
    unsettledCount--;
  }

  /**
   * Guarded by lock: signals the flusher if it waits and something is due before it would wake by itself: a
   * lane ready with a request slot free, or an earlier deadline.
   */
  private void wakeFlusherIfSooner(long now) {
    if (!flusherWaiting) {
      return; // it is awake and decides after looking at everything under the lock
    }
    boolean due = requestsInFlight < maxInFlight && readyLane(now) != null;
    long next = nanosToNextDeadline(now);
    if (due || (next != Long.MAX_VALUE && (flusherWaitsForever || now + next - flusherWakeAt < 0))) {
      flusherWaiting = false; // one signal is enough: it looks at everything when it wakes
      wake.signal();
    }
  }

  private ArrayDeque<Entry> laneOf(Entry entry) {
    return entry.visibility == null ? deletes : releases;
  }

  // ---- flusher ----

  private void flushLoop() {
    List<List<Entry>> batches = new ArrayList<>();
    lock.lock();
    try {
      while (state != State.CLOSED) {
        long now = System.nanoTime();
        promoteDueRetries(now);
        ArrayDeque<Entry> lane;
        while (requestsInFlight < maxInFlight && (lane = readyLane(now)) != null) {
          batches.add(takeBatch(lane));
          requestsInFlight++; // [requestsInFlight <= maxInFlight]
        }
        if (!batches.isEmpty()) {
          lock.unlock();
          try {
            batches.forEach(this::send);
          } finally {
            batches.clear();
            lock.lock();
          }
          continue;
        }
        long sleep = nanosToNextDeadline(now);
        flusherWaiting = true;
        flusherWaitsForever = sleep == Long.MAX_VALUE;
        flusherWakeAt = now + (flusherWaitsForever ? 0 : sleep);
        try {
          if (flusherWaitsForever) {
            wake.await();
          } else {
            wake.awaitNanos(sleep);
          }
        } catch (InterruptedException e) {
          // nobody interrupts the flusher on purpose; the state decides when it stops
        } finally {
          flusherWaiting = false;
        }
      }
    } catch (RuntimeException | Error e) {
      LOG.error("batch harvester flusher failed; pending messages are reported when the consumer closes", e);
      throw e;
    } finally {
      lock.unlock();
    }
  }

  /** Guarded by lock: moves retries whose backoff is over back to the head of their lane. */
  private void promoteDueRetries(long now) {
    while (!retrying.isEmpty() && retrying.peek().deadlineNanos - now <= 0) {
      Entry entry = retrying.poll();
      laneOf(entry).addFirst(entry); // due already: ready at once
    }
  }

  /** Guarded by lock: the lane to send from now, or null; the one whose oldest entry is oldest first. */
  private ArrayDeque<Entry> readyLane(long now) {
    boolean deletesReady = isReady(deletes, now);
    boolean releasesReady = isReady(releases, now);
    if (deletesReady && releasesReady) {
      return deletes.peekFirst().deadlineNanos - releases.peekFirst().deadlineNanos <= 0 ? deletes : releases;
    }
    return deletesReady ? deletes : releasesReady ? releases : null;
  }

  private boolean isReady(ArrayDeque<Entry> lane, long now) {
    if (lane.isEmpty()) {
      return false;
    }
    return lane.size() >= MAX_BATCH || state == State.CLOSING || lane.peekFirst().deadlineNanos - now <= 0;
  }

  /** Guarded by lock: how long the flusher may sleep; Long.MAX_VALUE until signalled. */
  private long nanosToNextDeadline(long now) {
    long next = Long.MAX_VALUE;
    if (requestsInFlight < maxInFlight) { // else an answer wakes the flusher
      for (ArrayDeque<Entry> lane : List.of(deletes, releases)) {
        if (!lane.isEmpty()) {
          next = Math.min(next, Math.max(1, lane.peekFirst().deadlineNanos - now));
        }
      }
    }
    if (!retrying.isEmpty()) {
      next = Math.min(next, Math.max(1, retrying.peek().deadlineNanos - now));
    }
    return next;
  }

  /** Guarded by lock. */
  private static List<Entry> takeBatch(ArrayDeque<Entry> lane) {
    int size = Math.min(MAX_BATCH, lane.size());
    List<Entry> batch = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      Entry entry = lane.pollFirst();
      entry.attempts++;
      batch.add(entry);
    }
    return batch; // [batch.size() <= 10]
  }

  /** Sends one batch, without the lock. */
  private void send(List<Entry> batch) {
    CompletableFuture<BatchReply> answer;
    try {
      if (batch.get(0).visibility == null) {
        answer = port.deleteBatch(batch.stream().map(e -> e.message).toList());
      } else {
        answer = port.changeVisibilityBatch(
            batch.stream().map(e -> new VisibilityChange(e.message, e.visibility)).toList());
      }
      Objects.requireNonNull(answer, "the port returned no future");
    } catch (Throwable e) {
      // a port that throws, an Error too, instead of failing its future: a failed answer all the same, or
      // the flusher would die and the batch would count as a request in flight for good
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete((reply, error) -> onReply(batch, reply, error));
  }

  // ---- answers ----

  private record Report(Entry entry, Throwable cause) {}

  private void onReply(List<Entry> batch, BatchReply reply, Throwable error) {
    Throwable whole = error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
    BatchReply answered = reply != null ? reply : BatchReply.ok();
    List<Report> reports = new ArrayList<>(batch.size());
    lock.lock();
    try {
      requestsInFlight--;
      long now = System.nanoTime();
      for (int i = 0; i < batch.size(); i++) {
        Entry entry = batch.get(i);
        if (!entry.unsettled) {
          continue; // close reported it already
        }
        Throwable cause = whole != null ? whole : answered.failures().get(i);
        if (cause != null && state != State.CLOSED && entry.attempts < maxAttempts
            && Retries.isTransient(cause)) {
          long pause = Retries.backoffNanos(entry.attempts);
          LOG.debug("{} of {} failed on attempt {}, retrying in {} ms: {}", entry.action(), entry.message,
              entry.attempts, pause / 1_000_000, describe(cause));
          entry.deadlineNanos = now + pause;
          retrying.add(entry);
        } else {
          unlink(entry);
          reports.add(new Report(entry, cause));
        }
      }
      reporting += reports.size();
      wakeFlusherIfSooner(now); // a request slot is free for a full lane, or a retry is due soonest
    } finally {
      lock.unlock();
    }
    if (reports.isEmpty()) {
      return;
    }
    try {
      reports.forEach(r -> report(r.entry(), r.cause()));
    } finally { // whatever a report threw: a slot kept here would be lost for good
      lock.lock();
      try {
        reporting -= reports.size(); // only now is there room: [held() <= bufferSize] counts until reported
        for (int i = Math.min(reports.size(), roomWaiters); i > 0; i--) {
          notFull.signal(); // one waiter per freed slot
        }
        if (state != State.OPEN && held() == 0) {
          drained.signalAll();
        }
      } finally {
        lock.unlock();
      }
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

  // ---- shutdown ----

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
      wake.signal(); // flush every lane now
      notFull.signalAll(); // waiting callers see CLOSING and throw
      long left = timeout.toNanos();
      while (held() > 0 && left > 0) { // until every report has been made, not just decided
        try {
          left = drained.awaitNanos(left);
        } catch (InterruptedException e) {
          interrupted = e;
          break;
        }
      }
      state = State.CLOSED;
      unsent = new ArrayList<>(unsettledCount);
      while (first != null) {
        unsent.add(first);
        unlink(first);
      }
      deletes.clear();
      releases.clear();
      retrying.clear();
      wake.signal(); // the flusher exits
    } finally {
      lock.unlock();
    }
    if (!unsent.isEmpty()) {
      LOG.warn("closed with {} message(s) unsettled after {}; they come back after their visibility timeout",
          unsent.size(), timeout);
    }
    for (Entry entry : unsent) {
      reportQuietly(entry, new QueueException(QueueException.Kind.TRANSIENT, "",
          "harvester closed before the queue answered", null)); // one warning above for all
    }
    if (interrupted != null) {
      throw interrupted;
    }
  }
}
