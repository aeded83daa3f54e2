package io.github.sqsconsumer;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.CoreParts.HoldingWorker;
import io.github.sqsconsumer.CoreParts.QueueRunner;
import io.github.sqsconsumer.CoreParts.RecordingListener;
import io.github.sqsconsumer.CoreParts.SendingHarvester;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import io.github.sqsconsumer.testkit.ScriptedQueuePort;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How the engine hands outcomes to the harvester, and how that meets the heartbeat: units are run on the
 * test thread (engine.run) against the in-memory queue, and the heartbeat is ticked by hand with chosen
 * times, so every interleaving here is fixed, not hoped for. The engine is not started: its own heartbeat
 * thread does not run; the one here works on the same registry.
 */
@Timeout(30)
final class EngineSettleTest {
  private static final Duration VISIBILITY = Duration.ofSeconds(2);
  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  private final InMemoryQueue queue = InMemoryQueue.standard("q", VISIBILITY);
  private final RecordingListener listener = new RecordingListener();
  private final InFlight registry = new InFlight(listener);
  private QueueRunner runner;
  private SendingHarvester harvester;
  private Heartbeat heartbeat;

  /** Deletes and visibility changes go to the in-memory queue. */
  @BeforeEach
  void toTheQueue() {
    sendTo(queue);
  }

  /** Deletes and visibility changes (the harvester's and the heartbeat's) go to {@code port}. */
  private void sendTo(QueuePort port) {
    runner = new QueueRunner(queue, port);
    harvester = new SendingHarvester(runner, registry);
    heartbeat = new Heartbeat(registry, runner, listener, VISIBILITY, Duration.ofHours(12));
  }

  /** Receives {@code count} messages and registers them the way the engine's poller does. */
  private List<Message> receive(int count, long receivedNanos) throws Exception {
    for (int i = 0; i < count; i++) {
      queue.send("m" + i);
    }
    List<Message> messages = runner.receive(count, Duration.ZERO, VISIBILITY).get(10, SECONDS);
    assertThat(messages).hasSize(count);
    for (Message message : messages) {
      registry.addAll(List.of(message), receivedNanos, receivedNanos + VISIBILITY.toNanos());
    }
    return messages;
  }

  private Engine engine(Consumer.Builder config) {
    return CoreParts.engine(config, runner, new HoldingWorker(), harvester, registry, listener);
  }

  /**
   * Regression: a message stays in the registry until the harvester reports it, so after the engine had
   * handed a release to the harvester the heartbeat still extended it, and the extension landed after the
   * release: a retry delay became a whole visibility timeout, a FIFO follower released at 0 s stayed hidden,
   * a message released at stop did not come back at once. Now the engine marks the message as being
   * released first and the heartbeat leaves it alone.
   */
  @Test
  void release_heartbeatTicksBeforeTheHarvesterReports_retryDelayStaysInForce() throws Exception {
    try (ScriptedQueuePort port = new ScriptedQueuePort()) {
      sendTo(port); // records the visibilities in the order the queue applied them
      long t0 = System.nanoTime();
      Message message = receive(1, t0).get(0);
      harvester.holdReports(); // like a batching harvester: the release is sent, its report comes later
      Engine engine = engine(Consumer.builder().retryPolicy(RetryPolicy.fixed(Duration.ofSeconds(5))).handler(m -> {
        heartbeat.tick(t0 + 1100 * SECOND / 1000); // held for over a second: the heartbeat extends it
        throw new IllegalStateException("handler fails");
      }));

      new Unit(engine.handling(), List.of(message)).run();
      heartbeat.tick(t0 + 2200 * SECOND / 1000); // due again, and the release is not reported yet
      heartbeat.tick(t0 + 3300 * SECOND / 1000);

      assertThat(port.visibilityChanges(message)).as("extension, then the release, last")
          .containsExactly(VISIBILITY, Duration.ofSeconds(5));
      harvester.sendHeldReports();
      assertThat(registry.size()).isZero();
    }
  }

  /**
   * Regression: the retry delay was clamped to 12 h from now, while SQS keeps a message hidden at most 12 h
   * after its receive: RetryPolicy.fixed(12h) was rejected (InvalidParameterValue, fatal) and the release
   * reported failed, so that policy could never work. The delay is clamped to what remains of the 12 h.
   */
  @Test
  void release_retryDelayOf12Hours_clampedToWhatRemainsSinceTheReceive() throws Exception {
    long t0 = System.nanoTime();
    Message message = receive(1, t0).get(0);
    Engine engine = engine(Consumer.builder().retryPolicy(RetryPolicy.fixed(Duration.ofHours(12))).handler(m -> {
      throw new IllegalStateException("handler fails");
    }));

    new Unit(engine.handling(), List.of(message)).run();

    assertThat(listener.messagesOf("acknowledgementFailed")).isEmpty();
    assertThat(listener.of("released")).singleElement().satisfies(released -> assertThat((Duration) released.detail())
        .isLessThan(Duration.ofHours(12)).isGreaterThan(Duration.ofHours(11)));
    assertThat(queue.inFlightCount()).as("hidden for the retry delay").isEqualTo(1);
    assertThat(registry.size()).isZero();
  }

