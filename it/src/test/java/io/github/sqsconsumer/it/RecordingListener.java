package io.github.sqsconsumer.it;

import io.github.sqsconsumer.ConsumerListener;
import io.github.sqsconsumer.Message;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A listener that counts every event by kind and remembers, by body, which messages were discarded,
 * failed or released. Thread-safe and non-blocking, as listeners must be.
 */
class RecordingListener implements ConsumerListener {
  enum Event { RECEIVED, SUCCEEDED, FAILED, DISCARDED, ACKNOWLEDGED, ACKNOWLEDGEMENT_FAILED, RELEASED, EXTENDED,
    POLL_ERROR }

  private final Map<Event, LongAdder> counts = new ConcurrentHashMap<>();
  private final Set<String> discarded = ConcurrentHashMap.newKeySet();
  private final Map<String, Duration> lastRetryDelay = new ConcurrentHashMap<>();
  private final Set<String> released = ConcurrentHashMap.newKeySet();

  private void record(Event event) {
    counts.computeIfAbsent(event, k -> new LongAdder()).increment();
  }

  /** Returns how many events of this kind arrived. */
  long count(Event event) {
    LongAdder adder = counts.get(event);
    return adder == null ? 0 : adder.sum();
  }

  /** Bodies of the discarded messages; live view. */
  Set<String> discarded() {
    return discarded;
  }

  /** Bodies of the released messages; live view. */
  Set<String> released() {
    return released;
  }

  /** The retry delay of the last failure of each failed message, by body; absent when none was given. */
  Map<String, Duration> retryDelays() {
    return lastRetryDelay;
  }

  @Override
  public void onReceived(Message message) {
    record(Event.RECEIVED);
  }

  @Override
  public void onSucceeded(Message message, Duration handlerTime) {
    record(Event.SUCCEEDED);
  }

  @Override
  public void onFailed(Message message, Throwable cause, Duration retryDelay) {
    record(Event.FAILED);
    if (retryDelay != null) {
      lastRetryDelay.put(message.body(), retryDelay);
    }
  }

  @Override
  public void onDiscarded(Message message, Throwable cause) {
    record(Event.DISCARDED);
    discarded.add(message.body());
  }

  @Override
  public void onAcknowledged(Message message) {
    record(Event.ACKNOWLEDGED);
  }

  @Override
  public void onAcknowledgementFailed(Message message, Throwable cause) {
    record(Event.ACKNOWLEDGEMENT_FAILED);
  }

  @Override
  public void onReleased(Message message, Duration visibility) {
    record(Event.RELEASED);
    released.add(message.body());
  }

  @Override
  public void onVisibilityExtended(Message message, Duration visibility) {
    record(Event.EXTENDED);
  }

  @Override
  public void onPollError(Throwable cause, Duration backoff) {
    record(Event.POLL_ERROR);
  }
}
