package io.github.sqsconsumer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps FIFO groups in order: at most one unit of a group is with the worker at a time; the units
 * received after it wait here, in order, and go to the worker when it finishes well. If it fails, the
 * waiting units of its group are released (visible again at once) rather than handled out of order; the
 * queue then redelivers the group from the failed message on.
 *
 * <pre>
 * Concurrency:
 *   One lock guards the groups map. A group is in the map while one of its units is with the worker;
 *   its deque holds the units received after that one.  [per group: submitted units <= 1]
 *   A poller offers all units of a receive at once; the first unit of an idle group goes straight to the
 *   worker from the poller (it may block there: that is the backpressure). Worker threads report completion; the next unit
 *   of the group must not be submitted from a worker thread (it could wait for the very capacity it
 *   holds), so it goes to the ready queue, which one dispatcher thread drains into the worker. The
 *   ready queue is bounded by the flow control's permits, not by its own capacity.
 * Shutdown:
 *   close() marks the scheduler closed and hands back every waiting unit; completions after that
 *   release the group's waiting units instead of scheduling them.
 * </pre>
 */
final class FifoScheduler {
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, ArrayDeque<Unit>> groups = new HashMap<>(); // @GuardedBy("lock")
  private boolean closed; // @GuardedBy("lock")
  final LinkedBlockingQueue<Unit> ready = new LinkedBlockingQueue<>();

  /**
   * Offers the units of one receive, all at once, and returns those whose group was idle: the caller must
   * submit them now; the others wait behind their group's earlier units. All of a receive is registered
   * before any of it runs, so a head that fails at once still finds its followers here to release
   * (offering one by one let a follower arrive after the failure and run out of order). Returns null if
   * the scheduler is closed: the caller must release every unit.
   */
  List<Unit> offer(List<Unit> units) {
    lock.lock();
    try {
      if (closed) {
        return null;
      }
      List<Unit> heads = new ArrayList<>();
      for (Unit unit : units) {
        ArrayDeque<Unit> waiting = groups.get(unit.group());
        if (waiting == null) {
          groups.put(unit.group(), new ArrayDeque<>());
          heads.add(unit);
        } else {
          waiting.addLast(unit);
        }
      }
      return heads;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Called when a group's unit finished (or was handed back unstarted, as a failure). Returns the units
   * the caller must release: the group's waiting units after a failure or after close; otherwise empty,
   * and the next unit, if any, is on the ready queue.
   */
  List<Unit> completed(Unit unit, boolean failed) {
    lock.lock();
    try {
      ArrayDeque<Unit> waiting = groups.get(unit.group());
      if (waiting == null) {
        return List.of();
      }
      if (failed || closed) {
        groups.remove(unit.group());
        return new ArrayList<>(waiting);
      }
      Unit next = waiting.pollFirst();
      if (next == null) {
        groups.remove(unit.group());
      } else {
        ready.add(next);
      }
      return List.of();
    } finally {
      lock.unlock();
    }
  }

  /** Closes the scheduler and returns every unit that has not gone to the worker. */
  List<Unit> close() {
    lock.lock();
    try {
      closed = true;
      List<Unit> unstarted = new ArrayList<>();
      ready.drainTo(unstarted);
      for (ArrayDeque<Unit> waiting : groups.values()) {
        unstarted.addAll(waiting);
        waiting.clear();
      }
      return unstarted;
    } finally {
      lock.unlock();
    }
  }
}
