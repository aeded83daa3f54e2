package io.github.sqsconsumer.jackson;

import static io.github.sqsconsumer.jackson.Messages.message;
import static io.github.sqsconsumer.jackson.Messages.order;
import static io.github.sqsconsumer.jackson.Messages.snsEnvelope;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.MessageAttribute;
import io.github.sqsconsumer.MessageHandler;
import io.github.sqsconsumer.PermanentFailureException;
import io.github.sqsconsumer.jackson.Messages.Order;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** SNS envelopes: unwrapping, their message attributes, and what does not unwrap. */
final class SnsEnvelopeTest {
  private static final byte[] BINARY = {0, 1, 2, (byte) 0xff};
  private static final String ATTRIBUTES = """
      {
        "tenant" : {"Type":"String","Value":"acme"},
        "priority" : {"Type":"Number","Value":"7"},
        "tags" : {"Type":"String.Array","Value":"[\\"a\\",\\"b\\"]"},
        "signature" : {"Type":"Binary","Value":"%s"}
      }""".formatted(Base64.getEncoder().encodeToString(BINARY));

  private final List<JsonMessage<Order>> seen = new CopyOnWriteArrayList<>();
  private final MessageHandler unwrapping = Json.of(Order.class).unwrapSns().messageHandler(seen::add);

  @Test
  void unwrapSns_readsTheMessageTextAndTheNotification() throws Exception {
    Message message = message(snsEnvelope(order("o-1", 3), ATTRIBUTES));

    unwrapping.handle(message);

    JsonMessage<Order> m = seen.getFirst();
    assertThat(m.payload()).isEqualTo(new Order("o-1", 3));
    assertThat(m.message()).isSameAs(message);
    SnsNotification sns = m.sns().orElseThrow();
    assertThat(sns.messageId()).isEqualTo("22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324");
    assertThat(sns.topicArn()).isEqualTo("arn:aws:sns:us-east-1:123456789012:orders");
    assertThat(sns.subject()).contains("new order");
    assertThat(sns.timestamp()).contains(Instant.parse("2026-12-01T10:15:30.123Z"));
    assertThat(sns.toString()).doesNotContain("new order").doesNotContain("acme");
  }

  @Test
  void unwrapSns_messageAttributesOfEveryType() throws Exception {
    unwrapping.handle(message(snsEnvelope(order("o-1", 3), ATTRIBUTES)));

    JsonMessage<Order> m = seen.getFirst();
    assertThat(m.attributes()).isSameAs(m.sns().orElseThrow().messageAttributes());
    assertThat(m.attributes()).containsOnlyKeys("tenant", "priority", "tags", "signature");
    assertThat(m.attributes().get("tenant")).isEqualTo(MessageAttribute.ofString("String", "acme"));
    assertThat(m.attributes().get("priority")).isEqualTo(MessageAttribute.ofString("Number", "7"));
    assertThat(m.attributes().get("tags")).isEqualTo(MessageAttribute.ofString("String.Array", "[\"a\",\"b\"]"));
    MessageAttribute signature = m.attributes().get("signature");
    assertThat(signature.isBinary()).isTrue();
    assertThat(signature.binaryValue()).containsExactly(BINARY);
  }

  @Test
  void unwrapSns_envelopeWithoutAttributesOrSubject() throws Exception {
    String body = snsEnvelope(order("o-1", 3), null).replace("\"Subject\" : \"new order\",", "");

    unwrapping.handle(message(body));

    assertThat(seen.getFirst().sns().orElseThrow().subject()).isEmpty();
    assertThat(seen.getFirst().attributes()).isEmpty();
  }

  /** A raw delivery (or a direct send) to the same queue: the body is the payload, with the message's attributes. */
  @Test
  void unwrapSns_bodyThatIsNoSnsMessagePassesThrough() throws Exception {
    Message raw = Message.builder().id("raw").body(order("o-2", 1)).receiptHandle("rh")
        .messageAttribute("tenant", MessageAttribute.ofString("String", "acme")).build();

    unwrapping.handle(raw);

    JsonMessage<Order> m = seen.getFirst();
    assertThat(m.payload()).isEqualTo(new Order("o-2", 1));
    assertThat(m.sns()).isEmpty();
    assertThat(m.attributes()).isEqualTo(raw.messageAttributes());
  }

  @Test
  void unwrapSns_payloadHoldingTypeFieldOnlyPassesThrough() throws Exception {
    record Event(String Type, String name) {}
    List<Event> events = new CopyOnWriteArrayList<>();

    Json.of(Event.class).unwrapSns().handler(events::add).handle(message("{\"Type\":\"Notification\",\"name\":\"n\"}"));

    assertThat(events).containsExactly(new Event("Notification", "n"));
  }

  @Test
  void unwrapSns_subscriptionConfirmationUnparsable() {
    String body = snsEnvelope("You have chosen to subscribe", null)
        .replace("\"Notification\"", "\"SubscriptionConfirmation\"");

    assertUnparsable(body, "an SNS message of Type 'SubscriptionConfirmation', not a Notification");
  }

  @Test
  void unwrapSns_notificationWithoutMessageUnparsable() {
    String body = snsEnvelope(order("o", 1), null).replaceFirst("\"Message\" : \"[^\\n]*\",", "");

    assertUnparsable(body, "an SNS notification without a Message or MessageId string");
  }

  @Test
  void unwrapSns_binaryAttributeNotBase64Unparsable() {
    String body = snsEnvelope(order("o", 1), "{\"sig\":{\"Type\":\"Binary\",\"Value\":\"not base64!\"}}");

    assertUnparsable(body, "the SNS Binary message attribute 'sig' is not Base64");
  }

  @Test
  void unwrapSns_messageThatIsNotTheTypeUnparsable() {
    assertUnparsable(snsEnvelope("hello, not json", null),
        "StreamReadException at line 1, column 1 in the SNS Message");
    assertUnparsable(snsEnvelope("null", null), "the SNS Message is JSON null");
  }

  @Test
  void unwrapSns_bodyNotJsonUnparsable() {
    assertUnparsable("<xml/>", "StreamReadException at line 1, column 1");
  }

  @Test
  void unwrapSns_offReadsTheEnvelopeItself() throws Exception {
    record Envelope(String Type, String TopicArn, String Message) {}
    List<Envelope> envelopes = new CopyOnWriteArrayList<>();

    Json.handler(Envelope.class, envelopes::add).handle(message(snsEnvelope(order("o", 1), null)));

    assertThat(envelopes.getFirst().Message()).isEqualTo(order("o", 1));
  }

  @Test
  void unwrapSns_bodyBytesNotInReason() {
    String secret = "s3cr3t";
    Throwable thrown = catchThrowable(() -> unwrapping.handle(message(snsEnvelope("{\"id\":" + secret + "}", null))));

    assertThat(thrown).isInstanceOf(PermanentFailureException.class).hasMessageNotContaining(secret);
    assertThat(new String(thrown.getMessage().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
        .endsWith("in the SNS Message");
  }

  private void assertUnparsable(String body, String reason) {
    Message message = message(body);
    Throwable thrown = catchThrowable(() -> unwrapping.handle(message));
    assertThat(thrown).isInstanceOf(PermanentFailureException.class);
    assertThat(thrown.getCause()).isInstanceOf(UnparsableBodyException.class)
        .hasMessageEndingWith(": " + reason);
    assertThat(((UnparsableBodyException) thrown.getCause()).messageId()).isEqualTo(message.id());
    assertThat(seen).isEmpty();
  }
}
