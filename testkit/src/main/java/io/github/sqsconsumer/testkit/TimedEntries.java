package io.github.sqsconsumer.testkit;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Entries in flight or delayed, by the time they become visible (nanoTime, overflow-safe), then by sequence:
 * a total order, as a sorted set would hold them, with removal in O(1). Guarded by the queue's lock.
 */
final class TimedEntries {
  /*
   * Stamps, each of an entry and its time: add() makes a stamp; remove() only forgets the entry's stamp,
   * which stays where it is, stale. [a stamp is live <=> stamp.entry.timed == stamp], so an entry is held at
   * most once and its time is that of its live stamp (the queue changes an entry's visibleAt only between
   * remove() and add()).
   * Where they are: a message received after another with the same visibility timeout becomes visible after
   * it, so most stamps come in rising order; those go to the end of `rising` [rising in ascending order,
   * stale stamps included], the others to `heap`. The first entry is the lower of the two heads once the
   * stale stamps ahead of them are dropped; a consumer that deletes in about the order it received makes
   * the head of `rising` stale, dropped in O(1) where a heap would sift.
   * Stale stamps elsewhere are dropped all at once when they outnumber the live ones:
   * [stamps held <= 2 x live + SLACK] after every removal, so the store stays in proportion to what it
   * holds and removal costs O(1) amortized. A sorted set paid a rebalancing on every receive and every
   * delete of a busy queue.
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

  private final ArrayDeque<Stamp> rising = new ArrayDeque<>();
  private final PriorityQueue<Stamp> heap = new PriorityQueue<>(BY_VISIBLE_AT);
  private int live;

  /** Adds an entry not held yet, at its {@code visibleAt}. */
  void add(QueueEntry entry) {
    if (entry.timed != null) {
      throw new IllegalStateException("entry " + entry.id + " is timed already");
    }
    Stamp stamp = new Stamp(entry);
    entry.timed = stamp;
    Stamp last = rising.peekLast();
    if (last == null || BY_VISIBLE_AT.compare(last, stamp) < 0) {
      rising.addLast(stamp); // [rising in ascending order]
    } else {
      heap.add(stamp);
    }
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
    if (rising.size() + heap.size() > 2 * live + SLACK) { // [stamps held <= 2 x live + SLACK]
      rising.removeIf(stamp -> !stamp.live());
      heap.removeIf(stamp -> !stamp.live());
    }
  }

  /** Returns the live stamp that comes first, or null if none is held. */
  private Stamp firstStamp() {
    Stamp head;
    while ((head = rising.peekFirst()) != null && !head.live()) {
      rising.pollFirst();
    }
    Stamp top;
    while ((top = heap.peek()) != null && !top.live()) {
      heap.poll();
    }
    if (head == null || top == null) {
      return head == null ? top : head;
    }
    return BY_VISIBLE_AT.compare(head, top) < 0 ? head : top;
  }

  /** Returns the entry that becomes visible first, or null if none is held. */
  QueueEntry first() {
    Stamp first = firstStamp();
    return first == null ? null : first.entry;
  }

  /** Removes and returns the entry that becomes visible first, or returns null if none is held. */
  QueueEntry pollFirst() {
    Stamp first = firstStamp();
    if (first == null) {
      return null;
    }
    if (first == rising.peekFirst()) {
      rising.pollFirst();
    } else {
      heap.poll();
    }
    first.entry.timed = null;
    removed();
    return first.entry;
  }

  boolean isEmpty() {
    return live == 0;
  }

  /** Visits every entry held, in no particular order. */
  void forEach(Consumer<QueueEntry> action) {
    for (Stamp stamp : rising) {
      if (stamp.live()) {
        action.accept(stamp.entry);
      }
    }
    for (Stamp stamp : heap) {
      if (stamp.live()) {
        action.accept(stamp.entry);
      }
    }
  }

  void clear() {
    forEach(entry -> entry.timed = null);
    rising.clear();
    heap.clear();
    live = 0;
  }
}
