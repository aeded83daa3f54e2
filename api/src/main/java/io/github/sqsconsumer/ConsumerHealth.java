package io.github.sqsconsumer;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A snapshot of a consumer's health, for readiness and liveness probes; see {@link Consumer#health()}.
 *
 * <p>{@link #healthy()} is true while the consumer is {@link Consumer.State#RUNNING} and its receives have
 * not been failing for longer than {@link Consumer.Builder#unhealthyAfter}: a consumer cut off from SQS (the
 * network, the credentials, the queue deleted) reports unhealthy once that time has passed without one
 * receive answered, and healthy again with the first receive the queue answers. A receive counts as
 * failing once it failed, or once it is still unanswered 5 seconds past its {@linkplain
 * Consumer.Builder#waitTime wait time} (a long poll the queue never answers) while no other receive was
 * answered since. A paused consumer is
 * healthy: it chose not to receive. A readiness probe reads {@link #healthy()}; a liveness probe that must
 * not restart a consumer still starting or draining reads {@code state() != RUNNING || healthy()}.
 *
 * <p>Immutable and thread-safe. The fields are read one by one from a running consumer, so they are each
 * current but not one atomic snapshot (an {@link #inFlight()} read a moment after the state).
 *
 * @param state the consumer's state; never null
 * @param healthy whether the consumer is running and its receives have not been failing for longer than
 *     the {@linkplain Consumer.Builder#unhealthyAfter threshold}
 * @param paused whether receiving is {@linkplain Consumer#pause() paused}
 * @param lastReceive when the queue last answered a receive (with messages or without), by the wall clock;
 *     null until the first answer
 * @param pollFailures receives failed in a row since the queue last answered one, over all the consumer's
 *     pollers; zero while receiving works
 * @param failingFor how long receives have been failing, since the first failure or the first receive
 *     overdue (5 seconds past its wait time) after the last answered receive; {@link Duration#ZERO} while
 *     receiving works; never null
 * @param inFlight messages received and not yet deleted or released ({@link Consumer#inFlight()})
 */
public record ConsumerHealth(Consumer.State state, boolean healthy, boolean paused, Instant lastReceive,
    int pollFailures, Duration failingFor, int inFlight) {

  /** Checks the null contract. */
  public ConsumerHealth {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(failingFor, "failingFor");
  }
}
