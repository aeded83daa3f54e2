package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gate the pollers pass before each receive: once pause() or stopReceives() returned no receive is
 * sent, and a receive being sent when they were called is sent before they return.
 */
@Timeout(30)
final class PauseGateTest {
  private static final Duration WAIT = Duration.ofSeconds(1);
  private static final Duration VISIBILITY = Duration.ofSeconds(30);

  private final PauseGate gate = new PauseGate();
  private final TestParts.ListRunner runner = new TestParts.ListRunner();

  @Test
  void pausedThenResumed_receivesOnlyAfterTheResume() {
    runner.emptyAtOnce = true;
    gate.pause();

    assertThat(gate.receive(runner, 10, WAIT, VISIBILITY)).isNull();
    assertThat(runner.receives).hasValue(0);

    gate.resume();
    assertThat(gate.receive(runner, 10, WAIT, VISIBILITY)).isNotNull();
    assertThat(runner.receives).hasValue(1);
  }

  @Test
  void stopped_noReceiveEvenAfterAResume() {
    runner.emptyAtOnce = true;
    gate.stopReceives();
    gate.resume();

    assertThat(gate.receive(runner, 10, WAIT, VISIBILITY)).isNull();
    assertThat(runner.receives).hasValue(0);
  }

  /**
   * Regression: a poller looked at the consumer's running flag, then sent its receive; a close that came in
   * between moved the consumer to STOPPING unseen, and the receive went out after it (its messages
   * released unhandled, each release counted toward maxReceiveCount). The stop now waits for a receive that
   * is being sent, and none starts after it.
   */
  @Test
  void stopReceives_whileAReceiveIsBeingSent_returnsOnlyOnceItWasSent() throws Exception {
    runner.emptyAtOnce = true;
    CountDownLatch sending = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    runner.onReceive = () -> {
      sending.countDown();
      try {
        proceed.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    Thread poller = Thread.ofVirtual().start(() -> gate.receive(runner, 10, WAIT, VISIBILITY));
    assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();

    Thread stopper = Thread.ofVirtual().start(gate::stopReceives);
    assertThat(stopper.join(Duration.ofMillis(200))).as("the stop waits for the receive being sent").isFalse();
    proceed.countDown();

    assertThat(stopper.join(Duration.ofSeconds(10))).isTrue();
    assertThat(poller.join(Duration.ofSeconds(10))).isTrue();
    runner.onReceive = null;
    assertThat(gate.receive(runner, 10, WAIT, VISIBILITY)).isNull();
    assertThat(runner.receives).hasValue(1);
  }
}
