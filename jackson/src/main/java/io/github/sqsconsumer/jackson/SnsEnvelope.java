package io.github.sqsconsumer.jackson;

import io.github.sqsconsumer.MessageAttribute;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * Reads the JSON envelope SNS puts around a published message for a subscription without raw delivery.
 * Field names and the attribute shape ({@code {"Type": "...", "Value": "..."}}, Binary values in Base64)
 * are those SNS documents for notifications delivered to SQS.
 */
final class SnsEnvelope {
  private static final String NOTIFICATION = "Notification";

  private SnsEnvelope() {}

  /**
   * An SNS message is an object with a string {@code Type} and a string {@code TopicArn}: both always
   * present in what SNS sends, and unlikely together in a payload.
   */
  static boolean isSnsMessage(JsonNode root) {
    return root.isObject() && root.path("Type").isString() && root.path("TopicArn").isString();
  }

  /**
   * Returns the notification of an SNS message (see {@link #isSnsMessage}), its payload text being the
   * {@code Message} field. Other SNS types (a cross-account SubscriptionConfirmation lands in the queue
   * too) and malformed envelopes are unparsable.
   *
   * @param malformed makes the exception for a reason that quotes nothing of the body
   */
  static SnsNotification notification(JsonNode root, Function<String, UnparsableBodyException> malformed) {
    String type = root.path("Type").stringValue();
    if (!NOTIFICATION.equals(type)) {
      throw malformed.apply("an SNS message of Type " + printable(type) + ", not a Notification");
    }
    if (!root.path("Message").isString() || !root.path("MessageId").isString()) {
      throw malformed.apply("an SNS notification without a Message or MessageId string");
    }
    JsonNode subject = root.path("Subject");
    return new SnsNotification(root.path("MessageId").stringValue(), root.path("TopicArn").stringValue(),
        subject.isString() ? subject.stringValue() : null, timestamp(root.path("Timestamp")),
        attributes(root.path("MessageAttributes"), malformed));
  }

  /** Returns the payload text of a notification accepted by {@link #notification}. */
  static String payload(JsonNode root) {
    return root.path("Message").stringValue();
  }

  private static Instant timestamp(JsonNode node) {
    if (!node.isString()) {
      return null;
    }
    try {
      return Instant.parse(node.stringValue());
    } catch (DateTimeParseException e) {
      return null; // metadata only: the payload is still good
    }
  }

  private static Map<String, MessageAttribute> attributes(JsonNode node,
      Function<String, UnparsableBodyException> malformed) {
    if (node.isMissingNode() || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw malformed.apply("SNS MessageAttributes that are not an object");
    }
    Map<String, MessageAttribute> attributes = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      JsonNode type = entry.getValue().path("Type");
      JsonNode value = entry.getValue().path("Value");
      if (!type.isString() || type.stringValue().isEmpty() || !value.isString()) {
        // the name is the publisher's schema, not payload data
        throw malformed.apply("the SNS message attribute " + printable(entry.getKey())
            + " without a Type and a Value string");
      }
      attributes.put(entry.getKey(), attribute(entry.getKey(), type.stringValue(), value.stringValue(), malformed));
    }
    return attributes;
  }

  private static MessageAttribute attribute(String name, String type, String value,
      Function<String, UnparsableBodyException> malformed) {
    if (!type.startsWith("Binary")) {
      return MessageAttribute.ofString(type, value);
    }
    try {
      return MessageAttribute.ofBinary(type, Base64.getDecoder().decode(value));
    } catch (IllegalArgumentException e) {
      throw malformed.apply("the SNS Binary message attribute " + printable(name) + " is not Base64");
    }
  }

  /** A short, single-line rendering of a name taken from the envelope, for a reason in a log line. */
  private static String printable(String s) {
    String line = s.codePoints().limit(64)
        .map(c -> Character.isISOControl(c) ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    return "'" + line + (s.codePointCount(0, s.length()) > 64 ? "...'" : "'");
  }
}
