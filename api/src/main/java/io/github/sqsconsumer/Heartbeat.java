package io.github.sqsconsumer;

import io.github.sqsconsumer.internal.WarningThrottle;
import io.github.sqsconsumer.spi.Backoff;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.VisibilityChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extends the visibility of every message in flight — waiting for a worker, running, or waiting for its
 * acknowledgement — before it runs out, in batches of up to ten, until {@code maxExtension} after receipt
 * and no later than SQS's 12 hours after it, less InFlight.LIMIT_MARGIN.
 *
 * <pre>
 * Concurrency:
 *   One thread ticks; it reads the registry (weakly consistent) and sends batches without waiting for
 *   them. An entry's deadline is written by the reply callback only; whether an extension may start is
 *   the entry's state (InFlight.Entry), which the tick moves IDLE -> EXTENDING before the request and the
 *   reply moves back, so [at most one extension per entry is under way].
 * Settling:
 *   The engine marks an entry released before it hands the release to the harvester, and the tick skips
 *   released entries, so no extension is sent after a release (it would undo it: SQS applies whichever
 *   arrives last). An extension already under way when the message is released may still arrive after
 *   the release; so when its reply comes the heartbeat sends the release again (a single
 *   ChangeMessageVisibility with the released visibility), which reaches SQS after the extension did:
 *   the release stays in force, at worst one round trip later than asked. A delete needs nothing: after
 *   it, a late extension only fails.
 * Timing:
 *   tick = visibility / 6 (between 200 ms and 5 s); an entry is due when less than half its visibility
 *   remains, so a tick or two of delay, or one failed request, still leaves time. The new deadline counts
 *   from when the request was sent, which is no later than when the queue applied it.
 * Failures:
 *   Each failed attempt is reported to the listener (onVisibilityExtensionFailed) with when it is tried
 *   again. A transient failure (whole request or one entry) backs that entry off: one tick, doubling, at
 *   most visibility / 4; a success resets it. A rejected receipt handle means the message is back in the
 *   queue: the entry is LOST, reported once, and never extended again (it stays registered until its
 *   outcome is settled). A reply that has not come within replyDeadline (half the visibility, by then the
 *   message is visible again or nearly so) fails as transient: the engine gives the heartbeat the runner
 *   behind a DeadlinePort. Without it a runner that never answers would leave the entry EXTENDING, never
 *   extended again, and stop waiting for the request.
 * Shutdown:
 *   stop() after the harvester has flushed: messages whose acknowledgement is still being sent are kept
 *   alive until then (the original stopped its heartbeat first and leaked them). It then waits, within its
 *   timeout, for the requests still under way and the releases they send again, so the runner's client
 *   is not closed under them: [release after extension] holds at close too. `requests` counts them; a
 *   resent release is counted before the reply that sends it is done, so the count cannot touch zero in
 *   between.
 * </pre>
 */
