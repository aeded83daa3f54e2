package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

/**
 * Hooks around the handler: their order, their thread, what they see of the outcome, what a throwing hook
 * does to the message, and the log context built on them; listeners in a list.
 */
@Timeout(30)
final class HandlerHookTest {
  private final TestParts.ListRunner runner = new TestParts.ListRunner();
  private final TestParts.ThreadWorker[] worker = new TestParts.ThreadWorker[1];
  private final Queue<String> events = new ConcurrentLinkedQueue<>();
  private CountDownLatch settled;
  private Consumer consumer;

  @AfterEach
  void close() {
    if (consumer != null) {
      consumer.close();
    }
  }

  /** A hook that records its calls as "name.before [ids] thread" and "name.after failure result". */
  private HandlerHook recording(String name) {
    return new HandlerHook() {
      @Override
      public Object before(List<Message> messages) {
        events.add(name + ".before " + messages.stream().map(Message::id).toList());
        return Thread.currentThread();
      }

      @Override
      public void after(List<Message> messages, Object state, Throwable failure, BatchResult result) {
        events.add(name + ".after " + (failure == null ? "ok" : failure.getMessage()) + " " + result
            + (state == Thread.currentThread() ? "" : " ON ANOTHER THREAD"));
      }
    };
  }

  /** Counts every message's end (deleted or released) down on {@link #settled}. */
  private ConsumerListener settling() {
    return TestParts.countingSettled(settled);
  }

  /** Builds (with hooks attached, as build() does) and starts the consumer on {@code messages} messages. */
  private void run(Consumer.Builder builder, int messages) throws InterruptedException {
    settled = new CountDownLatch(messages);
    for (int i = 1; i <= messages; i++) {
      runner.queue.add(TestParts.message(i));
    }
    consumer = DefaultConsumer.create(builder.queue("orders").waitTime(Duration.ofSeconds(1))
            .retryPolicy((m, e) -> Optional.of(Duration.ofSeconds(7))).listener(settling()).validate(),
        TestParts.runner(runner), TestParts.worker(worker), TestParts.harvester()).attachHooks();
    consumer.start();
    assertThat(settled.await(10, TimeUnit.SECONDS)).as("all settled in time").isTrue();
  }

  @Test
  void hooks_nestInTheOrderAdded_onTheHandlersThread() throws Exception {
    run(Consumer.builder().concurrency(1).hook(recording("outer")).hook(recording("inner"))
        .handler(m -> events.add("handler")), 1);

    assertThat(events).containsExactly("outer.before [m1]", "inner.before [m1]", "handler",
        "inner.after ok null", "outer.after ok null");
  }

  @Test
  void after_handlerThrows_seesTheFailure() throws Exception {
    run(Consumer.builder().concurrency(1).hook(recording("hook")).handler(m -> {
      throw new IllegalStateException("boom");
    }), 1);

    assertThat(events).containsExactly("hook.before [m1]", "hook.after boom null");
    assertThat(runner.released).containsEntry("m1", Duration.ofSeconds(7));
  }

  @Test
  void after_batchHandler_seesTheUnitAndItsResult() throws Exception {
    run(Consumer.builder().concurrency(1).batchSize(3).hook(recording("hook")).batchHandler(batch -> {
      events.add("handler " + batch.size());
      return BatchResult.builder().failed(batch.get(1), new IllegalStateException("second")).build();
    }), 3);

    assertThat(events).containsExactly("hook.before [m1, m2, m3]", "handler 3",
        "hook.after ok BatchResult[failures=[m2]]");
    assertThat(runner.deleted).containsExactlyInAnyOrder("m1", "m3");
    assertThat(runner.released).containsOnlyKeys("m2");
  }

  @Test
  void before_throws_unitFailsLikeItsHandler_andEnteredHooksCleanUp() throws Exception {
    AtomicReference<Throwable> reported = new AtomicReference<>();
    HandlerHook throwing = new HandlerHook() {
      @Override
      public Object before(List<Message> messages) {
        throw new AssertionError("hook broke"); // an Error too: the unit fails, the consumer goes on
      }

      @Override
      public void after(List<Message> messages, Object state, Throwable failure, BatchResult result) {
        events.add("throwing.after"); // its before did not complete: never called
      }
    };
    run(Consumer.builder().concurrency(2).hook(recording("outer")).hook(throwing)
        .listener(new ConsumerListener() {
          @Override
          public void onFailed(Message message, Throwable cause, Duration retryDelay) {
            reported.set(cause);
          }
        })
        .handler(m -> events.add("handler")), 1);

    assertThat(events).containsExactly("outer.before [m1]", "outer.after hook broke null");
    assertThat(reported.get()).hasMessage("hook broke");
    assertThat(runner.released).containsEntry("m1", Duration.ofSeconds(7)); // the retry policy applied
    assertThat(consumer.inFlight()).isZero();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (worker[0].permits.availablePermits() < 2) { // the worker's permit follows the unit's end
      assertThat(System.nanoTime()).as("capacity given back in time").isLessThan(deadline);
      Thread.sleep(1);
    }
    assertThat(consumer.state()).isEqualTo(Consumer.State.RUNNING);
  }

