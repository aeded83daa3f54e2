package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.WorkUnit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns the outcomes of a unit's messages into acknowledgements and releases handed to the harvester. */
final class Settlement {
  /*
   * Rules:
   *   success -> acknowledge. PermanentFailureException -> reported as discarded, acknowledged.
   *   AcknowledgeMode.ALWAYS -> any failure is reported and acknowledged. Otherwise the retry policy names
   *   a delay: the message is released with it (clamped to [0, what SQS allows for this receive]), or, with
   *   no delay (or a policy that throws), it leaves the registry and comes back after its visibility
   *   timeout. FIFO batches: after the first message that failed, the later ones are released at 0 s
   *   without counting as handled, so the group is redelivered in order from the failure on.
   * Concurrency:
   *   Called by the worker threads running units (settle, settleBatch, unsettled) and by whoever hands
   *   unstarted units back (pollers, the FIFO dispatcher, close): no state of its own besides the count of
   *   messages the closed harvester refused. A release marks the registry entry first, so the heartbeat
   *   sends no extension after it. [no extension after the release]: see InFlight
   * Failures of the harvester:
   *   IllegalStateException means it has closed (a handler outlived the shutdown timeout, or a hand-back
   *   waited for room until close gave up on the queue): reported, and left to its visibility timeout. Any
   *   other throw is a bug of the harvester: the message leaves the registry, is reported, and the throw
   *   passes on to the unit's runner, which gives up on the rest of the unit (see unsettled).
   *   [nothing kept alive that nobody settles]
   */
  private static final Logger LOG = LoggerFactory.getLogger(Settlement.class);

  private final String name;
  private final RetryPolicy retryPolicy;
  private final AcknowledgeMode acknowledgeMode;
  private final boolean fifo;
  private final Harvester harvester;
  private final InFlight registry;
  private final SafeListener listener;
  private final FlowControl flow;
  private final AtomicInteger refusedAtClose = new AtomicInteger();

  Settlement(String name, RetryPolicy retryPolicy, AcknowledgeMode acknowledgeMode, boolean fifo,
      Harvester harvester, InFlight registry, ConsumerListener listener, FlowControl flow) {
    this.name = name;
    this.retryPolicy = retryPolicy;
    this.acknowledgeMode = acknowledgeMode;
    this.fifo = fifo;
    this.harvester = harvester;
    this.registry = registry;
    this.listener = SafeListener.of(listener); // [a listener's throw changes nothing]: see SafeListener
    this.flow = flow;
  }

  /**
   * Settles the one message of {@code unit} with the handler's {@code failure} (null: success); returns
   * true if it failed and will come back.
   */
  boolean settle(Unit unit, Throwable failure, long elapsedNanos) {
    boolean failed = settle(unit.messages().get(0), failure, elapsedNanos, null);
    unit.settled = 1;
    return failed;
  }

  /**
   * Settles the messages of a batch unit: each by {@code whole} if the batch failed as a whole, else by
   * {@code result}; returns true if any failed and will come back.
   */
  boolean settleBatch(Unit unit, Throwable whole, BatchResult result, long elapsedNanos) {
    return settleBatch(unit, whole, result, elapsedNanos, null);
  }

  /**
   * Settles a unit whose handler outlived its timeout, every message failed with {@code cause}: reports
   * each outcome now, and returns what the harvester is to do with the messages, for when the handler has
   * really returned. Until then they stay in the registry, kept invisible by the heartbeat, so a handler
   * that ignores its interrupt never has its message handled again beside it (nor, on a FIFO queue, its
   * group's next one).
   */
  Runnable settleExpired(Unit unit, HandlerTimeoutException cause, long elapsedNanos) {
    List<Runnable> later = new ArrayList<>(unit.messages().size());
    try {
      settleBatch(unit, cause, null, elapsedNanos, later);
    } catch (RuntimeException | Error e) {
      unit.settled = 0; // nothing went to the harvester: unsettled() gives up on every message
      throw e;
    }
    return () -> {
      for (Runnable handOver : later) {
        try {
          handOver.run();
        } catch (RuntimeException | Error e) { // reported and left to its visibility timeout (handOffFailed)
          LOG.error("{}: the harvester failed to take the outcome of a timed-out handler's message; it comes "
              + "back after its visibility timeout", name, Throwables.loggable(e));
        }
      }
    };
  }

