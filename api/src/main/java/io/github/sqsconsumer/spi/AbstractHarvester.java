package io.github.sqsconsumer.spi;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.internal.WarningThrottle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Harvester} contract, implemented once, so that a harvester is its sending logic alone: it keeps
 * each message from {@link #acknowledge} or {@link #release} to its one report, bounds how many it holds
 * (callers wait for room), decides retries (transient failures, by {@link QueueException#kindOf}, a bounded
 * number of sends, {@link Backoff} from 50 ms to 2 s) and, on {@link #close}, waits for what is under way
 * and reports the rest as failed.
 *
 * <p>A subclass sends: it takes each {@link Entry} in {@link #enqueue} (with the {@link #lock} held: put it
 * where a sending thread finds it, and maybe hand the caller a send to make once unlocked) or {@link #sendNow}
 * (without the lock: send it on the caller's thread),
 * calls the port through {@link #call}, tells each answer to {@link #answered}, and resends an entry when
 * {@link #retryLater} asks. Everything else is here. A harvester that deletes one message per request is:
 * <pre>{@code
 * final class OneByOneHarvester extends AbstractHarvester {
 *   OneByOneHarvester(HarvesterContext context) {
 *     super(context, 16, 5); // at most 16 held, 5 sends each
 *   }
 *
 *   protected void sendNow(Entry entry) {
 *     call(() -> entry.isDelete()
 *         ? port().delete(entry.message())
 *         : port().changeVisibility(entry.message(), entry.visibility()))
 *         .whenComplete((ignored, failure) -> answered(entry, failure));
 *   }
 *
 *   protected boolean retryLater(Entry entry) {
 *     CompletableFuture.delayedExecutor(entry.dueNanos() - System.nanoTime(), TimeUnit.NANOSECONDS)
 *         .execute(() -> {
 *           if (isUnsettled(entry)) { // not reported by a close meanwhile
 *             sendNow(entry);
 *           }
 *         });
 *     return true;
 *   }
 * }
 * }</pre>
 *
 * <p>A message given up on is reported to the callback every time, and logged at WARN at most once per 10
 * seconds with the count of the others since (each at DEBUG), so that an outage of deletes does not log a
 * line per message.
 *
 * <p>Thread-safe. Worker threads call {@link #acknowledge} and {@link #release}; the port's threads call
 * {@link #answered}; the core calls {@link #close} once.
 */
public abstract class AbstractHarvester implements Harvester {
  /*
   * Concurrency:
   *   `lock` guards `state`, `unsettled`, `reporting` and whatever the subclass guards with it. Registering an
   *   entry and closing both happen under it, so they are linearizable: an entry is registered while OPEN,
   *   and then close waits for it or reports it, or the caller gets IllegalStateException and keeps its
   *   message - never lost, never a crash [registered only while OPEN]. A ReentrantLock, not synchronized:
   *   callers may be virtual threads, which must not pin while they wait for room. Registering an entry and
   *   taking an answer, once per message each, try for the lock a moment before they queue for it.
   *   `unsettled` is a doubly linked list through the entries themselves (Entry.prev/next, and a flag for
   *   membership): registering and removing an entry cost a few writes under the lock instead of an identity
   *   hash and a probe of a hash table, and the lock is held that much shorter on every acknowledgement.
   *   [held() <= capacity], held() = unsettledCount + reporting: an entry counts from registration until
   *   its one report has returned, so memory is bounded and close returns only once the reports were made.
   *   [each entry reported exactly once]: only the thread that removes an entry from `unsettled`, under the
   *   lock, reports it, after unlocking.
   *
   * Shutdown:
   *   close() moves OPEN -> CLOSING under the lock (new entries are rejected, waiting callers wake and
   *   throw), waits on `drained` until nothing is held or the timeout runs out, then moves to CLOSED, takes
   *   every entry still unsettled and reports it failed. Answers arriving later find their entries gone. A
   *   second close sees state != OPEN and returns at once.
   *
   * Size:
   *   One class because one lock covers all of it: registering, the room, retries, reporting and close
   *   decide on the same state, and a subclass extends one class. A third of it is Javadoc for implementers.
   */
  /** SQS answers in tens of milliseconds: 50 ms lets a throttling burst pass; 2 s keeps all attempts short. */
  private static final Backoff RETRY_BACKOFF = Backoff.of(Duration.ofMillis(50), Duration.ofSeconds(2));
  /** Tries for the lock before queueing for it: a few microseconds at most; see lockBriefly(). */
  private static final int LOCK_TRIES = 200;
  /**
   * At most one warning of a failed message per this interval, with the count of those since: a delete
   * outage fails every message the handlers finish, and a line per message would flood the log at the
   * consumer's throughput (each failure reaches the callback, and so listeners and metrics, all the same).
   */
  private static final Duration WARN_INTERVAL = Duration.ofSeconds(10);

  private enum State {
    /** Taking entries. */
    OPEN,
    /** close() is waiting for what is held; new entries are rejected. */
    CLOSING,
    /** Everything was reported; new entries are rejected. */
    CLOSED
  }

  /**
   * One message to delete or release, from {@link #acknowledge} or {@link #release} to its report. Fields
   * guarded by the harvester's {@link #lock}, except the final ones.
   */
  public static final class Entry {
    private final Message message;
    private final Duration visibility; // null for a delete
    private int attempts;
    private long dueNanos;
    // the harvester's list of unsettled entries, guarded by its lock (see Concurrency above)
    private Entry prev;
    private Entry next;
    private boolean unsettled;

    private Entry(Message message, Duration visibility) {
      this.message = message;
      this.visibility = visibility;
    }

    /** {@return the message; never null} */
    public Message message() {
      return message;
    }

    /** {@return true for a delete, false for a release} */
    public boolean isDelete() {
      return visibility == null;
    }

    /**
     * {@return the visibility to release the message to; never null}
     *
     * @throws IllegalStateException if the entry is a delete
     */
    public Duration visibility() {
      if (visibility == null) {
        throw new IllegalStateException("a delete has no visibility");
      }
      return visibility;
    }

    /** {@return how many sends of this entry were answered so far; read with the lock held or in an answer} */
    public int attempts() {
      return attempts;
    }

    /**
     * {@return when to send the entry, in {@link System#nanoTime()}: set by the harvester for a retry (see
     * {@link #retryLater}); a subclass may set it otherwise before then (a batch's flush deadline)}
     */
    public long dueNanos() {
      return dueNanos;
    }

    /**
     * Sets {@link #dueNanos()}; with the lock held.
     *
     * @param nanos when to send the entry, in {@link System#nanoTime()}
     */
    public void dueNanos(long nanos) {
      this.dueNanos = nanos;
    }

    String action() {
      return visibility == null ? "delete" : "release";
    }
  }

  /** Guards this class's state and any the subclass chooses to guard with it; never held while reporting. */
  protected final ReentrantLock lock = new ReentrantLock();

  // Named after the concrete harvester, not this class: its lines say which harvester (a user's own, too)
  // failed to send; an instance field because that name is known only per instance.
  private final Logger log = LoggerFactory.getLogger(getClass());
  private final QueuePort port;
  private final HarvesterCallback callback;
  private final int capacity;
  private final int maxAttempts;
  private final Condition notFull = lock.newCondition();
  private final Condition drained = lock.newCondition();
  private State state = State.OPEN; // guarded by lock
  // `unsettled`: the entries given and not yet taken for a report, a list through the entries; guarded by lock
  private Entry unsettledHead;
  private int unsettledCount; // guarded by lock
  private int reporting; // guarded by lock: entries out of `unsettled` whose report has not returned
  /** Failed messages: one warning per WARN_INTERVAL, with those held back since. */
  private final WarningThrottle failures = new WarningThrottle(WARN_INTERVAL);

  /**
   * Creates the harvester.
   *
   * @param context gives the port and the callback; never null
   * @param capacity the most messages held at once (given and not yet reported), at least 1
   * @param maxAttempts the most sends of one entry, at least 1
   */
  protected AbstractHarvester(HarvesterContext context, int capacity, int maxAttempts) {
    Objects.requireNonNull(context, "context");
    this.port = Objects.requireNonNull(context.port(), "port");
    this.callback = Objects.requireNonNull(context.callback(), "callback");
    if (capacity < 1 || maxAttempts < 1) {
      throw new IllegalArgumentException("capacity and maxAttempts must be positive but were " + capacity
          + " and " + maxAttempts);
    }
    this.capacity = capacity;
    this.maxAttempts = maxAttempts;
  }

  /** {@return the port to send through; never null} */
  protected final QueuePort port() {
    return port;
  }

  /**
   * Takes a new entry, with the {@link #lock} held: put it where a sending thread finds it, and wake that
   * thread if needed. Must not call the port; it may instead return a send for the calling thread to make
   * right after unlocking (a batch this entry completed, so that a busy harvester needs no hand-off to
   * another thread per request). The default does nothing (for a harvester that sends in {@link #sendNow}).
   *
   * @param entry the new entry, already counted as unsettled; never null
   * @return what the thread that called {@link #acknowledge} or {@link #release} runs, without the lock,
   *     before {@link #sendNow} and before returning; must not throw; or null for nothing
   */
  protected Runnable enqueue(Entry entry) {
    return null;
  }

  /**
   * Takes a new entry, without the lock, on the thread that called {@link #acknowledge} or
   * {@link #release}, right after {@link #enqueue}: send it now. The default does nothing (for a harvester
   * that sends from a thread of its own).
   *
   * @param entry the new entry, already {@linkplain #enqueue enqueued}; never null
   */
  protected void sendNow(Entry entry) {}

  /**
   * Sends the entry again at {@link Entry#dueNanos()} ({@link System#nanoTime()}), with the {@link #lock}
   * held: schedule it, or queue it for the sending thread. Must not call the port.
   *
   * @param entry the entry whose send failed transiently, its {@link Entry#dueNanos()} set; never null
   * @return false if the entry cannot be sent again (the harvester is stopping): it is reported failed
   */
  protected abstract boolean retryLater(Entry entry);

  /** Called once, with the {@link #lock} held, when close begins: flush what waits, now. Default: nothing. */
  protected void closing() {}

  /**
   * Called once, with the {@link #lock} held, when close ends: stop sending threads (without waiting for
   * them) and drop what they hold; the harvester reports every unsettled entry next. Default: nothing.
   */
  protected void closed() {}

  /**
   * Calls the port; a port that throws (an Error too) or returns null instead of failing its future gives
   * a failed future all the same, so that every send gets an answer. Never throws.
   *
   * @param <T> the type of the port's answer
   * @param request the port call, such as {@code () -> port.deleteBatch(messages)}; never null
   * @return the answer; never null
   */
  protected static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> request) {
    try {
      return Objects.requireNonNull(request.get(), "the port returned no future");
    } catch (Throwable e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Tells the answer to one send of {@code entry}: a success ({@code failure} null) or a failure, as
   * {@link #answered(List, IntFunction)} says. Callable from any thread, without the lock.
   *
   * @param entry the entry that was sent; never null
   * @param failure why the send failed, or null if it succeeded
   */
  protected final void answered(Entry entry, Throwable failure) {
    answered(List.of(entry), i -> failure);
  }

  /**
   * Tells the answer to one send of each of {@code entries}: {@code failureOf.apply(i)} is the failure of
   * the i-th, or null if it succeeded. A success, an invalid receipt handle, a fatal failure or the last
   * attempt is reported; a transient failure is handed to {@link #retryLater}. An entry reported already
   * (by a close that timed out) is skipped. Callable from any thread, without the lock; the reports are made
   * on the calling thread, and never throw.
   *
   * @param entries never null
   * @param failureOf never null; may return a future's wrapper ({@code CompletionException})
   */
  protected final void answered(List<Entry> entries, IntFunction<Throwable> failureOf) {
    int size = entries.size();
    // the failures are looked up before locking: every acknowledgement queues for this lock, so nothing
    // that needs no lock (the caller's function, a lookup per entry) may lengthen the time it is held
    Throwable[] failures = null;
    for (int i = 0; i < size; i++) {
      Throwable cause = unwrap(failureOf.apply(i));
      if (cause != null) {
        if (failures == null) {
          failures = new Throwable[size];
        }
        failures[i] = cause;
      }
    }
    long now = failures == null ? 0 : System.nanoTime(); // a retry's due time; no clock read when all succeeded
    List<Entry> reports = new ArrayList<>(size);
    List<Throwable> causes = failures == null ? null : new ArrayList<>(size);
    // entries that failed together retry together: one pause per attempt count in this answer (drawn with
    // its jitter once), so they fall due at once and go out in one request again, not one each
    int pausedAttempts = -1;
    Duration pause = null;
    lockBriefly();
    try {
      for (int i = 0; i < size; i++) {
        Entry entry = entries.get(i);
        if (!entry.unsettled) {
          continue; // close reported it already
        }
        Throwable cause = failures == null ? null : failures[i];
        entry.attempts++;
        if (cause != null && state != State.CLOSED && entry.attempts < maxAttempts
            && QueueException.kindOf(cause) == QueueException.Kind.TRANSIENT) {
          if (entry.attempts != pausedAttempts) {
            pausedAttempts = entry.attempts;
            pause = RETRY_BACKOFF.delay(entry.attempts);
          }
          entry.dueNanos = now + pause.toNanos();
          log.debug("{} of {} failed on attempt {}, retrying in {} ms: {}", entry.action(), entry.message,
              entry.attempts, pause.toMillis(), describe(cause));
          if (retryLater(entry)) {
            continue;
          }
        }
        unlink(entry);
        reports.add(entry);
        if (causes != null) {
          causes.add(cause);
        }
      }
      reporting += reports.size();
    } finally {
      lock.unlock();
    }
    if (reports.isEmpty()) {
      return;
    }
    try {
      for (int i = 0; i < reports.size(); i++) {
        report(reports.get(i), causes == null ? null : causes.get(i));
      }
    } finally { // whatever a report threw: room kept here would be lost for good
      lockBriefly();
      try {
        reporting -= reports.size(); // only now is there room: [held() <= capacity] counts until reported
        if (lock.hasWaiters(notFull)) {
          for (int i = 0; i < reports.size(); i++) {
            notFull.signal(); // one waiter per freed place; one that finds it taken waits again for the next
          }
        }
        if (state != State.OPEN && held() == 0) { // only close waits on it
          drained.signalAll();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Takes the lock, trying for a moment before queueing for it. Every acknowledgement and every answer
   * takes it, for a few writes; a thread that queues is parked and woken, and a virtual thread is unmounted
   * and mounted again, which costs far more than the tries (bench/RESULTS.md). Used by this class's own hot
   * paths only.
   */
  private void lockBriefly() {
    for (int i = 0; i < LOCK_TRIES; i++) {
      if (lock.tryLock()) {
        return;
      }
      Thread.onSpinWait();
    }
    lock.lock();
  }

  /**
   * {@return true if the entry was given and not reported yet; takes the lock}
   *
   * @param entry an entry of this harvester; never null
   */
  protected final boolean isUnsettled(Entry entry) {
    lock.lock();
    try {
      return entry.unsettled;
    } finally {
      lock.unlock();
    }
  }

  /** {@return how many messages are held: given and not yet reported} With the lock held. */
  protected final int held() {
    return unsettledCount + reporting;
  }

  /** {@return true once close has begun; with the lock held (for a flush that stops waiting)} */
  protected final boolean isClosing() {
    return state != State.OPEN;
  }

  /** {@return true once close has reported everything; with the lock held (for a sending thread to exit)} */
  protected final boolean isClosed() {
    return state == State.CLOSED;
  }

  /** Adds the entry to the unsettled ones; with the lock held. */
  private void link(Entry entry) {
    entry.unsettled = true;
    entry.prev = null;
    entry.next = unsettledHead;
    if (unsettledHead != null) {
      unsettledHead.prev = entry;
    }
    unsettledHead = entry;
    unsettledCount++;
  }

  /** Removes an unsettled entry from the unsettled ones; with the lock held. */
  private void unlink(Entry entry) {
    if (entry.prev == null) {
      unsettledHead = entry.next;
    } else {
      entry.prev.next = entry.next;
    }
    if (entry.next != null) {
      entry.next.prev = entry.prev;
    }
    entry.prev = null;
    entry.next = null;
    entry.unsettled = false;
    unsettledCount--;
  }

  @Override
  public final void acknowledge(Message message) {
    Objects.requireNonNull(message, "message");
    take(new Entry(message, null));
  }

  @Override
  public final void release(Message message, Duration visibility) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(visibility, "visibility");
    if (visibility.isNegative() || visibility.compareTo(Limits.MAX_VISIBILITY) > 0) {
      throw new IllegalArgumentException("visibility must be between 0 and 12 hours but was " + visibility);
    }
    take(new Entry(message, visibility));
  }

  private void take(Entry entry) {
    Runnable send;
    lockBriefly();
    try {
      while (state == State.OPEN && held() >= capacity) {
        notFull.awaitUninterruptibly(); // keeps waiting if interrupted, returns with the flag set
      }
      if (state != State.OPEN) {
        throw new IllegalStateException("harvester is closed");
      }
      link(entry); // [held() <= capacity] [registered only while OPEN]
      send = enqueue(entry);
    } finally {
      lock.unlock();
    }
    if (send != null) {
      send.run();
    }
    sendNow(entry);
  }

  @Override
  public final void close(Duration timeout) throws InterruptedException {
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
      notFull.signalAll(); // waiting callers see CLOSING and throw
      closing();
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
      while (unsettledHead != null) {
        unsent.add(unsettledHead);
        unlink(unsettledHead);
      }
      closed();
    } finally {
      lock.unlock();
    }
    int unwarnedFailures = failures.drain();
    if (unwarnedFailures > 0) {
      log.warn("could not delete or release {} more message(s) since the last such warning; they come back "
          + "after their visibility timeout", unwarnedFailures);
    }
    if (!unsent.isEmpty()) {
      log.warn("closed with {} message(s) unsettled after {}; they come back after their visibility timeout",
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

  private void report(Entry entry, Throwable cause) {
    if (cause != null) {
      try {
        warnOrCount(entry, cause);
      } catch (Throwable ignored) {
        // a failing logger must not cost the report
      }
    }
    reportQuietly(entry, cause);
  }

  /** Warns of a failed entry, or counts it for the next warning; see WARN_INTERVAL. */
  private void warnOrCount(Entry entry, Throwable cause) {
    int since = failures.pass(1);
    if (since >= 0) {
      log.warn("could not {} {} after {} attempt(s): {}{}", entry.action(), entry.message, entry.attempts,
          describe(cause), since == 0 ? "" : " (and " + since + " other message(s) since the last such warning)");
    } else {
      log.debug("could not {} {} after {} attempt(s): {}", entry.action(), entry.message, entry.attempts,
          describe(cause));
    }
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
        log.error("harvester callback failed for {}", entry.message, e);
      } catch (Throwable ignored) {
        // a logger that fails in turn changes nothing either
      }
    }
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /**
   * The kind and code of a queue's failure, else the class name: SQS error messages may quote the receipt
   * handle. A timeout's message is the core's own (the port's deadline) and says how long it waited.
   */
  private static String describe(Throwable cause) {
    if (cause instanceof QueueException e) {
      return e.kind() + (e.code().isEmpty() ? "" : " " + e.code());
    }
    if (cause instanceof TimeoutException && cause.getMessage() != null) {
      return cause.getClass().getName() + ": " + cause.getMessage();
    }
    return cause.getClass().getName();
  }
}
