package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The core keeps what a user's {@link RetryPolicy} returns within what SQS accepts: a negative delay is
 * zero, one above 12 hours is 12 hours, and a null or a throwing policy leaves the message to its
 * visibility timeout instead of failing the consumer.
 */
@Timeout(30)
final class EngineRetryPolicyTest {
  private final TestParts.ListRunner runner = new TestParts.ListRunner();
  private final TestParts.ThreadWorker[] worker = new TestParts.ThreadWorker[1];
  private final CountDownLatch failed = new CountDownLatch(1);
  private final AtomicReference<Optional<Duration>> reportedDelay = new AtomicReference<>();
  private Consumer consumer;

  @AfterEach
  void close() {
    if (consumer != null) {
      consumer.close();
    }
  }

  /** Fails one message under the policy; returns once the core has settled it. */
  private void failOneMessage(RetryPolicy policy) throws InterruptedException {
    runner.queue.add(TestParts.message(1));
    ConsumerListener listener = new ConsumerListener() {
      @Override
      public void onFailed(Message message, Throwable cause, Duration retryDelay) {
        reportedDelay.set(Optional.ofNullable(retryDelay));
        failed.countDown();
      }
    };
    consumer = DefaultConsumer.create(Consumer.builder().queue("orders").concurrency(1)
            .waitTime(Duration.ofSeconds(1)).retryPolicy(policy).listener(listener)
            .handler(m -> {
              throw new IllegalStateException("handler failed");
            }).validate(),
        TestParts.runner(runner), TestParts.worker(worker), TestParts.harvester());
    consumer.start();
    assertThat(failed.await(10, TimeUnit.SECONDS)).as("handler failed in time").isTrue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (consumer.inFlight() > 0) { // settling follows the listener's onFailed
      assertThat(System.nanoTime()).as("message settled in time").isLessThan(deadline);
      Thread.sleep(1);
    }
  }

  @Test
  void retryPolicy_delayInRange_releasedWithIt() throws Exception {
    failOneMessage((message, cause) -> Optional.of(Duration.ofSeconds(5)));

    assertThat(runner.released).containsEntry("m1", Duration.ofSeconds(5));
    assertThat(reportedDelay.get()).contains(Duration.ofSeconds(5));
  }

  @Test
  void retryPolicy_negativeDelay_releasedAtOnce() throws Exception {
    failOneMessage((message, cause) -> Optional.of(Duration.ofSeconds(-3)));

    assertThat(runner.released).containsEntry("m1", Duration.ZERO);
    assertThat(reportedDelay.get()).contains(Duration.ZERO);
    assertThat(runner.deleted).isEmpty();
  }

  // This test asserted a release of exactly 12 hours, which SQS rejects: it keeps a message hidden at most
  // 12 hours after its receive, and some time has always passed since. The delay is now clamped to what
  // remains of them (less a minute's margin for the harvester and the network), in whole seconds.
  @Test
  void retryPolicy_delayAboveTwelveHours_clampedToWhatRemainsSinceTheReceive() throws Exception {
    failOneMessage((message, cause) -> Optional.of(Duration.ofDays(2)));

    assertThat(runner.released.get("m1")).isLessThanOrEqualTo(RetryPolicy.MAX_DELAY.minusMinutes(1))
        .isGreaterThan(RetryPolicy.MAX_DELAY.minusMinutes(2));
    assertThat(reportedDelay.get()).contains(runner.released.get("m1"));
  }

  @Test
  void retryPolicy_returnsNull_leftToItsVisibilityTimeout() throws Exception {
    failOneMessage((message, cause) -> null);

    assertThat(runner.released).isEmpty();
    assertThat(runner.deleted).isEmpty();
    assertThat(reportedDelay.get()).isEmpty();
    assertThat(consumer.state()).isEqualTo(Consumer.State.RUNNING);
  }

  @Test
  void retryPolicy_throws_leftToItsVisibilityTimeout() throws Exception {
    failOneMessage((message, cause) -> {
      throw new ArithmeticException("a broken policy");
    });

    assertThat(runner.released).isEmpty();
    assertThat(runner.deleted).isEmpty();
    assertThat(reportedDelay.get()).isEmpty();
    assertThat(consumer.state()).isEqualTo(Consumer.State.RUNNING);
  }
  /**
   * Regression: the core guarded the retry policy against RuntimeException only, so an Error from it
   * (an AssertionError in a user's policy) escaped the settling of a batch half-way: the messages after
   * the failed one, whose handling succeeded, were never deleted and ran again after their visibility
   * timeout. A throwing policy, whatever it throws, only leaves the failed message to its visibility
   * timeout.
   */
  @Test
  void retryPolicy_throwsError_restOfTheBatchStillSettled() throws Exception {
    retryPolicyThrows_restOfTheBatchStillSettled(new AssertionError("a broken policy"));
  }

  // Regression: the catch block logged the policy's throw with its toString(), which threw again, and the
  // batch's two successes were never deleted (handled again after their visibility timeout).
  @Test
  void retryPolicy_throwsWhatCannotDescribeItself_restOfTheBatchStillSettled() throws Exception {
    retryPolicyThrows_restOfTheBatchStillSettled(new TestParts.Undescribable());
  }

  private void retryPolicyThrows_restOfTheBatchStillSettled(Throwable thrown) throws Exception {
    List<Message> messages = List.of(TestParts.message(1), TestParts.message(2), TestParts.message(3));
    runner.queue.addAll(messages);
    CountDownLatch settled = new CountDownLatch(2);
    List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    ConsumerListener listener = new ConsumerListener() {
      @Override
      public void onAcknowledged(Message message) {
        settled.countDown();
      }
    };
    consumer = DefaultConsumer.create(Consumer.builder().queue("orders").concurrency(1).batchSize(3)
            .waitTime(Duration.ofSeconds(1)).listener(listener)
            .retryPolicy((message, cause) -> {
              throw sneaky(thrown);
            })
            .batchHandler(batch -> {
              batchSizes.add(batch.size());
              return BatchResult.builder().failed(batch.get(0), new IllegalStateException("first fails")).build();
            }).validate(),
        TestParts.runner(runner), TestParts.worker(worker), TestParts.harvester());
    consumer.start();

    assertThat(settled.await(10, TimeUnit.SECONDS)).as("the two successes deleted").isTrue();
    assertThat(batchSizes).first().isEqualTo(3);
    assertThat(runner.deleted).containsExactlyInAnyOrder("m2", "m3");
    assertThat(runner.released).isEmpty();
    assertThat(consumer.state()).isEqualTo(Consumer.State.RUNNING);
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
    throw (T) t;
  }
}
