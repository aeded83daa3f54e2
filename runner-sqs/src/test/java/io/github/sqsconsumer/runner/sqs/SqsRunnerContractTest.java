package io.github.sqsconsumer.runner.sqs;

import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.testkit.RunnerContractTest;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqExtension;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * The runner contract for the SQS runner against ElasticMQ over HTTP. Held replies: the user's client is
 * wrapped so that a receive's response, once in hand, reaches the runner through a future that cannot be
 * cancelled any more, as an SDK future whose response arrived.
 */
@ExtendWith(ElasticMqExtension.class)
final class SqsRunnerContractTest extends RunnerContractTest {
  private static final AtomicInteger QUEUES = new AtomicInteger();

  private ElasticMqServer server;
  private SqsAsyncClient client;

  @BeforeEach
  void server(ElasticMqServer server, SqsAsyncClient client) {
    this.server = server;
    this.client = client;
  }

  @Override
  protected QueueUnderTest newQueue(Duration visibilityTimeout) {
    String url = server.createQueue("contract-" + QUEUES.incrementAndGet(),
        Map.of("VisibilityTimeout", Long.toString(visibilityTimeout.toSeconds())));
    return new QueueUnderTest() {
      @Override
      public Runner newRunner() {
        return runner(client);
      }

      @Override
      public Runner newRunnerHoldingReplies(CompletableFuture<Void> arrived, CompletableFuture<Void> handOver) {
        return runner(holdingReplies(client, arrived, handOver));
      }

      @Override
      public void send(String body) {
        server.sendMessage(url, body);
      }

      private Runner runner(SqsAsyncClient sqs) {
        return new SqsRunnerProvider().create(RunnerTestContext.of(url, Map.of()).with(SqsAsyncClient.class, sqs));
      }
    };
  }

  /** A client like {@code delegate} whose receives hand their responses over only when {@code handOver} completes. */
  private static SqsAsyncClient holdingReplies(SqsAsyncClient delegate, CompletableFuture<Void> arrived,
      CompletableFuture<Void> handOver) {
    InvocationHandler handler = (proxy, method, args) -> {
      if (method.getName().equals("receiveMessage") && args[0] instanceof ReceiveMessageRequest request) {
        CompletableFuture<ReceiveMessageResponse> handedOver = new CompletableFuture<>() {
          @Override
          public boolean cancel(boolean mayInterruptIfRunning) {
            return false; // the response is in hand: nothing left to abort
          }
        };
        delegate.receiveMessage(request).whenComplete((response, failure) -> {
          arrived.complete(null);
          handOver.whenComplete((ok, ignored) -> {
            if (failure != null) {
              handedOver.completeExceptionally(failure);
            } else {
              handedOver.complete(response);
            }
          });
        });
        return handedOver;
      }
      if (method.getName().equals("receiveMessage")) { // the builder overload: builds, then calls the one above
        return InvocationHandler.invokeDefault(proxy, method, args);
      }
      try {
        return method.invoke(delegate, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    return (SqsAsyncClient) Proxy.newProxyInstance(SqsAsyncClient.class.getClassLoader(),
        new Class<?>[] {SqsAsyncClient.class}, handler);
  }
}
