package io.github.sqsconsumer.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.HarvesterProvider;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.testkit.HarvesterCallbackRecorder.Outcome;
import io.github.sqsconsumer.testkit.HarvesterCallbackRecorder.Report;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link Harvester} must meet, the library's and a user's own: extend this class,
 * implement {@link #provider()} and {@link #settingsBoundedTo(int)}, and run it with JUnit 5.
 *
 * <p>Every test runs the harvester against a {@link ScriptedQueuePort} and records its reports with a
 * {@link HarvesterCallbackRecorder}. It checks: each message given is reported exactly once, and each
 * acknowledged one deleted exactly once; releases set the visibility asked for; batches never exceed 10
 * entries; transient failures, of whole requests or single entries, are retried and succeed; invalid
 * receipt handles and fatal failures are reported, not retried; retries are bounded; {@code close} sends
 * what is pending, returns within its timeout even if the queue never answers and reports the unsettled as
 * failed; acknowledging after close throws; acknowledging while another thread closes loses nothing and
 * reports nothing twice; a full harvester blocks its callers, so memory stays bounded; a callback or a port
 * that throws, an Error too, costs no capacity.
 *
 * <p>Tests wait with latches, recorders and timeouts, never with sleeps; each has a timeout.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public abstract class HarvesterContractTest {
  /*
   * Size:
   *   One class because a harvester meets the contract by extending one class: a subclass per
   *   implementation (a user's own, too) runs every test here. Each test is one rule of the Harvester
   *   contract; the test doubles it drives are apart (ScriptedQueuePort, HarvesterCallbackRecorder).
   */
  /** For subclasses: one per harvester under test, created by JUnit for each test. */
  protected HarvesterContractTest() {}

  /** How long tests wait for reports before failing; generous, reports normally take milliseconds. */
  protected static final Duration WAIT = Duration.ofSeconds(10);

  /** The port of the current test. */
  protected ScriptedQueuePort port;
  /** The recorder of the current test. */
  protected HarvesterCallbackRecorder callback;
  private final List<Harvester> harvesters = new ArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();

  /** {@return the provider under test} */
  protected abstract HarvesterProvider provider();

  /**
   * {@return settings under which the harvester holds at most {@code bound} messages that it was given and
   * has not yet reported (pending, in flight, or waiting to retry); {@code bound} is at least 10}
   *
   * @param bound the most messages held at once, at least 10
   */
  protected abstract Map<String, String> settingsBoundedTo(int bound);

  /** {@return settings every test starts from, for example a short flush interval; none by default} */
  protected Map<String, String> settings() {
    return Map.of();
  }

  /** {@return the concurrency the harvester is created for} */
  protected int concurrency() {
    return 8;
  }

  @BeforeEach
  final void setUpPort() {
    port = new ScriptedQueuePort();
    callback = new HarvesterCallbackRecorder();
  }

  @AfterEach
  final void tearDownPort() throws InterruptedException {
    port.resume();
    for (Harvester harvester : harvesters) {
      harvester.close(Duration.ofSeconds(5));
    }
    port.close();
  }

  /**
   * {@return a new harvester on this test's port and recorder with {@link #settings()}, closed after the
   * test}
   */
  protected final Harvester create() {
    return create(Map.of());
  }

  /**
   * {@return a new harvester on this test's port and recorder with {@link #settings()} overridden by
   * {@code extra}, closed after the test}
   *
   * @param extra settings by key that replace or add to {@link #settings()}; never null
   */
  protected final Harvester create(Map<String, String> extra) {
    Map<String, String> values = new HashMap<>(settings());
    values.putAll(extra);
    Harvester harvester = provider().create(
        new HarvesterTestContext("contract", port, callback, concurrency(), values));
    harvesters.add(harvester);
    return harvester;
  }

  /** {@return a new message with a unique id and receipt handle} */
  protected final Message message() {
    int id = ids.incrementAndGet();
    return Message.builder().id("m-" + id).body("body-" + id).receiptHandle("receipt-" + id).build();
  }

  /**
   * {@return {@code count} new messages}
   *
   * @param count how many messages, zero or more
   */
  protected final List<Message> messages(int count) {
    List<Message> list = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      list.add(message());
    }
    return list;
  }

  @Test
  void provider_hasAShortName() {
    assertThat(provider().name()).isNotBlank().matches("[a-z0-9-]+");
  }

  @Test
  void acknowledge_deletesEachMessageOnceAndReportsItOnce() throws Exception {
    Harvester harvester = create();
    List<Message> messages = messages(100);
    messages.forEach(harvester::acknowledge);

    callback.awaitReports(100, WAIT);
    harvester.close(WAIT);

    assertThat(callback.count()).isEqualTo(100);
    for (Message m : messages) {
      assertThat(callback.reportsFor(m)).extracting(Report::outcome).containsExactly(Outcome.ACKNOWLEDGED);
      assertThat(port.deletions(m)).as("deletions of %s", m).isEqualTo(1);
    }
  }

  @Test
  void release_setsTheVisibilityAskedFor() throws Exception {
    Harvester harvester = create();
    List<Duration> visibilities = List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(2));
    List<Message> messages = messages(30);
    for (int i = 0; i < messages.size(); i++) {
      harvester.release(messages.get(i), visibilities.get(i % 3));
    }

    callback.awaitReports(30, WAIT);

    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      Duration expected = visibilities.get(i % 3);
      assertThat(callback.reportsFor(m)).singleElement().satisfies(r -> {
        assertThat(r.outcome()).isEqualTo(Outcome.RELEASED);
        assertThat(r.visibility()).isEqualTo(expected);
      });
      assertThat(port.visibilityChanges(m)).containsExactly(expected);
      assertThat(port.deletions(m)).isZero();
    }
  }

  @Test
  void requests_neverCarryMoreThanTenEntries() throws Exception {
    Harvester harvester = create();
    int threads = 4;
    int perThread = 150;
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<Message> mine = messages(perThread);
      producers.add(Thread.ofPlatform().start(() -> {
        for (int i = 0; i < mine.size(); i++) {
          if (i % 5 == 0) {
            harvester.release(mine.get(i), Duration.ofSeconds(1));
          } else {
            harvester.acknowledge(mine.get(i));
          }
        }
      }));
    }
    for (Thread producer : producers) {
      producer.join();
    }

    callback.awaitReports(threads * perThread, WAIT);

    assertThat(port.requests()).isNotEmpty().allSatisfy(r -> assertThat(r.size()).isBetween(1, 10));
    assertThat(callback.count(Outcome.FAILED)).isZero();
  }

  @Test
  void acknowledge_transientEntryFailureIsRetriedAndSucceeds() throws Exception {
    Harvester harvester = create();
    List<Message> messages = messages(5);
    Message flaky = messages.get(2);
    port.failEntry(flaky, QueueException.Kind.TRANSIENT, 2);

    messages.forEach(harvester::acknowledge);
    callback.awaitReports(5, WAIT);

    assertThat(callback.count(Outcome.ACKNOWLEDGED)).isEqualTo(5);
    assertThat(port.attempts(flaky)).isEqualTo(3);
    assertThat(port.deletions(flaky)).isEqualTo(1);
  }

  @Test
  void release_transientEntryFailureIsRetriedAndSucceeds() throws Exception {
    Harvester harvester = create();
    Message flaky = message();
    port.failEntry(flaky, QueueException.Kind.TRANSIENT, 1);

    harvester.release(flaky, Duration.ofSeconds(7));
    callback.awaitReports(1, WAIT);

    assertThat(callback.reportsFor(flaky)).extracting(Report::outcome).containsExactly(Outcome.RELEASED);
    assertThat(port.visibilityChanges(flaky)).containsExactly(Duration.ofSeconds(7));
    assertThat(port.attempts(flaky)).isEqualTo(2);
  }

  @Test
  void acknowledge_invalidReceiptIsReportedAndNeverRetried() throws Exception {
    Harvester harvester = create();
    List<Message> messages = messages(5);
    Message stale = messages.get(3);
    port.invalidReceipt(stale);

    messages.forEach(harvester::acknowledge);
    callback.awaitReports(5, WAIT);
    harvester.close(WAIT);

    assertThat(callback.reportsFor(stale)).singleElement().satisfies(r -> {
      assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(r.cause()).isInstanceOfSatisfying(QueueException.class,
          e -> assertThat(e.kind()).isEqualTo(QueueException.Kind.INVALID_RECEIPT));
    });
    assertThat(port.attempts(stale)).as("an invalid receipt handle is never retried").isEqualTo(1);
    assertThat(port.requestCount()).as("bounded requests").isLessThanOrEqualTo(5);
    assertThat(callback.count(Outcome.ACKNOWLEDGED)).isEqualTo(4);
  }

  @Test
  void acknowledge_transientRequestFailureIsRetried() throws Exception {
    Harvester harvester = create();
    port.failNextRequests(2, QueueException.Kind.TRANSIENT);
    List<Message> messages = messages(3);

    messages.forEach(harvester::acknowledge);
    callback.awaitReports(3, WAIT);

    assertThat(callback.count(Outcome.ACKNOWLEDGED)).isEqualTo(3);
    messages.forEach(m -> assertThat(port.deletions(m)).isEqualTo(1));
  }

  @Test
  void acknowledge_fatalRequestFailureIsReported() throws Exception {
    Harvester harvester = create();
    port.failNextRequests(1, QueueException.Kind.FATAL);
    Message doomed = message();

    harvester.acknowledge(doomed);
    callback.awaitReports(1, WAIT);

    assertThat(callback.reportsFor(doomed)).singleElement().satisfies(r -> {
      assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(r.cause()).isInstanceOfSatisfying(QueueException.class,
          e -> assertThat(e.kind()).isEqualTo(QueueException.Kind.FATAL));
    });
    assertThat(port.attempts(doomed)).isEqualTo(1);

    Message next = message();
    harvester.acknowledge(next);
    callback.awaitReports(2, WAIT);
    assertThat(callback.reportsFor(next)).extracting(Report::outcome).containsExactly(Outcome.ACKNOWLEDGED);
  }

  @Test
  void acknowledge_fatalEntryFailureIsReported() throws Exception {
    Harvester harvester = create();
    Message doomed = message();
    port.failEntry(doomed, QueueException.Kind.FATAL, Integer.MAX_VALUE);

    harvester.acknowledge(doomed);
    callback.awaitReports(1, WAIT);

    assertThat(callback.reportsFor(doomed)).extracting(Report::outcome).containsExactly(Outcome.FAILED);
    assertThat(port.attempts(doomed)).isEqualTo(1);
  }

  @Test
  void acknowledge_persistentTransientFailureGivesUpAfterBoundedAttempts() throws Exception {
    Harvester harvester = create();
    Message hopeless = message();
    port.failEntry(hopeless, QueueException.Kind.TRANSIENT, Integer.MAX_VALUE);

    harvester.acknowledge(hopeless);
    callback.awaitReports(1, WAIT);

    assertThat(callback.reportsFor(hopeless)).singleElement().satisfies(r -> {
      assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(r.cause()).isInstanceOf(QueueException.class);
    });
    assertThat(port.attempts(hopeless)).as("retried, but not forever").isBetween(2, 10);
  }

  @Test
  void close_sendsEverythingPending() throws Exception {
    Harvester harvester = create();
    List<Message> acked = messages(25);
    List<Message> released = messages(5);
    acked.forEach(harvester::acknowledge);
    released.forEach(m -> harvester.release(m, Duration.ZERO));

    harvester.close(WAIT);

    assertThat(callback.count()).as("every report made before close returns").isEqualTo(30);
    acked.forEach(m -> assertThat(port.deletions(m)).isEqualTo(1));
    released.forEach(m -> assertThat(port.visibilityChanges(m)).containsExactly(Duration.ZERO));
  }

  @Test
  void close_portNeverAnswers_returnsWithinTimeoutAndReportsTheUnsettledAsFailed() throws Exception {
    Harvester harvester = create();
    port.hold();
    List<Message> messages = messages(5);
    messages.forEach(harvester::acknowledge);

    long start = System.nanoTime();
    harvester.close(Duration.ofMillis(300));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(tookMillis).isLessThan(300 + 1_000);
    assertThat(callback.count()).isEqualTo(5);
    assertThat(callback.count(Outcome.FAILED)).isEqualTo(5);

    port.resume(); // answers arriving after close must not be reported again
    assertThat(callback.count()).isEqualTo(5);
  }

  @Test
  void close_interrupted_throwsAndStillReportsTheUnsettled() throws Exception {
    Harvester harvester = create();
    port.hold();
    messages(3).forEach(harvester::acknowledge);

    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> harvester.close(WAIT)).isInstanceOf(InterruptedException.class);
    Thread.interrupted(); // in case an implementation left it set as well

    assertThat(callback.count(Outcome.FAILED)).isEqualTo(3);
    assertThatThrownBy(() -> harvester.acknowledge(message())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void acknowledgeAndRelease_afterClose_throw() throws Exception {
    Harvester harvester = create();
    harvester.close(WAIT);

    assertThatThrownBy(() -> harvester.acknowledge(message())).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> harvester.release(message(), Duration.ZERO))
        .isInstanceOf(IllegalStateException.class);
    assertThat(callback.count()).isZero();
    assertThat(port.requestCount()).isZero();
  }

  @Test
  void close_secondCall_returnsAtOnce() throws Exception {
    Harvester harvester = create();
    port.hold();
    harvester.acknowledge(message());
    harvester.close(Duration.ofMillis(100));

    long start = System.nanoTime();
    harvester.close(Duration.ofSeconds(10));

    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1_000);
    assertThat(callback.count()).isEqualTo(1);
  }

  /**
   * Regression (Go original): {@code add} racing {@code stop} checked "closed" and then sent, so a message
   * added in between was lost, or crashed the sender. Every acknowledge that returns normally must be
   * reported exactly once; every one that throws must not be reported at all.
   */
  @RepeatedTest(5)
  void acknowledge_racingClose_everyAcceptedMessageIsReportedExactlyOnce() throws Exception {
    Harvester harvester = create();
    int threads = 8;
    Set<Message> accepted = ConcurrentHashMap.newKeySet();
    Set<Message> rejected = ConcurrentHashMap.newKeySet();
    CountDownLatch enough = new CountDownLatch(200);
    AtomicReference<Throwable> unexpected = new AtomicReference<>();
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      boolean releaser = t % 2 == 0;
      producers.add(Thread.ofPlatform().start(() -> {
        while (true) {
          Message m = message();
          try {
            if (releaser) {
              harvester.release(m, Duration.ZERO);
            } else {
              harvester.acknowledge(m);
            }
          } catch (IllegalStateException closed) {
            rejected.add(m);
            return;
          } catch (Throwable e) {
            unexpected.set(e);
            return;
          }
          accepted.add(m);
          enough.countDown();
        }
      }));
    }
    assertThat(enough.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    harvester.close(WAIT);
    for (Thread producer : producers) {
      producer.join();
    }

    assertThat(unexpected.get()).isNull();
    assertThat(rejected).hasSize(threads);
    List<Report> reports = callback.reports();
    assertThat(reports).hasSize(accepted.size());
    Map<Message, Integer> perMessage = new HashMap<>();
    reports.forEach(r -> perMessage.merge(r.message(), 1, Integer::sum));
    assertThat(perMessage.keySet()).isEqualTo(accepted);
    assertThat(perMessage.values()).containsOnly(1);
    assertThat(callback.count(Outcome.FAILED)).isZero();
  }

  /**
   * Bounded memory: with a port that does not answer, producers fill the harvester up to its bound and
   * then wait in acknowledge; once the port answers, everything drains and each message is reported once.
   */
  @Test
  void acknowledge_whenFull_blocksSoThatMemoryStaysBounded() throws Exception {
    int bound = 20;
    Harvester harvester = create(settingsBoundedTo(bound));
    port.hold();
    AtomicInteger returned = new AtomicInteger();
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      List<Message> mine = messages(25);
      producers.add(Thread.ofPlatform().start(() -> {
        for (Message m : mine) {
          harvester.acknowledge(m);
          returned.incrementAndGet();
        }
      }));
    }

    awaitStalled(producers, returned);
    assertThat(returned.get()).as("messages taken while the port does not answer").isBetween(1, bound);

    port.resume();
    for (Thread producer : producers) {
      producer.join();
    }
    callback.awaitReports(100, WAIT);
    assertThat(callback.count(Outcome.ACKNOWLEDGED)).isEqualTo(100);
    assertThat(port.deletions()).hasSize(100).allSatisfy((m, n) -> assertThat(n).isEqualTo(1));
  }

  /**
   * No lost wake-up at the bound: many producers kept at a small bound by a port that answers on its own
   * threads, so callers start waiting for room while answers free it. Every producer finishes, and every
   * message is reported once.
   */
  @Test
  void acknowledge_atItsBound_underLoad_everyWaiterGetsRoom() throws Exception {
    int bound = 10; // the smallest every harvester takes
    Harvester harvester = create(settingsBoundedTo(bound));
    port.latency(Duration.ofMillis(1));
    int threads = 8;
    int perThread = 500;
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<Message> mine = messages(perThread);
      producers.add(Thread.ofPlatform().start(() -> mine.forEach(harvester::acknowledge)));
    }
    for (Thread producer : producers) {
      assertThat(producer.join(Duration.ofSeconds(60))).as("a producer waiting for room was woken").isTrue();
    }
    callback.awaitReports(threads * perThread, WAIT);
    assertThat(callback.count(Outcome.ACKNOWLEDGED)).isEqualTo(threads * perThread);
    assertThat(port.deletions()).hasSize(threads * perThread).allSatisfy((m, n) -> assertThat(n).isEqualTo(1));
  }

  /**
   * Regression: the harvesters guarded their callback against RuntimeException only, and gave the room a
   * message held back only after its report returned normally: each report that threw an Error (a
   * listener's AssertionError in onAcknowledged, through the core's callback) kept one buffer slot for
   * good, until the harvester was full and every acknowledge waited forever. A callback that throws
   * anything still frees the room of its message; more messages than the harvester can hold all go
   * through, each reported once.
   */
  @Test
  void callback_throwsError_noCapacityLost() throws Exception {
    int bound = 10;
    Harvester harvester = create(settingsBoundedTo(bound));
    callback.throwAfterRecording(() -> new AssertionError("callback bug"));
    int count = 5 * bound;
    List<Message> messages = messages(count);
    AtomicReference<Throwable> unexpected = new AtomicReference<>();
    Thread producer = Thread.ofPlatform().start(() -> {
      try {
        for (int i = 0; i < count; i++) {
          if (i % 4 == 3) {
            harvester.release(messages.get(i), Duration.ZERO);
          } else {
            harvester.acknowledge(messages.get(i));
          }
        }
      } catch (Throwable e) {
        unexpected.set(e);
      }
    });

    producer.join(WAIT.toMillis());
    assertThat(producer.isAlive()).as("acknowledge still waiting for room: the throwing reports kept it")
        .isFalse();
    assertThat(unexpected.get()).isNull();
    callback.awaitReports(count, WAIT);
    harvester.close(WAIT);

    assertThat(callback.count()).isEqualTo(count);
    assertThat(callback.count(Outcome.FAILED)).isZero();
    for (int i = 0; i < count; i++) {
      Message m = messages.get(i);
      assertThat(callback.reportsFor(m)).as("reports of %s", m).hasSize(1);
      if (i % 4 == 3) {
        assertThat(port.visibilityChanges(m)).containsExactly(Duration.ZERO);
      } else {
        assertThat(port.deletions(m)).as("deletions of %s", m).isEqualTo(1);
      }
    }
  }

  /**
   * Regression: the harvesters turned a port's RuntimeException into a failed answer, but an Error passed
   * through: it ended the batch harvester's flusher (nothing was sent any more, the buffer filled up and
   * acknowledge waited forever) and came out of the direct harvester's acknowledge with the message
   * registered and its permit kept. A port that throws anything is a failed answer like any other.
   */
  @Test
  void port_throwsErrorInsteadOfAnswering_failedAnswerLikeAnyOther() throws Exception {
    int bound = 10;
    Harvester harvester = create(settingsBoundedTo(bound));
    port.throwOnNextRequests(2, () -> new AssertionError("port bug"));
    int count = 5 * bound;
    List<Message> messages = messages(count);
    AtomicReference<Throwable> unexpected = new AtomicReference<>();
    Thread producer = Thread.ofPlatform().start(() -> {
      try {
        messages.forEach(harvester::acknowledge);
      } catch (Throwable e) {
        unexpected.set(e);
      }
    });

    producer.join(WAIT.toMillis());
    assertThat(producer.isAlive()).as("acknowledge still waiting for room").isFalse();
    assertThat(unexpected.get()).isNull();
    callback.awaitReports(count, WAIT);
    harvester.close(WAIT);

    assertThat(callback.count()).isEqualTo(count);
    for (Message m : messages) {
      assertThat(callback.reportsFor(m)).as("reports of %s", m).hasSize(1);
    }
    // unclassified failures count as transient and are retried, or reported failed: either way once
    assertThat(port.deletions()).allSatisfy((m, n) -> assertThat(n).isEqualTo(1));
    assertThat(port.deletions().size() + callback.count(Outcome.FAILED)).isEqualTo(count);
  }

  @Test
  void acknowledge_interruptedWhileWaiting_stillTakesTheMessageAndKeepsTheInterrupt() throws Exception {
    int bound = 10;
    Harvester harvester = create(settingsBoundedTo(bound));
    port.hold();
    messages(bound).forEach(harvester::acknowledge);
    Message last = message();
    AtomicBoolean interruptedAfter = new AtomicBoolean();
    Thread waiter = Thread.ofPlatform().start(() -> {
      harvester.acknowledge(last);
      interruptedAfter.set(Thread.currentThread().isInterrupted());
    });

    awaitStalled(List.of(waiter), new AtomicInteger());
    waiter.interrupt();
    waiter.join(100);
    assertThat(waiter.isAlive()).as("still waiting for room after the interrupt").isTrue();

    port.resume();
    waiter.join(WAIT.toMillis());
    assertThat(waiter.isAlive()).isFalse();
    assertThat(interruptedAfter).isTrue();
    callback.awaitReports(bound + 1, WAIT);
    assertThat(callback.reportsFor(last)).extracting(Report::outcome).containsExactly(Outcome.ACKNOWLEDGED);
  }

  /**
   * Waits until every live thread of {@code threads} is parked and {@code progress} stopped moving for
   * two consecutive looks, or fails after {@link #WAIT}.
   *
   * @param threads the threads to watch; never null
   * @param progress a counter the threads raise as they make progress; never null
   * @throws InterruptedException if the waiting thread is interrupted
   */
  protected static void awaitStalled(List<Thread> threads, AtomicInteger progress) throws InterruptedException {
    BooleanSupplier parked = () -> threads.stream().allMatch(t -> !t.isAlive()
        || t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
    long deadline = System.nanoTime() + WAIT.toNanos();
    int stableLooks = 0;
    int last = -1;
    while (stableLooks < 3) {
      assertThat(System.nanoTime()).as("threads never stalled").isLessThan(deadline);
      Thread.sleep(20); // polling a condition, not hoping for a timing
      int now = progress.get();
      stableLooks = parked.getAsBoolean() && now == last ? stableLooks + 1 : 0;
      last = now;
    }
  }
}
