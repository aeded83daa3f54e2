package io.github.sqsconsumer.harvester.batch;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.harvester.batch.BatchHarvesterProvider.BatchConfig;
import io.github.sqsconsumer.spi.AbstractHarvester;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.HarvesterContext;
import io.github.sqsconsumer.spi.Limits;
import io.github.sqsconsumer.spi.VisibilityChange;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Batches of up to ten, flushed when full or when the oldest entry is maxWait old. */
final class BatchHarvester extends AbstractHarvester {
  /*
   * Concurrency:
   *   Three kinds of threads meet here: worker threads call acknowledge/release (and send the batch their
   *   entry completes), one flusher thread sends the rest, and the port's threads (SDK threads, or the
   *   sender itself when the port answers at once) complete the answers. AbstractHarvester keeps each entry
   *   from take to its one report, bounds what is held ([held() <= bufferSize]) and closes; its `lock` also
   *   guards the two lanes of pending entries, the retry queue, the count of requests in flight here and
   *   what the flusher sleeps for, so every decision is taken under one lock; requests are sent and
   *   callbacks run after unlocking. `wake`: only the flusher waits on it, and it is signalled only when
   *   something is due before it would wake by itself (flusherAsleep, flusherWakeNanos), so a busy consumer
   *   wakes nobody per batch.
   *   [requestsInFlight <= maxInFlight]: a caller or the flusher takes a batch only below the bound.
   *
   * Flushing:
   *   Each lane (deletes, releases) keeps entries in arrival order with a flush deadline (Entry.dueNanos):
   *   arrival + maxWait for an entry that begins a batch (it joins a lane holding a multiple of ten), and
   *   the deadline of the entry before it for the other nine, so that one clock read serves ten entries
   *   (a clock read per acknowledgement was a measurable part of the harvester's cost, bench/RESULTS.md).
   *   [an entry's deadline is never later than its arrival + maxWait]. A lane is ready when it holds ten
   *   entries or its OLDEST entry's deadline has passed. The caller whose entry makes ten takes them and
   *   sends them itself, if a request slot is free; the flusher sends the rest: lanes due by age, full
   *   batches left while every slot was taken, retries and the close flush. It sleeps until the earliest
   *   deadline. New entries never move that deadline (the Go original reset a timer on every add, so a
   *   trickle of messages waited many times the interval).
   *   Entries of different visibilities share one batch: each VisibilityChange carries its own. Duplicates
   *   of one message are distinct entries answered by position, so they never fail a batch.
   *   [a lane's entries are ordered by deadline, except retried entries put back at the head, all due]
   *
   * Retries:
   *   AbstractHarvester decides them and sets the due time; retryLater puts the entry in `retrying`; when due
   *   it goes back to the head of its lane, ready at once.
   *
   * Shutdown:
   *   While closing every non-empty lane is ready (no waiting for maxWait) and retries keep their backoff.
   *   When close ends, the lanes and retries are dropped (AbstractHarvester reports their entries) and the
   *   flusher exits.
   */
  private static final Logger LOG = LoggerFactory.getLogger(BatchHarvester.class);
  private static final int MAX_BATCH = Limits.MAX_BATCH_SIZE;

  private final long maxWaitNanos;
  private final int maxInFlight;

  private final Condition wake = lock.newCondition();
  // guarded by lock
  private final ArrayDeque<Entry> deletes = new ArrayDeque<>();
  private final ArrayDeque<Entry> releases = new ArrayDeque<>();
  private final PriorityQueue<Entry> retrying = new PriorityQueue<>(Comparator.comparingLong(Entry::dueNanos));
  private int requestsInFlight;
  private int maxHeldSeen;
  private boolean flusherAsleep; // waiting on `wake` and not signalled yet
  private boolean flusherTimed; // it wakes by itself at flusherWakeNanos; else only when signalled
  private long flusherWakeNanos;

  private Thread flusher;

  private BatchHarvester(HarvesterContext context, BatchConfig config) {
    super(context, config.bufferSize(), config.maxAttempts());
    this.maxWaitNanos = config.maxWait().toNanos();
    this.maxInFlight = config.maxInFlight();
  }

