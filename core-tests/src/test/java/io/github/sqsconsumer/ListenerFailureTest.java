package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.CoreParts.ThreadWorker;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A user's listener may throw anything, an Error too, from any callback: the consumer goes on polling,
 * handles each message once and deletes it, whatever the listener does. A whole consumer runs over the
 * in-memory queue (visibility 1 s, so a message that is not deleted does come back and is handled again).
 */
@Timeout(60)
final class ListenerFailureTest {
  private static final int MESSAGES = 200;
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final InMemoryQueue queue = InMemoryQueue.standard("orders", Duration.ofSeconds(1));
  private final Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
  private final CountDownLatch allHandled = new CountDownLatch(MESSAGES);
  private Consumer consumer;

  @AfterEach
  void close() {
    if (consumer != null) {
      consumer.close();
    }
  }

  private void start(ConsumerListener listener) {
    for (int i = 0; i < MESSAGES; i++) {
      queue.send("body " + i);
    }
    consumer = DefaultConsumer.create(Consumer.builder().queue("orders").concurrency(4)
            .waitTime(Duration.ofMillis(200)).listener(listener)
            .handler(m -> {
              if (handled.computeIfAbsent(m.id(), id -> new AtomicInteger()).incrementAndGet() == 1) {
                allHandled.countDown();
              }
            }).validate(),
        queue.runner(), CoreParts.workerProvider(ThreadWorker::new), CoreParts.sendingHarvesterProvider());
    consumer.start();
  }

  private static void await(CountDownLatch latch, String what) throws InterruptedException {
    assertThat(latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as(what).isTrue();
  }

  /** Every message was handled exactly once and deleted exactly once, and nothing is left anywhere. */
  private void assertEachHandledAndDeletedOnce() {
    assertThat(consumer.state()).isEqualTo(Consumer.State.TERMINATED);
    assertThat(handled).hasSize(MESSAGES);
    assertThat(handled.values()).as("times each message was handled").allSatisfy(n -> assertThat(n).hasValue(1));
    assertThat(queue.deleted()).isEqualTo(MESSAGES);
    assertThat(queue.isEmpty()).isTrue();
    assertThat(consumer.inFlight()).isZero();
  }

  /**
   * Regression: SafeListener caught only RuntimeException, so an AssertionError from onReceived left the
   * poller's loop; poller 0 ended for good, the others parked waiting for their turn, and polling stopped
   * after the first receive while the consumer stayed RUNNING.
   */
  @Test
  void onReceived_throwsAssertionError_consumerKeepsPolling() throws Exception {
    CountDownLatch deleted = new CountDownLatch(MESSAGES);
    start(new ConsumerListener() {
      @Override
      public void onReceived(Message message) {
        throw new AssertionError("listener bug");
      }

      @Override
      public void onAcknowledged(Message message) {
        deleted.countDown();
      }
    });

    await(allHandled, "every message handled although onReceived always throws");
    await(deleted, "every message deleted");
    consumer.close();
    assertEachHandledAndDeletedOnce();
  }

  /**
   * Regression: an AssertionError from onSucceeded escaped the settle path before the acknowledgement was
   * handed to the harvester, so a message whose handler succeeded was not deleted: it came back after its
   * visibility timeout and ran again.
   */
  @Test
  void onSucceeded_throwsAssertionError_messageStillDeletedOnce() throws Exception {
    CountDownLatch deleted = new CountDownLatch(MESSAGES);
    start(new ConsumerListener() {
      @Override
      public void onSucceeded(Message message, Duration handlerTime) {
        throw new AssertionError("listener bug");
      }

      @Override
      public void onAcknowledged(Message message) {
        deleted.countDown();
      }
    });

    await(deleted, "every message deleted although onSucceeded always throws");
    consumer.close();
    assertEachHandledAndDeletedOnce();
  }

  static Stream<Supplier<Throwable>> failures() {
    return Stream.of(
        () -> new IllegalStateException("listener bug"),
        () -> new AssertionError("listener bug"),
        () -> new StackOverflowError(),
        () -> new OutOfMemoryError("listener allocated too much"));
  }

  /**
   * A listener that throws from every callback, an Error too (even a VirtualMachineError: see
   * SafeListener), changes nothing about what happens to the messages.
   */
  @ParameterizedTest
  @MethodSource("failures")
  void everyCallback_throws_eachMessageHandledAndDeletedOnce(Supplier<Throwable> failure) throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start(new ThrowingListener(failure, calls));

    await(allHandled, "every message handled");
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (queue.deleted() < MESSAGES) { // the listener cannot tell: it throws on onAcknowledged too
      assertThat(System.nanoTime()).as("%d of %d deleted", queue.deleted(), MESSAGES).isLessThan(deadline);
      Thread.onSpinWait();
    }
    consumer.close();
    assertEachHandledAndDeletedOnce();
    assertThat(calls.get()).as("listener calls: received, succeeded, acknowledged")
        .isGreaterThanOrEqualTo(3 * MESSAGES);
  }

  /** Counts each call, then throws. */
  private static final class ThrowingListener implements ConsumerListener {
    private final Supplier<Throwable> failure;
    private final AtomicInteger calls;

    ThrowingListener(Supplier<Throwable> failure, AtomicInteger calls) {
      this.failure = failure;
      this.calls = calls;
    }

    private void fail() {
      calls.incrementAndGet();
      Throwable t = failure.get();
      if (t instanceof Error e) {
        throw e;
      }
      throw (RuntimeException) t;
    }

    @Override
    public void onReceived(Message message) {
      fail();
    }

    @Override
    public void onSucceeded(Message message, Duration handlerTime) {
      fail();
    }

    @Override
    public void onFailed(Message message, Throwable cause, Duration retryDelay) {
      fail();
    }

    @Override
    public void onDiscarded(Message message, Throwable cause) {
      fail();
    }

    @Override
    public void onAcknowledged(Message message) {
      fail();
    }

    @Override
    public void onAcknowledgementFailed(Message message, Throwable cause) {
      fail();
    }

    @Override
    public void onReleased(Message message, Duration visibility) {
      fail();
    }

    @Override
    public void onVisibilityExtended(Message message, Duration visibility) {
      fail();
    }

    @Override
    public void onVisibilityExtensionFailed(Message message, Throwable cause, Duration retryDelay) {
      fail();
    }

    @Override
    public void onPollError(Throwable cause, Duration backoff) {
      fail();
    }
  }
}
