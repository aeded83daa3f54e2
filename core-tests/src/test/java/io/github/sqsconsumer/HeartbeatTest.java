package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.CoreParts.Event;
import io.github.sqsconsumer.CoreParts.ExtensionFailure;
import io.github.sqsconsumer.CoreParts.ForwardingPort;
import io.github.sqsconsumer.CoreParts.RecordingListener;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.VisibilityChange;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import io.github.sqsconsumer.testkit.ScriptedQueuePort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The visibility heartbeat, ticked by hand with chosen times against a {@link ScriptedQueuePort} (which
 * answers at once, on the ticking thread): no sleeps, every step fixed. Visibility 30 s, so a tick is 5 s
 * and an entry is due when less than 15 s of it remain.
 */
@Timeout(30)
final class HeartbeatTest {
  private static final Duration VISIBILITY = Duration.ofSeconds(30);
  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  private final ScriptedQueuePort port = new ScriptedQueuePort();
  private final RecordingListener listener = new RecordingListener();
  private final InFlight registry = new InFlight(listener);
  private final long t0 = System.nanoTime();

  @AfterEach
  void closePort() {
    port.close();
  }

  private Heartbeat heartbeat(Duration maxExtension) {
    return new Heartbeat(registry, port, listener, VISIBILITY, maxExtension);
  }

  /** {@code t0} plus the seconds. */
  private long at(double seconds) {
    return t0 + (long) (seconds * SECOND);
  }