  /** Creates the harvester and starts its flusher, a daemon thread named {@code <consumer>-harvester-batch}. */
  static BatchHarvester start(HarvesterContext context, BatchConfig config) {
    BatchHarvester harvester = new BatchHarvester(context, config);
    harvester.flusher = Thread.ofPlatform().daemon().name(context.consumerName() + "-harvester-batch")
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
  protected Runnable enqueue(Entry entry) {
    maxHeldSeen = Math.max(maxHeldSeen, held());
    ArrayDeque<Entry> lane = laneOf(entry);
    // only an entry that begins a batch (an empty lane too) reads the clock; the rest share the deadline of
    // the entry before them (see Flushing)
    entry.dueNanos(lane.size() % MAX_BATCH == 0 ? System.nanoTime() + maxWaitNanos : lane.peekLast().dueNanos());
    lane.addLast(entry);
    if (requestsInFlight >= maxInFlight) {
      return null; // an answer wakes the flusher, which sends what is ready then
    }
    if (lane.size() >= MAX_BATCH) {
      List<Entry> batch = takeBatch(lane);
      requestsInFlight++; // [requestsInFlight <= maxInFlight]
      return () -> send(batch); // on the caller's thread, after unlocking
    }
    if (lane.size() == 1) {
      wakeFlusherBy(entry.dueNanos()); // a new earliest deadline of this lane
    }
    return null;
  }

  /** Guarded by lock: wakes the flusher if it sleeps past {@code dueNanos} (System.nanoTime()). */
  private void wakeFlusherBy(long dueNanos) {
    if (flusherAsleep && (!flusherTimed || dueNanos - flusherWakeNanos < 0)) {
      flusherAsleep = false; // one signal is enough
      wake.signal();
    }
  }

  private ArrayDeque<Entry> laneOf(Entry entry) {
    return entry.isDelete() ? deletes : releases;
  }

  private void flushLoop() {
    List<List<Entry>> batches = new ArrayList<>();
    lock.lock();
    try {
      while (!isClosed()) {
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
        flusherAsleep = true;
        flusherTimed = sleep != Long.MAX_VALUE;
        flusherWakeNanos = now + sleep;
        try {
          if (flusherTimed) {
            wake.awaitNanos(sleep);
          } else {
            wake.await();
          }
        } catch (InterruptedException e) {
          // nobody interrupts the flusher on purpose; the state decides when it stops
        } finally {
          flusherAsleep = false;
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
    while (!retrying.isEmpty() && retrying.peek().dueNanos() - now <= 0) {
      Entry entry = retrying.poll();
      laneOf(entry).addFirst(entry); // due already: ready at once
    }
  }

  /** Guarded by lock: the lane to send from now, or null; the one whose oldest entry is oldest first. */
  private ArrayDeque<Entry> readyLane(long now) {
    boolean deletesReady = isReady(deletes, now);
    boolean releasesReady = isReady(releases, now);
    if (deletesReady && releasesReady) {
      return deletes.peekFirst().dueNanos() - releases.peekFirst().dueNanos() <= 0 ? deletes : releases;
    }
    return deletesReady ? deletes : releasesReady ? releases : null;
  }

  private boolean isReady(ArrayDeque<Entry> lane, long now) {
    if (lane.isEmpty()) {
      return false;
    }
    return lane.size() >= MAX_BATCH || isClosing() || lane.peekFirst().dueNanos() - now <= 0;
  }

  /** Guarded by lock: how long the flusher may sleep; Long.MAX_VALUE until signalled. */
  private long nanosToNextDeadline(long now) {
    long next = Long.MAX_VALUE;
    if (requestsInFlight < maxInFlight) { // else an answer wakes the flusher
      for (ArrayDeque<Entry> lane : List.of(deletes, releases)) {
        if (!lane.isEmpty()) {
          next = Math.min(next, Math.max(1, lane.peekFirst().dueNanos() - now));
        }
      }
    }
    if (!retrying.isEmpty()) {
      next = Math.min(next, Math.max(1, retrying.peek().dueNanos() - now));
    }
    return next;
  }

  /** Guarded by lock. */
  private static List<Entry> takeBatch(ArrayDeque<Entry> lane) {
    int size = Math.min(MAX_BATCH, lane.size());
    List<Entry> batch = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      batch.add(lane.pollFirst());
    }
    return batch; // [batch.size() <= 10]
  }

  /** Sends one batch, without the lock. */
  private void send(List<Entry> batch) {
    // call(): a port that throws gives a failed answer all the same, or the flusher would die and the batch
    // would count as a request in flight for good
    CompletableFuture<BatchReply> answer = batch.get(0).isDelete()
        ? call(() -> port().deleteBatch(messagesOf(batch)))
        : call(() -> port().changeVisibilityBatch(changesOf(batch)));
    answer.whenComplete((reply, error) -> onReply(batch, reply, error));
  }

  // plain loops, not streams: this runs on a handler's thread for every ten messages, and a stream
  // pipeline there cost about what the worker's thread start per message does
  private static List<Message> messagesOf(List<Entry> batch) {
    Message[] messages = new Message[batch.size()];
    for (int i = 0; i < messages.length; i++) {
      messages[i] = batch.get(i).message();
    }
    return Collections.unmodifiableList(Arrays.asList(messages));
  }

  private static List<VisibilityChange> changesOf(List<Entry> batch) {
    VisibilityChange[] changes = new VisibilityChange[batch.size()];
    for (int i = 0; i < changes.length; i++) {
      Entry entry = batch.get(i);
      changes[i] = new VisibilityChange(entry.message(), entry.visibility());
    }
    return Collections.unmodifiableList(Arrays.asList(changes));
  }

  private void onReply(List<Entry> batch, BatchReply reply, Throwable error) {
    lock.lock();
    try {
      requestsInFlight--;
      long now = System.nanoTime();
      if (readyLane(now) != null) {
        wakeFlusherBy(now); // a free slot for what waited for one
      } else {
        for (ArrayDeque<Entry> lane : List.of(deletes, releases)) {
          if (!lane.isEmpty()) {
            wakeFlusherBy(lane.peekFirst().dueNanos()); // it ignores lanes while every slot is taken
          }
        }
      }
    } finally {
      lock.unlock();
    }
    BatchReply answered = reply != null ? reply : BatchReply.ok();
    answered(batch, i -> error != null ? error : answered.failures().get(i));
  }

  @Override
  protected boolean retryLater(Entry entry) {
    retrying.add(entry);
    wakeFlusherBy(entry.dueNanos()); // maybe the retry due soonest
    return true;
  }

  @Override
  protected void closing() {
    wake.signal(); // flush every lane now
  }

  @Override
  protected void closed() {
    deletes.clear();
    releases.clear();
    retrying.clear();
    wake.signal(); // the flusher exits
  }
}
