package io.github.sqsconsumer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

final class MeterTest {

  /** Any fixed reading of the clock; not 0, which {@link Meter#handled} takes for "sent at an unknown time". */
  private static final long NOW = TimeUnit.HOURS.toNanos(5);

  // The clock stands still, so every latency is exact and so is each quantile: the upper edge of its
  // 0.1 ms bucket. (Timed with the real clock, a pause of a millisecond between the sends and the reading
  // moved the quantiles out of their window on a busy machine.)
  @Test
  void latencyMillis_quantilesOfRecordedLatencies() {
    Meter meter = new Meter(() -> NOW);
    for (int i = 100; i >= 1; i--) {
      meter.handled(NOW - TimeUnit.MILLISECONDS.toNanos(i)); // 100..1 ms ago
    }
    assertThat(meter.count()).isEqualTo(100);
    assertThat(meter.latencyMillis(0.01)).isCloseTo(1.1, within(1e-9));
    assertThat(meter.latencyMillis(0.5)).isCloseTo(50.1, within(1e-9));
    assertThat(meter.latencyMillis(0.99)).isCloseTo(99.1, within(1e-9));
    assertThat(meter.latencyMillis(1.0)).isCloseTo(100.1, within(1e-9));
    meter.resetLatencies();
    assertThat(meter.latencyMillis(0.5)).isNaN();
    assertThat(meter.count()).isEqualTo(100);
  }

  @Test
  void latencyMillis_quantileBetweenTwoBuckets_takesTheRankAtOrAbove() {
    AtomicLong clock = new AtomicLong(NOW);
    Meter meter = new Meter(clock::get);
    meter.handled(NOW - TimeUnit.MILLISECONDS.toNanos(2)); // 2 ms
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(5));
    meter.handled(NOW); // 5 ms: the clock moved on
    meter.handled(NOW); // 5 ms
    meter.handled(NOW - TimeUnit.MICROSECONDS.toNanos(3_050)); // 8.05 ms, in the bucket up to 8.1 ms
    assertThat(meter.latencyMillis(0.25)).isCloseTo(2.1, within(1e-9)); // rank 1
    assertThat(meter.latencyMillis(0.26)).isCloseTo(5.1, within(1e-9)); // rank 2
    assertThat(meter.latencyMillis(0.75)).isCloseTo(5.1, within(1e-9)); // rank 3
    assertThat(meter.latencyMillis(0.76)).isCloseTo(8.1, within(1e-9)); // rank 4
  }

  @Test
  void handled_outsideTheBuckets_landsInTheFirstOrLast() {
    Meter meter = new Meter(() -> NOW);
    meter.handled(NOW + 1_000); // sent "after" it was handled: another thread's clock reading, a hair later
    assertThat(meter.latencyMillis(1.0)).isCloseTo(0.1, within(1e-9));
    meter.handled(NOW - TimeUnit.SECONDS.toNanos(90)); // past the last bucket's 60 s
    assertThat(meter.latencyMillis(1.0)).isCloseTo(60_000.0, within(1e-9));
  }

  @Test
  void handled_unknownSendTime_countsWithoutALatency() {
    Meter meter = new Meter(() -> NOW);
    meter.handled(0);
    assertThat(meter.count()).isEqualTo(1);
    assertThat(meter.latencyMillis(0.5)).isNaN();
  }

  @Test
  void awaitCount_returnsOnceOthersHandledEnough() throws Exception {
    Meter meter = new Meter();
    meter.handled(0);
    Thread waiter = Thread.currentThread();
    Thread handlers = Thread.ofPlatform().daemon().start(() -> {
      // once the waiter is parked, so that the handler reaching the goal is the one that wakes it
      while (LockSupport.getBlocker(waiter) != meter) {
        Thread.yield(); // a moment: the waiter is between reading the count and parking
      }
      for (int i = 0; i < 1_000; i++) {
        meter.handled(0);
      }
    });
    try {
      assertThat(meter.awaitCount(1_001, TimeUnit.SECONDS.toNanos(60))).isEqualTo(1_001);
    } finally {
      handlers.join(TimeUnit.SECONDS.toMillis(60));
    }
  }

  // Regression: JMH benchmarks waited for "100 more", a goal taken from the count when the call started,
  // so what was handled while the benchmark thread woke up and came back was never counted: at 4,096
  // virtual threads sleeping 10 ms the score read 70 % of what the machine did (94 %).
  @Test
  void awaitStep_countsWhatWasHandledBetweenStepsTowardTheNext() throws Exception {
    Meter meter = new Meter();
    meter.handled(0); // before the steps start: counts toward none
    meter.startSteps();
    for (int i = 0; i < 150; i++) {
      meter.handled(0); // while the caller was away
    }
    long timeout = TimeUnit.SECONDS.toNanos(60);
    assertThat(meter.awaitStep(100, timeout)).isEqualTo(151); // goal 101, passed already: no wait
    Thread waiter = Thread.currentThread();
    Thread handlers = Thread.ofPlatform().daemon().start(() -> {
      while (LockSupport.getBlocker(waiter) != meter) {
        Thread.yield(); // until the waiter is parked for its goal
      }
      for (int i = 0; i < 50; i++) {
        meter.handled(0);
      }
    });
    try {
      assertThat(meter.awaitStep(100, timeout)).isEqualTo(201); // goal 201: 50 more, not 100
    } finally {
      handlers.join(TimeUnit.SECONDS.toMillis(60));
    }
    assertThatThrownBy(() -> meter.awaitStep(1, TimeUnit.MILLISECONDS.toNanos(50)))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("handled 201 of 202 messages");
  }

  @Test
  void awaitCount_nothingHandled_timesOut() {
    Meter meter = new Meter();
    assertThatThrownBy(() -> meter.awaitCount(1, TimeUnit.MILLISECONDS.toNanos(50)))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("handled 0 of 1 messages");
  }

  // Regression: parkNanos returns at once while the thread is interrupted, so an interrupted wait (JMH
  // interrupts a benchmark past its timeout) spun at full CPU until its deadline, then reported a timeout.
  @Test
  void awaitCount_interrupted_throwsInsteadOfSpinning() {
    Meter meter = new Meter();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> meter.awaitCount(1, TimeUnit.SECONDS.toNanos(60)))
          .isInstanceOf(InterruptedException.class)
          .hasMessageContaining("interrupted with 0 of 1 messages handled");
    } finally {
      Thread.interrupted(); // leave the test thread as it was, whatever happened
    }
  }
}
