package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

final class ConsumerBuilderTest {

  private static Consumer.Builder valid() {
    return Consumer.builder().queue("orders").handler(message -> {});
  }

  private static void assertInvalid(UnaryOperator<Consumer.Builder> change, String message) {
    assertThatThrownBy(() -> change.apply(valid()).validate())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void build_noQueue() {
    assertThatThrownBy(() -> Consumer.builder().handler(m -> {}).validate())
        .isInstanceOf(IllegalStateException.class).hasMessage("queue must be set");
  }

  @Test
  void build_blankQueue() {
    assertInvalid(b -> b.queue(" "), "queue must not be blank");
  }

  @Test
  void build_noHandler() {
    assertThatThrownBy(() -> Consumer.builder().queue("q").validate())
        .isInstanceOf(IllegalStateException.class).hasMessage("a handler or a batchHandler must be set");
  }

  @Test
  void build_bothHandlers() {
    assertThatThrownBy(() -> valid().batchHandler(m -> BatchResult.success()).validate())
        .isInstanceOf(IllegalStateException.class).hasMessage("only one of handler and batchHandler may be set");
  }

  @Test
  void build_zeroConcurrency() {
    assertInvalid(b -> b.concurrency(0), "concurrency must be between 1 and 10000 but was 0");
  }

  @Test
  void build_tooMuchConcurrency() {
    assertInvalid(b -> b.concurrency(10_001), "concurrency must be between 1 and 10000 but was 10001");
  }

  @Test
  void build_batchSizeOutOfRange() {
    assertInvalid(b -> b.batchSize(0), "batchSize must be between 1 and 10 but was 0");
    assertInvalid(b -> b.batchSize(11), "batchSize must be between 1 and 10 but was 11");
  }

  @Test
  void build_negativePrefetch() {
    assertInvalid(b -> b.prefetch(-1), "prefetch must be between 0 and 10000 but was -1");
    assertInvalid(b -> b.prefetch(10_001), "prefetch must be between 0 and 10000 but was 10001");
  }

  @Test
  void build_waitTimeOutOfRange() {
    assertInvalid(b -> b.waitTime(Duration.ofSeconds(21)), "waitTime must be between PT0S and PT20S but was PT21S");
    assertInvalid(b -> b.waitTime(Duration.ofSeconds(-1)), "waitTime must be between PT0S and PT20S but was PT-1S");
  }

  @Test
  void build_shutdownTimeoutOutOfRange() {
    assertInvalid(b -> b.shutdownTimeout(Duration.ofHours(2)),
        "shutdownTimeout must be between PT0S and PT1H but was PT2H");
  }

  @Test
  void build_maxVisibilityExtensionOutOfRange() {
    assertInvalid(b -> b.maxVisibilityExtension(Duration.ofHours(13)),
        "maxVisibilityExtension must be between PT0S and PT12H but was PT13H");
  }

  @Test
  void build_visibilityTimeoutOutOfRange() {
    assertInvalid(b -> b.visibilityTimeout(Duration.ofMillis(500)),
        "visibilityTimeout must be between PT1S and PT12H but was PT0.5S");
  }

  @Test
  void build_rateLimitOutOfRange() {
    assertInvalid(b -> b.rateLimit(-1), "rateLimit must be between 0 and 1000000 messages per second but was -1.0");
    assertInvalid(b -> b.rateLimit(Double.NaN),
        "rateLimit must be between 0 and 1000000 messages per second but was NaN");
  }

  @Test
  void build_blankName() {
    assertInvalid(b -> b.name(""), "name must not be blank");
  }

  @Test
  void build_blankSettingKey() {
    assertInvalid(b -> b.setting(" ", "x"), "setting keys must not be blank");
  }

  @Test
  void build_nullArguments() {
    assertThatThrownBy(() -> valid().handler(null)).isInstanceOf(NullPointerException.class).hasMessage("handler");
    assertThatThrownBy(() -> valid().queue(null)).isInstanceOf(NullPointerException.class).hasMessage("queue");
    assertThatThrownBy(() -> valid().component(String.class, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void build_componentOfWrongType() {
    @SuppressWarnings({"unchecked", "rawtypes"})
    Class<Object> type = (Class) Integer.class;
    assertThatThrownBy(() -> valid().component(type, "not a number")).isInstanceOf(ClassCastException.class);
  }

  @Test
  void build_defaultPrefetchFollowsConcurrency() {
    org.assertj.core.api.Assertions.assertThat(valid().concurrency(1).effectivePrefetch()).isEqualTo(10);
    org.assertj.core.api.Assertions.assertThat(valid().concurrency(100).effectivePrefetch()).isEqualTo(600);
    org.assertj.core.api.Assertions.assertThat(valid().concurrency(10_000).effectivePrefetch()).isEqualTo(10_000);
    org.assertj.core.api.Assertions.assertThat(valid().prefetch(0).effectivePrefetch()).isZero();
  }

  @Test
  void build_noProvidersOnThePath() {
    // the api module alone provides no parts: build() says what is missing and how to fix it
    assertThatThrownBy(() -> valid().build())
        .isInstanceOf(ConsumerException.class)
        .hasMessage("no runner found on the module path or class path; add sqs-consumer-runner-sqs");
  }
}
