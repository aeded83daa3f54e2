package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.HarvesterCallback;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-flight registry: every message received and not yet settled (deleted, released, or given up on).
 *
 * <pre>
 * Concurrency:
 *   Registered by receive: the messages one receive brought form a Group, and the registry is a concurrent
 *   set of groups, so the shared set changes twice per receive, not twice per message (a map keyed by
 *   message was among the consumer's largest costs in memory, bench/RESULTS.md). Each message carries its own
 *   entry (Message.registration, written by the poller before the message goes anywhere), so a settlement
 *   finds it without a lookup; a message object that was not registered here (a harvester that calls back
 *   with an equal copy) is looked for among the groups. A group leaves the set once its last entry was
 *   removed. Pollers add, harvester callbacks (any thread) and the engine remove, the heartbeat iterates
 *   (weakly consistent, which is enough: a message added during a scan is young and needs no extension
 *   yet). Contract 2, nothing silently dropped, is checked at close: what is still here then is logged as
 *   left to its visibility timeout.
 *   [an entry is removed at most once]: Entry.remove() under the entry's monitor; [a group leaves the set
 *   when, and only when, its live count reaches zero].
 * Settling:
 *   A message stays here until the harvester's callback says how it ended, but the heartbeat must leave it
 *   alone as soon as it is released: an extension sent after a release would undo the release (a retry
 *   delay becoming a whole visibility timeout, a FIFO follower released at 0 s staying hidden). So the
 *   engine marks an entry (releasing()) before it hands a release to the harvester, and every removal
 *   marks it too. A delete is not marked: the message must stay alive while its delete waits for a batch
 *   to fill, or for room under throttling, and an extension that arrives after the delete merely fails.
 *   Each entry is a small state machine under its own monitor, so the mark and the heartbeat's start of an
 *   extension are ordered:
 *     IDLE -> EXTENDING (heartbeat sends) -> IDLE (reply) or LOST (receipt handle rejected)
 *     IDLE, LOST -> SETTLED (released or removed)   EXTENDING -> SETTLED (removed: order does not matter)
 *     EXTENDING -> RELEASED_DURING_EXTENSION (released) -> SETTLED (reply: the heartbeat sends the
 *     release once more, after the extension was answered, so the release is what stays in force)
 *   [only IDLE entries are extended]; [at most one extension per entry is under way]. A LOST entry
 *   stays registered until its outcome is settled: it is only no longer kept alive.
 * </pre>
 *
 * <p>It is also the harvester's callback: a settled message leaves the registry (which stops its
 * heartbeat) and the listener hears of it.
 */
final class InFlight implements HarvesterCallback {
  /**
   * What a visibility change (an extension or a release) leaves of the 12 hours SQS allows after a receive:
   * the receive reached the queue after it was sent, and a change may wait (a batch filling, a throttled
   * retry) and travel before the queue applies it; a change that would end later than the 12 hours is
   * rejected whole.
   */
  static final Duration LIMIT_MARGIN = Duration.ofMinutes(1);

  private final Set<Group> groups = ConcurrentHashMap.newKeySet();
  private final SafeListener listener;

  InFlight(ConsumerListener listener) {
    this.listener = SafeListener.of(listener);
  }

  /** Where an entry stands with the heartbeat; see the class comment. */
  enum State {
    /** Kept alive by the heartbeat; no request for it under way. */
    IDLE,
    /** An extension for it is under way: do not send another. */
    EXTENDING,
    /** Released while an extension was under way: the release is sent again once the extension is answered. */
    RELEASED_DURING_EXTENSION,
    /** Its outcome went to the harvester (or it was given up on): the heartbeat leaves it alone. */
    SETTLED,
    /** The queue rejected its receipt handle (it is back in the queue): no longer extended. */
    LOST
  }

