package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class RetryPolicyTest {
  private static final RuntimeException CAUSE = new RuntimeException("boom");

  static Message withReceiveCount(int count) {
    return Message.builder().id("m").body("b").receiptHandle("r")
        .attribute(Message.APPROXIMATE_RECEIVE_COUNT, Integer.toString(count)).build();
  }

  @Test
  void exponential_staysWithinTheCeilingForEachAttempt() {
    RetryPolicy policy = RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(60));
    for (int count = 1; count <= 10; count++) {
      long ceiling = Math.min(60_000, 1000L << (count - 1));
      long max = 0;
      for (int i = 0; i < 2000; i++) {
        long delay = policy.delay(withReceiveCount(count), CAUSE).orElseThrow().toMillis();
        // equal jitter: never below half the step, so a failed message never comes back at once
        assertThat(delay).isBetween(ceiling / 2, ceiling);
        max = Math.max(max, delay);
      }
      // the random half spreads over its whole range: with 2000 draws the top 10 % is reached
      assertThat(max).isGreaterThan(ceiling * 9 / 10);
    }
  }

  @Test
  void exponential_hugeReceiveCountDoesNotOverflow() {
    RetryPolicy policy = RetryPolicy.exponential(Duration.ofMillis(1500), Duration.ofHours(12));
    for (int count : new int[] {40, 63, 64, 1000, Integer.MAX_VALUE}) {
      assertThat(policy.delay(withReceiveCount(count), CAUSE).orElseThrow())
          .isBetween(Duration.ZERO, Duration.ofHours(12));
    }
  }

  @Test
  void exponential_missingReceiveCountCountsAsFirst() {
    Message message = Message.builder().id("m").body("b").receiptHandle("r").build();
    RetryPolicy policy = RetryPolicy.exponential(Duration.ofSeconds(2), Duration.ofSeconds(60));
    for (int i = 0; i < 100; i++) {
      assertThat(policy.delay(message, CAUSE).orElseThrow()).isBetween(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void exponential_invalidArguments() {
    assertThatThrownBy(() -> RetryPolicy.exponential(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("base must be positive but was PT0S");
    assertThatThrownBy(() -> RetryPolicy.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("max must be between base (PT2S) and PT12H but was PT1S");
    assertThatThrownBy(() -> RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofHours(13)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("max must be between base (PT1S) and PT12H but was PT13H");
  }

  @Test
  void defaultPolicy_isCappedAtFiveMinutes() {
    for (int i = 0; i < 1000; i++) {
      assertThat(RetryPolicy.defaultPolicy().delay(withReceiveCount(50), CAUSE).orElseThrow())
          .isLessThanOrEqualTo(Duration.ofMinutes(5));
    }
  }

  @Test
  void fixed_alwaysTheSame() {
    assertThat(RetryPolicy.fixed(Duration.ofSeconds(7)).delay(withReceiveCount(3), CAUSE)).contains(Duration.ofSeconds(7));
    assertThatThrownBy(() -> RetryPolicy.fixed(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay must be between 0 and PT12H but was PT-1S");
  }

  @Test
  void visibilityTimeout_leavesMessagesAlone() {
    assertThat(RetryPolicy.visibilityTimeout().delay(withReceiveCount(1), CAUSE)).isEmpty();
  }
}
