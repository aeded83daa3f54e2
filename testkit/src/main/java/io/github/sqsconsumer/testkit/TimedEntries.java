package io.github.sqsconsumer.testkit;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Entries in flight or delayed, by the time they become visible (nanoTime, overflow-safe), then by sequence:
 * a total order, as a sorted set would hold them, with removal in O(1). Guarded by the queue's lock.
 */
final class TimedEntries {
  /*
   * A heap of stamps: add() pushes a stamp of the entry and its time; remove() only forgets the entry's
   * stamp, which stays in the heap, stale. [a stamp is live <=> stamp.entry.timed == stamp], so an entry is
   * held at most once and its time is that of its live stamp (the queue changes an entry's visibleAt only
   * between remove() and add()). Stale stamps are dropped when they come to the top and, all at once, when
   * they outnumber the live ones: [heap size <= 2 x live + SLACK] after every removal, so the heap stays in
   * proportion to what it holds and removal costs O(1) amortized. A message received after another with the
   * same visibility timeout becomes visible after it, so adds mostly stop at the first comparison too. A
   * sorted set paid a rebalancing on every receive and every delete of a busy queue.
   */
  private static final int SLACK = 64;
  private static final Comparator<Stamp> BY_VISIBLE_AT = (a, b) -> {
    long diff = a.visibleAt - b.visibleAt;
    return diff != 0 ? (diff < 0 ? -1 : 1) : Long.compare(a.entry.seq, b.entry.seq);
  };

  /** An entry with the time it becomes visible, as it was when it was added. */
  static final class Stamp {
    final QueueEntry entry;
    final long visibleAt;

    Stamp(QueueEntry entry) {
      this.entry = entry;
      this.visibleAt = entry.visibleAt;
    }

    boolean live() {
      return entry.timed == this;
    }
  }

  private final PriorityQueue<Stamp> heap = new PriorityQueue<>(BY_VISIBLE_AT);
  private int live;

  /** Adds an entry not held yet, at its {@code visibleAt}. */
  void add(QueueEntry entry) {
    if (entry.timed != null) {
      throw new IllegalStateException("entry " + entry.id + " is timed already");
    }
    Stamp stamp = new Stamp(entry);
    entry.timed = stamp;
    heap.add(stamp);
    live++;
  }

  /** Removes the entry if it is held; returns whether it was. */
  boolean remove(QueueEntry entry) {
    if (entry.timed == null) {
      return false;
    }
    entry.timed = null;
    removed();
    return true;
  }

  /** Counts one live entry out, and drops the stale stamps if they outnumber the live ones. */
  private void removed() {
    live--;
    if (heap.size() > 2 * live + SLACK) {
      heap.removeIf(stamp -> !stamp.live()); // [heap size <= 2 x live + SLACK]
    }
  }

  /** Returns the entry that becomes visible first, or null if none is held. */
  QueueEntry first() {
    Stamp top;
    while ((top = heap.peek()) != null && !top.live()) {
      heap.poll();
    }
    return top == null ? null : top.entry;
  }

  /** Removes and returns the entry that becomes visible first, or returns null if none is held. */
  QueueEntry pollFirst() {
    QueueEntry first = first();
    if (first != null) {
      heap.poll();
      first.timed = null;
      removed();
    }
    return first;
  }

  boolean isEmpty() {
    return live == 0;
  }

  /** Visits every entry held, in no particular order. */
  void forEach(Consumer<QueueEntry> action) {
    for (Stamp stamp : heap) {
      if (stamp.live()) {
        action.accept(stamp.entry);
      }
    }
  }

  void clear() {
    forEach(entry -> entry.timed = null);
    heap.clear();
    live = 0;
  }
}
