package io.github.sqsconsumer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

final class MeterTest {

  @Test
  void latencyMillis_quantilesOfRecordedLatencies() {
    Meter meter = new Meter();
    long now = System.nanoTime();
    for (int i = 1; i <= 100; i++) {
      meter.handled(now - TimeUnit.MILLISECONDS.toNanos(i)); // 1..100 ms ago (plus a few us)
    }
    assertThat(meter.count()).isEqualTo(100);
    assertThat(meter.latencyMillis(0.5)).isBetween(50.0, 52.0);
    assertThat(meter.latencyMillis(0.99)).isBetween(99.0, 101.0);
    meter.resetLatencies();
    assertThat(meter.latencyMillis(0.5)).isNaN();
  }

  @Test
  void awaitMore_returnsOnceOthersHandledEnough() throws Exception {
    Meter meter = new Meter();
    CountDownLatch waiting = new CountDownLatch(1);
    Thread handlers = Thread.ofPlatform().start(() -> {
      try {
        waiting.await();
      } catch (InterruptedException e) {
        return;
      }
      for (int i = 0; i < 1_000; i++) {
        meter.handled(0);
      }
    });
    waiting.countDown();
    assertThat(meter.awaitMore(1_000, TimeUnit.SECONDS.toNanos(10))).isGreaterThanOrEqualTo(1_000);
    handlers.join();
  }

  @Test
  void awaitMore_nothingHandled_timesOut() {
    Meter meter = new Meter();
    assertThatThrownBy(() -> meter.awaitMore(1, TimeUnit.MILLISECONDS.toNanos(50)))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("handled 0 of 1 messages");
  }
}
