package io.github.sqsconsumer.jackson;

import io.github.sqsconsumer.Message;
import java.util.concurrent.atomic.AtomicInteger;

/** Messages and payload types for the tests. */
final class Messages {
  private static final AtomicInteger IDS = new AtomicInteger();

  private Messages() {}

  /** A payload type: a record, read through its canonical constructor. */
  record Order(String id, int quantity) {}

  static Message message(String body) {
    int n = IDS.incrementAndGet();
    return Message.builder().id("id-" + n).body(body).receiptHandle("rh-" + n).build();
  }

  static Message fifoMessage(String body, String group) {
    int n = IDS.incrementAndGet();
    return Message.builder().id("id-" + n).body(body).receiptHandle("rh-" + n)
        .attribute(Message.MESSAGE_GROUP_ID, group).build();
  }

  static String order(String id, int quantity) {
    return "{\"id\":\"" + id + "\",\"quantity\":" + quantity + "}";
  }

  /** The JSON envelope SNS delivers to SQS without raw delivery, around {@code payload}. */
  static String snsEnvelope(String payload, String attributesJson) {
    return """
        {
          "Type" : "Notification",
          "MessageId" : "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
          "TopicArn" : "arn:aws:sns:us-east-1:123456789012:orders",
          "Subject" : "new order",
          "Message" : %s,
          "Timestamp" : "2026-12-01T10:15:30.123Z",
          "SignatureVersion" : "1",
          "Signature" : "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2eg=",
          "SigningCertURL" : "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
          "UnsubscribeURL" : "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"%s
        }
        """.formatted(jsonString(payload),
            attributesJson == null ? "" : ",\n  \"MessageAttributes\" : " + attributesJson);
  }

  static String jsonString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
