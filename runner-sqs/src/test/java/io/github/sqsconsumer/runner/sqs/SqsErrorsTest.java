package io.github.sqsconsumer.runner.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueueException.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

final class SqsErrorsTest {

  private static AwsServiceException serviceError(String code, int status, String message) {
    return AwsServiceException.builder()
        .statusCode(status)
        .requestId("req-1")
        .awsErrorDetails(AwsErrorDetails.builder()
            .errorCode(code)
            .errorMessage(message)
            .sdkHttpResponse(SdkHttpResponse.builder().statusCode(status).build())
            .build())
        .build();
  }

  @ParameterizedTest(name = "{0} HTTP {1} -> {2}")
  @CsvSource({
      // throttling and server faults: retry
      "ThrottlingException, 400, TRANSIENT",
      "Throttling, 400, TRANSIENT",
      "RequestThrottled, 403, TRANSIENT",
      "AWS.SimpleQueueService.RequestThrottled, 403, TRANSIENT",
      "TooManyRequestsException, 400, TRANSIENT",
      "KMS.ThrottlingException, 400, TRANSIENT",
      "KmsThrottled, 400, TRANSIENT",
      "OverLimit, 403, TRANSIENT",
      "ServiceUnavailable, 503, TRANSIENT",
      "InternalError, 500, TRANSIENT",
      "InternalFailure, 500, TRANSIENT",
      "RequestExpired, 400, TRANSIENT",
      "ExpiredToken, 400, TRANSIENT",
      "SomethingNew, 500, TRANSIENT",
      "SomethingNew, 502, TRANSIENT",
      "SomethingNew, 429, TRANSIENT",
      // the queue is missing or access is denied: retrying will not help
      "QueueDoesNotExist, 400, FATAL",
      "AWS.SimpleQueueService.NonExistentQueue, 400, FATAL",
      "com.amazonaws.sqs#QueueDoesNotExist, 400, FATAL",
      "QueueDeletedRecently, 400, FATAL",
      "AccessDenied, 403, FATAL",
      "AccessDeniedException, 400, FATAL",
      "InvalidClientTokenId, 403, FATAL",
      "UnrecognizedClientException, 400, FATAL",
      "SignatureDoesNotMatch, 403, FATAL",
      "KMS.AccessDeniedException, 400, FATAL",
      "InvalidAddress, 404, FATAL",
      "SomethingNew, 400, FATAL",
      // the receipt handle is stale
      "ReceiptHandleIsInvalid, 400, INVALID_RECEIPT",
      "AWS.SimpleQueueService.ReceiptHandleIsInvalid, 400, INVALID_RECEIPT",
      "InvalidReceiptHandle, 400, INVALID_RECEIPT",
      "MessageNotInflight, 400, INVALID_RECEIPT",
      "AWS.SimpleQueueService.MessageNotInflight, 400, INVALID_RECEIPT",
  })
  void classify_serviceErrors(String code, int status, Kind kind) {
    QueueException e = SqsErrors.classify("ReceiveMessage", serviceError(code, status, "text"));
    assertThat(e.kind()).isEqualTo(kind);
    assertThat(e.code()).isEqualTo(code);
    assertThat(e.getMessage()).startsWith("ReceiveMessage failed: " + code).contains("HTTP " + status, "req-1");
  }

