package io.github.sqsconsumer.bench;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * An embedded ElasticMQ on 127.0.0.1, optionally behind a {@link DelayProxy}, and one candidate at a time
 * consuming a fresh queue that a {@link Producer} feeds, or that was filled before the candidate started.
 * The candidate's SDK client counts its requests
 * ({@link RequestCounter}); the producer has its own client straight to ElasticMQ, not counted and not
 * delayed. Not thread-safe: one thread drives it.
 */
final class SqsRig implements AutoCloseable {
  private static final AtomicInteger QUEUES = new AtomicInteger();
  /** Send batches in flight while prefilling: enough to keep ElasticMQ busy on a few cores. */
  private static final int FILL_IN_FLIGHT = 32;

  private final ElasticMqServer server;
  private final DelayProxy proxy;
  private final SqsAsyncClient producerClient;

  /** Starts ElasticMQ and, if {@code delay} is positive, a proxy delaying each request by it. */
  SqsRig(Duration delay) throws Exception {
    server = new ElasticMqServer().start();
    proxy = delay.isZero() ? null : new DelayProxy(server.endpoint(), delay);
    producerClient = client(server.endpoint(), null, 64);
  }

  /** Returns the endpoint candidates use: the proxy's, or ElasticMQ's. */
  URI endpoint() {
    return proxy != null ? proxy.endpoint() : server.endpoint();
  }

  DelayProxy proxy() {
    return proxy;
  }

  /** Builds a client for local ElasticMQ: static dummy credentials, Netty with room for many long polls. */
  static SqsAsyncClient client(URI endpoint, RequestCounter counter, int maxConnections) {
    return SqsAsyncClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
        .httpClientBuilder(NettyNioAsyncHttpClient.builder()
            .maxConcurrency(maxConnections)
            .readTimeout(Duration.ofSeconds(30))
            .connectionAcquisitionTimeout(Duration.ofSeconds(45)))
        .overrideConfiguration(c -> {
          if (counter != null) {
            c.addExecutionInterceptor(counter);
          }
        })
        .build();
  }

  /**
   * Creates a fresh queue and starts a producer and the candidate on it.
   *
   * @param backlog the producer keeps this many sent-and-unhandled messages; ignored if {@code rate > 0}
   * @param rate messages per second for an open-loop load, or 0 to keep the backlog
   */
  Run start(Candidate candidate, HandlerType handler, int concurrency, long backlog, double rate) {
    Run run = new Run(newQueue());
    run.startProducer(backlog, rate);
    run.startConsumer(candidate, handler, concurrency);
    return run;
  }

