package io.github.sqsconsumer.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class BackoffTest {
  private final Backoff backoff = Backoff.of(Duration.ofMillis(50), Duration.ofSeconds(2));

  @Test
  void step_doublesUpToTheCap() {
    assertThat(backoff.step(0)).isEqualTo(Duration.ofMillis(50));
    assertThat(backoff.step(1)).isEqualTo(Duration.ofMillis(50));
    assertThat(backoff.step(2)).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.step(6)).isEqualTo(Duration.ofMillis(1600));
    assertThat(backoff.step(7)).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void step_hugeAttempt_doesNotOverflow() {
    for (int attempt : new int[] {40, 63, 64, 65, 1000, Integer.MAX_VALUE}) {
      assertThat(backoff.step(attempt)).isEqualTo(Duration.ofSeconds(2));
    }
  }

  /** Equal jitter: at least half the step, so a retry never comes at once; the other half random. */
  @Test
  void delay_isBetweenHalfTheStepAndTheStep() {
    for (int attempt = 1; attempt <= 8; attempt++) {
      Duration step = backoff.step(attempt);
      Duration lowest = step;
      Duration highest = Duration.ZERO;
      for (int i = 0; i < 2000; i++) {
        Duration delay = backoff.delay(attempt);
        assertThat(delay).isBetween(step.dividedBy(2), step);
        lowest = delay.compareTo(lowest) < 0 ? delay : lowest;
        highest = delay.compareTo(highest) > 0 ? delay : highest;
      }
      // spread over the random half: with 2000 draws both of its outer tenths are reached
      assertThat(lowest).isLessThan(step.dividedBy(2).plus(step.dividedBy(20)));
      assertThat(highest).isGreaterThan(step.minus(step.dividedBy(20)));
    }
  }

  @Test
  void sequence_countsAttemptsAndStartsOver() {
    Backoff.Sequence sequence = backoff.sequence();
    assertThat(sequence.next()).isBetween(Duration.ofMillis(25), Duration.ofMillis(50));
    assertThat(sequence.next()).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    assertThat(sequence.attempts()).isEqualTo(2);
    sequence.reset();
    assertThat(sequence.attempts()).isZero();
    assertThat(sequence.next()).isBetween(Duration.ofMillis(25), Duration.ofMillis(50));
  }

  @Test
  void of_invalidArguments() {
    assertThatThrownBy(() -> Backoff.of(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("base must be positive but was PT0S");
    assertThatThrownBy(() -> Backoff.of(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("cap must be at least base (PT2S) but was PT1S");
  }
}
