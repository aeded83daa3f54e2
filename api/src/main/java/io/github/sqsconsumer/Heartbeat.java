package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.VisibilityChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extends the visibility of every message in flight — waiting for a worker, running, or waiting for its
 * acknowledgement — before it runs out, in batches of up to ten, until {@code maxExtension} after receipt.
 *
 * <pre>
 * Concurrency:
 *   One thread ticks; it reads the registry (weakly consistent) and sends batches without waiting for
 *   them. An entry's deadline is written by the reply callback only; whether an extension may start is
 *   the entry's state (InFlight.Entry), which the tick moves IDLE -> EXTENDING before the request and the
 *   reply moves back, so [at most one extension per entry is under way].
 * Settling:
 *   The engine marks an entry settled before it hands the message to the harvester, and the tick skips
 *   settled entries, so no extension is sent after a release (it would undo it: SQS applies whichever
 *   arrives last). An extension already under way when the message is released may still arrive after
 *   the release; so when its reply comes the heartbeat sends the release again (a single
 *   ChangeMessageVisibility with the released visibility), which reaches SQS after the extension did:
 *   the release stays in force, at worst one round trip later than asked. A delete needs nothing: after
 *   it, a late extension only fails.
 * Timing:
 *   tick = visibility / 6 (between 200 ms and 5 s); an entry is due when less than half its visibility
 *   remains, so a tick or two of delay, or one failed request, still leaves time. The new deadline counts
 *   from when the request was sent, which is no later than when the queue applied it.
 * Shutdown:
 *   stop() after the harvester has flushed: messages whose acknowledgement is still being sent are kept
 *   alive until then (the original stopped its heartbeat first and leaked them).
 * </pre>
 */
final class Heartbeat implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);

  private final InFlight registry;
  private final QueuePort port;
  private final ConsumerListener listener;
  private final long visibilityNanos;
  private final long maxExtensionNanos;
  private final long tickNanos;
  private volatile boolean stopped;
  private Thread thread;

  Heartbeat(InFlight registry, QueuePort port, ConsumerListener listener, Duration visibility,
      Duration maxExtension) {
    this.registry = registry;
    this.port = port;
    this.listener = listener;
    this.visibilityNanos = visibility.toNanos();
    this.maxExtensionNanos = maxExtension.toNanos();
    this.tickNanos = Math.clamp(visibilityNanos / 6, Duration.ofMillis(200).toNanos(), Duration.ofSeconds(5).toNanos());
  }

  /**
   * Starts the ticking thread: a platform thread, not a daemon, so a running consumer keeps the JVM alive
   * the way a server socket does; close() ends it.
   */
  void start(String consumerName) {
    thread = Thread.ofPlatform().name(consumerName + "-heartbeat").daemon(false).start(this);
  }

  void stop() throws InterruptedException {
    stopped = true;
    if (thread != null) {
      thread.interrupt();
      thread.join(Duration.ofSeconds(5));
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
      } catch (RuntimeException e) {
        LOG.warn("visibility heartbeat failed, trying again next tick: {}", e.toString());
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
      long remainingAllowed = entry.receivedNanos + maxExtensionNanos - now;
      long visibility = Math.min(visibilityNanos, remainingAllowed);
      if (visibility < Duration.ofSeconds(1).toNanos()) {
        continue; // [extension <= maxExtension]: it runs out; the message comes back
      }
      // SQS takes whole seconds
      Duration seconds = Duration.ofSeconds(visibility / 1_000_000_000L);
      if (!entry.startExtension()) {
        continue; // settling, or an extension is under way
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
    port.changeVisibilityBatch(changes).whenComplete((reply, error) -> {
      for (int i = 0; i < batch.size(); i++) {
        InFlight.Entry entry = batch.get(i);
        QueueException failure = error == null ? reply.failures().get(i) : null;
        boolean extended = error == null && failure == null;
        Duration visibility = changes.get(i).visibility();
        if (extended) {
          entry.deadlineNanos = sentNanos + visibility.toNanos();
        }
        switch (entry.finishExtension()) {
          case EXTENDING -> {
            if (extended) {
              listener.onVisibilityExtended(entry.message, visibility);
            } else {
              // invalid receipt: already back in the queue; others: next tick retries
              LOG.debug("extending {} failed: {}", entry.message, error != null ? error : failure);
            }
          }
          case RELEASED_DURING_EXTENSION -> resendRelease(entry);
          case SETTLED -> {
            // deleted meanwhile: a late extension does no harm
          }
          default -> throw new AssertionError(entry);
        }
      }
    });
  }

  /**
   * Sends the release of a message again, after an extension that was under way when it was released:
   * [release after extension], whichever of the two the queue saw last before.
   */
  private void resendRelease(InFlight.Entry entry) {
    Duration visibility = entry.release();
    port.changeVisibility(entry.message, visibility).whenComplete((ignored, error) -> {
      if (error != null) {
        LOG.debug("sending the release of {} again after an extension failed (it comes back when the "
            + "extension runs out at the latest): {}", entry.message, error.toString());
      }
    });
  }
}
