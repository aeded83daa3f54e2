package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The worker gauges a user's metrics read from the consumer, through the real workers: units running, the
 * waiting room, live threads; zero before start and after close.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class WorkerGaugesTest {
  private static final Duration AWAIT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(10);

  /**
   * Concurrency 4 and prefetch 4 with blocked handlers: 8 messages received, 4 running; the other 4 wait in
   * the worker's waiting room (both workers have one: the semaphore worker's takes units while every permit
   * is taken, as large as the concurrency).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sqsconsumer.it.Combination#all")
  void gauges_blockedHandlers_showRunningWaitingAndThreads(Combination parts) throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("gauges", Duration.ofMinutes(5));
    for (int i = 0; i < 20; i++) {
      queue.send("m" + i);
    }
    CountDownLatch proceed = new CountDownLatch(1);
    int expectedWaiting = 4;

    try (Consumer consumer = parts.onMemory(queue).concurrency(4).prefetch(4).waitTime(Duration.ofSeconds(1))
        .handler(message -> proceed.await(AWAIT.toSeconds(), TimeUnit.SECONDS)).build()) {
      assertThat(consumer.workerActive()).as("before start").isZero();
      assertThat(consumer.workerWaiting()).as("before start").isZero();
      assertThat(consumer.workerThreads()).as("before start").isZero();

      consumer.start();
      try {
        await().atMost(AWAIT).pollInterval(POLL).until(() -> consumer.inFlight() == 8
            && consumer.workerActive() == 4 && consumer.workerWaiting() == expectedWaiting);
        assertThat(consumer.workerThreads()).as("threads with 4 running").isEqualTo(4);
      } finally {
        proceed.countDown();
      }
      await().atMost(AWAIT).pollInterval(POLL).until(() -> queue.deleted() == 20);
      await().atMost(AWAIT).pollInterval(POLL).until(() -> consumer.workerActive() == 0);
      assertThat(consumer.workerWaiting()).as("all done").isZero();

      consumer.close();
      assertThat(consumer.workerActive()).as("after close").isZero();
      assertThat(consumer.workerWaiting()).as("after close").isZero();
      assertThat(consumer.workerThreads()).as("after close").isZero();
    }
  }
}