  /** After a handler that ran for hours, a long retry delay gets only what remains of the 12 hours. */
  @Test
  void release_retryDelayAfterALongHandler_endsWithinTwelveHoursOfTheReceive() throws Exception {
    long threeHoursAgo = System.nanoTime() - Duration.ofHours(3).toNanos();
    Message message = receive(1, threeHoursAgo).get(0); // as if the receive was three hours ago
    Engine engine = engine(Consumer.builder().retryPolicy(RetryPolicy.fixed(Duration.ofHours(10))).handler(m -> {
      throw new IllegalStateException("handler fails");
    }));

    new Unit(engine.handling(), List.of(message)).run();

    assertThat(listener.of("released")).singleElement().satisfies(released -> assertThat((Duration) released.detail())
        .isLessThan(Duration.ofHours(9)).isGreaterThan(Duration.ofHours(8)));
  }

  /** The same with a release at 0 s, on the in-memory queue: the message is visible at once and stays so. */
  @Test
  void release_heartbeatTicksBeforeTheHarvesterReports_staysVisible() throws Exception {
    long t0 = System.nanoTime();
    Message message = receive(1, t0).get(0);
    harvester.holdReports(); // like a batching harvester: the release is sent, its report comes later
    Engine engine = engine(Consumer.builder().retryPolicy(RetryPolicy.fixed(Duration.ZERO)).handler(m -> {
      heartbeat.tick(t0 + 1100 * SECOND / 1000); // held for over a second: the heartbeat extends it
      throw new IllegalStateException("handler fails");
    }));

    new Unit(engine.handling(), List.of(message)).run();
    assertThat(listener.messagesOf("extended")).containsExactly(message);
    assertThat(queue.visibleCount()).as("visible after the release").isEqualTo(1);
    heartbeat.tick(t0 + 2200 * SECOND / 1000); // due again, and the release is not reported yet

    assertThat(queue.visibleCount()).as("still visible after the next tick").isEqualTo(1);
    assertThat(queue.changeVisibilityBatchRequests()).as("extensions sent").isEqualTo(1);
    harvester.sendHeldReports();
    assertThat(registry.size()).isZero();
  }

  /**
   * Regression, the other order: an extension already under way when the message is released may reach the
   * queue after the release. When the extension is answered, the heartbeat sends the release again.
   */
  @Test
  void release_extensionUnderWayArrivesAfterIt_retryDelaySentAgainAndLast() throws Exception {
    try (ScriptedQueuePort port = new ScriptedQueuePort()) {
      sendTo(port);
      long t0 = System.nanoTime();
      Message message = receive(1, t0).get(0);
      runner.holdVisibilityBatches(); // the extension is slow on the network
      Engine engine = engine(Consumer.builder().retryPolicy(RetryPolicy.fixed(Duration.ofSeconds(5))).handler(m -> {
        heartbeat.tick(t0 + 1100 * SECOND / 1000);
        throw new IllegalStateException("handler fails");
      }));

      new Unit(engine.handling(), List.of(message)).run();
      runner.sendHeld(); // the extension reaches the queue after the release

      assertThat(port.visibilityChanges(message)).as("release, extension, release again")
          .containsExactly(Duration.ofSeconds(5), VISIBILITY, Duration.ofSeconds(5));
      assertThat(registry.size()).isZero();
    }
  }

  /** The same at 0 s on the in-memory queue. */
  @Test
  void release_extensionUnderWayArrivesAfterIt_releaseSentAgainAndInForce() throws Exception {
    long t0 = System.nanoTime();
    Message message = receive(1, t0).get(0);
    runner.holdVisibilityBatches(); // the extension is slow on the network
    Engine engine = engine(Consumer.builder().retryPolicy(RetryPolicy.fixed(Duration.ZERO)).handler(m -> {
      heartbeat.tick(t0 + 1100 * SECOND / 1000);
      throw new IllegalStateException("handler fails");
    }));

    new Unit(engine.handling(), List.of(message)).run();
    assertThat(queue.visibleCount()).as("visible after the release").isEqualTo(1);
    runner.sendHeld(); // the extension reaches the queue last and hides the message again

    assertThat(queue.visibleCount()).as("visible again: the release was sent after the extension").isEqualTo(1);
    assertThat(queue.changeVisibilityRequests()).as("the release, and once more").isEqualTo(2);
    assertThat(listener.messagesOf("extended")).as("superseded by the release").isEmpty();
    assertThat(registry.size()).isZero();
  }

