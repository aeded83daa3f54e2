package io.github.sqsconsumer.runner.sqs;

import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueueException.Kind;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;

/**
 * The one place where SDK failures become {@link QueueException}s of the right {@link Kind}.
 *
 * <p>Error codes arrive in several spellings: the JSON protocol's ({@code QueueDoesNotExist}), the query
 * protocol's ({@code AWS.SimpleQueueService.NonExistentQueue}), with or without an {@code Exception} suffix
 * or a {@code com.amazonaws.sqs#} prefix; {@link #normalize} reduces them to one. Messages never carry a
 * receipt handle: SQS puts the handle into the text of its receipt errors, so for those the text and the
 * cause are dropped and only the code, status and request id are kept.
 */
final class SqsErrors {
  private SqsErrors() {}

  /** Retrying helps: the server is busy, overloaded, or briefly unable. */
  private static final Set<String> TRANSIENT_CODES = Set.of(
      "throttling", "throttled", "requestthrottled", "toomanyrequests", "slowdown", "requestlimitexceeded",
      "provisionedthroughputexceeded", "bandwidthlimitexceeded", "priorrequestnotcomplete",
      "serviceunavailable", "internalerror", "internalfailure", "internalservererror", "requesttimeout",
      "requestexpired", "expiredtoken",
      "overlimit", "kmsthrottled", "kms.throttling", "kms.kmsthrottled", "transactioninprogress");
  /** The receipt handle is stale: the message comes back by itself; retrying cannot help. */
  private static final Set<String> INVALID_RECEIPT_CODES = Set.of(
      "receipthandleisinvalid", "invalidreceipthandle", "messagenotinflight");
  /** The queue is not there. */
  private static final Set<String> MISSING_QUEUE_CODES = Set.of(
      "queuedoesnotexist", "nonexistentqueue", "queuedeletedrecently");
  /** Credentials or permissions are wrong. */
  private static final Set<String> ACCESS_CODES = Set.of(
      "accessdenied", "invalidclienttokenid", "unrecognizedclient", "signaturedoesnotmatch",
      "invalidsecurity", "missingauthenticationtoken", "incompletesignature", "notauthorized",
      "optinrequired", "authfailure", "kmsaccessdenied", "kms.accessdenied", "kms.kmsaccessdenied");

