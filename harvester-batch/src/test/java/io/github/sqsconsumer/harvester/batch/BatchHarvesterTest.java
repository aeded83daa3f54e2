package io.github.sqsconsumer.harvester.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.harvester.batch.BatchHarvesterProvider.BatchConfig;
import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.testkit.HarvesterCallbackRecorder;
import io.github.sqsconsumer.testkit.HarvesterCallbackRecorder.Outcome;
import io.github.sqsconsumer.testkit.HarvesterCallbackRecorder.Report;
import io.github.sqsconsumer.testkit.HarvesterTestContext;
import io.github.sqsconsumer.testkit.ScriptedQueuePort;
import io.github.sqsconsumer.testkit.ScriptedQueuePort.Kind;
import io.github.sqsconsumer.testkit.ScriptedQueuePort.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class BatchHarvesterTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** Long enough that only a full batch (or close) can trigger a send within a test. */
  private static final String NEVER = "10s";

  private final ScriptedQueuePort port = new ScriptedQueuePort();
  private final HarvesterCallbackRecorder callback = new HarvesterCallbackRecorder();
  private final List<Harvester> harvesters = new ArrayList<>();
  private int ids;

  @AfterEach
  void tearDown() throws InterruptedException {
    port.resume();
    for (Harvester h : harvesters) {
      h.close(WAIT);
    }
    port.close();
  }

  private BatchHarvester create(Map<String, String> settings) {
    return create(8, settings);
  }

  private BatchHarvester create(int concurrency, Map<String, String> settings) {
    BatchHarvester h = (BatchHarvester) new BatchHarvesterProvider().create(
        new HarvesterTestContext("orders", port, callback, concurrency, settings));
    harvesters.add(h);
    return h;
  }

  private Message message() {
    int id = ++ids;
    return Message.builder().id("m-" + id).body("secret body").receiptHandle("receipt-" + id).build();
  }

  private static long millisBetween(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
  }

  // ---- retries ----

  /**
   * Entries that failed in one request retry together, in one request again. (Regression: each drew its
   * own jittered delay, fell due alone and went alone: 726 DeleteMessageBatch requests for 200 messages in
   * an outage, 3.6 per message, where batches of ten make at most one per ten messages per attempt.)
   */
  @Test
  void wholeRequestsFail_entriesRetryTogetherInBatches() throws Exception {
    Harvester harvester = create(Map.of("batch.maxWait", "50ms", "batch.maxAttempts", "10"));
    int messages = 100;
    port.failNextRequests(2 * messages / 10, QueueException.Kind.TRANSIENT); // two attempts' worth of requests
    for (int i = 0; i < messages; i++) {
      harvester.acknowledge(message());
    }

    callback.awaitReports(messages, WAIT);

    assertThat(callback.count(Outcome.ACKNOWLEDGED)).as("batch sizes %s", port.batchSizes()).isEqualTo(messages);
    // ten batches of ten, three attempts each, and a few partial ones where a due moment splits a batch
    assertThat(port.requestCount()).as("requests for %d messages, batch sizes %s", messages, port.batchSizes())
        .isLessThanOrEqualTo(3 * messages / 10 + 10);
  }

  // ---- flushing ----

  @Test
  void partialBatch_isSentOnceItsOldestEntryIsMaxWaitOld() throws Exception {
    Harvester harvester = create(Map.of("batch.maxWait", "200ms"));
    long before = System.nanoTime();
    harvester.acknowledge(message());

    callback.awaitReports(1, WAIT);

    Request request = port.requests().getFirst();
    assertThat(millisBetween(before, request.sentAtNanos()))
        .as("an entry waits maxWait for company, then goes alone")
        .isGreaterThanOrEqualTo(195)
        .isLessThan(2_000);
  }

  /**
   * Regression (Go original): the flush timer was a debounce, reset by every add, so a steady trickle
   * of acknowledgements (one every maxWait / 2) was never flushed until it paused, and the first entry
   * waited many times the interval. The interval must bound the age of the oldest pending entry.
   */
  @Test
  void debounceRegression_trickleOfAcks_eachWaitsAtMostAboutMaxWait() throws Exception {
    Harvester harvester = create(Map.of("batch.maxWait", "200ms"));
    Map<Message, Long> ackedAt = new HashMap<>();
    long start = System.nanoTime();
    for (int i = 0; i < 12; i++) {
      LockSupport.parkNanos(start + TimeUnit.MILLISECONDS.toNanos(100L * i) - System.nanoTime()); // pacing
      Message m = message();
      ackedAt.put(m, System.nanoTime());
      harvester.acknowledge(m);
    }

    callback.awaitReports(12, WAIT);

    for (Request request : port.requests()) {
      for (Message m : request.messages()) {
        assertThat(millisBetween(ackedAt.get(m), request.sentAtNanos()))
            .as("wait of %s (a debounce would hold the first for ~1300 ms)", m)
            .isLessThan(200 + 200);
      }
    }
    assertThat(port.requestCount()).as("still batched: about one request per maxWait").isBetween(3, 9);
  }

  /**
   * Only an entry that begins a batch reads the clock; the other nine share its deadline. An entry that
   * joins a lane holding a whole batch (waiting for a request slot) begins the next one: it waits maxWait
   * from its own arrival, not from that of the batch before it.
   */
  @Test
  void entryBehindAWholeBatch_waitsMaxWaitFromItsOwnArrival() throws Exception {
    Harvester harvester =
        create(Map.of("batch.maxWait", "200ms", "batch.maxInFlight", "1", "batch.bufferSize", "40"));
    port.hold();
    for (int i = 0; i < 20; i++) {
      harvester.acknowledge(message()); // the first ten go out and are not answered; ten wait for the slot
    }
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(150));
    long before = System.nanoTime();
    harvester.acknowledge(message());
    harvester.acknowledge(message());
    port.resume(); // the waiting ten go out at once and are answered; the last two wait for company

    callback.awaitReports(22, WAIT);

    assertThat(port.batchSizes()).containsExactly(10, 10, 2);
    assertThat(millisBetween(before, port.requests().get(2).sentAtNanos()))
        .as("the last two wait maxWait, counted from the first of them, not from the batch before")
        .isGreaterThanOrEqualTo(195)
        .isLessThan(2_000);
  }

  @Test
  void tenReadyAtOnce_exactlyOneRequest() throws Exception {
    Harvester harvester = create(Map.of("batch.maxWait", NEVER));
    for (int i = 0; i < 10; i++) {
      harvester.acknowledge(message());
    }

    callback.awaitReports(10, WAIT); // sent because full: maxWait is 10 s

    assertThat(port.requestCount()).isEqualTo(1);
    assertThat(port.batchSizes()).containsExactly(10);
  }

  /**
   * The caller whose entry fills a batch sends it on its own thread, so a busy queue wakes nobody per batch:
   * handing every batch to the flusher made its one thread the bottleneck of a busy consumer, and callers
   * then waited for room in a full buffer.
   */
  @Test
  void acknowledge_thatFillsABatch_sendsItBeforeReturning() throws Exception {
    Harvester harvester = create(Map.of("batch.maxWait", NEVER));
    for (int i = 0; i < 9; i++) {
      harvester.acknowledge(message());
    }
    assertThat(port.requestCount()).as("nine wait for company").isZero();

    harvester.acknowledge(message());

    assertThat(port.requestCount()).as("sent by the tenth acknowledge itself, not later by the flusher")
        .isEqualTo(1);
    assertThat(port.batchSizes()).containsExactly(10);
    callback.awaitReports(10, WAIT);
  }

  @Test
  void thousandFastAcks_aboutOneRequestPerTen() throws Exception {
    Harvester harvester = create(Map.of());
    for (int i = 0; i < 1_000; i++) {
      harvester.acknowledge(message());
    }

    callback.awaitReports(1_000, WAIT);

    assertThat(port.requestCount(Kind.DELETE_BATCH)).isBetween(100, 115); // a stalled producer may cause a partial
    assertThat(port.requestCount()).isEqualTo(port.requestCount(Kind.DELETE_BATCH));
  }

  @Test
  void duplicateOfOneMessageInABatch_bothEntriesSentAndBothReported() throws Exception {
    Harvester harvester = create(Map.of("batch.maxWait", NEVER));
    Message twice = message();
    harvester.acknowledge(twice);
    for (int i = 0; i < 8; i++) {
      harvester.acknowledge(message());
    }
    harvester.acknowledge(twice); // redelivered, or acknowledged twice by a batch handler

    callback.awaitReports(10, WAIT);

    assertThat(port.requests()).singleElement()
        .satisfies(r -> assertThat(r.messages()).filteredOn(twice::equals).hasSize(2));
    assertThat(callback.reportsFor(twice)).extracting(Report::outcome)
        .containsExactly(Outcome.ACKNOWLEDGED, Outcome.ACKNOWLEDGED);
    assertThat(port.deletions(twice)).isEqualTo(2);
  }

  @Test
  void release_differentVisibilities_shareOneBatch() throws Exception {
    Harvester harvester = create(Map.of("batch.maxWait", NEVER));
    List<Duration> visibilities = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      visibilities.add(Duration.ofSeconds(i));
      harvester.release(message(), Duration.ofSeconds(i));
    }

    callback.awaitReports(10, WAIT);

    assertThat(port.requests()).singleElement().satisfies(r -> {
      assertThat(r.kind()).isEqualTo(Kind.CHANGE_VISIBILITY_BATCH);
      assertThat(r.visibilities()).isEqualTo(visibilities);
    });
  }

  @Test
  void acknowledge_slowPort_severalRequestsInFlightButNeverMoreThanMaxInFlight() throws Exception {
    Harvester harvester = create(Map.of("batch.maxInFlight", "4", "batch.bufferSize", "200"));
    port.latency(Duration.ofMillis(30));
    for (int i = 0; i < 200; i++) {
      harvester.acknowledge(message());
    }

    callback.awaitReports(200, WAIT);

    assertThat(port.maxOutstanding()).isBetween(2, 4); // [requestsInFlight <= maxInFlight]
  }

  @Test
  void floodWithSlowPort_heldEntriesNeverExceedTheBuffer() throws Exception {
    BatchHarvester harvester = create(Map.of("batch.bufferSize", "30", "batch.maxInFlight", "2"));
    port.latency(Duration.ofMillis(2));
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      List<Message> mine = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        mine.add(message());
      }
      producers.add(Thread.ofPlatform().start(() -> mine.forEach(harvester::acknowledge)));
    }
    for (Thread p : producers) {
      p.join();
    }

    callback.awaitReports(1_200, WAIT);

    assertThat(harvester.maxHeldSeen()).isEqualTo(30); // reached, never exceeded
    assertThat(callback.count(Outcome.ACKNOWLEDGED)).isEqualTo(1_200);
    assertThat(port.deletions().values()).hasSize(1_200).containsOnly(1);
  }

  // ---- shutdown ----

  @Test
  void close_sendsAPartialBatchWithoutWaitingForMaxWait() throws Exception {
    Harvester harvester = create(Map.of("batch.maxWait", NEVER));
    for (int i = 0; i < 3; i++) {
      harvester.acknowledge(message());
    }

    long start = System.nanoTime();
    harvester.close(WAIT);

    assertThat(millisBetween(start, System.nanoTime())).isLessThan(2_000);
    assertThat(callback.count(Outcome.ACKNOWLEDGED)).isEqualTo(3);
    assertThat(port.batchSizes()).containsExactly(3);
  }

  @Test
  void close_waitsForRetriesInProgress() throws Exception {
    Harvester harvester = create(Map.of());
    Message flaky = message();
    port.failEntry(flaky, QueueException.Kind.TRANSIENT, 2);
    harvester.acknowledge(flaky);

    harvester.close(WAIT);

    assertThat(callback.reportsFor(flaky)).extracting(Report::outcome).containsExactly(Outcome.ACKNOWLEDGED);
    assertThat(port.attempts(flaky)).isEqualTo(3);
  }

  @Test
  void flusher_isOneDaemonThreadNamedAfterTheConsumer_andStopsOnClose() throws Exception {
    BatchHarvester harvester = create(Map.of());
    Thread flusher = harvester.flusher();
    assertThat(flusher.getName()).isEqualTo("orders-harvester-batch");
    assertThat(flusher.isDaemon()).isTrue();

    harvester.close(WAIT);
    flusher.join(WAIT.toMillis());
    assertThat(flusher.isAlive()).isFalse();
  }

  @Test
  void acknowledge_afterClose_saysTheHarvesterIsClosed() throws Exception {
    Harvester harvester = create(Map.of());
    harvester.close(WAIT);
    assertThatThrownBy(() -> harvester.acknowledge(message()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("harvester is closed");
  }

  @Test
  void release_visibilityOutOfRange() {
    Harvester harvester = create(Map.of());
    assertThatThrownBy(() -> harvester.release(message(), Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("visibility must be between 0 and 12 hours but was PT-0.001S");
    assertThatThrownBy(() -> harvester.release(message(), Duration.ofHours(12).plusSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("visibility must be between 0 and 12 hours but was PT12H1S");
  }

  // ---- settings ----

  private static BatchConfig config(int concurrency, Map<String, String> settings) {
    ScriptedQueuePort unused = new ScriptedQueuePort();
    return BatchHarvesterProvider.config(
        new HarvesterTestContext("c", unused, new HarvesterCallbackRecorder(), concurrency, settings).settings(),
        concurrency);
  }

  @Test
  void create_defaultsFollowConcurrency() {
    assertThat(config(2, Map.of())).isEqualTo(new BatchConfig(Duration.ofMillis(100), 2, 40, 5));
    assertThat(config(8, Map.of())).isEqualTo(new BatchConfig(Duration.ofMillis(100), 4, 80, 5));
    assertThat(config(100, Map.of())).isEqualTo(new BatchConfig(Duration.ofMillis(100), 50, 1_000, 5));
    assertThat(config(10_000, Map.of())).isEqualTo(new BatchConfig(Duration.ofMillis(100), 50, 1_000, 5));
    assertThat(config(100, Map.of("batch.maxInFlight", "3"))).extracting(BatchConfig::bufferSize)
        .isEqualTo(60);
  }

  @Test
  void create_maxWaitOutOfRange() {
    assertThatThrownBy(() -> create(Map.of("batch.maxWait", "20s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting batch.maxWait must be between PT0S and PT10S but was PT20S");
  }

  @Test
  void create_maxInFlightOutOfRange() {
    assertThatThrownBy(() -> create(Map.of("batch.maxInFlight", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting batch.maxInFlight must be between 1 and 1000 but was 0");
  }

  @Test
  void create_bufferSizeSmallerThanABatch() {
    assertThatThrownBy(() -> create(Map.of("batch.bufferSize", "9")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting batch.bufferSize must be between 10 and 1000000 but was 9");
  }

  @Test
  void create_maxAttemptsNotANumber() {
    assertThatThrownBy(() -> create(Map.of("batch.maxAttempts", "many")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting batch.maxAttempts must be an integer between 1 and 100 but was 'many'");
  }

  @Test
  void provider_isNamedBatch() {
    assertThat(new BatchHarvesterProvider().name()).isEqualTo("batch");
  }
}
