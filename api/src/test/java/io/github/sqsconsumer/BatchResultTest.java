package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class BatchResultTest {

  /**
   * Regression: failures were keyed by message id alone, so when a batch held two deliveries of one message
   * (a redelivery, same id, another receipt handle) failing one failed both; the core keys a delivery by id
   * and receipt handle (Message.equals).
   */
  @Test
  void failureOf_otherDeliveryOfTheSameMessage_succeeded() {
    Message first = Message.builder().id("m").body("b").receiptHandle("r-1").build();
    Message second = Message.builder().id("m").body("b").receiptHandle("r-2").build();
    IllegalStateException cause = new IllegalStateException("failed");

    BatchResult result = BatchResult.builder().failed(first, cause).build();

    assertThat(result.failureOf(first)).containsSame(cause);
    assertThat(result.failureOf(second)).isEmpty();
    assertThat(result.failures()).containsOnlyKeys(first);
  }

  /** Every argument documented "never null" is checked: the reason of a discard too. */
  @Test
  void builder_nullArguments_refused() {
    Message message = Message.builder().id("m").body("b").receiptHandle("r").build();
    BatchResult.Builder builder = BatchResult.builder();

    assertThatThrownBy(() -> builder.discarded(message, null)).isInstanceOf(NullPointerException.class)
        .hasMessage("reason");
    assertThatThrownBy(() -> builder.discarded(null, "bad")).isInstanceOf(NullPointerException.class)
        .hasMessage("message");
    assertThat(builder.build().failures()).isEmpty();
  }
}
