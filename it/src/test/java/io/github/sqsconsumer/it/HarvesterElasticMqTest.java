package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.HarvesterProvider;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.RunnerContext;
import io.github.sqsconsumer.spi.RunnerProvider;
import io.github.sqsconsumer.spi.Settings;
import io.github.sqsconsumer.testkit.HarvesterCallbackRecorder.Outcome;
import io.github.sqsconsumer.testkit.HarvesterCallbackRecorder;
import io.github.sqsconsumer.testkit.HarvesterTestContext;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqExtension;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * The harvesters as the consumer uses them, found through their providers on the class path, acknowledging
 * through the real SQS runner against ElasticMQ; requests counted on the wire by a {@link RequestLog}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class HarvesterElasticMqTest {
  /** Long enough that a batch is flushed only because it is full, or at close. */
  private static final String NEVER_BY_AGE = "10s";
  private static final Duration REPORTS = Duration.ofSeconds(20);
  private static final Duration VISIBILITY = Duration.ofSeconds(30); // the queue's own, see open()

  @RegisterExtension
  static final ElasticMqExtension SQS = ElasticMqExtension.shared();

  private static SqsFixture sqs;

  private final RequestLog log = new RequestLog();
  private final HarvesterCallbackRecorder callback = new HarvesterCallbackRecorder();
  private SqsAsyncClient client;
  private Runner runner;
  private String queueUrl;

  @BeforeAll
  static void server(ElasticMqServer server) {
    sqs = SqsFixture.on(server);
  }

  @AfterAll
  static void closeFixture() {
    sqs.close();
  }

  @AfterEach
  void closeRunner() {
    if (runner != null) {
      runner.close(); // leaves the user's client open
    }
    if (client != null) {
      client.close();
    }
  }

  @Test
  void batch_tenAcknowledgementsReadyAtOnce_oneDeleteMessageBatch() throws Exception {
    List<Message> messages = receive(10);
    Harvester harvester = harvester("batch", Map.of("batch.maxWait", NEVER_BY_AGE));

    messages.forEach(harvester::acknowledge);
    callback.awaitReports(10, REPORTS); // before close: the full batch went out on its own

    harvester.close(Duration.ofSeconds(5));
    assertThat(callback.count(Outcome.ACKNOWLEDGED)).isEqualTo(10);
    assertThat(log.count(RequestLog.DELETE_BATCH)).isEqualTo(1);
    assertThat(log.count(RequestLog.DELETE)).isZero();
    assertThat(sqs.remaining(queueUrl)).isZero();
  }

  @Test
  void batch_manyAcknowledgements_aboutOneRequestPerTen() throws Exception {
    int n = 95;
    List<Message> messages = receive(n);
    Harvester harvester = harvester("batch", Map.of("batch.maxWait", NEVER_BY_AGE));

    messages.forEach(harvester::acknowledge);
    harvester.close(Duration.ofSeconds(10)); // flushes the last, partial batch

    assertThat(callback.count(Outcome.ACKNOWLEDGED)).isEqualTo(n);
    int floor = Math.ceilDiv(n, 10);
    assertThat(log.count(RequestLog.DELETE_BATCH)).isBetween((long) floor, floor + 1L);
    assertThat(sqs.remaining(queueUrl)).isZero();
    System.out.printf("harvester batch: %d acknowledgements in %d DeleteMessageBatch requests%n", n,
        log.count(RequestLog.DELETE_BATCH));
  }

  /**
   * Three acknowledgements, far from a full batch: they go out together in one DeleteMessageBatch once the
   * oldest is {@code batch.maxWait} old (observed on the wire: not before, and long before close), and the
   * server deletes them.
   */
  @Test
  void batch_partialBatch_flushedAfterMaxWait() throws Exception {
    Duration maxWait = Duration.ofMillis(500);
    List<Message> messages = receive(3);
    Harvester harvester = harvester("batch", Map.of("batch.maxWait", maxWait.toMillis() + "ms"));

    long acknowledged = System.nanoTime(); // taken before the first acknowledgement: its age is at most this
    messages.forEach(harvester::acknowledge);
    callback.awaitReports(3, REPORTS); // before close: only the age can have flushed them
    long reported = System.nanoTime();
    int remaining = sqs.remaining(queueUrl);
    harvester.close(Duration.ofSeconds(5));

    assertThat(callback.count(Outcome.ACKNOWLEDGED)).isEqualTo(3);
    assertThat(log.count(RequestLog.DELETE_BATCH)).as("one request for the three").isEqualTo(1);
    assertThat(log.deleteEntriesSent()).isEqualTo(3);
    Duration sentAfter = Duration.ofNanos(log.sentAt(RequestLog.DELETE_BATCH).get(0) - acknowledged);
    System.out.printf("harvester batch: a partial batch of 3 sent %d ms after the acknowledgement (maxWait %d ms)%n",
        sentAfter.toMillis(), maxWait.toMillis());
    assertThat(sentAfter).as("sent once the oldest entry was maxWait old, not before").isGreaterThanOrEqualTo(maxWait);
    // generous: a loaded machine may be late, but a flush at close would come after the reports
    assertThat(sentAfter).as("sent because of its age").isLessThan(maxWait.plus(REPORTS));
    assertThat(Duration.ofNanos(reported - acknowledged)).isLessThan(maxWait.plus(REPORTS));
    assertThat(remaining).as("deleted on the server before close").isZero();
  }

  @Test
  void direct_oneDeleteMessagePerMessage() throws Exception {
    int n = 25;
    List<Message> messages = receive(n);
    Harvester harvester = harvester("direct", Map.of());

    messages.forEach(harvester::acknowledge);
    callback.awaitReports(n, REPORTS);
    harvester.close(Duration.ofSeconds(5));

    assertThat(callback.count(Outcome.ACKNOWLEDGED)).isEqualTo(n);
    assertThat(log.count(RequestLog.DELETE)).isEqualTo(n);
    assertThat(log.count(RequestLog.DELETE_BATCH)).isZero();
    assertThat(sqs.remaining(queueUrl)).isZero();
  }

  /** Each release is one ChangeMessageVisibility with its own visibility; the messages come back then. */
  @Test
  void direct_oneChangeMessageVisibilityPerRelease() throws Exception {
    int n = 7;
    List<Message> messages = receive(n);
    Harvester harvester = harvester("direct", Map.of());

    for (Message message : messages) {
      harvester.release(message, Duration.ZERO);
    }
    callback.awaitReports(n, REPORTS);
    harvester.close(Duration.ofSeconds(5));

    assertThat(callback.count(Outcome.RELEASED)).isEqualTo(n);
    assertThat(callback.reports()).allSatisfy(report -> assertThat(report.visibility()).isEqualTo(Duration.ZERO));
    assertThat(log.count(RequestLog.CHANGE_VISIBILITY)).as("one request per release").isEqualTo(n);
    assertThat(log.count(RequestLog.CHANGE_VISIBILITY_BATCH)).isZero();
    assertThat(log.count(RequestLog.DELETE) + log.count(RequestLog.DELETE_BATCH)).isZero();
    assertThat(sqs.visible(queueUrl)).as("released with visibility 0: visible again").isEqualTo(n);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"batch", "direct"})
  void invalidReceiptHandle_reportedOnceNotRetried(String name) throws Exception {
    List<Message> messages = receive(3);
    Message bogus = messages.get(0).toBuilder().receiptHandle("not-a-receipt-handle").build();
    Harvester harvester = harvester(name, Map.of("batch.maxWait", "0ms"));

    harvester.acknowledge(bogus);
    harvester.acknowledge(messages.get(1));
    harvester.acknowledge(messages.get(2));
    callback.awaitReports(3, REPORTS);
    harvester.close(Duration.ofSeconds(5));

    assertThat(callback.reportsFor(bogus)).singleElement().satisfies(report -> {
      assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
      assertThat(report.cause()).isInstanceOfSatisfying(QueueException.class,
          e -> assertThat(e.kind()).isEqualTo(QueueException.Kind.INVALID_RECEIPT));
    });
    assertThat(callback.count(Outcome.ACKNOWLEDGED)).isEqualTo(2);
    // not retried: the bogus handle was sent exactly once, and so was each of the others, however the batch
    // harvester grouped them into requests (a bound on requests could not see one or two retries)
    assertThat(log.deleteAttempts("not-a-receipt-handle")).as("deletes sent of the bogus handle").isEqualTo(1);
    assertThat(log.deleteEntriesSent()).as("deletes sent in all").isEqualTo(3);
    if (name.equals("direct")) {
      assertThat(log.count(RequestLog.DELETE)).isEqualTo(3);
    } else {
      assertThat(log.count(RequestLog.DELETE_BATCH)).isBetween(1L, 3L);
    }
    assertThat(callback.count()).isEqualTo(3);
  }

  @Test
  void batch_redeliveredDuplicateInOneBatch_requestDoesNotFail() throws Exception {
    List<Message> messages = receive(9);
    Message first = messages.get(0);
    runner.changeVisibility(first, Duration.ZERO).get(5, TimeUnit.SECONDS);
    Message again = receiveOne(first.id()); // the same message, delivered again with a new handle
    Harvester harvester = harvester("batch", Map.of("batch.maxWait", NEVER_BY_AGE));

    messages.forEach(harvester::acknowledge);
    harvester.acknowledge(again); // ten entries, two of them the same message: one request
    callback.awaitReports(10, REPORTS);
    harvester.close(Duration.ofSeconds(5));

    assertThat(log.count(RequestLog.DELETE_BATCH)).isEqualTo(1);
    assertThat(callback.reportsFor(again)).singleElement()
        .satisfies(report -> assertThat(report.outcome()).isEqualTo(Outcome.ACKNOWLEDGED));
    for (Message other : messages.subList(1, messages.size())) {
      assertThat(callback.reportsFor(other)).singleElement()
          .satisfies(report -> assertThat(report.outcome()).isEqualTo(Outcome.ACKNOWLEDGED));
    }
    // the stale handle of the first delivery may be accepted or refused, but alone, never the whole batch
    assertThat(callback.reportsFor(first)).singleElement().satisfies(report -> {
      if (report.outcome() == Outcome.FAILED) {
        assertThat(report.cause()).isInstanceOf(QueueException.class);
      }
    });
    assertThat(sqs.remaining(queueUrl)).isZero();
  }

  // ---------------------------------------------------------------- helpers

  /** Opens the SQS runner (found as a provider) on a new queue holding {@code n} messages. */
  private void open(int n) throws Exception {
    queueUrl = sqs.standardQueue("harvest", Duration.ofSeconds(30));
    sqs.send(queueUrl, n, i -> "m-" + i);
    client = sqs.client(log);
    RunnerProvider provider = ServiceLoader.load(RunnerProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("sqs")).findFirst().orElseThrow();
    runner = provider.create(new TestRunnerContext(queueUrl, client));
    runner.open();
  }

  /** Fills a new queue with {@code n} messages and receives them all (each delivered once). */
  private List<Message> receive(int n) throws Exception {
    open(n);
    List<Message> messages = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (messages.size() < n && System.nanoTime() < deadline) {
      messages.addAll(runner.receive(Math.min(10, n - messages.size()), Duration.ofSeconds(1), VISIBILITY).get());
    }
    assertThat(messages).as("received").hasSize(n);
    return messages;
  }

  /** Receives until the message with this id comes (again). */
  private Message receiveOne(String id) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      Optional<Message> found = runner.receive(10, Duration.ofSeconds(1), VISIBILITY).get().stream()
          .filter(m -> m.id().equals(id)).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
    }
    throw new AssertionError("message " + id + " did not come back");
  }

  /** Creates the named harvester through its provider, as the consumer does, over the runner as port. */
  private Harvester harvester(String name, Map<String, String> settings) {
    HarvesterProvider provider = ServiceLoader.load(HarvesterProvider.class).stream()
        .map(ServiceLoader.Provider::get).filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    return provider.create(new HarvesterTestContext("it-" + name, runner, callback, 10, settings));
  }

  /** What the SQS runner is created with: the queue and the user's client. */
  private record TestRunnerContext(String queue, SqsAsyncClient client) implements RunnerContext {
    @Override
    public String consumerName() {
      return "it-harvester";
    }

    @Override
    public Settings settings() {
      return Settings.of(Map.of());
    }

    @Override
    public <T> Optional<T> component(Class<T> type) {
      return type == SqsAsyncClient.class ? Optional.of(type.cast(client)) : Optional.empty();
    }
  }
}
