package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.sqsconsumer.it.FaultProxy.Fault;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * The fault injection is what ReliabilityTest says it is: each {@link Fault} reaches an SDK client (one that
 * does not retry) as the failure it stands for, and the server sees, or does not see, the request.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class FaultProxyTest {
  private static final AtomicInteger QUEUES = new AtomicInteger();
  // one server, proxy and client for all tests (closing a Netty client takes seconds); each test its queue
  private static ElasticMqServer sqs;
  private static FaultProxy proxy;
  private static SqsAsyncClient client;
  private String queue;

  @BeforeAll
  static void start() throws Exception {
    sqs = new ElasticMqServer().start();
    proxy = new FaultProxy(sqs.port(), FaultProxy.FaultPlan.NONE);
    client = ReliabilityTest.client(proxy.endpoint().toString(), List.of(), false);
  }

  @AfterAll
  static void stop() {
    client.close();
    proxy.close();
    sqs.close();
  }

  @BeforeEach
  void newQueue() {
    proxy.plan(FaultProxy.FaultPlan.NONE);
    queue = sqs.createQueue("faults-" + QUEUES.incrementAndGet());
  }

  @Test
  void none_forwards() throws Exception {
    long sends = proxy.actions().getOrDefault("SendMessage", 0L);
    long forwarded = proxy.counts().get(Fault.NONE);

    send();

    assertThat(sqs.approximateMessages(queue)).isOne();
    assertThat(proxy.actions()).containsEntry("SendMessage", sends + 1);
    assertThat(proxy.counts()).containsEntry(Fault.NONE, forwarded + 1);
  }

  @Test
  void throttled_theSdkSeesThrottling() {
    AwsServiceException e = serviceFailure(Fault.THROTTLED);

    assertThat(e.isThrottlingException()).isTrue();
    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("RequestThrottled");
    assertThat(sqs.approximateMessages(queue)).isZero();
  }

  @Test
  void internalError_is500() {
    AwsServiceException e = serviceFailure(Fault.INTERNAL_ERROR);

    assertThat(e.statusCode()).isEqualTo(500);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InternalError");
  }

  @Test
  void unavailable_is503() {
    AwsServiceException e = serviceFailure(Fault.UNAVAILABLE);

    assertThat(e.statusCode()).isEqualTo(503);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ServiceUnavailable");
  }

  @Test
  void hang_theAttemptTimesOut() throws Exception {
    proxy.plan(action -> Fault.HANG);

    assertThat(failure()).isInstanceOf(ApiCallAttemptTimeoutException.class);
    assertThat(sqs.approximateMessages(queue)).isZero();
  }

  @Test
  void dropBefore_theServerNeverSawIt() throws Exception {
    proxy.plan(action -> Fault.DROP_BEFORE);

    assertThat(failure()).isInstanceOf(SdkClientException.class);
    assertThat(sqs.approximateMessages(queue)).isZero();
  }

  @Test
  void dropAfter_theServerActed() throws Exception {
    proxy.plan(action -> Fault.DROP_AFTER);

    assertThat(failure()).isInstanceOf(SdkClientException.class);
    assertThat(sqs.approximateMessages(queue)).isOne();
  }

  @Test
  void close_cutsAndRefusesConnections() throws Exception {
    FaultProxy own = new FaultProxy(sqs.port(), FaultProxy.FaultPlan.NONE);
    try (SqsAsyncClient ownClient = ReliabilityTest.client(own.endpoint().toString(), List.of(), false)) {
      ownClient.sendMessage(b -> b.queueUrl(queue).messageBody("x")).get(20, TimeUnit.SECONDS); // a pooled connection
      own.close();

      Throwable thrown = catchThrowable(
          () -> ownClient.sendMessage(b -> b.queueUrl(queue).messageBody("x")).get(20, TimeUnit.SECONDS));
      assertThat(thrown).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SdkClientException.class);
      assertThat(sqs.approximateMessages(queue)).isOne();
    } finally {
      own.close(); // idempotent
    }
  }

  private AwsServiceException serviceFailure(Fault fault) {
    proxy.plan(action -> fault);
    Throwable failure = failure();
    assertThat(failure).isInstanceOf(AwsServiceException.class);
    return (AwsServiceException) failure;
  }

  private Throwable failure() {
    Throwable thrown = catchThrowable(this::send);
    assertThat(thrown).isInstanceOf(ExecutionException.class);
    Throwable cause = thrown.getCause();
    return cause instanceof CompletionException c ? c.getCause() : cause;
  }

  private void send() throws Exception {
    client.sendMessage(b -> b.queueUrl(queue).messageBody("x")).get(20, TimeUnit.SECONDS);
  }
}
