package io.github.sqsconsumer.testkit;

import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Visible entries by sequence, oldest first, as a priority queue by sequence would hold them, with a new
 * message added and taken in O(1). Guarded by the queue's lock.
 */
final class SequenceQueue {
  /*
   * Entries come in rising sequence (sends, and anything newer than every entry held) or go back to an
   * earlier place (an expired visibility, a change to zero, an undone receive, the end of a delay). The
   * rising ones are appended to `fresh` [fresh in rising sequence]; the others go to `returned`, a heap by
   * sequence. The oldest entry is the older of the two heads, so the order taken is exactly the order of one
   * priority queue by sequence, while a queue whose messages are received once and deleted never touches
   * the heap: a busy queue's backlog of thousands made every take a sift through it.
   */
  private final ArrayDeque<QueueEntry> fresh = new ArrayDeque<>();
  private final PriorityQueue<QueueEntry> returned = new PriorityQueue<>(QueueEntry.BY_SEQUENCE);

  void add(QueueEntry entry) {
    QueueEntry last = fresh.peekLast();
    if (last == null || last.seq < entry.seq) {
      fresh.addLast(entry); // [fresh in rising sequence]
    } else {
      returned.add(entry);
    }
  }

  /** Returns the oldest entry, or null if there is none. */
  QueueEntry peek() {
    QueueEntry first = fresh.peekFirst();
    QueueEntry back = returned.peek();
    if (back == null) {
      return first;
    }
    return first == null || back.seq < first.seq ? back : first;
  }

  /** Removes and returns the oldest entry, or returns null if there is none. */
  QueueEntry poll() {
    QueueEntry oldest = peek();
    if (oldest == null) {
      return null;
    }
    if (oldest == fresh.peekFirst()) {
      fresh.pollFirst();
    } else {
      returned.poll();
    }
    return oldest;
  }

  boolean isEmpty() {
    return fresh.isEmpty() && returned.isEmpty();
  }

  /** Visits every entry, in no particular order. */
  void forEach(Consumer<QueueEntry> action) {
    fresh.forEach(action);
    returned.forEach(action);
  }

  void clear() {
    fresh.clear();
    returned.clear();
  }
}
