package io.github.sqsconsumer.it;

import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * An SQS-compatible server for tests, ElasticMQ embedded or any endpoint (LocalStack), with what the tests
 * need around it: users' clients watched by a {@link RequestLog}, queues with unique names, bulk sends and
 * a count of what a queue still holds.
 *
 * <p>Clients it hands out belong to the caller, who closes them. Thread-safe.
 */
final class SqsFixture implements AutoCloseable {
  /** Sends in flight at once while filling a queue: enough to fill 5,000 messages in about a second. */
  private static final int SENDS_IN_FLIGHT = 16;
  private static final AtomicInteger QUEUES = new AtomicInteger();

  private final String name;
  private final URI endpoint;
  private final Region region;
  private final StaticCredentialsProvider credentials;
  private final ElasticMqServer server; // null when the server is not ours
  private final SqsAsyncClient admin;

  private SqsFixture(String name, URI endpoint, String region, String accessKey, String secretKey,
      ElasticMqServer server) {
    this.name = name;
    this.endpoint = endpoint;
    this.region = Region.of(region);
    this.credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
    this.server = server;
    this.admin = client(null);
  }

  /** Starts an embedded ElasticMQ server (it checks no credentials) and returns a fixture owning it. */
  static SqsFixture elasticMq() {
    ElasticMqServer server = new ElasticMqServer().start();
    return new SqsFixture("ElasticMQ", server.endpoint(), "us-east-1", "test", "test", server);
  }

  /** Returns a fixture on an embedded server someone else owns (the extension); closing it leaves the server alone. */
  static SqsFixture on(ElasticMqServer server) {
    return new SqsFixture("ElasticMQ", server.endpoint(), "us-east-1", "test", "test", null);
  }

  /** Returns a fixture for a server someone else runs (LocalStack); closing it leaves the server alone. */
  static SqsFixture at(String name, URI endpoint, String region, String accessKey, String secretKey) {
    return new SqsFixture(name, endpoint, region, accessKey, secretKey, null);
  }

  /** Returns the server's kind, for printing. */
  String name() {
    return name;
  }

  URI endpoint() {
    return endpoint;
  }

  Region region() {
    return region;
  }

  /**
   * Returns a new client as a user would build it, watched by {@code log} (if not null); the caller closes
   * it. Its connection pool has room for every parallel long poll of a consumer plus its acknowledgements.
   */
  SqsAsyncClient client(RequestLog log) {
    return SqsAsyncClient.builder()
        .endpointOverride(endpoint)
        .region(region)
        .credentialsProvider(credentials)
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(200))
        .overrideConfiguration(c -> {
          if (log != null) {
            c.addExecutionInterceptor(log);
          }
        })
        .build();
  }

  /** Returns the client the fixture itself uses; do not close it. */
  SqsAsyncClient admin() {
    return admin;
  }

  /** Creates a standard queue with this visibility timeout and returns its URL. */
  String standardQueue(String prefix, Duration visibilityTimeout) {
    return createQueue(prefix + "-" + QUEUES.incrementAndGet(),
        Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibilityTimeout.toSeconds())));
  }

  /** Creates a FIFO queue (no content-based deduplication: every send gets its own id) and returns its URL. */
  String fifoQueue(String prefix, Duration visibilityTimeout) {
    return createQueue(prefix + "-" + QUEUES.incrementAndGet() + ".fifo",
        Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibilityTimeout.toSeconds()),
            QueueAttributeName.FIFO_QUEUE, "true"));
  }

  private String createQueue(String name, Map<QueueAttributeName, String> attributes) {
    return admin.createQueue(b -> b.queueName(name).attributes(attributes)).join().queueUrl();
  }

  /**
   * Sends {@code count} messages with bodies {@code body(0) ... body(count - 1)} to a standard queue, in
   * batches of ten, several batches at once, and returns when all were accepted.
   */
  void send(String queueUrl, int count, IntFunction<String> body) throws InterruptedException {
    Semaphore inFlight = new Semaphore(SENDS_IN_FLIGHT);
    List<CompletableFuture<?>> sends = new ArrayList<>();
    for (int from = 0; from < count; from += 10) {
      List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
      for (int i = from; i < Math.min(count, from + 10); i++) {
        entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i - from)).messageBody(body.apply(i))
            .build());
      }
      inFlight.acquire();
      sends.add(admin.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries))
          .thenAccept(SqsFixture::requireAllSent)
          .whenComplete((ok, failure) -> inFlight.release()));
    }
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
  }

  /**
   * Sends messages to a FIFO queue, keeping the order of the list within every group: the batches of one
   * group go one after the other, different groups at once.
   *
   * @param messages body and group of each message, in send order
   */
  void sendFifo(String queueUrl, List<Map.Entry<String, String>> messages) {
    Map<String, List<Map.Entry<String, String>>> byGroup = messages.stream()
        .collect(Collectors.groupingBy(Map.Entry::getValue, LinkedHashMap::new, Collectors.toList()));
    List<CompletableFuture<?>> groups = new ArrayList<>();
    for (List<Map.Entry<String, String>> group : byGroup.values()) {
      CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
      for (int from = 0; from < group.size(); from += 10) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int i = from; i < Math.min(group.size(), from + 10); i++) {
          entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i - from))
              .messageBody(group.get(i).getKey()).messageGroupId(group.get(i).getValue())
              .messageDeduplicationId(UUID.randomUUID().toString()).build());
        }
        chain = chain.thenCompose(ignored -> admin.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries)))
            .thenAccept(SqsFixture::requireAllSent);
      }
      groups.add(chain);
    }
    CompletableFuture.allOf(groups.toArray(CompletableFuture[]::new)).join();
  }

  private static void requireAllSent(SendMessageBatchResponse response) {
    if (!response.failed().isEmpty()) {
      throw new IllegalStateException("sending failed for " + response.failed());
    }
  }

  /** Returns the messages the queue holds: visible, in flight and delayed (approximate, as SQS says). */
  int remaining(String queueUrl) {
    Map<QueueAttributeName, String> attributes = admin.getQueueAttributes(b -> b.queueUrl(queueUrl)
        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).join().attributes();
    return attributes.values().stream().mapToInt(Integer::parseInt).sum();
  }

  /** Returns the messages visible now. */
  int visible(String queueUrl) {
    return Integer.parseInt(admin.getQueueAttributes(b -> b.queueUrl(queueUrl)
        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).join().attributes()
        .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
  }

  /** Closes its own client, then the server if it is ours. */
  @Override
  public void close() {
    admin.close();
    if (server != null) {
      server.close();
    }
  }
}
