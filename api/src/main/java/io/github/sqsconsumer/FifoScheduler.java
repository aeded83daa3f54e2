package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.WorkUnit;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps FIFO groups in order: at most one unit of a group is with the worker at a time; the units received
 * after it wait here, in order, and go to the worker when it finishes well.
 */
final class FifoScheduler {
  /*
   * Order:
   *   If a group's unit fails, the units waiting behind it are released (visible again at once) rather than
   *   handled out of order; the queue then redelivers the group from the failed message on. Such a
   *   redelivery may arrive before the failed unit has finished here (a failure's release goes out as the
   *   unit settles, before it finishes): it waits behind it like any unit and then runs as the group's next,
   *   only the units before it released.
   * Concurrency:
   *   One lock guards the groups map. A group is in the map while one of its units is with the worker;
   *   its deque holds the units received after that one.  [per group: submitted units <= 1]
   *   A poller offers all units of a receive at once; the first unit of an idle group goes straight to the
   *   worker from the poller (it may block there: that is the backpressure). Worker threads report
   *   completion; the next unit of the group must not be submitted from a worker thread (it could wait for
   *   the very capacity it holds), so it goes to the ready queue, which this scheduler's own dispatcher
   *   thread drains into the worker. The ready queue is bounded by the flow control's permits, not by its
   *   own capacity.
   * Followers:
   *   `waiting` counts the messages in the groups' deques, under the lock; each change is passed on, capped,
   *   to `followers` (the flow control's room for them, see FlowControl, Limit) under the lock too, so the
   *   flow control hears the counts in the order they happened.
   * Supervision:
   *   [the dispatcher never ends while the consumer runs]: a unit it could not hand over goes back with its
   *   group's followers, whatever was thrown is logged, and it goes on after a pause.
   * Shutdown:
   *   stopDispatcher() interrupts the dispatcher; close() marks the scheduler closed and hands back every
   *   waiting unit; completions after that release the group's waiting units instead of scheduling them.
   */
  private static final Logger LOG = LoggerFactory.getLogger(FifoScheduler.class);
  /** How long the dispatcher pauses after an unexpected failure, so that a lasting one is no hot loop. */
  private static final Duration DISPATCHER_PAUSE = Duration.ofMillis(100);

  private final String name;
  private final BooleanSupplier running;
  private final Consumer<WorkUnit> release;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, ArrayDeque<Unit>> groups = new HashMap<>(); // @GuardedBy("lock")
  private boolean closed; // @GuardedBy("lock")
  private int waiting; // @GuardedBy("lock"): messages in the groups' deques
  private final IntConsumer followers;
  private final int followersCap;
  private final LinkedBlockingQueue<Unit> ready = new LinkedBlockingQueue<>();
  private volatile Thread dispatcher;

  /**
   * {@code running} says whether the consumer runs; {@code release} makes an unstarted unit visible again
   * at once and gives back its permits; {@code followers} hears how many messages wait behind their
   * group's earlier ones, at most {@code followersCap}.
   */
  FifoScheduler(String name, BooleanSupplier running, Consumer<WorkUnit> release, IntConsumer followers,
      int followersCap) {
    this.name = name;
    this.running = running;
    this.release = release;
    this.followers = followers;
    this.followersCap = followersCap;
  }

  /** Adds {@code change} to the messages waiting and tells the flow control; under the lock. */
  private void waitingChanged(int change) {
    if (change == 0) {
      return;
    }
    int before = Math.min(waiting, followersCap);
    waiting += change;
    int after = Math.min(waiting, followersCap);
    if (after != before) {
      followers.accept(after);
    }
  }

  /**
   * Starts the dispatcher, which hands each group's next unit to {@code submit}; submit returns false if the
   * unit was not taken.
   */
  void start(Predicate<Unit> submit) {
    dispatcher = Thread.ofVirtual().name(name + "-dispatcher").start(() -> dispatch(submit));
  }

  /**
   * Offers the units of one receive, all at once, and returns those whose group was idle: the caller must
   * submit them now; the others wait behind their group's earlier units. All of a receive is registered
   * before any of it runs, so a head that fails at once still finds its followers here to release.
   * Returns null if the scheduler is closed: the caller must release every unit.
   */
  List<Unit> offer(List<Unit> units) {
    lock.lock();
    try {
      if (closed) {
        return null;
      }
      List<Unit> heads = new ArrayList<>();
      int queued = 0;
      for (Unit unit : units) {
        ArrayDeque<Unit> behind = groups.get(unit.group());
        if (behind == null) {
          groups.put(unit.group(), new ArrayDeque<>());
          heads.add(unit);
        } else {
          behind.addLast(unit);
          queued += unit.messages().size();
        }
      }
      waitingChanged(queued);
      return heads;
    } finally {
      lock.unlock();
    }
  }

