package io.github.sqsconsumer.testkit.elasticmq;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.http.scaladsl.Http;
import org.elasticmq.StrictSQSLimits$;
import org.elasticmq.actor.QueueManagerActor;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.elasticmq.util.NowProvider;
import scala.Option;
import scala.concurrent.Await;
import scala.concurrent.duration.FiniteDuration;

/**
 * An embedded <a href="https://github.com/softwaremill/elasticmq">ElasticMQ</a> server for tests: a real
 * SQS-compatible HTTP endpoint (query and JSON protocols) on {@code 127.0.0.1}, on a free port.
 *
 * <pre>{@code
 * try (ElasticMqServer sqs = new ElasticMqServer().start()) {
 *   String url = sqs.createQueue("orders", Map.of("VisibilityTimeout", "2"));
 *   SqsAsyncClient client = SqsAsyncClient.builder().endpointOverride(sqs.endpoint())
 *       .region(Region.US_EAST_1)
 *       .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
 *       .build();
 *   ...
 * }
 * }</pre>
 *
 * <p>Queues live in the server's actor system, not in the HTTP binding, so {@link #stop()} followed by
 * {@link #start()} (or {@link #restart()}) simulates "the server went away and came back" on the same port,
 * with every queue and message still there. {@link #close()} ends the actor system too, so a test leaks no
 * threads. Beware: a long poll cut off by {@link #stop()} (or by a client that cancelled it) may still be
 * waiting inside ElasticMQ for up to its wait time, and a message sent meanwhile can be handed to it and so
 * stay invisible for the queue's visibility timeout; give such tests a short {@code VisibilityTimeout}.
 *
 * <p>The helpers ({@link #createQueue}, {@link #sendMessage}, {@link #queueAttributes}) speak the SQS JSON
 * protocol over {@link HttpClient}, so this class needs no AWS SDK; tests that need an SDK client build
 * their own against {@link #endpoint()} with any static credentials (ElasticMQ does not check them).
 *
 * <p>{@link ElasticMqExtension} runs one for a JUnit 5 test class. Class path only (see the package).
 * Thread-safe: lifecycle methods are synchronized, helpers may be called from any thread.
 */
public final class ElasticMqServer implements AutoCloseable {
  /*
   * Size:
   *   About 420 lines, a fifth of them the Javadoc of its public members: one server a test starts,
   *   stops, restarts and closes, with the queue calls a test makes against it (create, attributes, send,
   *   count) over plain HTTP, so that a test needs one object and no SDK code of its own.
   */
  private static final String HOST = "127.0.0.1";
  // a long poll in progress is cut off after this when the server stops: "gone" should mean gone
  private static final FiniteDuration STOP_DEADLINE = FiniteDuration.apply(200, TimeUnit.MILLISECONDS);
  private static final Duration AWAIT = Duration.ofSeconds(30);
  private static final Pattern STRING_FIELD =
      Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  private HttpClient http; // for the helpers; created by the first start()
  private ActorSystem actorSystem; // created by the first start(); holds the queues
  private ActorRef queueManager;
  private int port; // 0 until first bound; then fixed, so a restart binds the same port
  private Http.ServerBinding binding; // null while stopped
  private boolean closed;

  /** Creates a server; nothing runs until {@link #start()}. */
  public ElasticMqServer() {}

  /**
   * Starts accepting requests: the first time on a free port, later on the same port with the same queues.
   * Does nothing if running. If the first start fails, everything started is stopped again.
   *
   * @return this server
   * @throws IllegalStateException if closed
   */
  public synchronized ElasticMqServer start() {
    if (closed) {
      throw new IllegalStateException("the server is closed");
    }
    if (binding != null) {
      return this;
    }
    boolean first = actorSystem == null;
    try {
      if (first) {
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        actorSystem = ActorSystem.create("elasticmq-" + UUID.randomUUID().toString().substring(0, 8));
        queueManager = actorSystem.actorOf(Props.create(QueueManagerActor.class, ElasticMqServer::newQueueManager));
      }
      bind();
    } catch (RuntimeException | Error e) {
      if (first) {
        close();
      }
      throw e;
    }
    return this;
  }

  private static QueueManagerActor newQueueManager() {
    return new QueueManagerActor(new NowProvider(), StrictSQSLimits$.MODULE$, Option.empty());
  }

