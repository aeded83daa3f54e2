package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.sqsconsumer.spi.Harvester;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The settlement rules, against a harvester that records what it is handed: which outcome becomes an
 * acknowledgement, which a release and with what delay, and what happens when the harvester throws or has
 * closed. Each call runs on the test thread, so every order here is fixed.
 */
final class SettlementTest {
  private static final Duration HOUR = Duration.ofHours(1);

  private final RecordingHarvester harvester = new RecordingHarvester();
  private final RecordingListener listener = new RecordingListener();
  private final InFlight registry = new InFlight(listener);
  private final FlowControl flow = new FlowControl(10, 0, 10);

  private Settlement settlement(RetryPolicy policy, AcknowledgeMode mode, boolean fifo) {
    return new Settlement("test", policy, mode, fifo, harvester, registry, listener, flow);
  }

  private Settlement settlement(RetryPolicy policy) {
    return settlement(policy, AcknowledgeMode.ON_SUCCESS, false);
  }

  /** A message received {@code ago} before now, registered the way the poller registers it. */
  private Message received(int i, Duration ago) {
    Message message = Message.builder().id("m" + i).body("body " + i).receiptHandle("r" + i)
        .attribute(Message.MESSAGE_GROUP_ID, "g").build();
    long at = System.nanoTime() - ago.toNanos();
    registry.addAll(List.of(message), at, at + Duration.ofSeconds(30).toNanos());
    return message;
  }

  private Message received(int i) {
    return received(i, Duration.ZERO);
  }

  private List<Message> received(int count, int from) {
    return IntStream.range(from, from + count).mapToObj(this::received).toList();
  }

  private static Unit unit(Message... messages) {
    return new Unit(null, List.of(messages));
  }

  @Test
  void settle_success_acknowledged() {
    Message message = received(1);
    Unit unit = unit(message);

    boolean failed = settlement(RetryPolicy.defaultPolicy()).settle(unit, null, 1_000);

    assertThat(failed).isFalse();
    assertThat(harvester.calls).containsExactly("acknowledge m1");
    assertThat(listener.events).containsExactly("succeeded m1");
    assertThat(unit.settled).isEqualTo(1);
    assertThat(registry.size()).as("kept alive until the harvester reports the delete").isEqualTo(1);
  }

  @Test
  void settle_permanentFailure_discardedAndAcknowledged() {
    Message message = received(1);

    boolean failed = settlement(RetryPolicy.defaultPolicy())
        .settle(unit(message), new PermanentFailureException("poison"), 1_000);

    assertThat(failed).isFalse();
    assertThat(harvester.calls).containsExactly("acknowledge m1");
    assertThat(listener.events).containsExactly("discarded m1");
  }

  @Test
  void settle_alwaysMode_failureReportedAndAcknowledged() {
    Message message = received(1);

    boolean failed = settlement(RetryPolicy.fixed(Duration.ofSeconds(5)), AcknowledgeMode.ALWAYS, false)
        .settle(unit(message), new IllegalStateException("handler failed"), 1_000);

    assertThat(failed).isFalse();
    assertThat(harvester.calls).containsExactly("acknowledge m1");
    assertThat(listener.events).containsExactly("failed m1 retry null");
  }

  @Test
  void settle_failure_releasedWithThePolicysDelay() {
    Message message = received(1);

    boolean failed = settlement(RetryPolicy.fixed(Duration.ofSeconds(5)))
        .settle(unit(message), new IllegalStateException("handler failed"), 1_000);

    assertThat(failed).isTrue();
    assertThat(harvester.calls).containsExactly("release m1 PT5S");
    assertThat(listener.events).containsExactly("failed m1 retry PT5S");
  }