  /**
   * Classifies the failure of a whole call.
   *
   * @param operation the SQS action, such as {@code ReceiveMessage}, for the message
   * @param failure what the SDK future completed with; {@link CompletionException} and
   *     {@link ExecutionException} wrappers are unwrapped
   * @return a queue exception, never null; {@code failure} itself if it already is one
   */
  static QueueException classify(String operation, Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof QueueException qe) {
      return qe;
    }
    if (t instanceof AwsServiceException e) {
      AwsErrorDetails details = e.awsErrorDetails();
      String code = details != null && details.errorCode() != null ? details.errorCode() : "";
      String text = details != null && details.errorMessage() != null ? details.errorMessage() : "";
      Kind kind = kindOf(code, e.statusCode(), e.statusCode() < 500, text);
      if (kind == Kind.FATAL && (e.isThrottlingException() || e.isClockSkewException())) {
        kind = Kind.TRANSIENT; // the SDK knows more spellings of throttling than we list
      }
      String where = " (HTTP " + e.statusCode() + ", request id " + e.requestId() + ")";
      if (kind == Kind.INVALID_RECEIPT) {
        // the text holds the receipt handle: keep neither it nor the cause
        return new QueueException(kind, code, operation + " failed: " + code + where, null);
      }
      return new QueueException(kind, code, operation + " failed: " + describe(code) + where
          + (text.isEmpty() ? "" : ": " + text), e);
    }
    if (t instanceof SdkServiceException e) { // a service error without AWS details
      Kind kind = e.statusCode() >= 500 || e.statusCode() == 429 || e.isThrottlingException()
          ? Kind.TRANSIENT : Kind.FATAL;
      return new QueueException(kind, "", operation + " failed: HTTP " + e.statusCode(), e);
    }
    if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException) {
      return new QueueException(Kind.TRANSIENT, "", operation + " timed out: " + t.getMessage(), t);
    }
    if (isClientClosed(t)) {
      return new QueueException(Kind.FATAL, "", operation + " failed: the SQS client is closed", t);
    }
    if (t instanceof SdkClientException e) {
      String text = e.getMessage() != null ? e.getMessage()
          : e.getCause() != null ? e.getCause().toString() : e.getClass().getSimpleName();
      if (isConfigurationError(text)) {
        return new QueueException(Kind.FATAL, "", operation + " failed, the client is not configured: "
            + text, e);
      }
      // no answer from the server: connection refused or reset, timeouts, DNS, TLS, an aborted call
      return new QueueException(Kind.TRANSIENT, "", operation + " failed, no answer from the queue: "
          + text, e);
    }
    if (t instanceof AbortedException || t instanceof IOException || t instanceof TimeoutException) {
      return new QueueException(Kind.TRANSIENT, "", operation + " failed: " + t, t);
    }
    if (t instanceof SdkException e) {
      Kind kind = e.retryable() ? Kind.TRANSIENT : Kind.FATAL;
      return new QueueException(kind, "", operation + " failed: " + e.getMessage(), e);
    }
    // not from the SDK: a closed client, a bug; retrying will not help
    return new QueueException(Kind.FATAL, "", operation + " failed: " + t, t);
  }

  /**
   * Classifies one failed entry of a batch response.
   *
   * @param operation the SQS action, for the message
   * @param entry the failed entry, never null
   * @return a queue exception, never null
   */
  static QueueException classify(String operation, BatchResultErrorEntry entry) {
    String code = entry.code() != null ? entry.code() : "";
    boolean senderFault = Boolean.TRUE.equals(entry.senderFault());
    String text = entry.message() != null ? entry.message() : "";
    Kind kind = kindOf(code, senderFault ? 400 : 500, senderFault, text);
    String message = operation + " entry failed: " + describe(code)
        + (kind == Kind.INVALID_RECEIPT || text.isEmpty() ? "" : ": " + text); // the text holds the handle
    return new QueueException(kind, code, message, null);
  }

  /**
   * Decides the kind from what the server said.
   *
   * @param code the error code in any spelling, possibly empty
   * @param status the HTTP status (or 400 / 500 for a batch entry's sender / server fault)
   * @param senderFault whether the request was at fault
   * @param text the server's error message, possibly empty; only searched for the receipt handle parameter
   */
  static Kind kindOf(String code, int status, boolean senderFault, String text) {
    String c = normalize(code);
    if (INVALID_RECEIPT_CODES.contains(c)) {
      return Kind.INVALID_RECEIPT;
    }
    // SQS answers an expired or unknown handle on ChangeMessageVisibility with InvalidParameterValue
    // "Value ... for parameter ReceiptHandle is invalid. Reason: ..."
    if (c.equals("invalidparametervalue") && text.toLowerCase(Locale.ROOT).contains("receipthandle")) {
      return Kind.INVALID_RECEIPT;
    }
    if (TRANSIENT_CODES.contains(c)) {
      return Kind.TRANSIENT;
    }
    if (MISSING_QUEUE_CODES.contains(c) || ACCESS_CODES.contains(c)) {
      return Kind.FATAL;
    }
    if (status >= 500 || status == 429 || !senderFault) {
      return Kind.TRANSIENT;
    }
    return Kind.FATAL;
  }

  /** Returns true if the code says the queue does not exist, in any spelling. */
  static boolean isMissingQueue(String code) {
    return MISSING_QUEUE_CODES.contains(normalize(code));
  }

  /** Returns true if the code says access is denied or the credentials are not accepted. */
  static boolean isAccessDenied(String code) {
    return ACCESS_CODES.contains(normalize(code));
  }

  /**
   * Reduces an error code to one spelling: lower case, without a {@code namespace#} prefix, without the
   * query protocol's {@code AWS.SimpleQueueService.} prefix and without an {@code Exception} suffix.
   */
  static String normalize(String code) {
    if (code == null) {
      return "";
    }
    String c = code.trim();
    int hash = c.lastIndexOf('#');
    if (hash >= 0) {
      c = c.substring(hash + 1);
    }
    int colon = c.indexOf(':'); // "Code:http://internal.amazon.com/..." in some JSON errors
    if (colon >= 0) {
      c = c.substring(0, colon);
    }
    if (c.startsWith("AWS.SimpleQueueService.")) {
      c = c.substring("AWS.SimpleQueueService.".length());
    }
    if (c.endsWith("Exception")) {
      c = c.substring(0, c.length() - "Exception".length());
    }
    return c.toLowerCase(Locale.ROOT);
  }

  /** Unwraps the wrappers futures add. */
  static Throwable unwrap(Throwable t) {
    Throwable current = t;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  /**
   * Returns true if the failure says the client's executors are shut down: the client was closed. (A
   * merely saturated executor also rejects, but says "Running", not "Terminated" or "Shutting down".)
   */
  private static boolean isClientClosed(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof RejectedExecutionException) {
        // the JDK's "[Terminated, ...]" / "[Shutting down, ...]", Netty's "event executor terminated"
        String text = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
        return text.contains("terminated") || text.contains("shutting down") || text.contains("shut down");
      }
    }
    return false;
  }

  private static boolean isConfigurationError(String text) {
    // the SDK's words when a provider chain found nothing: no credentials, no region
    return text.contains("Unable to load credentials") || text.contains("Unable to load region")
        || text.contains("Unable to load an HTTP implementation");
  }

  private static String describe(String code) {
    return code.isEmpty() ? "unknown error" : code;
  }
}