  /** {@return the endpoint to point an SQS client at, such as {@code http://127.0.0.1:41234}; never null} */
  public synchronized URI endpoint() {
    return URI.create("http://" + HOST + ":" + port);
  }

  /** {@return the bound port (kept across {@link #stop()} and {@link #restart()})} */
  public synchronized int port() {
    return port;
  }

  /** {@return true while the server accepts requests} */
  public synchronized boolean isRunning() {
    return binding != null;
  }

  /**
   * Stops accepting requests and drops open connections (long polls in progress are cut off); queues and
   * messages are kept. Does nothing if already stopped.
   */
  public synchronized void stop() {
    if (binding == null) {
      return;
    }
    Http.ServerBinding current = binding;
    binding = null;
    await(current.terminate(STOP_DEADLINE));
  }

  /** Stops, then starts again on the same port: clients see their connections dropped. */
  public synchronized void restart() {
    stop();
    start();
  }

  /** Stops the server and its actor system, waiting until all its threads ended. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop();
    } finally {
      if (http != null) {
        http.close();
      }
      if (actorSystem != null) {
        terminateActorSystem();
      }
    }
  }

  private void terminateActorSystem() {
    actorSystem.terminate();
    try {
      actorSystem.getWhenTerminated().toCompletableFuture().get(AWAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("elasticmq did not stop within " + AWAIT, e);
    }
  }

  private void bind() {
    SQSRestServer server = SQSRestServerBuilder.withActorSystem(actorSystem)
        .withQueueManagerActor(queueManager)
        .withInterface(HOST)
        .withPort(port)
        .start();
    Http.ServerBinding bound = server.waitUntilStarted();
    binding = bound;
    port = bound.localAddress().getPort();
  }

  private static <T> T await(scala.concurrent.Future<T> future) {
    try {
      return Await.result(future, FiniteDuration.apply(AWAIT.toSeconds(), TimeUnit.SECONDS));
    } catch (Exception e) { // Scala's Await declares nothing but throws TimeoutException and the failure
      throw new IllegalStateException("elasticmq did not answer: " + e, e);
    }
  }

  // ---- helpers over the SQS JSON protocol -----------------------------------------------------------

  /**
   * Creates a standard queue with default attributes.
   *
   * @param name the queue's name; end it in {@code .fifo} and use {@link #createQueue(String, Map)} with
   *     {@code FifoQueue=true} for a FIFO queue
   * @return the queue URL; never null
   */
  public String createQueue(String name) {
    return createQueue(name, Map.of());
  }

  /**
   * Creates a queue with attributes, such as {@code VisibilityTimeout=2}, {@code FifoQueue=true},
   * {@code ContentBasedDeduplication=true}, {@code RedrivePolicy=}{@link #redrivePolicy}.
   *
   * @param name the queue's name, with {@code .fifo} for a FIFO queue; never null
   * @param attributes the queue's attributes by SQS name, empty for none; never null
   * @return the queue URL; never null
   */
  public String createQueue(String name, Map<String, String> attributes) {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("QueueName", name);
    if (!attributes.isEmpty()) {
      request.put("Attributes", attributes);
    }
    return field(call("CreateQueue", request), "QueueUrl");
  }