  @Test
  void settle_delayBeyondTwelveHoursOfTheReceive_clampedBelowThem() {
    Message fresh = received(1);
    Message old = received(2, Duration.ofHours(11).plusMinutes(30));
    Message tooOld = received(3, Duration.ofHours(13));
    Settlement settlement = settlement(RetryPolicy.fixed(Duration.ofHours(12)));

    settlement.settle(unit(fresh), new IllegalStateException(), 0);
    settlement.settle(unit(old), new IllegalStateException(), 0);
    settlement.settle(unit(tooOld), new IllegalStateException(), 0);

    // what remains of the 12 h since the receive, less a minute's margin, in whole seconds
    assertThat(harvester.releases).hasSize(3);
    assertThat(harvester.releases.get(0)).isBetween(HOUR.multipliedBy(12).minusSeconds(62),
        HOUR.multipliedBy(12).minusSeconds(60));
    assertThat(harvester.releases.get(1)).isBetween(Duration.ofMinutes(29).minusSeconds(2), Duration.ofMinutes(29));
    assertThat(harvester.releases.get(2)).isZero();
  }

  @Test
  void settle_negativeDelay_releasedAtZero() {
    Message message = received(1);

    RetryPolicy negative = (m, cause) -> Optional.of(Duration.ofSeconds(-5)); // a user's own policy
    settlement(negative).settle(unit(message), new IllegalStateException(), 0);

    assertThat(harvester.calls).containsExactly("release m1 PT0S");
  }

  @Test
  void settle_retryPolicyThrows_leftToItsVisibilityTimeout() {
    Message message = received(1);
    RetryPolicy throwing = (m, cause) -> {
      throw new AssertionError("policy failed");
    };

    boolean failed = settlement(throwing).settle(unit(message), new IllegalStateException(), 0);

    assertThat(failed).isTrue();
    assertThat(harvester.calls).as("nothing sent: it comes back after its visibility timeout").isEmpty();
    assertThat(listener.events).containsExactly("failed m1 retry null");
    assertThat(registry.size()).as("no longer kept alive").isZero();
  }

  @Test
  void settle_retryPolicyReturnsNull_leftToItsVisibilityTimeout() {
    Message message = received(1);

    boolean failed = settlement((m, cause) -> null).settle(unit(message), new IllegalStateException(), 0);

    assertThat(failed).isTrue();
    assertThat(harvester.calls).isEmpty();
    assertThat(registry.size()).isZero();
  }

  @Test
  void settle_harvesterThrows_removedReportedAndPassedOn() {
    Message message = received(1);
    harvester.failing.add(message);
    Unit unit = unit(message);
    Settlement settlement = settlement(RetryPolicy.defaultPolicy());

    assertThatThrownBy(() -> settlement.settle(unit, null, 0)).isInstanceOf(IllegalArgumentException.class);

    assertThat(registry.size()).isZero();
    assertThat(listener.events).containsExactly("succeeded m1", "acknowledgementFailed m1");
    settlement.unsettled(unit, new IllegalArgumentException());
    assertThat(listener.events).as("reported once").hasSize(2);
  }

  @Test
  void settleBatch_harvesterThrowsOnThird_restLeaveTheRegistryReportedOnce() {
    List<Message> messages = received(5, 1);
    harvester.failing.add(messages.get(2));
    Unit unit = new Unit(null, messages);
    Settlement settlement = settlement(RetryPolicy.defaultPolicy());

    Throwable thrown = catchThrowable(
        () -> settlement.settleBatch(unit, null, BatchResult.success(), 0));
    settlement.unsettled(unit, thrown);

    assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
    assertThat(harvester.calls).containsExactly("acknowledge m1", "acknowledge m2");
    assertThat(listener.messagesOf("acknowledgementFailed")).containsExactly("m3", "m4", "m5");
    assertThat(registry.size()).as("only the two acknowledged wait for the harvester's report").isEqualTo(2);
  }

  @Test
  void settle_afterTheHarvesterClosed_reportedAndCountedOnce() {
    Message message = received(1);
    harvester.closed = true;
    Settlement settlement = settlement(RetryPolicy.fixed(Duration.ofSeconds(5)));

    boolean failed = settlement.settle(unit(message), new IllegalStateException(), 0);
    settlement.settle(unit(message), new IllegalStateException(), 0); // a second outcome: no longer ours

    assertThat(failed).isTrue();
    assertThat(registry.size()).isZero();
    assertThat(listener.messagesOf("acknowledgementFailed")).containsExactly("m1");
    assertThat(settlement.refusedAtClose()).isEqualTo(1);
  }