  @Test
  void after_throws_outcomeStands_andOuterHooksStillRun() throws Exception {
    afterThrows_outcomeStands_andOuterHooksStillRun(() -> {
      throw new StackOverflowError("hook broke after");
    });
  }

  // Regression: the catch block that logs a hook's throw called its toString(), which threw again: the
  // outer hooks' after() was skipped and the message of a handler that succeeded was not deleted.
  @Test
  void after_throwsWhatCannotDescribeItself_outcomeStands_andOuterHooksStillRun() throws Exception {
    afterThrows_outcomeStands_andOuterHooksStillRun(() -> {
      throw new TestParts.Undescribable();
    });
  }

  /** A hook whose after() runs {@code thrower}, inside an outer recording hook. */
  private void afterThrows_outcomeStands_andOuterHooksStillRun(Runnable thrower) throws Exception {
    HandlerHook throwing = new HandlerHook() {
      @Override
      public Object before(List<Message> messages) {
        return null;
      }

      @Override
      public void after(List<Message> messages, Object state, Throwable failure, BatchResult result) {
        thrower.run();
      }
    };
    run(Consumer.builder().concurrency(1).hook(recording("outer")).hook(throwing)
        .handler(m -> events.add("handler")), 2);

    assertThat(runner.deleted).containsExactlyInAnyOrder("m1", "m2");
    assertThat(events).containsExactly("outer.before [m1]", "handler", "outer.after ok null",
        "outer.before [m2]", "handler", "outer.after ok null");
  }

  @Test
  void build_tellsEveryHookItsConsumer() {
    AtomicReference<Consumer> attached = new AtomicReference<>();
    HandlerHook hook = new HandlerHook() {
      @Override
      public void attached(Consumer consumer) {
        attached.set(consumer);
      }

      @Override
      public Object before(List<Message> messages) {
        return null;
      }

      @Override
      public void after(List<Message> messages, Object state, Throwable failure, BatchResult result) {}
    };
    consumer = DefaultConsumer.create(Consumer.builder().name("billing")
            .queue("https://sqs.eu-west-1.amazonaws.com/123456789012/orders").hook(hook).handler(m -> {})
            .validate(), TestParts.runner(runner), TestParts.worker(worker), TestParts.harvester())
        .attachHooks();

    assertThat(attached.get()).isSameAs(consumer);
    assertThat(consumer.queueName()).isEqualTo("orders");
    assertThat(consumer.name()).isEqualTo("billing");
  }

  @Test
  void build_hookRefusesTheConsumer_buildFailsAndTheConsumerIsClosed() {
    HandlerHook refusing = new HandlerHook() {
      @Override
      public void attached(Consumer consumer) {
        throw new IllegalStateException("one consumer only");
      }

      @Override
      public Object before(List<Message> messages) {
        return null;
      }

      @Override
      public void after(List<Message> messages, Object state, Throwable failure, BatchResult result) {}
    };
    DefaultConsumer built = DefaultConsumer.create(Consumer.builder().queue("orders").hook(refusing)
        .handler(m -> {}).validate(), TestParts.runner(runner), TestParts.worker(worker), TestParts.harvester());

    assertThatThrownBy(built::attachHooks).hasMessage("one consumer only");
    assertThat(built.state()).isEqualTo(Consumer.State.TERMINATED);
    assertThat(runner.created).as("parts are created by start()").isFalse();
  }

  @Test
  void hooks_noneAndNoLogContext_handlerCalledDirectly() {
    assertThat(Hooks.of(Consumer.builder().queue("orders").handler(m -> {}).mdc(false).validate())).isNull();
    assertThat(Hooks.of(Consumer.builder().queue("orders").handler(m -> {}).validate())).isNotNull();
  }