final class Heartbeat implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);
  /**
   * Passing faults are routine: an entry's failures are logged at WARN once, at the third in a row (and
   * those warnings at most once per WARN_INTERVAL).
   */
  private static final int WARN_AFTER_FAILURES = 3;
  /**
   * And those warnings at most once per this interval, with the entries since: in an outage every batch of
   * ten messages in flight reaches its third failure, each with a warning of its own otherwise.
   */
  private static final Duration WARN_INTERVAL = Duration.ofSeconds(10);
  /** The longest replyDeadline: with a visibility of four minutes or more. */
  private static final Duration MAX_REPLY_DEADLINE = Duration.ofMinutes(2);

  private final InFlight registry;
  private final QueuePort port;
  private final ConsumerListener listener;
  private final long visibilityNanos;
  private final long maxExtensionNanos;
  private final long tickNanos;
  private final Backoff backoff;
  private volatile boolean stopped;
  /** Struggling entries: one warning per WARN_INTERVAL, with those held back since. */
  private final WarningThrottle struggles = new WarningThrottle(WARN_INTERVAL);
  private final WarningThrottle lostWarnings = new WarningThrottle(WARN_INTERVAL);
  private final ReentrantLock requestsLock = new ReentrantLock();
  private final Condition requestsDone = requestsLock.newCondition();
  private int requests; // @GuardedBy("requestsLock"): requests under way, see Shutdown
  private Thread thread;

  Heartbeat(InFlight registry, QueuePort port, ConsumerListener listener, Duration visibility,
      Duration maxExtension) {
    this.registry = registry;
    this.port = port;
    this.listener = SafeListener.of(listener);
    this.visibilityNanos = visibility.toNanos();
    this.maxExtensionNanos = maxExtension.toNanos();
    this.tickNanos = Math.clamp(visibilityNanos / 6, Duration.ofMillis(200).toNanos(), Duration.ofSeconds(5).toNanos());
    this.backoff = Backoff.of(Duration.ofNanos(tickNanos), Duration.ofNanos(Math.max(tickNanos, visibilityNanos / 4)));
  }

  /**
   * How long a reply to an extension may take before it counts as failed: half the {@code visibility},
   * between a second and two minutes (see Failures).
   */
  static Duration replyDeadline(Duration visibility) {
    return Duration.ofNanos(Math.clamp(visibility.toNanos() / 2, Duration.ofSeconds(1).toNanos(),
        MAX_REPLY_DEADLINE.toNanos()));
  }

  /**
   * Starts the ticking thread: a platform thread, not a daemon, so a running consumer keeps the JVM alive
   * the way a server socket does; close() ends it.
   */
  void start(String consumerName) {
    thread = Thread.ofPlatform().name(consumerName + "-heartbeat").daemon(false).start(this);
  }

  /** Stops ticking, then waits up to {@code timeout} in all for the requests still under way. Called once. */
  void stop(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    stopped = true;
    if (thread != null) {
      thread.interrupt();
      thread.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    requestsLock.lock();
    try {
      long left = deadline - System.nanoTime();
      while (requests > 0 && left > 0) {
        left = requestsDone.awaitNanos(left);
      }
      if (requests > 0) {
        LOG.debug("{} visibility request(s) still under way at close", requests);
      }
    } finally {
      requestsLock.unlock();
    }
  }

  private void requestStarted() {
    requestsLock.lock();
    try {
      requests++;
    } finally {
      requestsLock.unlock();
    }
  }

  private void requestEnded() {
    requestsLock.lock();
    try {
      if (--requests == 0) {
        requestsDone.signalAll();
      }
    } finally {
      requestsLock.unlock();
    }
  }

  @Override
  public void run() {
    while (!stopped) {
      try {
        Thread.sleep(Duration.ofNanos(tickNanos));
      } catch (InterruptedException e) {
        if (stopped) {
          return;
        }
      }
      try {
        tick(System.nanoTime());
      } catch (Throwable t) { // [the heartbeat never ends while the consumer runs]: the next tick tries again
        try {
          LOG.error("visibility heartbeat failed, trying again next tick", t);
        } catch (Throwable ignored) {
          // even logging failed; the next tick still comes
        }
      }
    }
  }

  /** Sends the due extensions; package-private for tests. */
  void tick(long now) {
    if (maxExtensionNanos <= 0) {
      return;
    }
    List<InFlight.Entry> batch = new ArrayList<>(QueuePort.MAX_BATCH_SIZE);
    List<VisibilityChange> changes = new ArrayList<>(QueuePort.MAX_BATCH_SIZE);
    for (InFlight.Entry entry : registry.entries()) {
      if (entry.deadlineNanos - now > visibilityNanos / 2) {
        continue;
      }
      if (entry.failures > 0 && now - entry.retryAtNanos < 0) {
        continue; // backing off after a failure
      }
      long leftByCap = entry.receivedNanos + maxExtensionNanos - now;
      long leftByLimit = entry.visibilityLeftNanos(now);
      long visibility = Math.min(visibilityNanos, Math.min(leftByCap, leftByLimit));
      if (visibility < Duration.ofSeconds(1).toNanos()) {
        // [extension <= maxExtension], [a change ends within 12 h of its receive]: the message comes back
        if (!entry.extensionsSpent) {
          entry.extensionsSpent = true; // said once per message: every tick until it is settled comes here
          LOG.warn("{} is still held but its visibility can be extended no longer ({}); it comes back to the "
              + "queue and may be handled again", entry.message, leftByCap <= leftByLimit
                  ? "maxVisibilityExtension " + Duration.ofNanos(maxExtensionNanos) + " since its receive"
                  : "SQS keeps a message hidden at most 12 h after its receive");
        }
        continue;
      }
      // SQS takes whole seconds
      Duration seconds = Duration.ofSeconds(visibility / 1_000_000_000L);
      if (!entry.startExtension()) {
        continue; // released, lost, or an extension is under way
      }
      batch.add(entry);
      changes.add(new VisibilityChange(entry.message, seconds));
      if (batch.size() == QueuePort.MAX_BATCH_SIZE) {
        send(batch, changes, now);
        batch = new ArrayList<>(QueuePort.MAX_BATCH_SIZE);
        changes = new ArrayList<>(QueuePort.MAX_BATCH_SIZE);
      }
    }
    if (!batch.isEmpty()) {
      send(batch, changes, now);
    }
  }

  private void send(List<InFlight.Entry> batch, List<VisibilityChange> changes, long sentNanos) {
    CompletableFuture<BatchReply> reply;
    requestStarted();
    try {
      reply = Objects.requireNonNull(port.changeVisibilityBatch(changes), "the port returned no future");
    } catch (Throwable e) {
      // a port that throws (an Error too) instead of failing its future: a failed reply all the same, or
      // these entries would stay EXTENDING, never extended again, and the request would count for good
      reply = CompletableFuture.failedFuture(e);
    }
    reply.whenComplete((answer, error) -> {
      try {
        answered(batch, changes, sentNanos, answer, error);
      } finally {
        requestEnded(); // after answered(): a release it sends again is counted already
      }
    });
  }

  /**
   * Ends the extension of each entry of a batch with the queue's answer, then reports it: first every
   * entry's state, so that a failing listener cannot leave one EXTENDING for good.
   */
  private void answered(List<InFlight.Entry> batch, List<VisibilityChange> changes, long sentNanos,
      BatchReply reply, Throwable error) {
    Throwable whole = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (whole == null && reply == null) {
      whole = new NullPointerException("the queue port answered a visibility batch with null");
    }
    InFlight.State[] was = new InFlight.State[batch.size()];
    Throwable[] failures = new Throwable[batch.size()];
    boolean[] lost = new boolean[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      InFlight.Entry entry = batch.get(i);
      Throwable failure = whole != null ? whole : reply.failures().get(i);
      lost[i] = failure != null && QueueException.kindOf(failure) == QueueException.Kind.INVALID_RECEIPT;
      if (failure == null) {
        entry.deadlineNanos = sentNanos + changes.get(i).visibility().toNanos();
        entry.failures = 0;
      } else if (!lost[i]) {
        int failed = entry.failures + 1; // only this reply writes it: [one extension under way]
        entry.failures = failed;
        entry.retryAtNanos = sentNanos + backoffNanos(failed);
      }
      failures[i] = failure;
      was[i] = entry.finishExtension(lost[i]);
    }
    int struggling = 0;
    int lostHandles = 0;
    for (int i = 0; i < batch.size(); i++) {
      InFlight.Entry entry = batch.get(i);
      Throwable failure = failures[i];
      switch (was[i]) {
        case EXTENDING -> {
          if (failure == null) {
            listener.onVisibilityExtended(entry.message, changes.get(i).visibility());
          } else if (lost[i]) {
            lostHandles++;
            LOG.debug("{} is back in the queue while it is still being worked on (the queue rejected its "
                + "receipt handle when extending its visibility); it is no longer extended", entry.message);
            listener.onVisibilityExtensionFailed(entry.message, failure, null);
          } else {
            int failed = entry.failures;
            if (failed == WARN_AFTER_FAILURES) {
              struggling++;
            }
            listener.onVisibilityExtensionFailed(entry.message, failure, Duration.ofNanos(backoffNanos(failed)));
          }
        }
        case RELEASED_DURING_EXTENSION -> resendRelease(entry);
        case SETTLED -> {
          // settled meanwhile: a failure is expected (deleted), a late success is undone by the release
        }
        default -> throw new AssertionError(was[i]);
      }
    }
    if (lostHandles > 0) {
      warnLost(lostHandles);
    }
    Throwable cause = whole != null ? whole : reply.failures().values().stream().findFirst().orElse(null);
    if (struggling > 0) {
      warnStruggling(struggling, cause);
    } else if (cause != null) {
      LOG.debug("extending the visibility of {} messages failed, retrying with backoff: {}", batch.size(),
          Throwables.describe(cause));
    }
  }

  /**
   * Warns of messages whose receipt handle the queue rejected (back in the queue while their handlers
   * run), at most once per WARN_INTERVAL with the count since: after a stall longer than the visibility
   * timeout it is every message in flight at once. Each is logged at DEBUG and reported to the listener.
   */
  private void warnLost(int lostNow) {
    int since = lostWarnings.pass(lostNow);
    if (since >= 0) {
      LOG.warn("{} message(s) are back in the queue while they are still being worked on (the queue rejected "
          + "their receipt handles when extending their visibility){}; they are no longer extended and may "
          + "be handled again", lostNow + since, since == 0 ? "" : " (with those since the last such warning)");
    }
  }

  /** Warns of entries whose extension failed the third time in a row, or counts them for the next warning. */
  private void warnStruggling(int struggling, Throwable cause) {
    int since = struggles.pass(struggling);
    if (since >= 0) {
      LOG.warn("extending the visibility of {} messages failed {} times in a row{}; they may come back before "
          + "their handlers finish; retrying with backoff: {}", struggling + since, WARN_AFTER_FAILURES,
          since == 0 ? "" : " (with those since the last such warning)", Throwables.describe(cause));
    } else {
      LOG.debug("extending the visibility of {} messages failed {} times in a row: {}", struggling,
          WARN_AFTER_FAILURES, Throwables.describe(cause));
    }
  }

  /**
   * The wait after the {@code failures}-th transient failure in a row: the library's backoff step from one
   * tick, at most a quarter of the visibility, so that a due entry (half its visibility left) still gets
   * two more tries. Its step without jitter: entries that failed in one request retry together, in one
   * request, and the tick already spreads consumers.
   */
  private long backoffNanos(int failures) {
    return backoff.step(failures).toNanos();
  }

  /**
   * Sends the release of a message again, after an extension that was under way when it was released:
   * [release after extension], whichever of the two the queue saw last before.
   */
  private void resendRelease(InFlight.Entry entry) {
    Duration visibility = entry.release();
    CompletableFuture<Void> reply;
    requestStarted();
    try {
      reply = Objects.requireNonNull(port.changeVisibility(entry.message, visibility),
          "the port returned no future");
    } catch (Throwable e) { // as in send()
      reply = CompletableFuture.failedFuture(e);
    }
    reply.whenComplete((ignored, error) -> {
      try {
        if (error != null) {
          LOG.debug("sending the release of {} again after an extension failed (it comes back when the "
              + "extension runs out at the latest): {}", entry.message, Throwables.describe(error));
        }
      } finally {
        requestEnded();
      }
    });
  }
}