  @Test
  void settleBatch_fifoAfterTheFirstFailure_laterMessagesReleasedAtZero() {
    List<Message> messages = received(4, 1);
    BatchResult result = BatchResult.builder().failed(messages.get(1), new IllegalStateException()).build();
    Unit unit = new Unit(null, messages);

    boolean failed = settlement(RetryPolicy.fixed(Duration.ofSeconds(5)), AcknowledgeMode.ON_SUCCESS, true)
        .settleBatch(unit, null, result, 0);

    assertThat(failed).isTrue();
    assertThat(harvester.calls).containsExactly("acknowledge m1", "release m2 PT5S", "release m3 PT0S",
        "release m4 PT0S");
    assertThat(listener.events).as("the later ones are not handled in order: no outcome of their own")
        .containsExactly("succeeded m1", "failed m2 retry PT5S");
    assertThat(unit.settled).isEqualTo(4);
  }

  @Test
  void settleBatch_standardQueueAfterAFailure_laterMessagesSettledByTheirOwnOutcome() {
    List<Message> messages = received(3, 1);
    BatchResult result = BatchResult.builder().failed(messages.get(1), new IllegalStateException()).build();

    boolean failed = settlement(RetryPolicy.fixed(Duration.ofSeconds(5)))
        .settleBatch(new Unit(null, messages), null, result, 0);

    assertThat(failed).isTrue();
    assertThat(harvester.calls).containsExactly("acknowledge m1", "release m2 PT5S", "acknowledge m3");
  }

  @Test
  void settleBatch_wholeBatchFailed_everyMessageReleased() {
    List<Message> messages = received(2, 1);

    settlement(RetryPolicy.fixed(Duration.ofSeconds(5)))
        .settleBatch(new Unit(null, messages), new IllegalStateException(), null, 0);

    assertThat(harvester.calls).containsExactly("release m1 PT5S", "release m2 PT5S");
  }

  @Test
  void releaseUnstarted_releasedAtZeroAndPermitsBack() throws InterruptedException {
    List<Message> messages = received(2, 1);
    assertThat(flow.acquire(1, TimeUnit.SECONDS)).isEqualTo(10);
    harvester.failing.add(messages.get(0));

    settlement(RetryPolicy.defaultPolicy()).releaseUnstarted(new Unit(null, messages));

    assertThat(harvester.calls).as("the rest goes back after one that failed").containsExactly("release m2 PT0S");
    assertThat(listener.messagesOf("acknowledgementFailed")).containsExactly("m1");
    assertThat(flow.held()).isEqualTo(8);
  }

  /** Records what it is handed; throws for the messages in {@code failing}, or for all once closed. */
  private static final class RecordingHarvester implements Harvester {
    final List<String> calls = new ArrayList<>();
    final List<Duration> releases = new ArrayList<>();
    final Set<Message> failing = new HashSet<>();
    boolean closed;

    private void check(Message message) {
      if (closed) {
        throw new IllegalStateException("the harvester is closed");
      }
      if (failing.contains(message)) {
        throw new IllegalArgumentException("harvester bug");
      }
    }

    @Override
    public void acknowledge(Message message) {
      check(message);
      calls.add("acknowledge " + message.id());
    }

    @Override
    public void release(Message message, Duration visibility) {
      check(message);
      calls.add("release " + message.id() + " " + visibility);
      releases.add(visibility);
    }

    @Override
    public void close(Duration timeout) {
      closed = true;
    }
  }

  /** Records the listener's events as "event messageId [detail]". */
  private static final class RecordingListener implements ConsumerListener {
    final List<String> events = new CopyOnWriteArrayList<>();

    List<String> messagesOf(String event) {
      return events.stream().filter(e -> e.startsWith(event + " ")).map(e -> e.split(" ")[1]).toList();
    }

    @Override
    public void onSucceeded(Message message, Duration handlerTime) {
      events.add("succeeded " + message.id());
    }

    @Override
    public void onFailed(Message message, Throwable cause, Duration retryDelay) {
      events.add("failed " + message.id() + " retry " + retryDelay);
    }

    @Override
    public void onDiscarded(Message message, Throwable cause) {
      events.add("discarded " + message.id());
    }

    @Override
    public void onAcknowledgementFailed(Message message, Throwable cause) {
      events.add("acknowledgementFailed " + message.id());
    }
  }
}