  /** As above; with {@code later} non-null the harvester's part is added to it instead of done now. */
  private boolean settleBatch(Unit unit, Throwable whole, BatchResult result, long elapsedNanos,
      List<Runnable> later) {
    if (whole == null && !result.failures().isEmpty()) {
      result = namingTheBatch(unit.messages(), result);
    }
    boolean failed = false;
    for (Message message : unit.messages()) {
      if (failed && fifo) {
        // FIFO: after the first failure of a group, later messages are not counted as handled in order
        if (later == null) {
          release(message, Duration.ZERO);
        } else {
          later.add(() -> release(message, Duration.ZERO));
        }
      } else {
        Throwable failure = whole != null ? whole : result.failureOf(message).orElse(null);
        failed |= settle(message, failure, elapsedNanos, later);
      }
      unit.settled++;
    }
    return failed;
  }

  /**
   * A batch handler's result names deliveries of its batch; one that names another (a message rebuilt with
   * another receipt handle, or one of another batch) would leave the message it meant to fail succeeding,
   * deleted. Such entries are matched to the batch's deliveries of the same message id; an entry that
   * matches none makes every message of the batch fail, so that nothing the handler meant to fail is
   * deleted. Returns the result to settle by. Costs one lookup per message of a batch with failures; results
   * naming only the batch's deliveries are returned as they are.
   */
  private BatchResult namingTheBatch(List<Message> batch, BatchResult result) {
    Map<Message, Throwable> failures = result.failures();
    int named = 0;
    for (Message message : batch) {
      if (failures.containsKey(message)) {
        named++;
      }
    }
    if (named == failures.size()) {
      return result;
    }
    BatchResult.Builder matched = BatchResult.builder();
    for (Message message : batch) {
      Throwable failure = failures.get(message);
      if (failure != null) {
        matched.failed(message, failure);
      }
    }
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<Message, Throwable> entry : failures.entrySet()) {
      if (batch.contains(entry.getKey())) {
        continue;
      }
      boolean found = false;
      for (Message message : batch) {
        if (message.id().equals(entry.getKey().id())) {
          found = true; // named already, as it is, or now by this entry
          if (!failures.containsKey(message)) {
            matched.failed(message, entry.getValue());
          }
        }
      }
      if (!found) {
        unknown.add(entry.getKey().id());
      }
    }
    if (!unknown.isEmpty()) {
      LOG.warn("{}: a batch handler's result names message(s) {} that are not in its batch of {}; the batch "
          + "fails as a whole, so that no message it meant to fail is deleted", name, unknown, batch.size());
      IllegalArgumentException broken = new IllegalArgumentException("the batch handler's result names "
          + "message(s) " + unknown + " that are not in its batch (name the Message objects it was given)");
      BatchResult.Builder all = BatchResult.builder();
      batch.forEach(message -> all.failed(message, broken));
      return all.build();
    }
    LOG.warn("{}: a batch handler's result names deliveries of its batch by other Message objects (another "
        + "receipt handle); matched by message id", name);
    return matched.build();
  }

  /**
   * Gives up on what settling {@code unit} left unsettled when it threw: those messages leave the registry,
   * so the heartbeat stops and they come back after their visibility timeout, and each is reported.
   */
  void unsettled(Unit unit, Throwable cause) {
    LOG.error("{}: settling {} failed; its messages not yet with the harvester come back after their "
        + "visibility timeout", name, unit, Throwables.loggable(cause));
    List<Message> messages = unit.messages();
    for (int i = unit.settled; i < messages.size(); i++) {
      // the one whose hand-off threw was removed and reported already (handOffFailed): remove() is false
      if (registry.remove(messages.get(i))) {
        listener.onAcknowledgementFailed(messages.get(i), cause);
      }
    }
  }

  /**
   * Makes the messages of a unit that never started visible again at once, and gives back its permits. May
   * wait for room in the harvester.
   */
  void releaseUnstarted(WorkUnit unit) {
    try {
      for (Message message : unit.messages()) {
        try {
          release(message, Duration.ZERO);
        } catch (RuntimeException | Error e) {
          // a part may throw anything, an Error too; reported by release (which took it out of the
          // registry): [the rest of the unit, and of the caller's units, still goes back]
          LOG.error("{}: the harvester failed to release {}; it comes back after its visibility timeout", name,
              message, Throwables.loggable(e));
        }
      }
    } finally {
      flow.release(unit.messages().size());
    }
  }

  /**
   * {@return whether anybody hears a handler's time} Without a listener the handler's end need not be read
   * from the clock: the elapsed time passed to {@link #settle} is then ignored.
   */
  boolean timesHandlers() {
    return !listener.isSilent();
  }

  /** How many messages reached the harvester after it closed. */
  int refusedAtClose() {
    return refusedAtClose.get();
  }

  /**
   * Reports one outcome and hands it to the harvester, or adds the hand-over to {@code later} if that is
   * non-null; returns true if the message failed and will come back.
   */
  private boolean settle(Message message, Throwable failure, long elapsedNanos, List<Runnable> later) {
    if (failure == null) {
      if (!listener.isSilent()) {
        listener.onSucceeded(message, Duration.ofNanos(elapsedNanos));
      }
      acknowledge(message, later);
      return false;
    }
    if (failure instanceof PermanentFailureException) {
      listener.onDiscarded(message, failure);
      acknowledge(message, later);
      return false;
    }
    if (acknowledgeMode == AcknowledgeMode.ALWAYS) {
      listener.onFailed(message, failure, null);
      acknowledge(message, later);
      return false;
    }
    Optional<Duration> delay = retryDelay(message, failure);
    listener.onFailed(message, failure, delay.orElse(null));
    if (delay.isPresent()) {
      Duration visibility = delay.get();
      if (later == null) {
        release(message, visibility);
      } else { // clamped again when it goes out: [a release ends within 12 h of its receive]
        later.add(() -> release(message, min(visibility, longestRelease(message))));
      }
    } else if (later == null) {
      registry.remove(message); // left to its visibility timeout: no heartbeat any more
    } else {
      later.add(() -> registry.remove(message));
    }
    return true;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private void acknowledge(Message message, List<Runnable> later) {
    if (later == null) {
      acknowledge(message);
    } else {
      later.add(() -> acknowledge(message));
    }
  }

  private Optional<Duration> retryDelay(Message message, Throwable failure) {
    try {
      Optional<Duration> delay = retryPolicy.delay(message, failure);
      if (delay == null) {
        return Optional.empty();
      }
      Duration longest = longestRelease(message);
      return delay.map(d -> d.isNegative() ? Duration.ZERO : d.compareTo(longest) > 0 ? longest : d);
    } catch (Throwable e) { // an Error too: it must not skip the settling of the rest of a batch
      LOG.warn("{}: the retry policy failed for {}; leaving it to its visibility timeout: {}", name, message,
          Throwables.describe(e));
      return Optional.empty();
    }
  }

  /**
   * The longest visibility a release of this message may ask for now, in whole seconds: InFlight's rule
   * ({@link InFlight.Entry#visibilityLeftNanos}). [a release ends within 12 h of its receive]
   */
  private Duration longestRelease(Message message) {
    OptionalLong left = registry.visibilityLeftNanos(message, System.nanoTime());
    if (left.isEmpty()) {
      return RetryPolicy.MAX_DELAY; // not ours any more (settled meanwhile): the harvester will refuse it anyway
    }
    return Duration.ofSeconds(Math.clamp(left.getAsLong() / 1_000_000_000L, 0, RetryPolicy.MAX_DELAY.toSeconds()));
  }

  private void acknowledge(Message message) {
    // not marked: the heartbeat keeps it alive until the harvester reports the delete (a batch may wait for
    // its flush, or for room under throttling); an extension that arrives after the delete only fails
    try {
      harvester.acknowledge(message);
    } catch (IllegalStateException e) {
      lateOutcome(message, e);
    } catch (RuntimeException | Error e) {
      handOffFailed(message, e);
      throw e;
    }
  }

  private void release(Message message, Duration visibility) {
    registry.releasing(message, visibility); // [no extension after the release]: see InFlight
    try {
      harvester.release(message, visibility);
    } catch (IllegalStateException e) {
      lateOutcome(message, e);
    } catch (RuntimeException | Error e) {
      handOffFailed(message, e);
      throw e;
    }
  }

  /** The harvester threw instead of taking the message (a bug): it is left to its visibility timeout. */
  private void handOffFailed(Message message, Throwable cause) {
    registry.remove(message);
    listener.onAcknowledgementFailed(message, cause);
  }

  /** The harvester has closed: reported, and left to its visibility timeout. */
  private void lateOutcome(Message message, IllegalStateException refusal) {
    if (registry.remove(message)) {
      refusedAtClose.incrementAndGet();
      LOG.debug("{}: {} reached the harvester after it closed; it comes back after its visibility timeout", name,
          message);
      listener.onAcknowledgementFailed(message, refusal);
    }
  }
}