  /**
   * Creates a fresh queue and sends it {@code messages} messages (bodies "0": no send time, so no latency
   * is recorded), with up to {@value #FILL_IN_FLIGHT} batches in flight through the producer's client, which
   * is neither counted nor delayed; returns when the server has every one.
   */
  String prefilled(int messages) throws Exception {
    String queueUrl = newQueue();
    Semaphore inFlight = new Semaphore(FILL_IN_FLIGHT);
    AtomicLong failures = new AtomicLong();
    for (int sent = 0; sent < messages; sent += 10) {
      int size = Math.min(10, messages - sent);
      List<SendMessageBatchRequestEntry> entries = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i)).messageBody("0").build());
      }
      inFlight.acquire();
      producerClient.sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries)).whenComplete((reply, failure) -> {
        if (failure != null || reply.hasFailed() && !reply.failed().isEmpty()) {
          failures.incrementAndGet();
        }
        inFlight.release();
      });
    }
    if (!inFlight.tryAcquire(FILL_IN_FLIGHT, 60, TimeUnit.SECONDS)) {
      throw new TimeoutException("prefilling " + messages + " messages took over 60 s");
    }
    int there = server.approximateMessages(queueUrl);
    if (failures.get() > 0 || there != messages) {
      throw new IllegalStateException("prefilled " + there + " of " + messages + " messages, " + failures.get()
          + " batches failed");
    }
    return queueUrl;
  }

  /** Opens a run on {@code queueUrl}: a counted client; start the candidate (and a producer) on it. */
  Run open(String queueUrl) {
    return new Run(queueUrl);
  }

  private String newQueue() {
    return server.createQueue("bench-" + QUEUES.incrementAndGet(), Map.of("VisibilityTimeout", "60"));
  }

  /** One candidate consuming one queue; close it before starting the next. */
  final class Run implements AutoCloseable {
    final Meter meter = new Meter();
    final RequestCounter requests = new RequestCounter();
    private final String queueUrl;
    private final SqsAsyncClient client;
    private Producer producer;
    private AutoCloseable consumer;

    private Run(String queueUrl) {
      this.queueUrl = queueUrl;
      client = client(endpoint(), requests, 500);
    }

    /** Starts a producer feeding the queue; see {@link SqsRig#start}. */
    void startProducer(long backlog, double rate) {
      Producer.Sink sink = bodies -> {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>(bodies.length);
        for (int i = 0; i < bodies.length; i++) {
          entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i)).messageBody(bodies[i]).build());
        }
        return producerClient.sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
      };
      producer = rate > 0 ? Producer.atRate(sink, meter, rate) : Producer.keepingBacklog(sink, meter, backlog);
    }

    /** Starts the candidate on the queue. */
    void startConsumer(Candidate candidate, HandlerType handler, int concurrency) {
      consumer = startConsumer(candidate, handler, concurrency, queueUrl);
    }

    private AutoCloseable startConsumer(Candidate candidate, HandlerType handler, int concurrency,
        String queueUrl) {
      if (candidate.isLibrary()) {
        Consumer.Builder builder = Consumer.builder();
        // for diagnosis only (Probe): a fixed prefetch instead of the adaptive default
        Integer prefetch = Integer.getInteger("bench.prefetch");
        if (prefetch != null) {
          builder.prefetch(prefetch);
        }
        // for diagnosis only (Drain's suffixes): fewer receive attributes, another batch.maxInFlight; no MDC
        String variant = System.getProperty("bench.variant", "");
        if (variant.equals("none") || variant.equals("nosys")) {
          builder.systemAttributeNames();
        }
        if (variant.equals("none") || variant.equals("nomsg")) {
          builder.messageAttributeNames();
        }
        if (variant.startsWith("inflight")) {
          builder.setting("batch.maxInFlight", variant.substring("inflight".length()));
        }
        if (Boolean.getBoolean("bench.noMdc")) {
          builder.mdc(false);
        }
        Consumer consumer = builder
            .name("bench")
            .queue(queueUrl)
            .runner("sqs")
            .component(SqsAsyncClient.class, client)
            .worker(candidate.worker().providerName())
            .harvester(candidate.harvester().providerName())
            .concurrency(concurrency)
            .shutdownTimeout(Duration.ofSeconds(5))
            .handler(message -> {
              handler.work();
              meter.handled(Long.parseLong(message.body()));
            })
            .build();
        consumer.start();
        return consumer;
      }
      java.util.function.Consumer<Message> sdkHandler = message -> {
        try {
          handler.work();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        meter.handled(Long.parseLong(message.body()));
      };
      return switch (candidate.baseline()) {
        case PLAIN_SDK -> PlainSdkConsumer.start(client, queueUrl, concurrency, sdkHandler);
        case UNCAPPED_SDK -> { // for diagnosis only (Drain's suffix :chainsN): fewer receive chains
          String variant = System.getProperty("bench.variant", "");
          yield variant.startsWith("chains")
              ? UncappedSdkConsumer.start(client, queueUrl, sdkHandler, Integer.parseInt(variant.substring(6)))
              : UncappedSdkConsumer.start(client, queueUrl, sdkHandler);
        }
        default -> throw new IllegalArgumentException("not an SQS candidate: " + candidate);
      };
    }

    /** Returns how many messages the producer sent. */
    long sent() {
      return producer.sent();
    }

    @Override
    public void close() throws Exception {
      if (producer != null) {
        producer.close();
      }
      try {
        if (consumer != null) {
          consumer.close();
        }
      } finally {
        client.close();
      }
    }
  }

  @Override
  public void close() throws Exception {
    producerClient.close();
    if (proxy != null) {
      proxy.close();
    }
    server.close();
  }
}