  @Test
  void classify_sdkSubclassOfServiceError() {
    QueueException e = SqsErrors.classify("GetQueueUrl", QueueDoesNotExistException.builder().statusCode(400)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("AWS.SimpleQueueService.NonExistentQueue").build())
        .build());
    assertThat(e.kind()).isEqualTo(Kind.FATAL);
    assertThat(SqsErrors.isMissingQueue(e.code())).isTrue();
  }

  @Test
  void classify_unknownCodeButSdkSaysThrottling() {
    // the SDK recognizes 429 and its own list of throttling codes
    AwsServiceException throttled = serviceError("ProvisionedThroughputExceededException", 400, "");
    assertThat(SqsErrors.classify("DeleteMessage", throttled).kind()).isEqualTo(Kind.TRANSIENT);
  }

  /** SQS answers an expired handle on ChangeMessageVisibility with InvalidParameterValue naming the handle. */
  @Test
  void classify_invalidParameterValueForReceiptHandle() {
    String handle = "AQEBzbVv9secret-handle";
    AwsServiceException e = serviceError("InvalidParameterValue", 400, "Value " + handle
        + " for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for "
        + "visibility timeout change.");

    QueueException q = SqsErrors.classify("ChangeMessageVisibility", e);

    assertThat(q.kind()).isEqualTo(Kind.INVALID_RECEIPT);
    assertThat(q.getMessage()).doesNotContain(handle);
    assertThat(q.getCause()).as("the cause's text holds the handle").isNull();
  }

  @Test
  void classify_invalidParameterValueOtherwise() {
    AwsServiceException e = serviceError("InvalidParameterValue", 400, "Value 11 for parameter MaxNumberOfMessages");
    assertThat(SqsErrors.classify("ReceiveMessage", e).kind()).isEqualTo(Kind.FATAL);
  }

  @Test
  void classify_serviceExceptionWithoutDetails() {
    assertThat(SqsErrors.classify("X", SdkServiceException.builder().statusCode(503).build()).kind())
        .isEqualTo(Kind.TRANSIENT);
    assertThat(SqsErrors.classify("X", SdkServiceException.builder().statusCode(400).build()).kind())
        .isEqualTo(Kind.FATAL);
  }

  @Test
  void classify_timeouts() {
    assertThat(SqsErrors.classify("X", ApiCallTimeoutException.create(1000)).kind()).isEqualTo(Kind.TRANSIENT);
    assertThat(SqsErrors.classify("X", ApiCallAttemptTimeoutException.create(1000)).kind())
        .isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void classify_connectionFailures() {
    SdkClientException refused = SdkClientException.create("Unable to execute HTTP request: Connection refused",
        new ConnectException("Connection refused"));
    assertThat(SqsErrors.classify("ReceiveMessage", refused).kind()).isEqualTo(Kind.TRANSIENT);
    assertThat(SqsErrors.classify("ReceiveMessage", new IOException("Connection reset")).kind())
        .isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void classify_missingCredentialsOrRegion() {
    SdkClientException noCredentials = SdkClientException.create(
        "Unable to load credentials from any of the providers in the chain");
    QueueException e = SqsErrors.classify("GetQueueUrl", noCredentials);
    assertThat(e.kind()).isEqualTo(Kind.FATAL);
    assertThat(e.getMessage()).contains("the client is not configured", "Unable to load credentials");
    assertThat(SqsErrors.classify("X", SdkClientException.create("Unable to load region")).kind())
        .isEqualTo(Kind.FATAL);
  }

  @Test
  void classify_closedClient() {
    SdkClientException closed = SdkClientException.create("Unable to execute HTTP request",
        new RejectedExecutionException("Task x rejected from java.util.concurrent.ScheduledThreadPoolExecutor@1"
            + "[Terminated, pool size = 0]"));
    QueueException e = SqsErrors.classify("ReceiveMessage", closed);
    assertThat(e.kind()).isEqualTo(Kind.FATAL);
    assertThat(e.getMessage()).contains("the SQS client is closed");
    SdkClientException nettyClosed = SdkClientException.create("Unable to execute HTTP request: event executor terminated",
        new RejectedExecutionException("event executor terminated"));
    assertThat(SqsErrors.classify("ReceiveMessage", nettyClosed).kind()).isEqualTo(Kind.FATAL);
    SdkClientException saturated = SdkClientException.create("Unable to execute HTTP request",
        new RejectedExecutionException("Task x rejected from java.util.concurrent.ThreadPoolExecutor@1[Running, pool size = 8]"));
    assertThat(SqsErrors.classify("ReceiveMessage", saturated).kind()).isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void classify_unwrapsFutureWrappers() {
    AwsServiceException cause = serviceError("ServiceUnavailable", 503, "");
    assertThat(SqsErrors.classify("X", new CompletionException(cause)).getCause()).isSameAs(cause);
    assertThat(SqsErrors.classify("X", new ExecutionException(new CompletionException(cause))).getCause())
        .isSameAs(cause);
  }

  @Test
  void classify_keepsQueueExceptions() {
    QueueException original = new QueueException(Kind.INVALID_RECEIPT, "c", "m", null);
    assertThat(SqsErrors.classify("X", new CompletionException(original))).isSameAs(original);
  }

  @Test
  void classify_nonSdkFailureIsFatal() {
    assertThat(SqsErrors.classify("X", new IllegalStateException("bug")).kind()).isEqualTo(Kind.FATAL);
  }

  @ParameterizedTest(name = "{0} sender={1} -> {2}")
  @CsvSource({
      "ReceiptHandleIsInvalid, true, INVALID_RECEIPT",
      "MessageNotInflight, true, INVALID_RECEIPT",
      "InternalError, false, TRANSIENT",
      "ServiceUnavailable, false, TRANSIENT",
      "RequestThrottled, true, TRANSIENT",
      "SomethingNew, false, TRANSIENT",
      "InvalidParameterValue, true, FATAL",
      "SomethingNew, true, FATAL",
  })
  void classify_batchEntries(String code, boolean senderFault, Kind kind) {
    BatchResultErrorEntry entry = BatchResultErrorEntry.builder().id("3").code(code).senderFault(senderFault)
        .message("handle AQEBsecret").build();
    QueueException e = SqsErrors.classify("DeleteMessageBatch", entry);
    assertThat(e.kind()).isEqualTo(kind);
    assertThat(e.code()).isEqualTo(code);
    if (kind == Kind.INVALID_RECEIPT) {
      assertThat(e.getMessage()).doesNotContain("AQEBsecret");
    }
  }

  @Test
  void normalize_spellings() {
    assertThat(SqsErrors.normalize("AWS.SimpleQueueService.NonExistentQueue")).isEqualTo("nonexistentqueue");
    assertThat(SqsErrors.normalize("com.amazonaws.sqs#QueueDoesNotExist")).isEqualTo("queuedoesnotexist");
    assertThat(SqsErrors.normalize("ThrottlingException")).isEqualTo("throttling");
    assertThat(SqsErrors.normalize("InternalError:http://internal.amazon.com/")).isEqualTo("internalerror");
    assertThat(SqsErrors.normalize(null)).isEmpty();
  }

  @Test
  void visibilitySeconds_roundsUp() {
    assertThat(SqsRunner.visibilitySeconds(Duration.ZERO)).isZero();
    assertThat(SqsRunner.visibilitySeconds(Duration.ofMillis(1))).isEqualTo(1);
    assertThat(SqsRunner.visibilitySeconds(Duration.ofMillis(1500))).isEqualTo(2);
    assertThat(SqsRunner.visibilitySeconds(Duration.ofHours(12))).isEqualTo(43_200);
  }
}