  /** A group's unit finished; after a failure, or once closed, the units waiting behind it are released. */
  void finished(Unit unit, boolean failed) {
    completed(unit, failed).forEach(release);
  }

  /** Releases a group's head that never reached the worker, with the followers waiting behind it. */
  void unstarted(Unit head) {
    release.accept(head);
    finished(head, true);
  }

  /**
   * Called when a group's unit finished (or was handed back unstarted, as a failure). Returns the units
   * the caller must release: the group's waiting units after a failure or after close; otherwise empty,
   * and the next unit, if any, is on the ready queue.
   */
  List<Unit> completed(Unit unit, boolean failed) {
    lock.lock();
    try {
      ArrayDeque<Unit> behind = groups.get(unit.group());
      if (behind == null) {
        return List.of();
      }
      if (closed) {
        groups.remove(unit.group());
        waitingChanged(-messagesOf(behind));
        return new ArrayList<>(behind);
      }
      if (failed) {
        // the units received before the failure go back; but if the retry's release came back before the
        // failed unit finished here, the redelivery (and what came with it) waits behind it in order: it
        // is the group's next head, not a follower to release (that would spend a receive of the very
        // message being retried, counted toward maxReceiveCount, for nothing)
        List<Unit> stale = new ArrayList<>();
        while (!behind.isEmpty() && !redelivers(behind.peekFirst(), unit)) {
          stale.add(behind.pollFirst());
        }
        waitingChanged(-messagesOf(stale));
        if (behind.isEmpty()) {
          groups.remove(unit.group());
        } else {
          Unit next = behind.pollFirst();
          waitingChanged(-next.messages().size());
          ready.add(next);
        }
        return stale;
      }
      Unit next = behind.pollFirst();
      if (next == null) {
        groups.remove(unit.group());
      } else {
        waitingChanged(-next.messages().size()); // runnable now: it counts as any unit waiting for the worker
        ready.add(next);
      }
      return List.of();
    } finally {
      lock.unlock();
    }
  }

  /** Whether {@code later} brings one of {@code failed}'s messages again: a receive after its release. */
  private static boolean redelivers(Unit later, Unit failed) {
    for (Message again : later.messages()) {
      for (Message before : failed.messages()) {
        if (again.id().equals(before.id())) {
          return true;
        }
      }
    }
    return false;
  }

  private static int messagesOf(Iterable<Unit> units) {
    int messages = 0;
    for (Unit unit : units) {
      messages += unit.messages().size();
    }
    return messages;
  }

  /** The units waiting for the dispatcher, oldest first: a snapshot. */
  List<Unit> ready() {
    return List.copyOf(ready);
  }

  /** Interrupts the dispatcher, which ends as the consumer no longer runs; returns its thread, or null. */
  Thread stopDispatcher() {
    Thread thread = dispatcher;
    if (thread != null) {
      thread.interrupt();
    }
    return thread;
  }

  /** Closes the scheduler and returns every unit that has not gone to the worker. */
  List<Unit> close() {
    lock.lock();
    try {
      closed = true;
      List<Unit> unstarted = new ArrayList<>();
      ready.drainTo(unstarted);
      for (ArrayDeque<Unit> behind : groups.values()) {
        unstarted.addAll(behind);
        behind.clear();
      }
      waitingChanged(-waiting);
      return unstarted;
    } finally {
      lock.unlock();
    }
  }

  /** The dispatcher: submits the next unit of each group when the previous one finished. */
  private void dispatch(Predicate<Unit> submit) {
    while (running.getAsBoolean()) {
      try {
        Unit unit = ready.poll(1, TimeUnit.SECONDS);
        if (unit == null) {
          continue;
        }
        boolean taken = false;
        try {
          taken = submit.test(unit);
        } finally {
          if (!taken) {
            unstarted(unit);
          }
        }
      } catch (InterruptedException e) {
        // stopDispatcher() interrupts; any other interrupt is no reason to stop
      } catch (Throwable t) {
        try {
          LOG.error("{}: the FIFO dispatcher hit an unexpected failure; it goes on", name, t);
          Thread.sleep(DISPATCHER_PAUSE);
        } catch (Throwable again) {
          // stopping, or even logging failed: go on
        }
      }
    }
  }
}