  /**
   * The messages of one receive, registered together; in the set while any of them is. A removed entry's
   * slot is cleared, so a settled message (and its body) is not kept reachable by a slower one.
   */
  private static final class Group {
    final InFlight registry;
    final Entry[] entries; // a slot is null once its entry was removed (a plain write: readers check removed)
    /** Entries not removed yet; the group leaves the set when it reaches zero. */
    final AtomicInteger live;

    Group(InFlight registry, int size) {
      this.registry = registry;
      this.entries = new Entry[size];
      this.live = new AtomicInteger(size);
    }
  }

  /** One message in flight. */
  static final class Entry {
    final Message message;
    private final Group group;
    private final int slot; // its place in group.entries
    /** When the receive that brought it was sent: its visibility timeout started no earlier. */
    final long receivedNanos;
    /** When its visibility timeout runs out, as far as we know; written by the heartbeat's replies. */
    volatile long deadlineNanos;
    /** Extension failures in a row; written by the heartbeat's replies, read by its tick. */
    volatile int failures;
    /** After a failure, no extension before this; meaningful while failures > 0. */
    volatile long retryAtNanos;
    /** The heartbeat said it can extend this message no further; its thread alone reads and writes it. */
    boolean extensionsSpent;
    private State state = State.IDLE; // @GuardedBy("this")
    private Duration release; // @GuardedBy("this"); set with RELEASED_DURING_EXTENSION
    private volatile boolean removed; // written under this monitor

    Entry(Message message, Group group, int slot, long receivedNanos, long deadlineNanos) {
      this.message = message;
      this.group = group;
      this.slot = slot;
      this.receivedNanos = receivedNanos;
      this.deadlineNanos = deadlineNanos;
    }

    /**
     * The longest visibility, in nanoseconds, that a change sent at {@code now} may ask for (zero or less:
     * none): what remains of the 12 hours SQS allows since the receive, less LIMIT_MARGIN. The one home of
     * that rule, for the heartbeat's extensions and the engine's releases. [a change ends within 12 h of
     * its receive]
     */
    long visibilityLeftNanos(long now) {
      return receivedNanos + RetryPolicy.MAX_DELAY.toNanos() - LIMIT_MARGIN.toNanos() - now;
    }

    /** The heartbeat is about to send an extension: true if it may (IDLE -> EXTENDING). */
    synchronized boolean startExtension() {
      if (state != State.IDLE) {
        return false;
      }
      state = State.EXTENDING;
      return true;
    }

    /**
     * The extension was answered; {@code lost} if the queue rejected the receipt handle. Returns the state
     * it was in: EXTENDING (still ours), SETTLED (settled meanwhile), or RELEASED_DURING_EXTENSION (the
     * release, {@link #release()}, must be sent again).
     */
    synchronized State finishExtension(boolean lost) {
      State was = state;
      switch (was) {
        case EXTENDING -> state = lost ? State.LOST : State.IDLE;
        case RELEASED_DURING_EXTENSION, SETTLED -> state = State.SETTLED;
        case IDLE, LOST -> throw new AssertionError("no extension under way for " + message + ": " + was);
        default -> throw new AssertionError(was);
      }
      return was;
    }

    /**
     * Marks the entry settled; {@code release} is the visibility it is released to, or null for a delete
     * (or when it is given up on). The first settlement stands.
     */
    synchronized void settle(Duration release) {
      switch (state) {
        case IDLE, LOST -> state = State.SETTLED;
        case EXTENDING -> {
          if (release != null) {
            this.release = release;
            state = State.RELEASED_DURING_EXTENSION; // [release after extension]: sent again after its reply
          } else {
            state = State.SETTLED; // a delete wins in either order
          }
        }
        case RELEASED_DURING_EXTENSION, SETTLED -> {
          // settled already
        }
        default -> throw new AssertionError(state);
      }
    }

    /** The visibility it was released to while an extension was under way, or null. */
    synchronized Duration release() {
      return release;
    }

    /** Marks it removed and settled; true for the first caller only. [an entry is removed at most once] */
    synchronized boolean remove() {
      if (removed) {
        return false;
      }
      removed = true;
      settle(null);
      return true;
    }

