package io.github.sqsconsumer.runner.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.MessageAttribute;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueueException.Kind;
import io.github.sqsconsumer.spi.QueueInfo;
import io.github.sqsconsumer.spi.ReceiveAttributes;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.VisibilityChange;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/** The runner against a real SQS-compatible server: ElasticMQ on loopback, real HTTP, no mocks. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class SqsRunnerTest {
  private static final Duration NO_WAIT = Duration.ZERO;
  private static final Duration SHORT_WAIT = Duration.ofSeconds(1);
  /** What the tests' receives ask for: long enough that nothing comes back by itself during a test. */
  private static final Duration VISIBILITY = Duration.ofMinutes(10);
  private static final AtomicInteger QUEUES = new AtomicInteger();

  private static ElasticMqServer sqs;
  private static SqsAsyncClient client; // the "user's" client, also used to send test messages

  @BeforeAll
  static void startServer() {
    sqs = new ElasticMqServer().start();
    client = SqsTestClients.client(sqs.endpoint());
  }

  @AfterAll
  static void stopServer() {
    if (client != null) {
      client.close();
    }
    if (sqs != null) {
      sqs.close();
    }
  }

  private static String uniqueName(String prefix) {
    return prefix + "-" + QUEUES.incrementAndGet();
  }

  /** A runner that builds its own client from the settings. */
  private static Runner ownRunner(String queue) {
    return ownRunner(queue, Map.of());
  }

  private static Runner ownRunner(String queue, Map<String, String> extra) {
    Map<String, String> settings = new java.util.HashMap<>(extra);
    settings.put("sqs.endpoint", sqs.endpoint().toString());
    settings.put("sqs.region", "us-east-1");
    return new SqsRunnerProvider().create(RunnerTestContext.of(queue, settings));
  }

  /** A runner that uses the test's ("user's") client. */
  private static Runner userRunner(String queue) {
    return new SqsRunnerProvider().create(RunnerTestContext.of(queue, Map.of()).with(SqsAsyncClient.class, client));
  }

  private static <T> T get(CompletableFuture<T> future) throws Exception {
    return future.get(30, TimeUnit.SECONDS);
  }

  private static List<Message> receiveAll(Runner runner, int expected) throws Exception {
    List<Message> all = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (all.size() < expected && System.nanoTime() < deadline) {
      all.addAll(get(runner.receive(10, SHORT_WAIT, VISIBILITY)));
    }
    return all;
  }

  // ---- open ---------------------------------------------------------------------------------------

  @Test
  void open_byName() {
    String name = uniqueName("by-name");
    String url = sqs.createQueue(name, Map.of("VisibilityTimeout", "7"));
    try (Runner runner = ownRunner(name)) {
      QueueInfo info = runner.open();
      assertThat(info.url()).isEqualTo(url);
      assertThat(info.fifo()).isFalse();
      assertThat(info.visibilityTimeout()).isEqualTo(Duration.ofSeconds(7));
    }
  }

  @Test
  void open_byUrl() {
    String url = sqs.createQueue(uniqueName("by-url"), Map.of("VisibilityTimeout", "3"));
    try (Runner runner = userRunner(url)) {
      QueueInfo info = runner.open();
      assertThat(info.url()).isEqualTo(url);
      assertThat(info.visibilityTimeout()).isEqualTo(Duration.ofSeconds(3));
    }
  }

  @Test
  void open_fifoDetected() {
    String name = uniqueName("orders") + ".fifo";
    sqs.createQueue(name, Map.of("FifoQueue", "true", "VisibilityTimeout", "5"));
    try (Runner runner = ownRunner(name)) {
      QueueInfo info = runner.open();
      assertThat(info.fifo()).isTrue();
      assertThat(info.visibilityTimeout()).isEqualTo(Duration.ofSeconds(5));
    }
  }

  /**
   * Regression: a queue whose visibility timeout is 0 s was warned about even when the consumer's
   * visibilityTimeout was set, although that setting is sent with every receive and makes the queue's value
   * irrelevant: the runner could not see it. It now reads it from its context, and warns only without it.
   */
  @Test
  void open_zeroVisibilityQueue_warnsOnlyWithoutAConfiguredVisibilityTimeout() {
    String url = sqs.createQueue(uniqueName("zero-visibility"), Map.of("VisibilityTimeout", "0"));
    RunnerTestContext context = RunnerTestContext.of(url, Map.of()).with(SqsAsyncClient.class, client);

    String unset = stderrDuring(() -> {
      try (Runner runner = new SqsRunnerProvider().create(context)) {
        assertThat(runner.open().visibilityTimeout()).isEqualTo(Duration.ofSeconds(1));
      }
    });
    String set = stderrDuring(() -> {
      try (Runner runner = new SqsRunnerProvider().create(context.withVisibilityTimeout(Duration.ofSeconds(30)))) {
        runner.open();
      }
    });

    String warning = "queue " + url + " has a visibility timeout of 0 s";
    assertThat(unset).contains(warning).contains("visibilityTimeout(...)");
    assertThat(set).contains("opened queue " + url).doesNotContain(warning);
  }

  /** What slf4j-simple (which writes to System.err as it is when it logs) printed while {@code action} ran. */
  private static String stderrDuring(Runnable action) {
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    original.print(text);
    return text;
  }

  @Test
  void open_missingQueueByName() {
    try (Runner runner = ownRunner("no-such-queue")) {
      Throwable thrown = catchThrowable(runner::open);
      assertThat(thrown).isInstanceOf(QueueException.class);
      QueueException e = (QueueException) thrown;
      assertThat(e.kind()).isEqualTo(Kind.FATAL);
      assertThat(e.getMessage()).contains("queue 'no-such-queue' does not exist at " + sqs.endpoint());
    }
  }

  @Test
  void open_missingQueueByUrl() {
    String url = sqs.endpoint() + "/000000000000/gone-queue";
    try (Runner runner = userRunner(url)) {
      Throwable thrown = catchThrowable(runner::open);
      assertThat(thrown).isInstanceOf(QueueException.class);
      assertThat(((QueueException) thrown).kind()).isEqualTo(Kind.FATAL);
      assertThat(thrown).hasMessageContaining("queue '" + url + "' does not exist at " + sqs.endpoint());
    }
  }

  @Test
  void open_noRegionAnywhere() {
    Assumptions.assumeTrue(System.getenv("AWS_REGION") == null && System.getenv("AWS_DEFAULT_REGION") == null,
        "a region in the environment");
    String previousConfig = System.setProperty("aws.configFile", "/nonexistent/aws-config");
    try (Runner runner = new SqsRunnerProvider().create(RunnerTestContext.of("orders",
        Map.of("sqs.endpoint", sqs.endpoint().toString())))) {
      Throwable thrown = catchThrowable(runner::open);
      assertThat(thrown).isInstanceOf(QueueException.class)
          .hasMessageContaining("cannot build the SQS client for queue 'orders'")
          .hasMessageContaining("set sqs.region or AWS_REGION");
      assertThat(((QueueException) thrown).kind()).isEqualTo(Kind.FATAL);
    } finally {
      if (previousConfig == null) {
        System.clearProperty("aws.configFile");
      } else {
        System.setProperty("aws.configFile", previousConfig);
      }
    }
  }

  @Test
  void open_twice() {
    String url = sqs.createQueue(uniqueName("twice"));
    try (Runner runner = userRunner(url)) {
      runner.open();
      assertThatThrownBy(runner::open).isInstanceOf(IllegalStateException.class)
          .hasMessage("the runner is open already");
    }
  }

  @Test
  void receive_beforeOpen() {
    try (Runner runner = userRunner("not-opened")) {
      assertThatThrownBy(() -> runner.receive(1, NO_WAIT, VISIBILITY)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("call open() first");
    }
  }

  // ---- receive ------------------------------------------------------------------------------------

  @Test
  void receive_attributesArriveIntact() throws Exception {
    String url = sqs.createQueue(uniqueName("attributes"));
    byte[] bytes = {0, 1, 2, (byte) 0xff, (byte) 0x80, 42};
    String body = "héllo wörld ✓ 日本語 🚀👍🏽";
    get(client.sendMessage(b -> b.queueUrl(url).messageBody(body).messageAttributes(Map.of(
        "text", MessageAttributeValue.builder().dataType("String").stringValue("grüße 🌍").build(),
        "count", MessageAttributeValue.builder().dataType("Number").stringValue("12345.678").build(),
        "typed", MessageAttributeValue.builder().dataType("Number.int").stringValue("-7").build(),
        "blob", MessageAttributeValue.builder().dataType("Binary").binaryValue(SdkBytes.fromByteArray(bytes)).build()))));
    long before = System.currentTimeMillis();

    try (Runner runner = userRunner(url)) {
      runner.open();
      List<Message> messages = receiveAll(runner, 1);

      assertThat(messages).hasSize(1);
      Message m = messages.get(0);
      assertThat(m.body()).isEqualTo(body);
      assertThat(m.id()).isNotBlank();
      assertThat(m.receiptHandle()).isNotBlank();
      assertThat(m.messageAttributes()).containsOnlyKeys("text", "count", "typed", "blob");
      assertThat(m.messageAttributes().get("text")).isEqualTo(MessageAttribute.ofString("String", "grüße 🌍"));
      assertThat(m.messageAttributes().get("count")).isEqualTo(MessageAttribute.ofString("Number", "12345.678"));
      assertThat(m.messageAttributes().get("typed")).isEqualTo(MessageAttribute.ofString("Number.int", "-7"));
      MessageAttribute blob = m.messageAttributes().get("blob");
      assertThat(blob.isBinary()).isTrue();
      assertThat(blob.dataType()).isEqualTo("Binary");
      assertThat(blob.binaryValue()).isEqualTo(bytes);
      assertThat(m.attributes()).containsEntry(Message.APPROXIMATE_RECEIVE_COUNT, "1")
          .containsKey(Message.SENT_TIMESTAMP)
          .containsKey(Message.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP);
      assertThat(m.receiveCount()).isEqualTo(1);
      assertThat(m.sentTimestamp()).hasValueSatisfying(sent ->
          assertThat(sent.toEpochMilli()).isBetween(before - 60_000, before + 60_000));
      assertThat(m.groupId()).isEmpty();
    }
  }

  @Test
  void receive_asksOnlyForTheContextsAttributes() throws Exception {
    String url = sqs.createQueue(uniqueName("asked"));
    MessageAttributeValue text = MessageAttributeValue.builder().dataType("String").stringValue("v").build();
    get(client.sendMessage(b -> b.queueUrl(url).messageBody("b")
        .messageAttributes(Map.of("traceparent", text, "orders.id", text, "orders.other", text))));
    // by name only: ElasticMQ does not match SQS's "prefix.*" names (InMemoryQueue's tests cover those)
    ReceiveAttributes asked = ReceiveAttributes.of(Set.of(Message.APPROXIMATE_RECEIVE_COUNT),
        Set.of("traceparent", "orders.id"));

    try (Runner runner = new SqsRunnerProvider().create(RunnerTestContext.of(url, Map.of())
        .with(SqsAsyncClient.class, client).withReceiveAttributes(asked))) {
      runner.open();
      List<Message> messages = receiveAll(runner, 1);

      assertThat(messages).hasSize(1);
      assertThat(messages.get(0).attributes()).containsOnlyKeys(Message.APPROXIMATE_RECEIVE_COUNT);
      assertThat(messages.get(0).messageAttributes()).containsOnlyKeys("traceparent", "orders.id");
    }
  }

  @Test
  void receive_noAttributesAsked_noneArrive() throws Exception {
    String url = sqs.createQueue(uniqueName("none-asked"));
    MessageAttributeValue text = MessageAttributeValue.builder().dataType("String").stringValue("v").build();
    get(client.sendMessage(b -> b.queueUrl(url).messageBody("b").messageAttributes(Map.of("traceparent", text))));

    try (Runner runner = new SqsRunnerProvider().create(RunnerTestContext.of(url, Map.of())
        .with(SqsAsyncClient.class, client).withReceiveAttributes(ReceiveAttributes.NONE))) {
      runner.open();
      List<Message> messages = receiveAll(runner, 1);

      assertThat(messages).hasSize(1);
      assertThat(messages.get(0).attributes()).isEmpty();
      assertThat(messages.get(0).messageAttributes()).isEmpty();
    }
  }

  @Test
  void receive_bodyNear256KiB() throws Exception {
    String url = sqs.createQueue(uniqueName("large"));
    StringBuilder sb = new StringBuilder();
    String chunk = "abc-ü-€-🚀\n"; // 1 + 2 + 3 + 4 byte characters and a newline
    while (sb.toString().getBytes(StandardCharsets.UTF_8).length < 250 * 1024) {
      sb.append(chunk.repeat(100));
    }
    String body = sb.toString();
    assertThat(body.getBytes(StandardCharsets.UTF_8).length).isBetween(250 * 1024, 256 * 1024);
    sqs.sendMessage(url, body);

    try (Runner runner = userRunner(url)) {
      runner.open();
      List<Message> messages = receiveAll(runner, 1);
      assertThat(messages).hasSize(1);
      assertThat(messages.get(0).body()).isEqualTo(body);
    }
  }

  @Test
  void receive_receiveCountGrowsOnRedelivery() throws Exception {
    String url = sqs.createQueue(uniqueName("redeliver"));
    sqs.sendMessage(url, "again");
    try (Runner runner = userRunner(url)) {
      runner.open();
      Message first = receiveAll(runner, 1).get(0);
      get(runner.changeVisibility(first, Duration.ZERO));
      Message second = receiveAll(runner, 1).get(0);
      assertThat(second.id()).isEqualTo(first.id());
      assertThat(second.receiveCount()).isEqualTo(2);
    }
  }

  @Test
  void receive_fifoGroup() throws Exception {
    String name = uniqueName("groups") + ".fifo";
    String url = sqs.createQueue(name, Map.of("FifoQueue", "true"));
    sqs.sendMessage(url, "a1", "group-a");
    try (Runner runner = ownRunner(url)) {
      runner.open();
      Message m = receiveAll(runner, 1).get(0);
      assertThat(m.groupId()).contains("group-a");
      assertThat(m.attributes()).containsEntry(Message.MESSAGE_GROUP_ID, "group-a")
          .containsKey(Message.SEQUENCE_NUMBER)
          .containsKey(Message.MESSAGE_DEDUPLICATION_ID);
    }
  }

  /** The visibility timeout asked for with a receive is what the server applies, not the queue's own. */
  @Test
  void receive_visibilityTimeout_isWhatTheServerApplies() throws Exception {
    String url = sqs.createQueue(uniqueName("asked-visibility"), Map.of("VisibilityTimeout", "1"));
    sqs.sendMessage(url, "hidden");
    try (Runner runner = userRunner(url)) {
      runner.open();
      assertThat(get(runner.receive(10, SHORT_WAIT, Duration.ofSeconds(30)))).hasSize(1);
      // three times the queue's timeout, far within the 30 s asked for
      assertThat(get(runner.receive(10, Duration.ofSeconds(3), VISIBILITY))).isEmpty();
      assertThat(sqs.visibleMessages(url)).isZero();
    }
  }

  @Test
  void receive_invalidVisibilityTimeout() {
    String url = sqs.createQueue(uniqueName("visibility-arguments"));
    try (Runner runner = userRunner(url)) {
      runner.open();
      assertThatThrownBy(() -> runner.receive(1, NO_WAIT, Duration.ofMillis(999)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("visibilityTimeout must be between 1 second and 12 hours but was PT0.999S");
      assertThatThrownBy(() -> runner.receive(1, NO_WAIT, Duration.ofHours(12).plusSeconds(1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("visibilityTimeout must be between 1 second and 12 hours");
    }
  }

  @Test
  void receive_emptyQueueShortPoll() throws Exception {
    String url = sqs.createQueue(uniqueName("empty"));
    try (Runner runner = userRunner(url)) {
      runner.open();
      assertThat(get(runner.receive(10, NO_WAIT, VISIBILITY))).isEmpty();
    }
  }

  @Test
  void receive_invalidArguments() {
    String url = sqs.createQueue(uniqueName("arguments"));
    try (Runner runner = userRunner(url)) {
      runner.open();
      assertThatThrownBy(() -> runner.receive(0, NO_WAIT, VISIBILITY)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxMessages must be between 1 and 10 but was 0");
      assertThatThrownBy(() -> runner.receive(11, NO_WAIT, VISIBILITY)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxMessages must be between 1 and 10 but was 11");
      assertThatThrownBy(() -> runner.receive(1, Duration.ofSeconds(21), VISIBILITY))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("waitTime must be between 0 and 20 seconds but was PT21S");
      assertThatThrownBy(() -> runner.receive(1, Duration.ofMillis(-1), VISIBILITY))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("waitTime must be between 0 and 20 seconds");
    }
  }

  /**
   * Regression: cancelling a long poll aborted its HTTP request, but the server still handed the next message
   * to that poll (ElasticMQ does, as SQS does), so a message sent just after a consumer closed stayed
   * invisible for its visibility timeout, one receive counted. The cancel now frees the caller at once and
   * the request runs to its answer; what it brings is released at once.
   */
  @Test
  void receive_cancelledLongPoll_aMessageItTakesAfterwardsIsReleasedAtOnce() throws Exception {
    String url = sqs.createQueue(uniqueName("cancel"));
    try (Runner runner = ownRunner(url)) {
      runner.open();
      CompletableFuture<List<Message>> poll = runner.receive(10, Duration.ofSeconds(5), VISIBILITY);
      Thread.sleep(300); // let the request reach the server
      assertThat(poll.cancel(true)).isTrue();
      assertThatThrownBy(() -> poll.get(2, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);

      sqs.sendMessage(url, "after the cancel"); // the server hands it to the cancelled poll
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (sqs.visibleMessages(url) == 0) {
        assertThat(System.nanoTime()).as("released at once, not after the 10 minutes it was received for")
            .isLessThan(deadline);
        Thread.sleep(20);
      }
      assertThat(receiveAll(runner, 1)).extracting(Message::body).containsExactly("after the cancel");
    }
  }

  /**
   * Close does not wait for a cancelled long poll, and the client it built stays open until the poll
   * answered and its release went out: the message the poll takes after close is visible again at once.
   */
  @Test
  void close_doesNotWaitForACancelledLongPoll_whichStillReleasesWhatItBrings() throws Exception {
    String url = sqs.createQueue(uniqueName("close-drain"));
    Runner runner = ownRunner(url);
    runner.open();
    CompletableFuture<List<Message>> poll = runner.receive(10, Duration.ofSeconds(20), VISIBILITY);
    Thread.sleep(300); // let the request reach the server
    poll.cancel(true); // as the consumer does at close
    long start = System.nanoTime();
    runner.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("close waited for the 20 s poll")
        .isLessThan(Duration.ofSeconds(10));

    sqs.sendMessage(url, "after close"); // the server hands it to the poll, still open
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (sqs.visibleMessages(url) == 0) {
      assertThat(System.nanoTime()).as("released at once, not after the 10 minutes it was received for")
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /**
   * Regression: a receive cancelled after the SDK had its response (too late to abort the request) lost
   * its messages: completing our future failed and they were dropped, invisible for the whole visibility
   * timeout (the runner pitfall DESIGN.md names). The runner now releases them at once. Deterministic: the
   * client hands the response over only after the cancel, through a future that cannot be cancelled, as an
   * SDK future is once its response is in hand.
   */
  @Test
  void receive_cancelledAfterTheResponseArrived_releasesItsMessagesAtOnce() throws Exception {
    receiveCancelledAfterTheResponseArrived(false);
  }

  /** As above, asked for on a virtual thread, as a poller asks: a sender thread makes the call. */
  @Test
  void receive_ofAVirtualThread_cancelledAfterTheResponseArrived_releasesItsMessagesAtOnce() throws Exception {
    receiveCancelledAfterTheResponseArrived(true);
  }

  private void receiveCancelledAfterTheResponseArrived(boolean onVirtualThread) throws Exception {
    String url = sqs.createQueue(uniqueName("late-cancel"), Map.of("VisibilityTimeout", "600"));
    sqs.sendMessage(url, "late");
    CompletableFuture<ReceiveMessageResponse> arrived = new CompletableFuture<>();
    CompletableFuture<ReceiveMessageResponse> handedOver = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        return false; // the response is in hand: nothing left to abort
      }
    };
    SqsAsyncClient late = new DelegatingClient(client) {
      @Override
      public CompletableFuture<ReceiveMessageResponse> receiveMessage(ReceiveMessageRequest request) {
        client.receiveMessage(request).whenComplete((response, failure) -> {
          if (failure != null) {
            arrived.completeExceptionally(failure);
          } else {
            arrived.complete(response);
          }
        });
        return handedOver;
      }
    };
    try (Runner runner = new SqsRunnerProvider().create(
        RunnerTestContext.of(url, Map.of()).with(SqsAsyncClient.class, late))) {
      runner.open();
      AtomicReference<CompletableFuture<List<Message>>> asked = new AtomicReference<>();
      if (onVirtualThread) {
        Thread.ofVirtual().start(() -> asked.set(runner.receive(10, SHORT_WAIT, VISIBILITY))).join();
      } else {
        asked.set(runner.receive(10, SHORT_WAIT, VISIBILITY));
      }
      CompletableFuture<List<Message>> poll = asked.get();
      ReceiveMessageResponse response = get(arrived);
      assertThat(response.messages()).as("the server handed it over: invisible for 600 s").hasSize(1);
      assertThat(sqs.visibleMessages(url)).isZero();

      assertThat(poll.cancel(true)).isTrue(); // the consumer stops now
      handedOver.complete(response); // and the SDK completes its future after all

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (sqs.visibleMessages(url) == 0) {
        assertThat(System.nanoTime()).as("released at once, not after 600 s").isLessThan(deadline);
        Thread.sleep(20);
      }
      List<Message> again = receiveAll(runner, 1);
      assertThat(again).extracting(Message::body).containsExactly("late");
    }
  }

  /** A client passing every call the runner makes to another; tests override what they script. */
  private static class DelegatingClient implements SqsAsyncClient {
    private final SqsAsyncClient delegate;

    DelegatingClient(SqsAsyncClient delegate) {
      this.delegate = delegate;
    }

    @Override
    public String serviceName() {
      return delegate.serviceName();
    }

    @Override
    public software.amazon.awssdk.services.sqs.SqsServiceClientConfiguration serviceClientConfiguration() {
      return delegate.serviceClientConfiguration();
    }

    @Override
    public CompletableFuture<software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse> getQueueAttributes(
        software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest request) {
      return delegate.getQueueAttributes(request);
    }

    @Override
    public CompletableFuture<ReceiveMessageResponse> receiveMessage(ReceiveMessageRequest request) {
      return delegate.receiveMessage(request);
    }

    @Override
    public CompletableFuture<software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse>
        changeMessageVisibilityBatch(
            software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequest request) {
      return delegate.changeMessageVisibilityBatch(request);
    }

    @Override
    public void close() {
      // the delegate belongs to the test
    }
  }

  // ---- acknowledging ------------------------------------------------------------------------------

  /** Regression (Go original, Spring Cloud AWS #1634): ids equal to message ids failed a batch with a duplicate. */
  @Test
  void deleteBatch_sameMessageTwice() throws Exception {
    String url = sqs.createQueue(uniqueName("duplicates"));
    sqs.sendMessage(url, "once");
    try (Runner runner = userRunner(url)) {
      runner.open();
      Message m = receiveAll(runner, 1).get(0);

      BatchReply reply = get(runner.deleteBatch(List.of(m, m)));

      assertThat(reply.failures()).doesNotContainKey(0);
      assertThat(reply.failures().values()).allSatisfy(e -> assertThat(e.kind()).isNotEqualTo(Kind.FATAL));
      assertThat(sqs.approximateMessages(url)).isZero();
    }
  }

  @Test
  void deleteBatch_deletesAll() throws Exception {
    String url = sqs.createQueue(uniqueName("delete-all"));
    for (int i = 0; i < 10; i++) {
      sqs.sendMessage(url, "m" + i);
    }
    try (Runner runner = ownRunner(url)) {
      runner.open();
      List<Message> messages = receiveAll(runner, 10);
      assertThat(messages).hasSize(10);

      BatchReply reply = get(runner.deleteBatch(messages));

      assertThat(reply.allSucceeded()).isTrue();
      assertThat(sqs.approximateMessages(url)).isZero();
    }
  }

  /**
   * The SDK builds and signs a request on the calling thread: asked for on a virtual thread (a handler of
   * the semaphore worker), the runner makes that call on a platform sender thread of its own; asked for on
   * a platform thread (the batch harvester's flusher, the heartbeat), on the caller.
   */
  @Test
  void sdkCalls_ofVirtualThreadsRunOnSenderThreads_ofPlatformThreadsOnTheCaller() throws Exception {
    String url = sqs.createQueue(uniqueName("senders"));
    for (int i = 0; i < 4; i++) {
      sqs.sendMessage(url, "m" + i);
    }
    Map<String, Thread> callers = new ConcurrentHashMap<>();
    ExecutionInterceptor recordCaller = new ExecutionInterceptor() {
      @Override
      public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        callers.put(context.request().getClass().getSimpleName(), Thread.currentThread());
      }
    };
    try (SqsAsyncClient recorded = SqsTestClients.client(sqs.endpoint(), List.of(recordCaller));
        Runner runner = new SqsRunnerProvider().create(
            RunnerTestContext.of(url, Map.of()).with(SqsAsyncClient.class, recorded))) {
      runner.open();
      List<Message> messages = receiveAll(runner, 4);
      assertThat(messages).hasSize(4);
      List<CompletableFuture<?>> answers = new ArrayList<>();
      AtomicReference<CompletableFuture<List<Message>>> polled = new AtomicReference<>();
      Thread.ofVirtual().start(() -> polled.set(runner.receive(10, NO_WAIT, VISIBILITY))).join(); // a poller
      assertThat(get(polled.get())).isEmpty(); // all four are in flight
      Thread.ofVirtual().start(() -> { // a handler
        answers.add(runner.deleteBatch(messages.subList(0, 2)));
        answers.add(runner.delete(messages.get(2)));
        answers.add(runner.changeVisibility(messages.get(3), Duration.ZERO));
      }).join();
      for (CompletableFuture<?> answer : answers) {
        get(answer);
      }
      Map<String, Thread> ofVirtualThread = Map.copyOf(callers);
      assertThat(ofVirtualThread).containsOnlyKeys("ReceiveMessageRequest", "DeleteMessageBatchRequest",
          "DeleteMessageRequest", "ChangeMessageVisibilityRequest", "GetQueueAttributesRequest");
      ofVirtualThread.forEach((request, thread) -> {
        if (!request.equals("GetQueueAttributesRequest")) { // open() ran on this thread
          assertThat(thread.isVirtual()).as(request).isFalse();
          assertThat(thread.getName()).as(request).isEqualTo("test-sqs-sender");
        }
      });

      Message again = receiveAll(runner, 1).get(0); // released at visibility zero: back at once
      get(runner.changeVisibilityBatch(List.of(new VisibilityChange(again, Duration.ZERO))));

      assertThat(callers.get("ChangeMessageVisibilityBatchRequest")).isSameAs(Thread.currentThread());
      assertThat(again.body()).isEqualTo("m3");
    }
  }

  @Test
  void deleteBatch_invalidReceiptHandle() throws Exception {
    String url = sqs.createQueue(uniqueName("invalid-receipt"));
    sqs.sendMessage(url, "valid");
    try (Runner runner = userRunner(url)) {
      runner.open();
      Message valid = receiveAll(runner, 1).get(0);
      Message forged = valid.toBuilder().receiptHandle("not-a-receipt-handle-0123456789").build();

      BatchReply reply = get(runner.deleteBatch(List.of(forged, valid)));

      assertThat(reply.failures()).containsOnlyKeys(0);
      QueueException failure = reply.failures().get(0);
      assertThat(failure.kind()).isEqualTo(Kind.INVALID_RECEIPT);
      assertThat(failure.getMessage()).doesNotContain("not-a-receipt-handle");
      assertThat(sqs.approximateMessages(url)).isZero();
    }
  }

  @Test
  void delete_invalidReceiptHandle() throws Exception {
    String url = sqs.createQueue(uniqueName("invalid-single"));
    sqs.sendMessage(url, "valid");
    try (Runner runner = userRunner(url)) {
      runner.open();
      Message forged = receiveAll(runner, 1).get(0).toBuilder().receiptHandle("forged-handle-xyz").build();

      Throwable thrown = catchThrowable(() -> get(runner.delete(forged)));

      assertThat(thrown).isInstanceOf(ExecutionException.class).cause().isInstanceOf(QueueException.class);
      QueueException e = (QueueException) thrown.getCause();
      assertThat(e.kind()).isEqualTo(Kind.INVALID_RECEIPT);
      assertThat(e.getMessage()).doesNotContain("forged-handle-xyz");
    }
  }

  @Test
  void delete_single() throws Exception {
    String url = sqs.createQueue(uniqueName("delete-one"));
    sqs.sendMessage(url, "one");
    try (Runner runner = userRunner(url)) {
      runner.open();
      get(runner.delete(receiveAll(runner, 1).get(0)));
      assertThat(sqs.approximateMessages(url)).isZero();
    }
  }

  @Test
  void changeVisibilityBatch_zeroMakesVisibleAtOnce() throws Exception {
    String url = sqs.createQueue(uniqueName("release"), Map.of("VisibilityTimeout", "300"));
    sqs.sendMessage(url, "first");
    sqs.sendMessage(url, "second");
    try (Runner runner = userRunner(url)) {
      runner.open();
      List<Message> messages = receiveAll(runner, 2);
      assertThat(get(runner.receive(10, NO_WAIT, VISIBILITY))).isEmpty();

      BatchReply reply = get(runner.changeVisibilityBatch(List.of(
          new VisibilityChange(messages.get(0), Duration.ZERO),
          new VisibilityChange(messages.get(1), Duration.ofSeconds(300)))));

      assertThat(reply.allSucceeded()).isTrue();
      List<Message> again = get(runner.receive(10, SHORT_WAIT, VISIBILITY));
      assertThat(again).extracting(Message::id).containsExactly(messages.get(0).id());
    }
  }

  @Test
  void changeVisibilityBatch_invalidReceiptHandle() throws Exception {
    String url = sqs.createQueue(uniqueName("release-invalid"));
    sqs.sendMessage(url, "m");
    try (Runner runner = userRunner(url)) {
      runner.open();
      Message forged = receiveAll(runner, 1).get(0).toBuilder().receiptHandle("forged").build();

      BatchReply reply = get(runner.changeVisibilityBatch(List.of(new VisibilityChange(forged, Duration.ZERO))));

      assertThat(reply.failures()).containsOnlyKeys(0);
      assertThat(reply.failures().get(0).kind()).isEqualTo(Kind.INVALID_RECEIPT);
    }
  }

  @Test
  void changeVisibility_single() throws Exception {
    String url = sqs.createQueue(uniqueName("release-one"), Map.of("VisibilityTimeout", "300"));
    sqs.sendMessage(url, "m");
    try (Runner runner = userRunner(url)) {
      runner.open();
      Message m = receiveAll(runner, 1).get(0);
      get(runner.changeVisibility(m, Duration.ZERO));
      assertThat(get(runner.receive(10, SHORT_WAIT, VISIBILITY))).extracting(Message::id).containsExactly(m.id());
    }
  }

  @Test
  void batch_invalidSizes() {
    String url = sqs.createQueue(uniqueName("sizes"));
    Message m = Message.builder().id("id").body("").receiptHandle("r").build();
    try (Runner runner = userRunner(url)) {
      runner.open();
      assertThatThrownBy(() -> runner.deleteBatch(List.of())).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("messages must hold between 1 and 10 entries but held 0");
      assertThatThrownBy(() -> runner.deleteBatch(java.util.Collections.nCopies(11, m)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("messages must hold between 1 and 10 entries but held 11");
      assertThatThrownBy(() -> runner.changeVisibilityBatch(List.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("changes must hold between 1 and 10 entries but held 0");
      assertThatThrownBy(() -> runner.changeVisibility(m, Duration.ofHours(12).plusSeconds(1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("visibility must be between 0 and 12 hours but was PT12H1S");
      assertThatThrownBy(() -> runner.changeVisibility(m, Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("visibility must be between 0 and 12 hours but was PT-1S");
    }
  }

  // ---- failures of the server ---------------------------------------------------------------------

  @Test
  void serverStopped_callsFailTransient() throws Exception {
    try (ElasticMqServer own = new ElasticMqServer().start()) {
      String url = own.createQueue("stopping");
      own.sendMessage(url, "m");
      Map<String, String> settings = Map.of("sqs.endpoint", own.endpoint().toString(), "sqs.region", "us-east-1");
      try (Runner runner = new SqsRunnerProvider().create(RunnerTestContext.of(url, settings));
          Runner notYetOpen = new SqsRunnerProvider().create(RunnerTestContext.of(url, settings))) {
        runner.open();
        Message m = receiveAll(runner, 1).get(0);
        own.stop();

        assertTransient(() -> get(runner.receive(10, NO_WAIT, VISIBILITY)));
        assertTransient(() -> get(runner.receive(10, Duration.ofSeconds(20), VISIBILITY)));
        assertTransient(() -> get(runner.deleteBatch(List.of(m))));
        assertTransient(() -> get(runner.changeVisibility(m, Duration.ZERO)));
        assertTransient(notYetOpen::open);

        own.start(); // same port, same queues: the same runner and client work again
        get(runner.changeVisibility(m, Duration.ZERO));
        assertThat(receiveAll(runner, 1)).extracting(Message::body).containsExactly("m");
        assertThat(notYetOpen.open().url()).isEqualTo(url);
      }
    }
  }

  private static void assertTransient(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    Throwable thrown = catchThrowable(call);
    Throwable cause = thrown instanceof ExecutionException ? thrown.getCause() : thrown;
    assertThat(cause).isInstanceOf(QueueException.class);
    assertThat(((QueueException) cause).kind()).as("%s", cause).isEqualTo(Kind.TRANSIENT);
  }

  // ---- the client's life --------------------------------------------------------------------------

  @Test
  void close_closesOwnClient() {
    String url = sqs.createQueue(uniqueName("own-client"));
    Runner runner = ownRunner(url);
    runner.open();
    runner.close();

    Throwable thrown = catchThrowable(() -> get(runner.receive(1, NO_WAIT, VISIBILITY)));
    assertThat(thrown).isNotNull();
    Throwable cause = thrown instanceof ExecutionException ? thrown.getCause() : thrown;
    assertThat(cause).isInstanceOf(QueueException.class).hasMessageContaining("the SQS client is closed");
    assertThat(((QueueException) cause).kind()).isEqualTo(Kind.FATAL);
    runner.close(); // idempotent
  }

  /**
   * Clients the runners build share one set of event loops and timer threads while any is open: twenty
   * consumers do not hold twenty sets. The last to close ends them; a client built after that gets new ones.
   */
  @Test
  void ownClients_shareEventLoopsAndTimers_lastCloseEndsThem() throws Exception {
    int before = SqsClients.Shared.leases();
    int sdkEventLoopsBefore = liveThreads("aws-java-sdk-NettyEventLoop"); // the test's own client's
    int clients = 6;
    List<String> urls = new ArrayList<>();
    List<Runner> runners = new ArrayList<>();
    try {
      for (int i = 0; i < clients; i++) {
        String url = sqs.createQueue(uniqueName("shared-" + i));
        urls.add(url);
        sqs.sendMessage(url, "m" + i);
        Runner runner = ownRunner(url);
        runners.add(runner);
        runner.open();
        assertThat(receiveAll(runner, 1)).extracting(Message::body).containsExactly("m" + i);
      }
      assertThat(SqsClients.Shared.leases()).isEqualTo(before + clients);
      int eventLoops = 2 * Runtime.getRuntime().availableProcessors(); // Netty's default count, for all
      assertThat(liveThreads(SqsClients.Shared.EVENT_LOOP_THREAD_NAME)).isBetween(1, eventLoops);
      assertThat(liveThreads(SqsClients.Shared.TIMER_THREAD_NAME)).isBetween(1, SqsClients.Shared.TIMER_THREADS);
      assertThat(liveThreads("aws-java-sdk-NettyEventLoop")).as("no client starts event loops of its own")
          .isEqualTo(sdkEventLoopsBefore);

      runners.get(0).close(); // the others go on with the shared threads
      assertThat(SqsClients.Shared.leases()).isEqualTo(before + clients - 1);
      for (int i = 1; i < clients; i++) {
        sqs.sendMessage(urls.get(i), "n" + i);
        assertThat(receiveAll(runners.get(i), 1)).extracting(Message::body).containsExactly("n" + i);
      }
    } finally {
      runners.forEach(Runner::close);
    }
    assertThat(SqsClients.Shared.leases()).isEqualTo(before);
    if (before == 0) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (liveThreads(SqsClients.Shared.EVENT_LOOP_THREAD_NAME) + liveThreads(SqsClients.Shared.TIMER_THREAD_NAME)
          > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(liveThreads(SqsClients.Shared.EVENT_LOOP_THREAD_NAME)).as("event loops after the last close")
          .isZero();
      assertThat(liveThreads(SqsClients.Shared.TIMER_THREAD_NAME)).as("timer threads after the last close").isZero();
      String url = sqs.createQueue(uniqueName("after-shared"));
      sqs.sendMessage(url, "again");
      try (Runner runner = ownRunner(url)) { // new shared threads for a client built after the last closed
        runner.open();
        assertThat(receiveAll(runner, 1)).extracting(Message::body).containsExactly("again");
      }
    }
  }

  @Test
  void close_leavesUserClientOpen() throws Exception {
    String url = sqs.createQueue(uniqueName("user-client"));
    Runner runner = userRunner(url);
    runner.open();
    runner.close();

    assertThat(get(client.getQueueUrl(b -> b.queueName(url.substring(url.lastIndexOf('/') + 1)))).queueUrl())
        .isEqualTo(url);
  }

  /** Live threads whose name starts with {@code prefix}. */
  private static int liveThreads(String prefix) {
    int count = 0;
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.isAlive() && thread.getName().startsWith(prefix)) {
        count++;
      }
    }
    return count;
  }
}
