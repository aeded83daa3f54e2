package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The health's failing time: failed receives, and a receive left unanswered past its wait time plus
 * {@link HealthTracker#OVERDUE} while no other receive is answered (a long poll the queue never answers).
 */
final class HealthTrackerTest {
  private static final Duration UNHEALTHY_AFTER = Duration.ofSeconds(1);

  private final HealthTracker health = new HealthTracker(UNHEALTHY_AFTER);

  private ConsumerHealth now() {
    return health.snapshot(Consumer.State.RUNNING, false, 0);
  }

  private static long secondsAgo(long seconds) {
    return System.nanoTime() - Duration.ofSeconds(seconds).toNanos();
  }

  @Test
  void receiveOverdueAfterTheLastAnswer_failingSinceItBecameOverdue() throws Exception {
    health.received();
    Thread.sleep(5);
    long overdueAt = System.nanoTime();
    health.receiving(0, overdueAt);
    Thread.sleep(5);

    ConsumerHealth snapshot = now();
    assertThat(snapshot.failingFor()).isPositive().isLessThan(UNHEALTHY_AFTER);
    assertThat(snapshot.healthy()).as("not yet past the threshold").isTrue();
    assertThat(snapshot.pollFailures()).as("not a failure, only late").isZero();
  }

  @Test
  void receiveOverdueLongAgo_beforeAnyAnswer_unhealthy() {
    health.receiving(3, secondsAgo(2));

    ConsumerHealth snapshot = now();
    assertThat(snapshot.healthy()).isFalse();
    assertThat(snapshot.failingFor()).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    assertThat(snapshot.lastReceive()).isNull();

    health.done(3); // cancelled by the core's deadline, or answered at last
    assertThat(now().healthy()).isTrue();
  }

  @Test
  void receiveNotYetOverdue_healthy() {
    health.receiving(0, System.nanoTime() + Duration.ofSeconds(20).toNanos());

    assertThat(now().healthy()).isTrue();
    assertThat(now().failingFor()).isZero();
  }

  @Test
  void anotherReceiveAnsweredAfterItBecameOverdue_oneHungConnectionIsNoOutage() {
    health.receiving(0, secondsAgo(2));
    health.received(); // another poller's receive answered, now: after the receive became overdue

    assertThat(now().healthy()).isTrue();
    assertThat(now().failingFor()).isZero();
  }

  @Test
  void failuresAndAnOverdueReceive_theEarlierCounts() {
    health.failed(0);
    health.receiving(1, secondsAgo(2));

    ConsumerHealth snapshot = now();
    assertThat(snapshot.pollFailures()).isEqualTo(1);
    assertThat(snapshot.failingFor()).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    assertThat(snapshot.healthy()).isFalse();
  }

  @Test
  void overdueAt_waitTimePlusTheMargin() {
    assertThat(HealthTracker.overdueAt(1_000, Duration.ofSeconds(20)))
        .isEqualTo(1_000 + Duration.ofSeconds(20).plus(HealthTracker.OVERDUE).toNanos());
  }

  // Regression: a receive overdue for a minute that then failed (the client's timeouts and retries gave up
  // on a black-holed connection) counted as failing from its failure only, once its overdue mark was
  // cleared: the consumer read healthy again in the middle of the outage.
  @Test
  void receiveOverdueThenFailed_failingSinceItBecameOverdue() {
    health.receiving(2, secondsAgo(3));
    health.failed(2);
    health.done(2);

    ConsumerHealth snapshot = now();
    assertThat(snapshot.pollFailures()).isEqualTo(1);
    assertThat(snapshot.failingFor()).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    assertThat(snapshot.healthy()).isFalse();
  }

  @Test
  void receiveFailedBeforeItWasOverdue_failingSinceTheFailure() {
    health.received();
    health.receiving(0, System.nanoTime() + Duration.ofSeconds(20).toNanos());
    health.failed(0);
    health.done(0);

    assertThat(now().failingFor()).isLessThan(UNHEALTHY_AFTER);
    assertThat(now().healthy()).isTrue();
  }

  @Test
  void receiveOverdueSinceBeforeAnAnswer_failingSinceTheFailure() {
    long overdue = secondsAgo(3);
    health.received(); // another poller's receive answered after this one became overdue
    health.receiving(1, overdue);
    health.failed(1);
    health.done(1);

    assertThat(now().failingFor()).isLessThan(UNHEALTHY_AFTER);
  }
}
