package io.github.sqsconsumer.testkit.elasticmq;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * One server as the extension holds it in a JUnit store: the server, the client it hands to tests, and
 * the queues created on it. JUnit closes it with its store (the class's, or the run's when shared).
 *
 * <p>Thread-safe: queue changes are synchronized, so test classes that share the server in parallel
 * never see a queue half made.
 */
final class ElasticMqResources implements AutoCloseable {
  /** How long one SQS call may take; ElasticMQ on loopback answers in milliseconds. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  /** Connections the handed-out client may open: every parallel long poll of a test's consumers and more. */
  private static final int MAX_CONNECTIONS = 200;

  private final ElasticMqServer server;
  private final SqsAsyncClient client;
  private final Map<String, TestQueue> queues = new HashMap<>(); // guarded by this

  private ElasticMqResources(ElasticMqServer server, SqsAsyncClient client) {
    this.server = server;
    this.client = client;
  }

  /** Starts a server on 127.0.0.1 and a free port, and a client for it. */
  static ElasticMqResources start() {
    ElasticMqServer server = new ElasticMqServer().start();
    try {
      return new ElasticMqResources(server, client(server.endpoint()));
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  private static SqsAsyncClient client(URI endpoint) {
    return SqsAsyncClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        // ElasticMQ checks no signature: any static key will do, and no credential chain is searched
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(MAX_CONNECTIONS))
        .build();
  }

  ElasticMqServer server() {
    return server;
  }

  SqsAsyncClient client() {
    return client;
  }

  /**
   * Returns the queue declared so, creating it (again, empty) if {@code fresh}, if it does not exist yet or
   * if it was declared otherwise.
   */
  synchronized TestQueue declare(QueueDeclaration declaration, boolean fresh) {
    TestQueue existing = queues.get(declaration.name());
    if (existing != null && !fresh && existing.declaration().equals(declaration)) {
      return existing;
    }
    TestQueue queue = create(declaration);
    queues.put(declaration.name(), queue);
    return queue;
  }

  /** Creates the queue (and its dead-letter queue) again, empty, as last declared; does nothing if unknown. */
  synchronized void recreate(String name) {
    TestQueue existing = queues.get(name);
    if (existing != null) {
      queues.put(name, create(existing.declaration()));
    }
  }

  private TestQueue create(QueueDeclaration declaration) {
    delete(declaration.name());
    TestQueue deadLetters = null;
    Map<QueueAttributeName, String> attributes = new HashMap<>();
    attributes.put(QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(declaration.visibilityTimeoutSeconds()));
    if (declaration.fifo()) {
      attributes.put(QueueAttributeName.FIFO_QUEUE, "true");
      attributes.put(QueueAttributeName.CONTENT_BASED_DEDUPLICATION, "true");
    }
    if (declaration.hasDeadLetterQueue()) {
      QueueDeclaration dlq = new QueueDeclaration(declaration.deadLetterName(), declaration.fifo(),
          declaration.visibilityTimeoutSeconds(), null, 0);
      deadLetters = create(dlq);
      String deadLetterUrl = deadLetters.url();
      String arn = await(client.getQueueAttributes(b -> b.queueUrl(deadLetterUrl)
          .attributeNames(QueueAttributeName.QUEUE_ARN))).attributes().get(QueueAttributeName.QUEUE_ARN);
      attributes.put(QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + arn
          + "\",\"maxReceiveCount\":\"" + declaration.maxReceiveCount() + "\"}");
    }
    String url = await(client.createQueue(b -> b.queueName(declaration.name()).attributes(attributes))).queueUrl();
    return new TestQueue(client, declaration, url, deadLetters);
  }

  /** Deletes the queue if it exists, so that it can be made again with other attributes and no messages. */
  private void delete(String name) {
    String url;
    try {
      url = await(client.getQueueUrl(b -> b.queueName(name))).queueUrl();
    } catch (QueueDoesNotExistException e) {
      return;
    }
    await(client.deleteQueue(b -> b.queueUrl(url)));
  }

  /** Waits for an SQS call, rethrowing its failure as it is (an SDK exception) or unchecked. */
  static <T> T await(CompletableFuture<T> call) {
    try {
      return call.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException("SQS call failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new IllegalStateException("SQS call did not answer within " + CALL_TIMEOUT, e);
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for SQS", e);
    }
  }

  /** Closes the client, then the server (waiting for its threads). */
  @Override
  public void close() {
    try {
      client.close();
    } finally {
      server.close();
    }
  }
}
