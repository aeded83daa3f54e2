package io.github.sqsconsumer.runner.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueueException.Kind;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.VisibilityChange;
import io.github.sqsconsumer.runner.sqs.ScriptedSqsServer.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The answers ElasticMQ never gives — access denied, throttling, server errors, odd batch replies — from a
 * scripted HTTP server, through the real SDK (its error parsing and retries included).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class SqsRunnerFaultTest {
  private static final Duration VISIBILITY = Duration.ofSeconds(30);
  private static final Reply ATTRIBUTES = Reply.ok("{\"Attributes\":{\"VisibilityTimeout\":\"30\"}}");

  private ScriptedSqsServer server;
  private String queueUrl;

  @BeforeEach
  void startServer() throws Exception {
    server = new ScriptedSqsServer();
    queueUrl = server.endpoint() + "/123456789012/orders";
  }

  @AfterEach
  void stopServer() throws Exception {
    server.close();
  }

  private Runner runner(String queue) {
    return new SqsRunnerProvider().create(RunnerTestContext.of(queue,
        Map.of("sqs.endpoint", server.endpoint().toString(), "sqs.region", "us-east-1")));
  }

  private static QueueException failure(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    Throwable thrown = catchThrowable(call);
    Throwable cause = thrown instanceof ExecutionException ? thrown.getCause() : thrown;
    assertThat(cause).isInstanceOf(QueueException.class);
    return (QueueException) cause;
  }

  private static Message message(int i) {
    return Message.builder().id("id-" + i).body("").receiptHandle("handle-" + i).build();
  }

  @Test
  void open_accessDenied() {
    server.on("GetQueueAttributes", Reply.error(403, "com.amazon.coral.service#AccessDeniedException",
        "AccessDenied", "User: arn:aws:iam::123456789012:user/app is not authorized to perform: sqs:getqueueattributes"));
    try (Runner runner = runner(queueUrl)) {
      QueueException e = failure(runner::open);
      assertThat(e.kind()).isEqualTo(Kind.FATAL);
      assertThat(e.getMessage()).contains("access to queue '" + queueUrl + "' at " + server.endpoint()
          + " is denied: check the credentials", "sqs:ReceiveMessage", "not authorized");
    }
  }

  @Test
  void open_missingQueueInQuerySpelling() {
    server.on("GetQueueUrl", Reply.error(400, "com.amazonaws.sqs#QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist."));
    try (Runner runner = runner("orders")) {
      QueueException e = failure(runner::open);
      assertThat(e.kind()).isEqualTo(Kind.FATAL);
      assertThat(e.getMessage()).contains("queue 'orders' does not exist at " + server.endpoint());
    }
  }

  @Test
  void open_serviceUnavailableIsTransient() {
    server.on("GetQueueAttributes", Reply.error(503, "com.amazonaws.sqs#ServiceUnavailable", "ServiceUnavailable",
        "try later"));
    try (Runner runner = runner(queueUrl)) {
      QueueException e = failure(runner::open);
      assertThat(e.kind()).isEqualTo(Kind.TRANSIENT);
      assertThat(e.getMessage()).contains("cannot reach queue '" + queueUrl + "'", "it may work later");
      assertThat(server.requests()).as("the SDK retried before giving up").isGreaterThan(1);

      server.on("GetQueueAttributes", ATTRIBUTES); // the service is back: open works on the same runner
      assertThat(runner.open().url()).isEqualTo(queueUrl);
    }
  }

  @Test
  void receive_throttledIsTransient() {
    server.on("GetQueueAttributes", ATTRIBUTES)
        .on("ReceiveMessage", Reply.error(400, "com.amazonaws.sqs#RequestThrottled", "RequestThrottled", "slow down"));
    try (Runner runner = runner(queueUrl)) {
      runner.open();
      QueueException e = failure(() -> runner.receive(10, Duration.ZERO, VISIBILITY).get(30, TimeUnit.SECONDS));
      assertThat(e.kind()).isEqualTo(Kind.TRANSIENT);
      assertThat(e.code()).isEqualTo("RequestThrottled");
    }
  }

  @Test
  void receive_internalErrorIsTransient() {
    server.on("GetQueueAttributes", ATTRIBUTES)
        .on("ReceiveMessage", Reply.error(500, "com.amazonaws.sqs#InternalError", null, "oops"));
    try (Runner runner = runner(queueUrl)) {
      runner.open();
      QueueException e = failure(() -> runner.receive(10, Duration.ZERO, VISIBILITY).get(30, TimeUnit.SECONDS));
      assertThat(e.kind()).isEqualTo(Kind.TRANSIENT);
    }
  }

  @Test
  void deleteBatch_entryFailuresByPosition() throws Exception {
    server.on("GetQueueAttributes", ATTRIBUTES).on("DeleteMessageBatch", Reply.ok("""
        {"Successful":[{"Id":"0"}],
         "Failed":[{"Id":"1","SenderFault":false,"Code":"InternalError","Message":"try again"},
                   {"Id":"2","SenderFault":true,"Code":"ReceiptHandleIsInvalid","Message":"handle-2 is invalid"},
                   {"Id":"9","SenderFault":true,"Code":"InvalidParameterValue","Message":"not ours"}]}"""));
    try (Runner runner = runner(queueUrl)) {
      runner.open();
      BatchReply reply = runner.deleteBatch(List.of(message(0), message(1), message(2), message(3)))
          .get(30, TimeUnit.SECONDS);

      assertThat(reply.failures()).containsOnlyKeys(1, 2, 3);
      assertThat(reply.failures().get(1).kind()).isEqualTo(Kind.TRANSIENT);
      assertThat(reply.failures().get(2).kind()).isEqualTo(Kind.INVALID_RECEIPT);
      assertThat(reply.failures().get(2).getMessage()).doesNotContain("handle-2");
      assertThat(reply.failures().get(3).kind()).as("no answer: retry rather than forget").isEqualTo(Kind.TRANSIENT);
      assertThat(reply.failures().get(3).getMessage()).contains("got no answer for entry 3");
    }
  }

  @Test
  void changeVisibilityBatch_expiredHandleAsInvalidParameter() throws Exception {
    server.on("GetQueueAttributes", ATTRIBUTES).on("ChangeMessageVisibilityBatch", Reply.ok("""
        {"Successful":[{"Id":"1"}],
         "Failed":[{"Id":"0","SenderFault":true,"Code":"InvalidParameterValue",
                    "Message":"Value handle-0 for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."}]}"""));
    try (Runner runner = runner(queueUrl)) {
      runner.open();
      BatchReply reply = runner.changeVisibilityBatch(List.of(new VisibilityChange(message(0), Duration.ZERO),
          new VisibilityChange(message(1), Duration.ofSeconds(30)))).get(30, TimeUnit.SECONDS);

      assertThat(reply.failures()).containsOnlyKeys(0);
      assertThat(reply.failures().get(0).kind()).isEqualTo(Kind.INVALID_RECEIPT);
      assertThat(reply.failures().get(0).getMessage()).doesNotContain("handle-0");
    }
  }

  @Test
  void changeVisibility_wholeCallAccessDenied() {
    server.on("GetQueueAttributes", ATTRIBUTES).on("ChangeMessageVisibility", Reply.error(403,
        "com.amazon.coral.service#AccessDeniedException", "AccessDenied", "not authorized"));
    try (Runner runner = runner(queueUrl)) {
      runner.open();
      QueueException e = failure(() -> runner.changeVisibility(message(0), Duration.ZERO).get(30, TimeUnit.SECONDS));
      assertThat(e.kind()).isEqualTo(Kind.FATAL);
      assertThat(e.getMessage()).contains("ChangeMessageVisibility failed: AccessDenied", "HTTP 403");
    }
  }
}