  /**
   * Regression: the engine marked a message settled as soon as its delete went to the harvester, so the
   * heartbeat stopped extending it at once; a delete waiting for its batch to fill (up to batch.maxWait), or
   * for room while SQS throttled, could outlast the visibility timeout, and a message whose handler had
   * succeeded was delivered again. Until the harvester reports the delete, the message is kept alive.
   */
  @Test
  void acknowledge_deleteNotYetReported_stillExtended() throws Exception {
    try (ScriptedQueuePort port = new ScriptedQueuePort()) {
      sendTo(port);
      long t0 = System.nanoTime();
      Message message = receive(1, t0).get(0);
      harvester.holdReports(); // like a batching harvester whose delete has not been answered yet
      Engine engine = engine(Consumer.builder().handler(m -> {}));

      new Unit(engine.handling(), List.of(message)).run();
      heartbeat.tick(t0 + 1100 * SECOND / 1000);
      assertThat(harvester.acknowledged).containsExactly(message);
      assertThat(port.visibilityChanges(message)).as("kept alive while its delete is pending").hasSize(1);

      harvester.sendHeldReports();
      heartbeat.tick(t0 + 3 * SECOND);
      assertThat(port.visibilityChanges(message)).as("not extended once the delete was reported").hasSize(1);
      assertThat(registry.size()).isZero();
    }
  }

  /** A message deleted while an extension is under way needs nothing more: it is never extended again. */
  @Test
  void acknowledge_extensionUnderWay_noMoreExtensions() throws Exception {
    long t0 = System.nanoTime();
    Message message = receive(1, t0).get(0);
    runner.holdVisibilityBatches();
    Engine engine = engine(Consumer.builder().handler(m -> heartbeat.tick(t0 + 1100 * SECOND / 1000)));

    new Unit(engine.handling(), List.of(message)).run();
    runner.sendHeld();
    heartbeat.tick(t0 + 5 * SECOND);

    assertThat(queue.deleted()).isEqualTo(1);
    assertThat(queue.changeVisibilityBatchRequests()).isEqualTo(1);
    assertThat(queue.changeVisibilityRequests()).isZero();
    assertThat(registry.size()).isZero();
  }

  /**
   * Regression: when settling a unit threw (here the harvester, on message 3 of a batch of 10), the engine
   * logged that its messages come back after their visibility timeout, but left them in the registry, so the
   * heartbeat kept extending them for up to maxVisibilityExtension (12 h by default).
   */
  @Test
  void settle_harvesterThrowsOnThirdOfTen_unsettledLeaveTheRegistryAndAreReported() throws Exception {
    long t0 = System.nanoTime();
    List<Message> messages = receive(10, t0);
    harvester.failAcknowledging(messages.get(2));
    Engine engine = engine(Consumer.builder().batchHandler(batch -> BatchResult.success()));

    new Unit(engine.handling(), messages).run();

    assertThat(listener.messagesOf("acknowledged")).containsExactlyInAnyOrderElementsOf(messages.subList(0, 2));
    assertThat(listener.messagesOf("acknowledgementFailed")).as("reported once each")
        .containsExactlyInAnyOrderElementsOf(messages.subList(2, 10));
    assertThat(registry.size()).as("nothing left to keep alive").isZero();
    heartbeat.tick(t0 + 5 * SECOND);
    assertThat(queue.changeVisibilityBatchRequests()).isZero();
  }

  /** The same for a single message: the harvester throws from acknowledge. */
  @Test
  void settle_harvesterThrowsOnSingleMessage_leavesTheRegistryAndIsReported() throws Exception {
    long t0 = System.nanoTime();
    Message message = receive(1, t0).get(0);
    harvester.failAcknowledging(message);
    Engine engine = engine(Consumer.builder().handler(m -> {}));

    new Unit(engine.handling(), List.of(message)).run();

    assertThat(listener.of("acknowledgementFailed")).singleElement().satisfies(event -> {
      assertThat(event.message()).isEqualTo(message);
      assertThat(event.detail()).isInstanceOf(IllegalArgumentException.class);
    });
    assertThat(registry.size()).isZero();
    heartbeat.tick(t0 + 5 * SECOND);
    assertThat(queue.changeVisibilityBatchRequests()).isZero();
  }
}
