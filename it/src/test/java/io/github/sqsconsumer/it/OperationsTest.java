package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.ConsumerHealth;
import io.github.sqsconsumer.HandlerTimeoutException;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.RetryPolicy;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Health, pause and resume, and the handler timeout, through a consumer on the in-memory queue with every
 * combination of the real workers and harvesters (all four at once: these checks mostly wait).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class OperationsTest {
  /** Long enough that nothing comes back by timeout during a test: every redelivery is the consumer's doing. */
  private static final Duration NO_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration AWAIT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(10);

  @Test
  void health_receivesFailLongerThanThreshold_unhealthyThenRecovers() {
    Combination.eachAtOnce(parts -> {
      InMemoryQueue queue = InMemoryQueue.standard("health", NO_TIMEOUT);
      try (Consumer consumer = parts.onMemory(queue).unhealthyAfter(Duration.ofSeconds(1))
          .waitTime(Duration.ofSeconds(1)).handler(message -> {}).build()) {
        assertThat(consumer.health().healthy()).as("not started").isFalse();
        consumer.start();
        await().atMost(AWAIT).pollInterval(POLL).until(() -> consumer.health().lastReceive() != null);
        assertThat(consumer.health().healthy()).isTrue();

        queue.failRate(1); // every receive fails: the queue cannot be reached
        await().atMost(AWAIT).pollInterval(POLL).until(() -> !consumer.health().healthy());
        ConsumerHealth unhealthy = consumer.health();
        assertThat(unhealthy.state()).isEqualTo(Consumer.State.RUNNING);
        assertThat(unhealthy.pollFailures()).isPositive();
        assertThat(unhealthy.failingFor()).isGreaterThan(Duration.ofSeconds(1));

        queue.failRate(0);
        await().atMost(AWAIT).pollInterval(POLL).until(() -> consumer.health().healthy());
        ConsumerHealth recovered = consumer.health();
        assertThat(recovered.pollFailures()).isZero();
        assertThat(recovered.failingFor()).isZero();
        assertThat(recovered.lastReceive()).isAfter(unhealthy.lastReceive());

        queue.send("after recovery");
        await().atMost(AWAIT).pollInterval(POLL).until(() -> queue.deleted() == 1);
      }
    });
  }

  /**
   * Pause stops receiving (the receives are counted at the queue), lets the handler in flight finish and
   * its message be deleted, and resume receives what arrived meanwhile.
   */
  @Test
  void pause_stopsReceivesInFlightFinishesAndIsDeleted_resumeContinues() {
    Combination.eachAtOnce(parts -> {
      InMemoryQueue queue = InMemoryQueue.standard("pause", NO_TIMEOUT);
      CountDownLatch slowEntered = new CountDownLatch(1);
      CountDownLatch slowRelease = new CountDownLatch(1);
      AtomicInteger handled = new AtomicInteger();
      String slowId = queue.send("slow");
      try (Consumer consumer = parts.onMemory(queue).concurrency(2).waitTime(Duration.ofSeconds(1))
          .handler(message -> {
            if (message.body().equals("slow")) {
              slowEntered.countDown();
              slowRelease.await(AWAIT.toSeconds(), TimeUnit.SECONDS);
            }
            handled.incrementAndGet();
          }).build()) {
        consumer.start();
        assertThat(slowEntered.await(AWAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        consumer.pause();
        consumer.pause(); // idempotent
        assertThat(consumer.health().paused()).isTrue();
        assertThat(consumer.state()).isEqualTo(Consumer.State.RUNNING);
        // the long polls sent before the pause end (empty: nothing was sent since); no receive starts after
        await().atMost(AWAIT).pollInterval(POLL).until(() -> queue.waitingReceives() == 0);
        long receives = queue.receiveRequests();
        for (int i = 0; i < 5; i++) {
          queue.send("while paused " + i);
        }

        slowRelease.countDown();
        await().atMost(AWAIT).pollInterval(POLL).until(() -> queue.isDeleted(slowId));
        await().atMost(AWAIT).pollInterval(POLL).until(() -> consumer.inFlight() == 0);
        await().during(Duration.ofMillis(500)).atMost(AWAIT).pollInterval(POLL)
            .until(() -> queue.receiveRequests() == receives && queue.visibleCount() == 5);
        assertThat(handled.get()).isEqualTo(1);
        assertThat(consumer.health().healthy()).as("paused is healthy").isTrue();

        consumer.resume();
        consumer.resume(); // idempotent
        assertThat(consumer.health().paused()).isFalse();
        await().atMost(AWAIT).pollInterval(POLL).until(() -> queue.deleted() == 6);
        assertThat(handled.get()).isEqualTo(6);
      }
    });
  }

  /**
   * Close while paused: the handler in flight finishes and its message is deleted, and what arrived while
   * paused was never received. A consumer paused before start never receives.
   */
  @Test
  void close_whilePaused_inFlightDeletedNothingLost() {
    Combination.eachAtOnce(parts -> {
      InMemoryQueue queue = InMemoryQueue.standard("close-paused", NO_TIMEOUT);
      CountDownLatch slowEntered = new CountDownLatch(1);
      CountDownLatch slowRelease = new CountDownLatch(1);
      String slowId = queue.send("slow");
      Consumer consumer = parts.onMemory(queue).concurrency(2).waitTime(Duration.ofSeconds(1))
          .handler(message -> {
            slowEntered.countDown();
            slowRelease.await(AWAIT.toSeconds(), TimeUnit.SECONDS);
          }).build();
      try {
        consumer.start();
        assertThat(slowEntered.await(AWAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        consumer.pause();
        await().atMost(AWAIT).pollInterval(POLL).until(() -> queue.waitingReceives() == 0);
        for (int i = 0; i < 3; i++) {
          queue.send("while paused " + i);
        }
        Thread closer = Thread.ofVirtual().start(consumer::close);
        await().atMost(AWAIT).pollInterval(POLL).until(() -> consumer.state() == Consumer.State.STOPPING);
        slowRelease.countDown();
        assertThat(closer.join(AWAIT)).as("close returned").isTrue();
      } finally {
        slowRelease.countDown();
        consumer.close();
      }
      assertThat(consumer.state()).isEqualTo(Consumer.State.TERMINATED);
      assertThat(queue.isDeleted(slowId)).isTrue();
      assertThat(queue.inFlightCount()).as("nothing left hidden").isZero();
      assertThat(queue.visibleCount()).isEqualTo(3);

      InMemoryQueue other = InMemoryQueue.standard("paused-before-start", NO_TIMEOUT);
      other.send("never received");
      try (Consumer paused = parts.onMemory(other).waitTime(Duration.ofSeconds(1)).handler(message -> {}).build()) {
        paused.pause();
        paused.start();
        await().during(Duration.ofMillis(300)).atMost(AWAIT).pollInterval(POLL)
            .until(() -> other.receiveRequests() == 0);
      }
      assertThat(other.visibleCount()).isEqualTo(1);
    });
  }

  /**
   * A handler that ignores its interrupt, at concurrency 2: its unit fails with the timeout when it runs out
   * (the listener hears it at once), but its message stays in flight while the stuck handler still runs,
   * so it is never handled twice at once; once the handler returns, the retry policy brings it back and its
   * second attempt succeeds. The other slot handles the rest meanwhile. Handlers running at once, counted
   * from their start to their real return (the stuck one's included), never exceed the concurrency.
   * (Regression: the message was released at the deadline and handled again beside the stuck handler.)
   */
  @Test
  void handlerTimeout_stuckHandlerIgnoresInterrupt_failsAtOnceRetriedOnlyOnceItReturns() {
    Combination.eachAtOnce(parts -> {
      int concurrency = 2;
      InMemoryQueue queue = InMemoryQueue.standard("timeout", NO_TIMEOUT);
      Probe probe = new Probe();
      CountDownLatch unstick = new CountDownLatch(1);
      AtomicInteger interrupts = new AtomicInteger();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      Map<String, Duration> retryDelays = new ConcurrentHashMap<>();
      RecordingListener listener = new RecordingListener() {
        @Override
        public void onFailed(Message message, Throwable cause, Duration retryDelay) {
          super.onFailed(message, cause, retryDelay);
          failures.add(cause);
          retryDelays.put(message.body(), retryDelay);
        }
      };
      String stuckId = queue.send("stuck");
      for (int i = 0; i < 40; i++) {
        queue.send("quick " + i);
      }
      try (Consumer consumer = parts.onMemory(queue).concurrency(concurrency).waitTime(Duration.ofSeconds(1))
          .handlerTimeout(Duration.ofMillis(300)).retryPolicy(RetryPolicy.fixed(Duration.ofMillis(100)))
          .listener(listener).shutdownTimeout(Duration.ofSeconds(5))
          .handler(message -> {
            probe.enter();
            try {
              if (probe.attempt(message) == 1 && message.body().equals("stuck")) {
                awaitIgnoringInterrupts(unstick, interrupts);
              } else {
                Thread.sleep(5);
              }
            } finally {
              probe.exit();
            }
          }).build()) {
        consumer.start();
        // every quick one is deleted, and the stuck one failed, while its first attempt is still stuck
        await().atMost(AWAIT).pollInterval(POLL).until(() -> queue.deleted() == 40 && !failures.isEmpty());
        assertThat(failures).singleElement().isInstanceOf(HandlerTimeoutException.class);
        assertThat(retryDelays).containsExactly(Map.entry("stuck", Duration.ofMillis(100)));
        assertThat(interrupts.get()).as("the stuck handler was interrupted").isPositive();
        // ten times the retry delay: the message stays in flight with its handler, not handled beside it
        await().during(Duration.ofSeconds(1)).atMost(AWAIT).pollInterval(POLL)
            .until(() -> probe.attempts("stuck") == 1 && queue.deliveries(stuckId) == 1 && queue.inFlightCount() == 1);
        assertThat(unstick.getCount()).as("still stuck").isEqualTo(1);

        unstick.countDown(); // its late outcome is ignored; the release goes out now, the retry succeeds
        await().atMost(AWAIT).pollInterval(POLL).until(() -> queue.deleted() == 41 && probe.active() == 0);
        assertThat(probe.attempts("stuck")).isEqualTo(2);
        assertThat(probe.maxActive()).as("handlers at once, the stuck one included").isEqualTo(concurrency);
      }
      assertThat(queue.isDeleted(stuckId)).isTrue();
      assertThat(queue.deliveries(stuckId)).isEqualTo(2);
      assertThat(listener.count(RecordingListener.Event.FAILED)).isEqualTo(1);
      assertThat(listener.count(RecordingListener.Event.SUCCEEDED)).isEqualTo(41);
      assertThat(listener.count(RecordingListener.Event.ACKNOWLEDGEMENT_FAILED)).isZero();
      assertThat(probe.maxActive()).isEqualTo(concurrency);
    });
  }

  /**
   * FIFO, two consumers on one queue: a handler that ignores its interrupt keeps its group. Neither its own
   * message (on either consumer) nor the one behind it runs until it returns; then the retry and the next
   * message run in order, the timed-out one received once per attempt (a dead-letter queue's
   * maxReceiveCount of 2 gives it its two attempts). (Regression: the head was released at
   * the deadline, so the other consumer ran it beside the stuck handler, and the stuck consumer's own
   * receive of it was released again unhandled, a receive spent.)
   */
  @Test
  void handlerTimeout_fifoStuckHandlerKeepsItsGroupAcrossConsumers() {
    Combination.eachAtOnce(parts -> {
      InMemoryQueue queue = InMemoryQueue.fifo("timeout.fifo", NO_TIMEOUT);
      Probe probe = new Probe();
      CountDownLatch unstick = new CountDownLatch(1);
      AtomicInteger interrupts = new AtomicInteger();
      List<String> order = new CopyOnWriteArrayList<>();
      String headId = queue.send("head", "g");
      RecordingListener listener = new RecordingListener();
      MessageHandlerFactory handler = () -> message -> {
        probe.enter();
        try {
          order.add(message.body() + "#" + probe.attempt(message));
          if (message.body().equals("head") && probe.attempts("head") == 1) {
            awaitIgnoringInterrupts(unstick, interrupts);
          }
        } finally {
          probe.exit();
        }
      };
      try (Consumer first = parts.onMemory(queue).name("first").waitTime(Duration.ofSeconds(1))
              .handlerTimeout(Duration.ofMillis(200)).retryPolicy(RetryPolicy.fixed(Duration.ZERO))
              .listener(listener).handler(handler.create()).build();
          Consumer second = parts.onMemory(queue).name("second").waitTime(Duration.ofSeconds(1))
              .handlerTimeout(Duration.ofMillis(200)).retryPolicy(RetryPolicy.fixed(Duration.ZERO))
              .handler(handler.create()).build()) {
        first.start();
        await().atMost(AWAIT).pollInterval(POLL).until(() -> probe.active() == 1);
        String nextId = queue.send("next", "g"); // on the queue, behind the head in flight: not with its receive
        second.start();
        await().atMost(AWAIT).pollInterval(POLL).until(() -> listener.count(RecordingListener.Event.FAILED) == 1);
        assertThat(interrupts.get()).as("the stuck handler was interrupted").isPositive();
        await().during(Duration.ofSeconds(1)).atMost(AWAIT).pollInterval(POLL)
            .until(() -> order.equals(List.of("head#1")) && probe.maxActive() == 1);

        unstick.countDown();
        await().atMost(AWAIT).pollInterval(POLL).until(() -> queue.isDeleted(headId) && queue.isDeleted(nextId));
        assertThat(queue.deliveries(nextId)).as("next, order %s, head %s", order, queue.deliveries(headId)).isEqualTo(1);
      }
      assertThat(order).containsExactly("head#1", "head#2", "next#1");
      assertThat(probe.maxActive()).as("a group never runs two handlers at once").isEqualTo(1);
      assertThat(queue.deliveries(headId)).as("one receive per attempt").isEqualTo(2);
    });
  }

  /**
   * close() while a batch handler runs that finishes within the shutdown timeout: every one of its
   * outcomes reaches the queue, though each delete takes a round trip. (Regression: the direct harvester,
   * sized by the concurrency of 1 rather than the batch's 10 messages, took the deletes one at a time, and
   * the harvester closed at the handlers' deadline while the batch still handed them over: 4 of 10 deleted.)
   */
  @Test
  void close_batchFinishingInTime_everyOutcomeHandedOver() {
    Combination.eachAtOnce(parts -> {
      InMemoryQueue queue = InMemoryQueue.standard("close-batch", NO_TIMEOUT).latency(Duration.ofMillis(20));
      for (int i = 0; i < 10; i++) {
        queue.send("m" + i);
      }
      CountDownLatch running = new CountDownLatch(1);
      RecordingListener listener = new RecordingListener();
      Consumer consumer = parts.onMemory(queue).concurrency(1).batchSize(10).waitTime(Duration.ofSeconds(1))
          .shutdownTimeout(Duration.ofSeconds(2)).listener(listener)
          .batchHandler(batch -> {
            if (batch.size() < 10) {
              return io.github.sqsconsumer.BatchResult.builder().failed(batch.get(0), new IllegalStateException(
                  "expected the whole batch, got " + batch.size())).build();
            }
            running.countDown();
            long end = System.nanoTime() + Duration.ofMillis(1_950).toNanos(); // within the shutdown timeout
            while (System.nanoTime() < end) {
              try {
                Thread.sleep(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
              }
            }
            return io.github.sqsconsumer.BatchResult.success();
          }).build();
      consumer.start();
      try {
        assertThat(running.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      consumer.close();
      assertThat(listener.count(RecordingListener.Event.ACKNOWLEDGED)).as("deleted").isEqualTo(10);
      assertThat(listener.count(RecordingListener.Event.ACKNOWLEDGEMENT_FAILED)).isZero();
      assertThat(queue.deleted()).isEqualTo(10);
    });
  }

  /** Makes a handler per consumer. */
  private interface MessageHandlerFactory {
    io.github.sqsconsumer.MessageHandler create();
  }

  /**
   * Handlers that end right around their timeout, many times over on reused threads: the timer's interrupt
   * of a timed-out unit must never reach the next unit run on that thread (the pool worker's threads run
   * many), and every message ends in exactly one outcome. A handler may find itself interrupted as it
   * starts only when its own timeout ran out first (its thread waited that long for a core: four handlers
   * spin on two here); each such start is checked against the attempts that timed out.
   */
  @Test
  void handlerTimeout_handlersEndingAtTheDeadline_interruptNeverReachesTheNextUnit() {
    Combination.eachAtOnce(parts -> {
      int messages = 300;
      InMemoryQueue queue = InMemoryQueue.standard("timeout-race", NO_TIMEOUT);
      for (int i = 0; i < messages; i++) {
        queue.send("m-" + i);
      }
      Set<String> startedInterrupted = ConcurrentHashMap.newKeySet(); // "body/delivery" of each such start
      Set<String> timedOut = ConcurrentHashMap.newKeySet(); // "body/delivery" of each attempt that timed out
      Probe probe = new Probe();
      RecordingListener listener = new RecordingListener() {
        @Override
        public void onFailed(Message message, Throwable cause, Duration retryDelay) {
          super.onFailed(message, cause, retryDelay);
          if (cause instanceof HandlerTimeoutException) {
            timedOut.add(message.body() + "/" + message.receiveCount());
          }
        }
      };
      try (Consumer consumer = parts.onMemory(queue).concurrency(4).waitTime(Duration.ofSeconds(1))
          .handlerTimeout(Duration.ofMillis(3)).retryPolicy(RetryPolicy.fixed(Duration.ZERO)).listener(listener)
          .handler(message -> {
            if (Thread.currentThread().isInterrupted()) {
              startedInterrupted.add(message.body() + "/" + message.receiveCount());
            }
            if (probe.attempt(message) == 1) {
              // busy until about the deadline, ignoring interrupts: ends just before or just after it
              long end = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(2_000 + message.body().hashCode() % 2_000);
              while (System.nanoTime() < end) {
                Thread.onSpinWait();
              }
            }
          }).build()) {
        consumer.start();
        await().atMost(AWAIT).pollInterval(POLL).until(() -> queue.deleted() == messages);
      }
      assertThat(timedOut).as("units that started with an interrupt meant for another")
          .containsAll(startedInterrupted);
      assertThat(listener.count(RecordingListener.Event.SUCCEEDED)).isEqualTo(messages);
      assertThat(listener.count(RecordingListener.Event.FAILED))
          .as("timed out, each retried once").isEqualTo(probe.handled() - messages);
      assertThat(queue.deletedIds()).hasSize(messages);
    });
  }

  /**
   * Handlers that compute, checking their interrupt as they go, one more than there are cores: with the
   * semaphore worker they hold every carrier of the virtual threads. Regression, twice over: the timer was a
   * virtual thread and waited for a carrier until the work ended (5 s); then, a platform thread, it still
   * queued for its lock behind a handler's virtual thread that had been woken but got no carrier, and
   * waited as long (one round in about ten). Each handler must be interrupted at its timeout (or find its
   * own timeout's interrupt as it starts, having waited that long for a carrier), its unit fails, and the
   * retry (which returns at once) deletes the message. Ten rounds, about 0.2 s each.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"semaphore", "pool"})
  void handlerTimeout_computingHandlersOnEveryCore_interruptedAtTheirTimeout(String worker) throws Exception {
    int concurrency = Runtime.getRuntime().availableProcessors() + 1;
    for (int round = 0; round < 10; round++) {
      InMemoryQueue queue = InMemoryQueue.standard("timeout-cpu-" + round, NO_TIMEOUT);
      for (int i = 0; i < concurrency; i++) {
        queue.send("m-" + i);
      }
      Probe probe = new Probe();
      List<Long> stoppedAfterMillis = new CopyOnWriteArrayList<>();
      try (Consumer consumer = new Combination(worker, "batch").onMemory(queue).concurrency(concurrency)
          .prefetch(0).waitTime(Duration.ofSeconds(1)).handlerTimeout(Duration.ofMillis(100))
          .retryPolicy(RetryPolicy.fixed(Duration.ZERO))
          .handler(message -> {
            if (probe.attempt(message) == 1) {
              long start = System.nanoTime();
              long end = start + TimeUnit.SECONDS.toNanos(5);
              while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
                Thread.onSpinWait(); // work that looks at its interrupt now and then
              }
              stoppedAfterMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
          }).build()) {
        consumer.start();
        await().atMost(AWAIT).pollInterval(POLL).until(() -> queue.deleted() == concurrency);
      }
      assertThat(stoppedAfterMillis).as("round %d: first attempts, ms from start to stop", round)
          .hasSize(concurrency).allSatisfy(millis -> assertThat(millis).isLessThan(2_000));
    }
  }

  /** Waits for the latch, counting and ignoring interrupts: a handler stuck in code that swallows them. */
  private static void awaitIgnoringInterrupts(CountDownLatch latch, AtomicInteger interrupts) {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (latch.getCount() > 0 && System.nanoTime() < deadline) {
      try {
        latch.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        interrupts.incrementAndGet();
      }
    }
  }
}
