package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.CoreParts.ThreadWorker;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Adaptive concurrency end to end on the in-memory queue, with a worker sized for the maximum (50): the gate
 * holds the handlers to the current limit, the limit moves with a downstream that throttles, the listener
 * hears every change in order, and nothing is lost.
 */
@Timeout(120)
final class AdaptiveConcurrencyTest {
  private static final int MAX = 50;
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final InMemoryQueue queue = InMemoryQueue.standard("orders", Duration.ofSeconds(30));
  private Consumer consumer;

  /** The overload signal of the simulated downstream. */
  static final class Throttled extends RuntimeException {
    Throttled() {
      super("throttled", null, false, false);
    }
  }

  @AfterEach
  void close() {
    if (consumer != null) {
      consumer.close();
    }
  }

  private Consumer start(Consumer.Builder builder) {
    consumer = DefaultConsumer.create(builder.queue("orders").concurrency(MAX).waitTime(Duration.ofMillis(200))
        .retryPolicy(RetryPolicy.fixed(Duration.ZERO)).validate(), queue.runner(),
        CoreParts.workerProvider(ThreadWorker::new), CoreParts.sendingHarvesterProvider());
    consumer.start();
    return consumer;
  }

  private static void await(CountDownLatch latch, String what) throws InterruptedException {
    assertThat(latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as(what).isTrue();
  }

  /** Handlers that never return: exactly the minimum run, though the worker has room for fifty. */
  @Test
  void start_handlersBlocked_onlyTheMinimumRuns() throws Exception {
    for (int i = 0; i < 100; i++) {
      queue.send("m" + i);
    }
    AtomicInteger running = new AtomicInteger();
    CountDownLatch three = new CountDownLatch(3);
    CountDownLatch proceed = new CountDownLatch(1);
    start(Consumer.builder().adaptiveConcurrency(3).handler(m -> {
      running.incrementAndGet();
      three.countDown();
      proceed.await(60, TimeUnit.SECONDS);
    }));
    try {
      await(three, "three handlers started");
      // the pollers received ahead (prefetch) and wait at the gate: given time, still no fourth handler
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
      while (System.nanoTime() < deadline) {
        assertThat(running).hasValue(3);
        Thread.sleep(10);
      }
      assertThat(consumer.concurrencyLimit()).isEqualTo(3);
      // the pollers asked only for what the limit allows: 3 handlers + a prefetch of at most 3 (min(prefetch,
      // limit) until a unit's time is known)
      assertThat(consumer.inFlight()).as("received within limit + prefetch").isBetween(3, 6);
    } finally {
      proceed.countDown();
    }
  }

  /**
   * A downstream with capacity 8 that throttles beyond 16 calls: handlers never run beyond the highest limit
   * told so far (nor the maximum), the limit rises in slow start and falls on the throttles, the listener
   * hears each change once and in order, and every message is handled and deleted once it succeeded.
   */
  @Test
  void load_throttlingDownstream_limitHoldsAndNothingLost() throws Exception {
    int messages = 3_000;
    for (int i = 0; i < messages; i++) {
      queue.send("m" + i);
    }
    AtomicInteger downstream = new AtomicInteger();
    AtomicInteger handlers = new AtomicInteger();
    AtomicInteger highestTold = new AtomicInteger(2);
    AtomicInteger violations = new AtomicInteger();
    AtomicInteger mostRunning = new AtomicInteger();
    AtomicInteger throttled = new AtomicInteger();
    Set<String> succeeded = ConcurrentHashMap.newKeySet();
    CountDownLatch allSucceeded = new CountDownLatch(messages);
    List<int[]> changes = new CopyOnWriteArrayList<>();
    start(Consumer.builder().adaptiveConcurrency(2).overloadOn(Throttled.class)
        .listener(new ConsumerListener() {
          @Override
          public void onConcurrencyLimitChanged(int previous, int current) {
            changes.add(new int[] {previous, current});
            highestTold.accumulateAndGet(current, Math::max);
          }
        })
        .handler(m -> {
          int now = handlers.incrementAndGet();
          mostRunning.accumulateAndGet(now, Math::max);
          // the gate let it in under a limit it had told, or is about to tell (told after the lock)
          if (now > Math.max(highestTold.get(), consumer.concurrencyLimit()) || now > MAX) {
            violations.incrementAndGet();
          }
          try {
            int calls = downstream.incrementAndGet();
            try {
              if (calls > 16) {
                throttled.incrementAndGet();
                throw new Throttled();
              }
              Thread.sleep(calls > 8 ? 4 : 2);
            } finally {
              downstream.decrementAndGet();
            }
            if (succeeded.add(m.id())) {
              allSucceeded.countDown();
            }
          } finally {
            handlers.decrementAndGet();
          }
        }));

    await(allSucceeded, "every message handled successfully");
    consumer.close();
    assertThat(violations).as("handlers beyond the limit").hasValue(0);
    assertThat(mostRunning.get()).isLessThanOrEqualTo(MAX);
    assertThat(queue.deleted()).isEqualTo(messages);
    assertThat(queue.isEmpty()).isTrue();
    assertThat(changes).as("the limit moved").isNotEmpty();
    assertThat(changes.get(0)[0]).isEqualTo(2);
    for (int i = 1; i < changes.size(); i++) {
      assertThat(changes.get(i)[0]).as("change %d follows change %d", i, i - 1).isEqualTo(changes.get(i - 1)[1]);
    }
    assertThat(changes).allSatisfy(c -> assertThat(c[1]).isBetween(2, MAX).isNotEqualTo(c[0]));
    assertThat(throttled.get()).as("slow start overshoots into the throttle").isPositive();
    assertThat(changes).as("a throttle lowers the limit").anySatisfy(c -> assertThat(c[1]).isLessThan(c[0]));
  }

  /**
   * Regression: a change made while the listener was still being told of an earlier one waited for it while
   * holding the gate's lock, so every finishing handler and every submitter waited for the listener (a
   * listener that took a second let 17 messages through in 5 s instead of 15,000). While the listener is
   * held here, handling goes on and the limit and the flow control keep moving; once it returns it hears
   * what came meanwhile, each change from the limit told before it.
   */
  @Test
  void slowListener_handlingGoesOn_changesToldInOrderAfterwards() throws Exception {
    int messages = 2_000;
    for (int i = 0; i < messages; i++) {
      queue.send("m" + i);
    }
    CountDownLatch listenerHeld = new CountDownLatch(1);
    CountDownLatch releaseListener = new CountDownLatch(1);
    List<int[]> changes = new CopyOnWriteArrayList<>();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    CountDownLatch allHandled = new CountDownLatch(messages);
    AtomicInteger handlers = new AtomicInteger();
    AtomicInteger mostRunning = new AtomicInteger();
    start(Consumer.builder().adaptiveConcurrency(1)
        .listener(new ConsumerListener() {
          @Override
          public void onConcurrencyLimitChanged(int previous, int current) {
            changes.add(new int[] {previous, current});
            if (changes.size() == 1) {
              listenerHeld.countDown();
              try {
                releaseListener.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }
        })
        .handler(m -> {
          mostRunning.accumulateAndGet(handlers.incrementAndGet(), Math::max);
          try {
            Thread.sleep(1); // a downstream call: the limit is used, so it grows
          } finally {
            handlers.decrementAndGet();
          }
          if (handled.add(m.id())) {
            allHandled.countDown();
          }
        }));

    await(listenerHeld, "the listener heard the first change");
    await(allHandled, "every message handled while the listener was held");
    assertThat(changes).as("told while held").hasSize(1);
    assertThat(consumer.concurrencyLimit()).as("the limit moved on").isGreaterThan(changes.get(0)[1]);
    assertThat(mostRunning.get()).as("handlers ran beyond the limit told").isGreaterThan(changes.get(0)[1]);

    releaseListener.countDown();
    consumer.close(); // waits for the handler threads, the teller among them
    assertThat(changes).as("what came meanwhile was told afterwards").hasSizeGreaterThan(1);
    for (int i = 1; i < changes.size(); i++) {
      assertThat(changes.get(i)[0]).as("change %d follows change %d", i, i - 1).isEqualTo(changes.get(i - 1)[1]);
    }
    assertThat(changes).allSatisfy(c -> assertThat(c[1]).isBetween(1, MAX).isNotEqualTo(c[0]));
    assertThat(queue.deleted()).isEqualTo(messages);
  }

  /**
   * The user's callbacks of adaptive concurrency may throw anything: a listener that throws an Error from
   * onConcurrencyLimitChanged and an overload test that throws change neither the limit nor any message.
   */
  @Test
  void listenerAndOverloadTest_throw_limitStillMovesAndNothingLost() throws Exception {
    int messages = 500;
    for (int i = 0; i < messages; i++) {
      queue.send("m" + i);
    }
    AtomicInteger told = new AtomicInteger();
    AtomicInteger tested = new AtomicInteger();
    Set<String> attempted = ConcurrentHashMap.newKeySet();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    CountDownLatch allHandled = new CountDownLatch(messages);
    start(Consumer.builder().adaptiveConcurrency(2)
        .overloadWhen(e -> {
          tested.incrementAndGet();
          throw new AssertionError("overload test bug");
        })
        .listener(new ConsumerListener() {
          @Override
          public void onConcurrencyLimitChanged(int previous, int current) {
            told.incrementAndGet();
            throw new AssertionError("listener bug");
          }
        })
        .handler(m -> {
          Thread.sleep(1); // a downstream call: the limit is used, so it grows
          if (attempted.add(m.id()) && attempted.size() % 50 == 0) {
            throw new IllegalStateException("fails once"); // asks the overload test; retried at once
          }
          if (handled.add(m.id())) {
            allHandled.countDown();
          }
        }));

    await(allHandled, "every message handled successfully");
    assertThat(consumer.concurrencyLimit()).as("the limit grew").isGreaterThan(2);
    assertThat(told.get()).isPositive();
    consumer.close();
    assertThat(tested.get()).as("the overload test was asked").isPositive();
    assertThat(queue.deleted()).isEqualTo(messages);
    assertThat(queue.isEmpty()).isTrue();
  }

  /**
   * Adaptive concurrency with big batches gathered in a batching window: the gate counts batches, so no more
   * batches run than the limit told so far, the batches grow past one receive's ten, and every message is
   * handled once and deleted.
   */
  @Test
  void batchWindow_bigBatches_gateCountsBatchesAndNothingLost() throws Exception {
    int messages = 3_000;
    for (int i = 0; i < messages; i++) {
      queue.send("m" + i);
    }
    AtomicInteger running = new AtomicInteger();
    AtomicInteger highestTold = new AtomicInteger(1);
    AtomicInteger violations = new AtomicInteger();
    AtomicInteger largest = new AtomicInteger();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    AtomicInteger duplicates = new AtomicInteger();
    CountDownLatch allHandled = new CountDownLatch(messages);
    start(Consumer.builder().adaptiveConcurrency(1)
        .batchSize(100).batchWindow(Duration.ofMillis(100))
        .listener(new ConsumerListener() {
          @Override
          public void onConcurrencyLimitChanged(int previous, int current) {
            highestTold.accumulateAndGet(current, Math::max);
          }
        })
        .batchHandler(batch -> {
          int now = running.incrementAndGet();
          if (now > Math.max(highestTold.get(), consumer.concurrencyLimit()) || now > MAX) {
            violations.incrementAndGet();
          }
          try {
            largest.accumulateAndGet(batch.size(), Math::max);
            Thread.sleep(5); // a downstream call per batch
            for (Message m : batch) {
              if (handled.add(m.id())) {
                allHandled.countDown();
              } else {
                duplicates.incrementAndGet();
              }
            }
            return BatchResult.success();
          } finally {
            running.decrementAndGet();
          }
        }));

    await(allHandled, "every message handled");
    consumer.close();
    assertThat(violations).as("batches beyond the limit").hasValue(0);
    assertThat(largest.get()).as("batches gathered from several receives").isGreaterThan(10).isLessThanOrEqualTo(100);
    assertThat(duplicates).as("a message handled twice").hasValue(0);
    assertThat(queue.deleted()).isEqualTo(messages);
    assertThat(queue.isEmpty()).isTrue();
  }
}
