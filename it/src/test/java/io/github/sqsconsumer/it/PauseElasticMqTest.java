package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqExtension;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * Pause and resume through the real SQS runner and the AWS SDK against an embedded ElasticMQ: the
 * ReceiveMessage requests are counted as the client sends them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class PauseElasticMqTest {
  private static final Duration AWAIT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(20);

  @RegisterExtension
  static final ElasticMqExtension SQS = ElasticMqExtension.shared();

  private static SqsFixture sqs;

  @BeforeAll
  static void server(ElasticMqServer server) {
    sqs = SqsFixture.on(server);
  }

  @AfterAll
  static void closeFixture() {
    sqs.close();
  }

  /** Counts ReceiveMessage requests started and ended (answered or failed). */
  private static final class Receives implements ExecutionInterceptor {
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger ended = new AtomicInteger();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof ReceiveMessageRequest) {
        started.incrementAndGet();
      }
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof ReceiveMessageRequest) {
        ended.incrementAndGet();
      }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof ReceiveMessageRequest) {
        ended.incrementAndGet();
      }
    }
  }

  @Test
  void pause_stopsReceiveRequestsInFlightDeleted_resumeHandlesTheRest() throws Exception {
    String queue = sqs.standardQueue("pause", Duration.ofSeconds(30));
    Receives receives = new Receives();
    CountDownLatch slowEntered = new CountDownLatch(1);
    CountDownLatch slowRelease = new CountDownLatch(1);
    AtomicInteger handled = new AtomicInteger();
    sqs.send(queue, 1, i -> "slow");
    try (SqsAsyncClient client = SqsAsyncClient.builder().endpointOverride(sqs.endpoint()).region(sqs.region())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .overrideConfiguration(c -> c.addExecutionInterceptor(receives)).build();
        Consumer consumer = new Combination("pool", "batch").onSqs(client, queue).concurrency(2)
            .waitTime(Duration.ofSeconds(1)).handler(message -> {
              if (message.body().equals("slow")) {
                slowEntered.countDown();
                slowRelease.await(AWAIT.toSeconds(), TimeUnit.SECONDS);
              }
              handled.incrementAndGet();
            }).build()) {
      consumer.start();
      assertThat(slowEntered.await(AWAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

      consumer.pause();
      assertThat(consumer.health().paused()).isTrue();
      // the long polls sent before the pause end within the wait time; no request starts after it
      await().atMost(AWAIT).pollInterval(POLL).until(() -> receives.ended.get() == receives.started.get());
      int sent = receives.started.get();
      sqs.send(queue, 5, i -> "while paused " + i);

      slowRelease.countDown();
      await().atMost(AWAIT).pollInterval(POLL).until(() -> consumer.inFlight() == 0 && sqs.remaining(queue) == 5);
      await().during(Duration.ofMillis(1500)).atMost(AWAIT).pollInterval(POLL)
          .until(() -> receives.started.get() == sent);
      assertThat(sqs.visible(queue)).isEqualTo(5);
      assertThat(handled.get()).isEqualTo(1);

      consumer.resume();
      await().atMost(AWAIT).pollInterval(POLL).until(() -> handled.get() == 6 && consumer.inFlight() == 0);
      await().atMost(AWAIT).pollInterval(POLL).until(() -> sqs.remaining(queue) == 0);
      assertThat(consumer.health().healthy()).isTrue();
    }
  }
}