  /**
   * {@return a {@code RedrivePolicy} attribute value that moves a message to the dead-letter queue after
   * {@code maxReceiveCount} receives}
   *
   * @param deadLetterQueueUrl the URL of the dead-letter queue, created before; never null
   * @param maxReceiveCount how many receives a message gets before it moves, 1 to 1,000
   */
  public String redrivePolicy(String deadLetterQueueUrl, int maxReceiveCount) {
    String arn = queueAttributes(deadLetterQueueUrl).get("QueueArn");
    return "{\"deadLetterTargetArn\":\"" + arn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}";
  }

  /**
   * {@return all the queue's attributes, such as {@code ApproximateNumberOfMessages}; never null}
   *
   * @param queueUrl the URL {@link #createQueue} returned; never null
   */
  public Map<String, String> queueAttributes(String queueUrl) {
    String response = call("GetQueueAttributes",
        Map.of("QueueUrl", queueUrl, "AttributeNames", new String[] {"All"}));
    int start = response.indexOf("\"Attributes\"");
    Map<String, String> attributes = new LinkedHashMap<>();
    if (start < 0) {
      return attributes;
    }
    Matcher m = STRING_FIELD.matcher(response.substring(response.indexOf('{', start)));
    while (m.find()) {
      attributes.put(unescape(m.group(1)), unescape(m.group(2)));
    }
    return attributes;
  }

  /**
   * {@return the number of visible messages plus those in flight (received, not deleted), not delayed}
   *
   * @param queueUrl the URL {@link #createQueue} returned; never null
   */
  public int approximateMessages(String queueUrl) {
    Map<String, String> attributes = queueAttributes(queueUrl);
    return Integer.parseInt(attributes.getOrDefault("ApproximateNumberOfMessages", "0"))
        + Integer.parseInt(attributes.getOrDefault("ApproximateNumberOfMessagesNotVisible", "0"));
  }

  /**
   * {@return the number of messages visible now (ready to be received)}
   *
   * @param queueUrl the URL {@link #createQueue} returned; never null
   */
  public int visibleMessages(String queueUrl) {
    return Integer.parseInt(queueAttributes(queueUrl).getOrDefault("ApproximateNumberOfMessages", "0"));
  }

  /**
   * Sends a message to a standard queue.
   *
   * @param queueUrl the URL {@link #createQueue} returned; never null
   * @param body the message body; never null
   * @return the message id; never null
   */
  public String sendMessage(String queueUrl, String body) {
    return field(call("SendMessage", Map.of("QueueUrl", queueUrl, "MessageBody", body)), "MessageId");
  }

  /**
   * Sends a message to a FIFO queue in the given group, with a random deduplication id.
   *
   * @param queueUrl the URL {@link #createQueue} returned; never null
   * @param body the message body; never null
   * @param groupId the FIFO message group; never null
   * @return the message id; never null
   */
  public String sendMessage(String queueUrl, String body, String groupId) {
    return field(call("SendMessage", Map.of("QueueUrl", queueUrl, "MessageBody", body,
        "MessageGroupId", groupId, "MessageDeduplicationId", UUID.randomUUID().toString())), "MessageId");
  }

  private String call(String action, Map<String, ?> request) {
    HttpClient http;
    synchronized (this) {
      if (this.http == null || closed) {
        throw new IllegalStateException("the server is " + (closed ? "closed" : "not started"));
      }
      http = this.http;
    }
    HttpRequest httpRequest = HttpRequest.newBuilder(endpoint())
        .timeout(AWAIT)
        .header("Content-Type", "application/x-amz-json-1.0")
        .header("X-Amz-Target", "AmazonSQS." + action)
        .POST(HttpRequest.BodyPublishers.ofString(json(request)))
        .build();
    HttpResponse<String> response;
    try {
      response = http.send(httpRequest, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(action + " failed at " + endpoint(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(action + " interrupted", e);
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException(action + " failed with HTTP " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  private static String field(String json, String name) {
    Matcher m = STRING_FIELD.matcher(json);
    while (m.find()) {
      if (unescape(m.group(1)).equals(name)) {
        return unescape(m.group(2));
      }
    }
    throw new IllegalStateException("no " + name + " in " + json);
  }

  private static String json(Object value) {
    if (value instanceof Map<?, ?> map) {
      StringBuilder sb = new StringBuilder("{");
      map.forEach((k, v) -> {
        if (sb.length() > 1) {
          sb.append(',');
        }
        sb.append(json(k)).append(':').append(json(v));
      });
      return sb.append('}').toString();
    }
    if (value instanceof String[] array) {
      StringBuilder sb = new StringBuilder("[");
      for (String s : array) {
        if (sb.length() > 1) {
          sb.append(',');
        }
        sb.append(json(s));
      }
      return sb.append(']').toString();
    }
    String s = Objects.toString(value);
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  private static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 == s.length()) {
        sb.append(c);
        continue;
      }
      char next = s.charAt(++i);
      switch (next) {
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'u' -> {
          sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> sb.append(next); // \" \\ \/
      }
    }
    return sb.toString();
  }

  @Override
  public synchronized String toString() {
    return "ElasticMqServer[" + endpoint() + (binding == null ? ", stopped" : "") + "]";
  }
}
