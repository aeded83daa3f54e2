package io.github.sqsconsumer.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SequenceQueue} and {@link TimedEntries} against the collections whose order they keep (a priority
 * queue by sequence, a sorted set by time then sequence), under long random sequences of the operations the
 * queue makes, each seed reproducible.
 */
final class QueueOrderTest {
  private static final Comparator<QueueEntry> BY_VISIBLE_AT = (a, b) -> {
    long diff = a.visibleAt - b.visibleAt;
    return diff != 0 ? (diff < 0 ? -1 : 1) : Long.compare(a.seq, b.seq);
  };

  private static QueueEntry entry(long seq) {
    return new QueueEntry("m" + seq, seq, "", Map.of(), Map.of(), "0", null);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void sequenceQueue_takesInTheOrderOfAPriorityQueueBySequence(long seed) {
    Random random = new Random(seed);
    SequenceQueue queue = new SequenceQueue();
    PriorityQueue<QueueEntry> reference = new PriorityQueue<>(QueueEntry.BY_SEQUENCE);
    List<QueueEntry> taken = new ArrayList<>(); // out of the queue: may come back, at their old place
    long next = 0;
    for (int step = 0; step < 20_000; step++) {
      int op = random.nextInt(10);
      if (op < 4) { // a send: newer than everything
        QueueEntry entry = entry(next++);
        queue.add(entry);
        reference.add(entry);
      } else if (op < 6 && !taken.isEmpty()) { // a message comes back (expiry, change to zero, undo)
        QueueEntry entry = taken.remove(random.nextInt(taken.size()));
        queue.add(entry);
        reference.add(entry);
      } else if (op < 9) {
        assertThat(queue.peek()).isSameAs(reference.peek());
        QueueEntry entry = queue.poll();
        assertThat(entry).isSameAs(reference.poll());
        if (entry != null && random.nextBoolean()) {
          taken.add(entry);
        }
      } else if (random.nextInt(50) == 0) {
        queue.clear();
        reference.clear();
      }
      assertThat(queue.isEmpty()).isEqualTo(reference.isEmpty());
    }
    List<QueueEntry> all = new ArrayList<>();
    queue.forEach(all::add);
    assertThat(all).containsExactlyInAnyOrderElementsOf(reference);
    for (QueueEntry entry; (entry = reference.poll()) != null; ) {
      assertThat(queue.poll()).isSameAs(entry);
    }
    assertThat(queue.poll()).isNull();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void timedEntries_keepTheOrderOfASortedSetByTimeThenSequence(long seed) {
    Random random = new Random(seed);
    TimedEntries timed = new TimedEntries();
    TreeSet<QueueEntry> reference = new TreeSet<>(BY_VISIBLE_AT);
    List<QueueEntry> outside = new ArrayList<>();
    long now = Long.MAX_VALUE - 1_000_000; // times wrap around: compared as nanoTime is, by difference
    for (int i = 0; i < 300; i++) {
      outside.add(entry(i));
    }
    for (int step = 0; step < 30_000; step++) {
      int op = random.nextInt(10);
      now += random.nextInt(100);
      if (op < 4 && !outside.isEmpty()) { // received or delayed: mostly rising times, some far ahead
        QueueEntry entry = outside.remove(random.nextInt(outside.size()));
        entry.visibleAt = now + (random.nextInt(4) == 0 ? random.nextInt(10_000) : 5_000);
        timed.add(entry);
        reference.add(entry);
      } else if (op < 7 && !reference.isEmpty()) { // deleted or undone: often the oldest, else anywhere
        QueueEntry entry = random.nextBoolean() ? reference.first() : pick(reference, random);
        assertThat(timed.remove(entry)).isTrue();
        reference.remove(entry);
        outside.add(entry);
      } else if (op < 8 && !reference.isEmpty()) { // visibility changed: out, new time, in again
        QueueEntry entry = pick(reference, random);
        timed.remove(entry);
        reference.remove(entry);
        entry.visibleAt = now + random.nextInt(20_000);
        timed.add(entry);
        reference.add(entry);
      } else if (op < 9) { // expiry
        QueueEntry expected = reference.isEmpty() ? null : reference.first();
        assertThat(timed.first()).isSameAs(expected);
        if (expected != null && expected.visibleAt - now <= 0) {
          assertThat(timed.pollFirst()).isSameAs(reference.pollFirst());
          outside.add(expected);
        }
      } else if (random.nextInt(100) == 0) {
        timed.forEach(outside::add);
        timed.clear();
        reference.clear();
      }
      assertThat(timed.isEmpty()).isEqualTo(reference.isEmpty());
    }
    List<QueueEntry> all = new ArrayList<>();
    timed.forEach(all::add);
    assertThat(all).containsExactlyInAnyOrderElementsOf(reference);
    for (QueueEntry entry; (entry = reference.pollFirst()) != null; ) {
      assertThat(timed.pollFirst()).isSameAs(entry);
    }
    assertThat(timed.pollFirst()).isNull();
    assertThat(timed.isEmpty()).isTrue();
  }

  @Test
  void timedEntries_removeOfAnEntryNotHeld_isFalse_andAddingOneTwiceFails() {
    TimedEntries timed = new TimedEntries();
    QueueEntry entry = entry(1);
    assertThat(timed.remove(entry)).isFalse();
    timed.add(entry);
    assertThatThrownBy(() -> timed.add(entry)).isInstanceOf(IllegalStateException.class);
    assertThat(timed.remove(entry)).isTrue();
    assertThat(timed.remove(entry)).isFalse();
    assertThat(timed.first()).isNull();
  }

  private static QueueEntry pick(TreeSet<QueueEntry> set, Random random) {
    int index = random.nextInt(set.size());
    for (QueueEntry entry : set) {
      if (index-- == 0) {
        return entry;
      }
    }
    throw new AssertionError();
  }
}