    boolean isRemoved() {
      return removed;
    }
  }

  /**
   * Registers what one receive brought, sent at {@code receivedNanos}, visible again at {@code deadlineNanos}
   * unless extended. Called by the thread that received them, before they go anywhere else. A message
   * registered here already is registered anew (its old entry removed).
   */
  void addAll(List<Message> messages, long receivedNanos, long deadlineNanos) {
    if (messages.isEmpty()) {
      return;
    }
    Group group = new Group(this, messages.size());
    for (int i = 0; i < messages.size(); i++) {
      Message message = messages.get(i);
      Entry old = message.registration;
      if (old != null && old.group.registry == this) {
        removeEntry(old);
      }
      Entry entry = new Entry(message, group, i, receivedNanos, deadlineNanos);
      group.entries[i] = entry;
      message.registration = entry;
    }
    groups.add(group);
  }

  /**
   * Marks the message as being released to {@code visibility}: the heartbeat leaves it alone from now on.
   * Called before the release goes to the harvester. (A delete needs no mark: the message is kept alive
   * until the harvester reports it, and an extension arriving after the delete only fails.)
   */
  void releasing(Message message, Duration visibility) {
    Entry entry = find(message);
    if (entry != null) {
      entry.settle(visibility);
    }
  }

  /** The message's {@link Entry#visibilityLeftNanos} at {@code now}, if it is still here. */
  OptionalLong visibilityLeftNanos(Message message, long now) {
    Entry entry = find(message);
    return entry == null ? OptionalLong.empty() : OptionalLong.of(entry.visibilityLeftNanos(now));
  }

  /** Removes the message, if it is still here; it is no longer extended. Returns true if it was here. */
  boolean remove(Message message) {
    Entry entry = find(message);
    return entry != null && removeEntry(entry); // false too if another caller removed it meanwhile
  }

  private boolean removeEntry(Entry entry) {
    if (!entry.remove()) {
      return false;
    }
    Group group = entry.group;
    group.entries[entry.slot] = null;
    if (group.live.decrementAndGet() == 0) {
      groups.remove(group); // [a group leaves the set when its live count reaches zero]
    }
    return true;
  }

  /**
   * The message's entry if it is still here, else null: its own registration, or, for an equal message
   * object that was not registered here itself, a search of the groups.
   */
  private Entry find(Message message) {
    Entry entry = message.registration;
    if (entry != null && entry.group.registry == this) {
      return entry.isRemoved() ? null : entry;
    }
    for (Group group : groups) {
      for (Entry candidate : group.entries) {
        if (candidate != null && !candidate.isRemoved() && candidate.message.equals(message)) {
          return candidate;
        }
      }
    }
    return null;
  }

  /** A snapshot of the entries still here. */
  List<Entry> entries() {
    List<Entry> all = new ArrayList<>();
    for (Group group : groups) {
      for (Entry entry : group.entries) {
        if (entry != null && !entry.isRemoved()) {
          all.add(entry);
        }
      }
    }
    return all;
  }

  /** How many messages are here; weakly consistent, like the set of groups. */
  int size() {
    int size = 0;
    for (Group group : groups) {
      size += group.live.get(); // never below zero: each entry is removed once
    }
    return size;
  }

  @Override
  public void acknowledged(Message message) {
    Entry entry = find(message);
    boolean removed = entry != null && removeEntry(entry);
    if (listener.isSilent()) {
      return; // nobody hears the time since the receive: no clock read, on every message
    }
    long sinceReceived = removed ? System.nanoTime() - entry.receivedNanos : 0;
    listener.onAcknowledged(message, Duration.ofNanos(sinceReceived));
  }

  @Override
  public void released(Message message, Duration visibility) {
    remove(message);
    listener.onReleased(message, visibility);
  }

  @Override
  public void failed(Message message, Throwable cause) {
    remove(message);
    listener.onAcknowledgementFailed(message, cause);
  }
}