  @Test
  void mdc_setWhileTheHandlerRuns_emptyAfter() throws Exception {
    Queue<String> afterwards = new ConcurrentLinkedQueue<>();
    run(Consumer.builder().name("billing").concurrency(2).hook(recording("hook"))
        .listener(new ConsumerListener() {
          @Override
          public void onSucceeded(Message message, Duration handlerTime) { // the handler's thread, after it
            afterwards.add(String.valueOf(MDC.getCopyOfContextMap()));
          }
        })
        .handler(m -> events.add("handler " + m.id() + " " + MDC.get(Consumer.MDC_MESSAGE_ID) + " "
            + MDC.get(Consumer.MDC_QUEUE) + " " + MDC.get(Consumer.MDC_CONSUMER))), 2);

    assertThat(events).contains("handler m1 m1 orders billing", "handler m2 m2 orders billing");
    assertThat(afterwards).hasSize(2).allMatch(map -> map.equals("null") || map.equals("{}"));
  }

  @Test
  void mdc_batch_carriesEveryIdOfTheUnit() throws Exception {
    run(Consumer.builder().concurrency(1).batchSize(3).batchHandler(batch -> {
      events.add(MDC.get(Consumer.MDC_MESSAGE_ID));
      return BatchResult.success();
    }), 3);

    assertThat(events).containsExactly("m1,m2,m3");
  }

  @Test
  void mdc_batchGatheredAboveTen_firstTenIdsAndHowManyMore() throws Exception {
    run(Consumer.builder().concurrency(1).batchSize(25).batchWindow(Duration.ofSeconds(30)).batchHandler(batch -> {
      events.add(MDC.get(Consumer.MDC_MESSAGE_ID));
      return BatchResult.success();
    }), 25);

    // parallel receives may join the batch in any order: ten ids, then the count of the other fifteen
    assertThat(events).singleElement().asString().matches("(m\\d+,){9}m\\d+ \\(\\+15 more\\)");
  }

  @Test
  void mdc_batchOfTenThousand_staysShort() {
    List<Message> batch = new java.util.ArrayList<>();
    for (int i = 1; i <= 10_000; i++) {
      batch.add(TestParts.message(i));
    }
    String ids = MdcHook.ids(batch);

    assertThat(ids).startsWith("m1,m2,").endsWith(",m10 (+9990 more)");
    assertThat(ids.split(",")).hasSize(MdcHook.MAX_IDS);
  }

  @Test
  void mdc_keysHeldBefore_restoredAfter() {
    MdcHook hook = new MdcHook("billing", "orders");
    MDC.put(Consumer.MDC_QUEUE, "outer queue");
    try {
      Object state = hook.before(List.of(TestParts.message(1)));
      assertThat(MDC.get(Consumer.MDC_QUEUE)).isEqualTo("orders");
      assertThat(MDC.get(Consumer.MDC_MESSAGE_ID)).isEqualTo("m1");

      hook.after(List.of(TestParts.message(1)), state, null, null);

      assertThat(MDC.get(Consumer.MDC_QUEUE)).isEqualTo("outer queue");
      assertThat(MDC.get(Consumer.MDC_MESSAGE_ID)).isNull();
      assertThat(MDC.get(Consumer.MDC_CONSUMER)).isNull();
    } finally {
      MDC.clear();
    }
  }

  @Test
  void mdc_off_handlerSeesNone() throws Exception {
    run(Consumer.builder().mdc(false).concurrency(1)
        .handler(m -> events.add(String.valueOf(MDC.get(Consumer.MDC_MESSAGE_ID)))), 1);

    assertThat(events).containsExactly("null");
  }

  @Test
  void listeners_eachHearsEveryEventInOrder_evenAfterOneThrows() throws Exception {
    Queue<String> heard = new ConcurrentLinkedQueue<>();
    run(Consumer.builder().concurrency(1)
        .listener(new ConsumerListener() {
          @Override
          public void onSucceeded(Message message, Duration handlerTime) {
            heard.add("first");
            throw new IllegalStateException("listener broke");
          }
        })
        .listener(new ConsumerListener() {
          @Override
          public void onSucceeded(Message message, Duration handlerTime) {
            heard.add("second");
          }

          @Override
          public void onAcknowledged(Message message, Duration sinceReceived) {
            heard.add("acknowledged " + (sinceReceived.isNegative() ? "negative" : "after receive"));
          }
        })
        .handler(m -> {}), 1);

    assertThat(heard).containsExactly("first", "second", "acknowledged after receive");
  }

  @Test
  void prefetch_zeroUnlessRunning() throws Exception {
    run(Consumer.builder().concurrency(3).prefetch(5).handler(m -> {}), 1);
    assertThat(consumer.prefetch()).isBetween(1, 5);

    consumer.close();

    assertThat(consumer.prefetch()).isZero();
  }
}