  /** Registers {@code count} messages received at t0, as the engine's poller does. */
  private List<Message> receive(int count) {
    List<Message> messages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Message message = Message.builder().id("m" + i).body("body " + i).receiptHandle("r" + i).build();
      registry.addAll(List.of(message), t0, t0 + VISIBILITY.toNanos());
      messages.add(message);
    }
    return messages;
  }

  /** The lines logged (slf4j-simple writes to System.err) while {@code action} runs on this thread. */
  private static java.util.stream.Stream<String> logOf(Runnable action) {
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(java.nio.charset.StandardCharsets.UTF_8).lines();
  }

  private List<ExtensionFailure> failuresOf(Message message) {
    return listener.of("extensionFailed").stream().filter(e -> e.message().equals(message))
        .map(e -> (ExtensionFailure) e.detail()).toList();
  }

  @Test
  void tick_25DueMessages_batchesOfAtMostTen() {
    List<Message> messages = receive(25);

    heartbeat(Duration.ofHours(12)).tick(at(16));

    assertThat(port.batchSizes()).containsExactly(10, 10, 5);
    assertThat(port.requests()).allSatisfy(r -> {
      assertThat(r.kind()).isEqualTo(ScriptedQueuePort.Kind.CHANGE_VISIBILITY_BATCH);
      assertThat(r.visibilities()).containsOnly(VISIBILITY);
    });
    assertThat(port.requests().stream().flatMap(r -> r.messages().stream()))
        .containsExactlyInAnyOrderElementsOf(messages);
    assertThat(listener.messagesOf("extended")).containsExactlyInAnyOrderElementsOf(messages);
  }

  /**
   * [a reply that never comes ends at the deadline]: the port holds its answer for good; behind the
   * engine's DeadlinePort the extension counts as a transient failure at the deadline, and the entry may be
   * extended again.
   */
  @Test
  void tick_portNeverAnswers_failsAtTheDeadline_extendedAgainLater() throws Exception {
    Message message = receive(1).get(0);
    port.hold();
    CountDownLatch failed = new CountDownLatch(1);
    ConsumerListener recordingThenCounting = new ConsumerListener() {
      @Override
      public void onVisibilityExtensionFailed(Message m, Throwable cause, Duration retryDelay) {
        listener.onVisibilityExtensionFailed(m, cause, retryDelay);
        failed.countDown();
      }
    };
    Heartbeat heartbeat = new Heartbeat(registry, new DeadlinePort("t", port, Duration.ofMillis(200)),
        recordingThenCounting, VISIBILITY, Duration.ofHours(12));

    heartbeat.tick(at(16));

    assertThat(failed.await(10, TimeUnit.SECONDS)).as("the extension failed at the deadline").isTrue();
    assertThat(failuresOf(message)).singleElement().satisfies(failure -> {
      assertThat(failure.cause()).isInstanceOf(java.util.concurrent.TimeoutException.class);
      assertThat(failure.retryDelay()).isPositive();
    });
    heartbeat.tick(at(30)); // past the backoff: the entry is no longer EXTENDING
    assertThat(port.requestCount()).isEqualTo(2);
  }

  @Test
  void replyDeadline_halfTheVisibility_betweenASecondAndTwoMinutes() {
    assertThat(Heartbeat.replyDeadline(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(15));
    assertThat(Heartbeat.replyDeadline(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
    assertThat(Heartbeat.replyDeadline(Duration.ofHours(12))).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void tick_notDue_nothingSent() {
    receive(3);

    heartbeat(Duration.ofHours(12)).tick(at(14)); // 16 s of 30 left: more than half

    assertThat(port.requestCount()).isZero();
  }

  /** [extension <= maxExtension]: never kept hidden past maxVisibilityExtension after the receive. */
  @Test
  void tick_untilMaxExtension_neverPastItThenStops() {
    Message message = receive(1).get(0);
    Heartbeat heartbeat = heartbeat(Duration.ofSeconds(70));
    List<Long> hiddenUntil = new ArrayList<>();

    for (int second = 1; second <= 150; second++) {
      int before = port.requestCount();
      heartbeat.tick(at(second));
      if (port.requestCount() > before) {
        Duration visibility = port.requests().get(before).visibilities().get(0);
        hiddenUntil.add(at(second) + visibility.toNanos());
      }
    }

    assertThat(hiddenUntil).isNotEmpty().allSatisfy(until -> assertThat(until).isLessThanOrEqualTo(at(70)));
    assertThat(hiddenUntil.get(hiddenUntil.size() - 1)).as("kept alive up to the cap, to the second")
        .isGreaterThan(at(69));
    assertThat(port.visibilityChanges(message)).hasSize(hiddenUntil.size());
  }

  /**
   * A message still held when maxVisibilityExtension runs out comes back to the queue while its handler may
   * still run: a warning says so, once per message however many ticks pass, naming the message (its id, no
   * body) and the setting. It was silent: a handler longer than the setting was handled again and again.
   */
  @Test
  void tick_pastMaxExtension_warnsOncePerMessage() {
    List<Message> messages = receive(2);
    Heartbeat heartbeat = heartbeat(Duration.ofSeconds(70));

    List<String> warnings = logOf(() -> {
      for (int second = 1; second <= 150; second++) {
        heartbeat.tick(at(second));
      }
    }).filter(line -> line.contains("can be extended no longer")).toList();
    assertThat(warnings).hasSize(2);
    for (Message message : messages) {
      assertThat(warnings).filteredOn(line -> line.contains(message.id())).singleElement().satisfies(line -> {
        assertThat(line).contains("WARN", "maxVisibilityExtension PT1M10S since its receive");
        assertThat(line).doesNotContain(message.body(), message.receiptHandle());
      });
    }
  }

  /**
   * Regression: in an outage every batch of ten in flight reached its third failure with a warning of its
   * own (3,000 messages in flight: 300 lines at once). One warning per 10 s now; every failure still reaches
   * the listener.
   */
  @Test
  void tick_outage_manyBatchesStruggle_oneWarning() {
    List<Message> messages = receive(25);
    port.failNextRequests(1_000, QueueException.Kind.TRANSIENT);
    Heartbeat heartbeat = heartbeat(Duration.ofHours(12));

    List<String> warnings = logOf(() -> {
      for (int second = 16; second <= 40; second++) {
        heartbeat.tick(at(second));
      }
    }).filter(line -> line.contains("WARN")).toList();
    assertThat(messages).allSatisfy(m -> assertThat(failuresOf(m)).hasSizeGreaterThanOrEqualTo(3));
    assertThat(warnings).singleElement().asString().contains("failed 3 times in a row");
  }

  /**
   * Regression: with the default maxVisibilityExtension (12 h) the last extension ended exactly 12 h after
   * the receive was sent. SQS counts its 12 h from when the receive arrived and applies a change when it
   * arrives, so a change that travels longer than the receive did ends past the limit and is rejected; the
   * in-memory queue rejects it too, and the heartbeat reported it as a fatal failure. The last extensions
   * must keep the same margin as a retry delay: they end InFlight.LIMIT_MARGIN before the 12 h.
   */
  @Test
  void tick_nearTheTwelveHourLimit_endsAMarginBeforeIt() {
    Message message = receive(1).get(0);
    Heartbeat heartbeat = heartbeat(Duration.ofHours(12));
    double limit = Duration.ofHours(12).toSeconds();
    List<Long> hiddenUntil = new ArrayList<>();

    for (double second = limit - 180; second <= limit + 10; second++) {
      int before = port.requestCount();
      heartbeat.tick(at(second));
      if (port.requestCount() > before) {
        Duration visibility = port.requests().get(before).visibilities().get(0);
        hiddenUntil.add(at(second) + visibility.toNanos());
      }
    }

    long latest = at(limit) - InFlight.LIMIT_MARGIN.toNanos();
    assertThat(hiddenUntil).isNotEmpty().allSatisfy(until -> assertThat(until).isLessThanOrEqualTo(latest));
    assertThat(hiddenUntil.get(hiddenUntil.size() - 1)).as("kept alive up to the margin, to the second")
        .isGreaterThan(latest - SECOND);
    assertThat(port.visibilityChanges(message)).hasSize(hiddenUntil.size());
  }

  @Test
  void tick_maxExtensionZero_nothingSent() {
    receive(3);

    heartbeat(Duration.ZERO).tick(at(29));

    assertThat(port.requestCount()).isZero();
  }

  /** Extension stops once the message is settled: from the hand-off on, not only from the harvester's report. */
  @Test
  void tick_afterAcknowledgement_noMoreExtensions() {
    List<Message> messages = receive(3);
    Heartbeat heartbeat = heartbeat(Duration.ofHours(12));
    heartbeat.tick(at(16));
    registry.acknowledged(messages.get(1)); // the harvester reported the delete

    heartbeat.tick(at(32));
    heartbeat.tick(at(48));

    assertThat(port.visibilityChanges(messages.get(1))).hasSize(1);
    assertThat(port.visibilityChanges(messages.get(0))).hasSize(3);
    assertThat(port.visibilityChanges(messages.get(2))).hasSize(3);
  }

  /**
   * Messages received and waiting for a worker are kept alive too (the original extended only running
   * ones): a started engine over the in-memory queue, with a worker that takes units and starts none. The
   * queue's visibility is a minute, so the engine's own heartbeat has nothing due during the test; this
   * one, over the same registry, is ticked as if 31 s had passed.
   */
  @Test
  void tick_receivedWaitingForAWorker_extended() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", Duration.ofMinutes(1));
    for (int i = 0; i < 3; i++) {
      queue.send("waiting " + i);
    }
    CoreParts.QueueRunner runner = new CoreParts.QueueRunner(queue);
    CoreParts.HoldingWorker worker = new CoreParts.HoldingWorker();
    Engine engine = CoreParts.engine(Consumer.builder().handler(m -> {}).waitTime(Duration.ofSeconds(1)), runner,
        worker, new CoreParts.SendingHarvester(runner, registry), registry, listener);
    engine.start();
    try {
      assertThat(worker.taken.tryAcquire(3, 20, TimeUnit.SECONDS)).as("all three received and waiting").isTrue();
      Heartbeat heartbeat = new Heartbeat(registry, runner, listener, Duration.ofMinutes(1), Duration.ofHours(12));

      heartbeat.tick(System.nanoTime() + Duration.ofSeconds(31).toNanos());

      List<Message> waiting = worker.held.stream().flatMap(u -> u.messages().stream()).toList();
      assertThat(listener.messagesOf("extended")).containsExactlyInAnyOrderElementsOf(waiting).hasSize(3);
      assertThat(queue.changeVisibilityBatchRequests()).isEqualTo(1);
    } finally {
      engine.stop(Duration.ofSeconds(5));
    }
    assertThat(queue.visibleCount()).as("released at stop, visible at once").isEqualTo(3);
  }

  /** A batch handler's unit holds up to ten messages: while it runs, every one of them is extended. */
  @Test
  void tick_whileABatchHandlerRuns_allItsMessagesExtended() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("q", VISIBILITY);
    for (int i = 0; i < 10; i++) {
      queue.send("batch " + i);
    }
    CoreParts.QueueRunner runner = new CoreParts.QueueRunner(queue, port);
    List<Message> messages = runner.receive(10, Duration.ZERO, VISIBILITY).get(10, TimeUnit.SECONDS);
    messages.forEach(m -> registry.addAll(List.of(m), t0, t0 + VISIBILITY.toNanos()));
    Heartbeat heartbeat = heartbeat(Duration.ofHours(12));
    Engine engine = CoreParts.engine(Consumer.builder().batchHandler(batch -> {
      heartbeat.tick(at(16));
      return BatchResult.success();
    }), runner, new CoreParts.HoldingWorker(), new CoreParts.SendingHarvester(runner, registry), registry, listener);

    new Unit(engine.handling(), messages).run();

    assertThat(port.requests()).first().satisfies(r -> {
      assertThat(r.kind()).isEqualTo(ScriptedQueuePort.Kind.CHANGE_VISIBILITY_BATCH);
      assertThat(r.messages()).containsExactlyInAnyOrderElementsOf(messages);
    });
    assertThat(port.deletions()).containsOnlyKeys(messages);
    assertThat(registry.size()).isZero();
  }

  /**
   * Regression: failed extensions were logged at DEBUG only, never reported, and retried every tick at the
   * same pace however long the queue kept failing.
   */
  @Test
  void tick_transientFailures_reportedAndBackedOff() {
    Message message = receive(1).get(0);
    Heartbeat heartbeat = heartbeat(Duration.ofHours(12));
    port.failNextRequests(2, QueueException.Kind.TRANSIENT);

    heartbeat.tick(at(16));
    heartbeat.tick(at(20)); // backing off: one tick (5 s) after the first failure
    assertThat(port.requestCount()).isEqualTo(1);
    heartbeat.tick(at(21));
    heartbeat.tick(at(28)); // then doubled, at most a quarter of the visibility: 7.5 s
    assertThat(port.requestCount()).isEqualTo(2);
    heartbeat.tick(at(28.5));

    assertThat(port.requestCount()).isEqualTo(3);
    assertThat(failuresOf(message)).extracting(ExtensionFailure::retryDelay)
        .containsExactly(Duration.ofSeconds(5), Duration.ofMillis(7500));
    assertThat(failuresOf(message)).allSatisfy(f -> assertThat(f.cause()).isInstanceOf(QueueException.class));
    assertThat(listener.messagesOf("extended")).containsExactly(message);

    // a success starts the backoff over
    port.failNextRequests(1, QueueException.Kind.TRANSIENT);
    heartbeat.tick(at(44)); // deadline 28.5 + 30 s: due
    assertThat(failuresOf(message)).extracting(ExtensionFailure::retryDelay).last()
        .isEqualTo(Duration.ofSeconds(5));
  }

  /** A failed entry of a batch backs off alone; the others are extended. */
  @Test
  void tick_oneEntryFailsTransiently_onlyItBacksOff() {
    List<Message> messages = receive(2);
    Heartbeat heartbeat = heartbeat(Duration.ofHours(12));
    port.failEntry(messages.get(0), QueueException.Kind.TRANSIENT, 1);

    heartbeat.tick(at(16));
    heartbeat.tick(at(18));

    assertThat(port.attempts(messages.get(0))).isEqualTo(1);
    assertThat(failuresOf(messages.get(0))).extracting(ExtensionFailure::retryDelay)
        .containsExactly(Duration.ofSeconds(5));
    assertThat(listener.messagesOf("extended")).containsExactly(messages.get(1));
    heartbeat.tick(at(21));
    assertThat(listener.messagesOf("extended")).containsExactly(messages.get(1), messages.get(0));
  }

  /**
   * Regression: an invalid receipt handle (the message is back in the queue) was retried every tick until
   * maxVisibilityExtension, and never reported.
   */
  @Test
  void tick_invalidReceipt_reportedOnceAndNoLongerExtended() {
    List<Message> messages = receive(2);
    Heartbeat heartbeat = heartbeat(Duration.ofHours(12));
    port.invalidReceipt(messages.get(0));

    for (int second = 16; second <= 120; second += 5) {
      heartbeat.tick(at(second));
    }

    assertThat(port.attempts(messages.get(0))).isEqualTo(1);
    assertThat(failuresOf(messages.get(0))).singleElement().satisfies(f -> {
      assertThat(f.retryDelay()).as("not retried").isNull();
      assertThat(((QueueException) f.cause()).kind()).isEqualTo(QueueException.Kind.INVALID_RECEIPT);
    });
    assertThat(port.attempts(messages.get(1))).as("the other one is still kept alive").isGreaterThan(3);
    assertThat(registry.size()).as("still registered until it is settled").isEqualTo(2);
  }

  /**
   * After a stall longer than the visibility timeout every handle in flight is rejected at once: one WARN
   * line per 10 s with the count, not one per message (regression: 200 lines for 200 messages); each is still
   * reported to the listener.
   */
  @Test
  void tick_manyInvalidReceipts_oneWarningWithTheCount() {
    List<Message> messages = receive(30);
    Heartbeat heartbeat = heartbeat(Duration.ofHours(12));
    messages.forEach(port::invalidReceipt);

    List<String> warnings = logOf(() -> heartbeat.tick(at(16))).filter(line -> line.contains("WARN")).toList();

    // one per request of ten: the first warns, the others are counted toward the next warning
    assertThat(warnings).singleElement().asString().contains("10 message(s) are back in the queue");
    assertThat(listener.of("extensionFailed")).hasSize(30);
  }

  /** Failures of a message settled meanwhile are expected, not reported. */
  @Test
  void tick_extensionFailsAfterTheMessageWasAcknowledged_notReported() {
    Message message = receive(1).get(0);
    Heartbeat heartbeat = heartbeat(Duration.ofHours(12));
    port.hold().invalidReceipt(message);

    heartbeat.tick(at(16));
    registry.acknowledged(message); // deleted while the extension was under way
    port.resume();

    assertThat(listener.events).extracting(Event::kind).doesNotContain("extensionFailed", "extended");
  }

  /**
   * Regression: a port that threw from changeVisibilityBatch instead of failing its future left every entry
   * of the batch marked as being extended, so none of them was ever extended again.
   */
  @Test
  void tick_portThrows_handledLikeAFailedReply() {
    Message message = receive(1).get(0);
    int[] throwsLeft = {1};
    QueuePort throwing = new ForwardingPort(port) {
      @Override
      public CompletableFuture<BatchReply> changeVisibilityBatch(List<VisibilityChange> changes) {
        if (throwsLeft[0]-- > 0) {
          throw new IllegalStateException("port bug");
        }
        return super.changeVisibilityBatch(changes);
      }
    };
    Heartbeat heartbeat = new Heartbeat(registry, throwing, listener, VISIBILITY, Duration.ofHours(12));

    heartbeat.tick(at(16));
    heartbeat.tick(at(21));

    assertThat(failuresOf(message)).singleElement()
        .satisfies(f -> assertThat(f.cause()).hasMessage("port bug"))
        .satisfies(f -> assertThat(f.retryDelay()).isEqualTo(Duration.ofSeconds(5)));
    assertThat(port.visibilityChanges(message)).as("extended on the next try").containsExactly(VISIBILITY);
  }
  /**
   * Regression: the port's call was guarded against RuntimeException only, so a port that threw an Error
   * (an AssertionError in a part's bug) ended the tick, and with it the heartbeat's thread; its entries
   * stayed marked as being extended and the request stayed counted, so stop() waited its whole timeout.
   */
  @Test
  void tick_portThrowsError_handledLikeAFailedReply() throws Exception {
    Message message = receive(1).get(0);
    port.throwOnNextRequests(1, () -> new AssertionError("port bug"));
    Heartbeat heartbeat = heartbeat(Duration.ofHours(12));

    heartbeat.tick(at(16));
    heartbeat.tick(at(21));

    assertThat(failuresOf(message)).singleElement()
        .satisfies(f -> assertThat(f.cause()).isInstanceOf(AssertionError.class).hasMessage("port bug"));
    assertThat(port.visibilityChanges(message)).as("extended on the next try").containsExactly(VISIBILITY);
    long start = System.nanoTime();
    heartbeat.stop(Duration.ofSeconds(20));
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start))
        .as("stop waited for a request that was never sent").isLessThan(10);
  }

  /**
   * Regression: an Error thrown by the port (where the heartbeat caught only RuntimeException) passed out of
   * tick and ended the heartbeat's thread while the consumer ran on: no message was extended any more, and
   * the request stayed counted, so close waited for it until its deadline.
   */
  @Test
  void run_portThrowsAnError_heartbeatGoesOn() throws Exception {
    Duration visibility = Duration.ofSeconds(2); // a tick every 333 ms; due when less than 1 s remains
    Message message = Message.builder().id("m").body("body").receiptHandle("r").build();
    long now = System.nanoTime();
    registry.addAll(List.of(message), now, now + visibility.toNanos());
    int[] throwsLeft = {1};
    QueuePort throwing = new ForwardingPort(port) {
      @Override
      public CompletableFuture<BatchReply> changeVisibilityBatch(List<VisibilityChange> changes) {
        if (throwsLeft[0]-- > 0) {
          throw new AssertionError("port bug");
        }
        return super.changeVisibilityBatch(changes);
      }
    };
    Heartbeat heartbeat = new Heartbeat(registry, throwing, listener, visibility, Duration.ofHours(12));
    heartbeat.start("heartbeat-test");
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (port.visibilityChanges(message).isEmpty() && System.nanoTime() - deadline < 0) {
        Thread.sleep(20);
      }
      assertThat(failuresOf(message)).singleElement()
          .satisfies(f -> assertThat(f.cause()).hasMessage("port bug"));
      assertThat(port.visibilityChanges(message)).as("extended after the failure").isNotEmpty();
    } finally {
      heartbeat.stop(Duration.ofSeconds(5));
    }
  }
}
