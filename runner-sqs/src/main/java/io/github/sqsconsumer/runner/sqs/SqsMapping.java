package io.github.sqsconsumer.runner.sqs;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.MessageAttribute;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueueException.Kind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Maps the SDK's answers to the library's types: received messages and their attributes, and batch
 * responses to replies keyed by position. Stateless; every method is a pure function of its arguments.
 */
final class SqsMapping {
  private static final Logger LOG = LoggerFactory.getLogger(SqsMapping.class);

  private SqsMapping() {}

  /** Maps an SDK message to the library's own. */
  static Message toMessage(software.amazon.awssdk.services.sqs.model.Message m) {
    Message.Builder builder = Message.builder()
        .id(m.messageId())
        .body(m.body() != null ? m.body() : "")
        .receiptHandle(m.receiptHandle());
    m.attributesAsStrings().forEach((name, value) -> {
      if (name != null && value != null) {
        builder.attribute(name, value);
      }
    });
    m.messageAttributes().forEach((name, value) -> {
      if (name != null && value != null) {
        builder.messageAttribute(name, toAttribute(value));
      }
    });
    return builder.build();
  }

  /** Maps a message attribute: {@code Binary[.x]} carries bytes, {@code String[.x]} and {@code Number[.x]} text. */
  static MessageAttribute toAttribute(MessageAttributeValue value) {
    String type = value.dataType() != null ? value.dataType() : "String";
    if (type.startsWith("Binary")) {
      SdkBytes bytes = value.binaryValue();
      return MessageAttribute.ofBinary(type, bytes != null ? bytes.asByteArray() : new byte[0]);
    }
    return MessageAttribute.ofString(type, value.stringValue() != null ? value.stringValue() : "");
  }

  /**
   * Turns a batch response into a reply keyed by position. An entry the response names neither as
   * successful nor as failed counts as a transient failure, so that it is retried rather than forgotten.
   */
  static BatchReply reply(String operation, int size, List<String> successfulIds,
      List<BatchResultErrorEntry> failed) {
    boolean[] answered = new boolean[size];
    Map<Integer, QueueException> failures = new HashMap<>();
    for (String id : successfulIds) {
      int position = position(id, size);
      if (position >= 0) {
        answered[position] = true;
      }
    }
    for (BatchResultErrorEntry entry : failed) {
      int position = position(entry.id(), size);
      if (position >= 0) {
        answered[position] = true;
        failures.put(position, SqsErrors.classify(operation, entry));
      } else {
        LOG.warn("{} answered for an entry id that was not sent: {}", operation, entry.id());
      }
    }
    for (int i = 0; i < size; i++) {
      if (!answered[i]) {
        failures.put(i, new QueueException(Kind.TRANSIENT, "",
            operation + " got no answer for entry " + i, null));
      }
    }
    return failures.isEmpty() ? BatchReply.ok() : new BatchReply(failures);
  }

  private static int position(String id, int size) {
    try {
      int position = Integer.parseInt(id);
      return position >= 0 && position < size ? position : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
