package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.WorkUnit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers batches for the batch handler from several receives (Consumer.Builder#batchWindow), and hands each
 * to the worker when it is full, when its window has passed, or before the message that would exceed its
 * byte budget.
 */
final class BatchAssembler {
  /*
   * Assembling:
   *   Pollers add what a receive brought to the open batch. It becomes full when it holds `size` messages,
   *   or when the next message would take its bytes past `maxBytes` (a message larger than the budget alone
   *   forms a batch of its own); the flusher hands a full batch over at once, and one that is not full when
   *   the window has passed since its first message. A batch that is due while the worker is full goes on
   *   gathering, within size and bytes, until the worker takes it.
   *   [open.size() <= size] [openBytes <= maxBytes, or the batch holds one message]
   * Concurrency:
   *   One lock guards the open batch (messages, bytes, since, full) and closed. Pollers append under it;
   *   while the open batch is full they wait on `taken`, in slices, so they notice a stop. The flusher, one
   *   virtual thread, takes the open batch under the lock and submits it outside, so at most one batch is
   *   being submitted and one gathers; a poller's receive waits meanwhile (the pollers are few).
   *   Messages here are in the in-flight registry, so the heartbeat keeps them alive, and hold their
   *   flow-control permits until their unit ends or is released: received-and-unfinished stays bounded by
   *   the flow control's limit, and every batch counts once toward the worker's concurrency.
   * Supervision:
   *   [the flusher never ends while the consumer runs]: whatever a round throws is logged, the batch it held
   *   is released, and it goes on after a pause. Every wait has a deadline.
   * Shutdown:
   *   close() marks the assembler closed, takes the open batch for the caller to release and wakes every
   *   waiter; an add after that releases what it brings, and the flusher releases the batch it was
   *   submitting (the worker refuses it as the consumer stops) and ends.
   *   [every message added is submitted or released, once]
   */
  private static final Logger LOG = LoggerFactory.getLogger(BatchAssembler.class);
  /** How long a wait lasts before it looks again whether the consumer stops; an idle flusher wakes this often. */
  private static final long SLICE_NANOS = Duration.ofMillis(500).toNanos();
  /**
   * How often a due batch looks whether a handler is free: short beside a handler's time, and a look is
   * a few reads of counters.
   */
  private static final long BUSY_LOOK_NANOS = Duration.ofMillis(2).toNanos();
  /** How long the flusher pauses after an unexpected failure, so that a lasting one is no hot loop. */
  private static final Duration FLUSHER_PAUSE = Duration.ofMillis(100);

  private final String name;
  private final int size;
  private final long windowNanos;
  private final long maxBytes;
  private final Handling handling; // runs the units built here
  private final BooleanSupplier running;
  /** Whether a unit handed to the worker now would start at once (a handler is free). */
  private final BooleanSupplier handlerFree;
  private final Consumer<WorkUnit> release;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition due = lock.newCondition(); // the flusher waits: a first message, a full batch, close
  private final Condition taken = lock.newCondition(); // pollers wait: the full batch was taken, close

  private List<Message> open = new ArrayList<>(); // @GuardedBy("lock")
  private long openBytes; // @GuardedBy("lock")
  private long since; // @GuardedBy("lock"): System.nanoTime of the open batch's first message
  private boolean full; // @GuardedBy("lock")
  private boolean closed; // @GuardedBy("lock")
  private volatile Thread flusher;

  /**
   * {@code size}, {@code window} and {@code maxBytes} bound a batch; {@code running} says whether the
   * consumer runs; {@code release} makes an unstarted unit visible again at once and gives back its permits.
   */
  BatchAssembler(String name, int size, Duration window, long maxBytes, Handling handling, BooleanSupplier running,
      Consumer<WorkUnit> release, BooleanSupplier handlerFree) {
    this.handlerFree = handlerFree;
    this.name = name;
    this.size = size;
    this.windowNanos = window.toNanos();
    this.maxBytes = maxBytes;
    this.handling = handling;
    this.running = running;
    this.release = release;
  }

  /** Starts the flusher, which hands each batch to {@code submit}; submit returns false if it was not taken. */
  void start(Predicate<Unit> submit) {
    flusher = Thread.ofVirtual().name(name + "-batcher").start(() -> flush(submit));
  }

  /**
   * Adds the messages of one receive, in order, waiting while the open batch is full. What cannot be added
   * because the assembler closed, the consumer stops or the caller is interrupted is released before this
   * returns (the interrupt is kept).
   */
  void add(List<Message> messages) {
    long[] bytes = new long[messages.size()]; // counted outside the lock: a body may be 256 KiB
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = bytes(messages.get(i));
    }
    int added = 0;
    boolean interrupted = false;
    try {
      lock.lock();
      try {
        while (added < bytes.length && !closed && running.getAsBoolean()) {
          if (!full && !open.isEmpty() && openBytes + bytes[added] > maxBytes) {
            full = true; // [openBytes <= maxBytes]: this message starts the next batch
            due.signal();
          }
          if (full) {
            taken.awaitNanos(SLICE_NANOS);
            continue;
          }
          if (open.isEmpty()) {
            since = System.nanoTime(); // the window counts from the batch's first message
            due.signal();
          }
          open.add(messages.get(added));
          openBytes += bytes[added];
          added++;
          if (open.size() == size) { // [open.size() <= size]
            full = true;
            due.signal();
          }
        }
      } catch (InterruptedException e) {
        interrupted = true; // the consumer stops: what is left goes back below
      } finally {
        lock.unlock();
      }
    } finally {
      try {
        if (added < messages.size()) {
          release.accept(new Unit(handling, List.copyOf(messages.subList(added, messages.size()))));
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * Closes the assembler and returns the open batch, whose messages the caller must release (empty if none);
   * wakes the flusher and the waiting pollers. Idempotent.
   */
  List<Unit> close() {
    lock.lock();
    try {
      closed = true;
      due.signalAll();
      taken.signalAll();
      Unit unit = takeOpen();
      return unit == null ? List.of() : List.of(unit);
    } finally {
      lock.unlock();
    }
  }

  /** The flusher's thread, to wait for what it still releases; null if it never started. */
  Thread flusher() {
    return flusher;
  }

  /** Messages gathering in the open batch now; for tests and gauges. */
  int gathering() {
    lock.lock();
    try {
      return open.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The flusher's loop: waits for a batch that is due and submits it. [the flusher never ends while the
   * consumer runs]: a batch not taken is released; whatever a round throws, an Error too, is logged, and the
   * batch it held released.
   */
  private void flush(Predicate<Unit> submit) {
    while (true) {
      Unit unit = null;
      try {
        unit = awaitDue();
        if (unit == null) {
          return; // closed: close() took what was open
        }
        boolean submitted = submit.test(unit); // an Error passes on: the catch below releases the unit
        Unit held = unit;
        unit = null; // the worker has it, or the release below does: [submitted or released, once]
        if (!submitted) {
          release.accept(held);
        }
      } catch (InterruptedException e) {
        // nobody interrupts the flusher; should a part do so, it looks again whether it is closed
      } catch (Throwable t) {
        failedUnexpectedly(unit, t);
      }
    }
  }

  private void failedUnexpectedly(Unit unit, Throwable failure) {
    try {
      LOG.error("{}: the batch assembler hit an unexpected failure; it goes on", name, failure);
      if (unit != null) {
        release.accept(unit);
      }
      Thread.sleep(FLUSHER_PAUSE);
    } catch (Throwable again) {
      // no memory, or a release that threw: still no hot loop, and the loop goes on
      LOG.debug("{}: reporting a failure of the batch assembler failed", name, again);
    }
  }

  /** Waits until the open batch is due and takes it; returns null once closed. Every wait is a slice. */
  private Unit awaitDue() throws InterruptedException {
    lock.lock();
    try {
      while (!closed) {
        if (open.isEmpty()) {
          due.awaitNanos(SLICE_NANOS);
          continue;
        }
        long left = since + windowNanos - System.nanoTime();
        if (full || left <= 0 && handlerFree.getAsBoolean()) {
          return takeOpen();
        }
        // due while every handler is busy: it goes on gathering until one is free (or it is full), looked
        // at every BUSY_LOOK, rather than waiting in the worker as it stands
        due.awaitNanos(left <= 0 ? BUSY_LOOK_NANOS : Math.min(left, SLICE_NANOS));
      }
      return null;
    } finally {
      lock.unlock();
    }
  }

  /** Takes the open batch as a unit, or null if empty, and lets the waiting pollers start the next one. */
  private Unit takeOpen() { // @GuardedBy("lock")
    if (open.isEmpty()) {
      return null;
    }
    Unit unit = new Unit(handling, Collections.unmodifiableList(open));
    open = new ArrayList<>(Math.min(size, 16));
    openBytes = 0;
    full = false;
    taken.signalAll();
    return unit;
  }

  /**
   * What a message weighs against the byte budget, as SQS counts its size: the body in UTF-8, and each
   * message attribute's name, type and value.
   */
  static long bytes(Message message) {
    long bytes = utf8Length(message.body());
    for (Map.Entry<String, MessageAttribute> attribute : message.messageAttributes().entrySet()) {
      bytes += utf8Length(attribute.getKey()) + utf8Length(attribute.getValue().dataType())
          + attribute.getValue().valueBytes();
    }
    return bytes;
  }

  /** The length of {@code text} in UTF-8, without encoding it. */
  static long utf8Length(String text) {
    long length = text.length();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x80) {
        // 2 bytes below 0x800; a surrogate pair is 4 bytes for 2 chars; else 3
        length += c < 0x800 || Character.isSurrogate(c) ? 1 : 2;
      }
    }
    return length;
  }
}
