package io.github.sqsconsumer.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.RetryPolicy;
import org.junit.jupiter.api.Test;

final class LimitsTest {

  /** The user API's constants are the SPI's limits under other names, never values of their own. */
  @Test
  void publicAliases_areTheLimits() {
    assertThat(Consumer.Builder.MAX_CONCURRENCY).isEqualTo(Limits.MAX_CONCURRENCY);
    assertThat(Consumer.Builder.MAX_WAIT_TIME).isSameAs(Limits.MAX_WAIT_TIME);
    assertThat(RetryPolicy.MAX_DELAY).isSameAs(Limits.MAX_VISIBILITY);
    assertThat(QueuePort.MAX_BATCH_SIZE).isEqualTo(Limits.MAX_BATCH_SIZE);
  }
}
