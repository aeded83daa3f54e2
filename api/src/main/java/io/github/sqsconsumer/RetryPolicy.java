package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.Backoff;
import io.github.sqsconsumer.spi.Limits;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides when a failed message comes back: the visibility timeout to set on it.
 *
 * <p>Called by worker threads concurrently, once per failed message, on the hot path: implementations must
 * be thread-safe and fast, and must not block.
 *
 * <p>A queue's redrive policy counts receives, not failures: {@link Message#receiveCount()} grows with
 * every receive, including those of messages released without being handled (FIFO messages behind a
 * failing one of their group, prefetched messages at {@link Consumer#close()}). A policy keyed on the
 * receive count, and the queue's {@code maxReceiveCount}, should leave room for those.
 */
@FunctionalInterface
public interface RetryPolicy {
  /** The longest visibility timeout SQS accepts: {@link Limits#MAX_VISIBILITY}, named for policy writers. */
  Duration MAX_DELAY = Limits.MAX_VISIBILITY;

  /**
   * Returns the delay before the message is visible again, or empty to leave the message alone: it then
   * comes back when its current visibility timeout runs out.
   *
   * <p>SQS keeps a message hidden at most 12 hours after the receive that brought it, so the consumer
   * shortens a longer delay to what remains of those 12 hours (less a minute), and to zero once they are
   * spent: after a long handler, {@code fixed(12h)} brings the message back 12 hours after its receive.
   *
   * @param message the failed message, never null; {@link Message#receiveCount()} counts this delivery
   * @param cause why it failed, never null
   * @return the delay between zero and {@link #MAX_DELAY}, or empty; never null
   */
  Optional<Duration> delay(Message message, Throwable cause);

  /**
   * The default: exponential backoff with equal jitter, capped — the delay is uniformly random in
   * {@code [d/2, d]} with {@code d = min(max, base * 2^(receiveCount - 1))}: the library's one schedule,
   * {@link Backoff}, whose Javadoc says why equal jitter. Half of each delay is fixed, so a failed message
   * never comes back at once; the random half spreads out many failed messages instead of bringing them
   * back together.
   *
   * @param base the largest delay of the first retry, positive
   * @param max the cap, at least {@code base} and at most 12 hours
   * @return the policy, never null
   */
  static RetryPolicy exponential(Duration base, Duration max) {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(max, "max");
    Checks.requireArgument(!base.isNegative() && !base.isZero(), "base must be positive but was %s", base);
    Checks.requireArgument(max.compareTo(base) >= 0 && max.compareTo(MAX_DELAY) <= 0,
        "max must be between base (%s) and %s but was %s", base, MAX_DELAY, max);
    Backoff backoff = Backoff.of(base, max);
    return (message, cause) -> Optional.of(backoff.delay(message.receiveCount()));
  }

  /**
   * The default policy: {@link #exponential} from 1 second up to 5 minutes. A second spreads out quick
   * retries of a passing fault; five minutes keeps a poison message from waiting hours between attempts
   * before the redrive policy moves it.
   *
   * @return the shared default policy; never null
   */
  static RetryPolicy defaultPolicy() {
    return Defaults.EXPONENTIAL;
  }

  /**
   * The same delay for every failure.
   *
   * @param delay between zero and 12 hours
   * @return the policy, never null
   */
  static RetryPolicy fixed(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    Checks.requireArgument(!delay.isNegative() && delay.compareTo(MAX_DELAY) <= 0,
        "delay must be between 0 and %s but was %s", MAX_DELAY, delay);
    Optional<Duration> result = Optional.of(delay);
    return (message, cause) -> result;
  }

  /**
   * Leaves every failed message alone, to come back when its visibility timeout runs out.
   *
   * @return the policy that never gives a delay; never null
   */
  static RetryPolicy visibilityTimeout() {
    return (message, cause) -> Optional.empty();
  }
}

/** Holds the shared default policy. */
final class Defaults {
  static final RetryPolicy EXPONENTIAL = RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofMinutes(5));

  private Defaults() {}
}
