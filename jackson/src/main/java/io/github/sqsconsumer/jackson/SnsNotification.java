package io.github.sqsconsumer.jackson;

import io.github.sqsconsumer.MessageAttribute;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The SNS notification a payload came in: what an SNS topic's subscription without raw message delivery
 * puts around the published message ({@code Type}, {@code MessageId}, {@code TopicArn}, {@code Subject},
 * {@code Timestamp}, {@code MessageAttributes}, ...). The signature fields are not kept: SQS delivered the
 * message, and SNS does not sign for a queue's consumer.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows the ids, never the subject or attribute values.
 */
public final class SnsNotification {
  private final String messageId;
  private final String topicArn;
  private final String subject;
  private final Instant timestamp;
  private final Map<String, MessageAttribute> messageAttributes;

  SnsNotification(String messageId, String topicArn, String subject, Instant timestamp,
      Map<String, MessageAttribute> messageAttributes) {
    this.messageId = Objects.requireNonNull(messageId, "messageId");
    this.topicArn = Objects.requireNonNull(topicArn, "topicArn");
    this.subject = subject;
    this.timestamp = timestamp;
    this.messageAttributes = Map.copyOf(messageAttributes);
  }

  /** {@return SNS's id of the published message (not the SQS message id); never null} */
  public String messageId() {
    return messageId;
  }

  /** {@return the ARN of the topic it was published to; never null} */
  public String topicArn() {
    return topicArn;
  }

  /** {@return the subject the publisher gave, if any} */
  public Optional<String> subject() {
    return Optional.ofNullable(subject);
  }

  /** {@return when SNS accepted the publication, if the envelope said so in ISO-8601} */
  public Optional<Instant> timestamp() {
    return Optional.ofNullable(timestamp);
  }

  /**
   * {@return the publisher's message attributes by name; never null, unmodifiable} {@code Binary} values are
   * decoded from the envelope's Base64; {@code String}, {@code String.Array} and {@code Number} values are
   * the envelope's text.
   */
  public Map<String, MessageAttribute> messageAttributes() {
    return messageAttributes;
  }

  @Override
  public String toString() {
    return "SnsNotification[messageId=" + messageId + ", topicArn=" + topicArn + "]";
  }
}
