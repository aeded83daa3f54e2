package io.github.sqsconsumer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.Consumer;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

final class MemoryRigTest {

  /** The prefetch a consumer of this concurrency gets by default, asked of the api itself. */
  private static int consumersDefaultPrefetch(int concurrency) throws ReflectiveOperationException {
    // package-private in the api (on this test's class path, so reachable): the one source of the default
    Method effective = Consumer.Builder.class.getDeclaredMethod("effectivePrefetch");
    effective.setAccessible(true);
    return (int) effective.invoke(Consumer.builder().concurrency(concurrency));
  }

  @Test
  void defaultPrefetch_equalsTheConsumers() throws ReflectiveOperationException {
    for (int concurrency : new int[] {1, 16, 100, 256, 1024, 1667, 4096, Consumer.Builder.MAX_CONCURRENCY}) {
      assertThat(MemoryRig.defaultPrefetch(concurrency)).as("concurrency " + concurrency)
          .isEqualTo(consumersDefaultPrefetch(concurrency));
    }
  }

  // Regression: the backlog was 5 x concurrency + 1000, sized for a 3x prefetch; with the 6x default a
  // consumer above ~500 concurrency could hold the whole backlog, and ScalingBenchmark at 1024 and 4096
  // partly measured the producer.
  @Test
  void backlog_exceedsWhatTheConsumerMayHold() {
    for (int concurrency : new int[] {16, 100, 1024, 4096}) {
      long consumerMayHold = concurrency + (long) MemoryRig.defaultPrefetch(concurrency);
      assertThat(MemoryRig.backlog(concurrency)).as("concurrency " + concurrency)
          .isEqualTo(consumerMayHold + 1_000);
    }
    assertThat(MemoryRig.backlog(4096)).isEqualTo(4096 + 10_000 + 1_000);
  }
}
