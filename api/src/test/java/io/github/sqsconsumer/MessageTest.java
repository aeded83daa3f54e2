package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class MessageTest {

  @Test
  void binaryAttribute_isCopiedInAndOut() {
    byte[] bytes = {1, 2, 3};
    MessageAttribute attribute = MessageAttribute.ofBinary("Binary", bytes);
    bytes[0] = 9;
    assertThat(attribute.binaryValue()).containsExactly(1, 2, 3);
    attribute.binaryValue()[1] = 9;
    assertThat(attribute.binaryValue()).containsExactly(1, 2, 3);
    assertThat(attribute.isBinary()).isTrue();
    assertThat(attribute.stringValue()).isEqualTo("AQID");
  }

  @Test
  void attribute_typeMustMatchValue() {
    assertThatThrownBy(() -> MessageAttribute.ofBinary("String", new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a binary attribute must have a data type starting with Binary but was String");
    assertThatThrownBy(() -> MessageAttribute.ofString("Binary", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a string attribute must not have a binary data type but was Binary");
  }

  @Test
  void message_isImmutableAndReadsSystemAttributes() {
    Map<String, String> attributes = new java.util.HashMap<>(Map.of(
        Message.APPROXIMATE_RECEIVE_COUNT, "3", Message.SENT_TIMESTAMP, "1700000000000",
        Message.MESSAGE_GROUP_ID, "g1"));
    Message message = Message.builder().id("id-1").body("secret body").receiptHandle("secret-receipt")
        .attributes(attributes).messageAttribute("n", MessageAttribute.ofString("Number", "42")).build();
    attributes.clear();
    assertThat(message.attributes()).hasSize(3);
    assertThatThrownBy(() -> message.attributes().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(message.receiveCount()).isEqualTo(3);
    assertThat(message.sentTimestamp()).contains(Instant.ofEpochMilli(1_700_000_000_000L));
    assertThat(message.groupId()).contains("g1");
    assertThat(message.messageAttributes().get("n").stringValue()).isEqualTo("42");
  }

  /** The attribute maps search the builder's pairs instead of copying them; they must still act as maps. */
  @Test
  void attributes_actAsAnImmutableMapOfTheirPairs() {
    Message message = Message.builder().id("id-1").body("b").receiptHandle("r")
        .attribute(Message.SENT_TIMESTAMP, "5").attribute(Message.APPROXIMATE_RECEIVE_COUNT, "2").build();
    Map<String, String> attributes = message.attributes();
    Map<String, String> expected = Map.of(Message.SENT_TIMESTAMP, "5", Message.APPROXIMATE_RECEIVE_COUNT, "2");

    assertThat(attributes).isEqualTo(expected).hasSameHashCodeAs(expected);
    assertThat(expected).isEqualTo(attributes);
    assertThat(attributes.get("missing")).isNull();
    assertThat(attributes.containsKey(Message.SENT_TIMESTAMP)).isTrue();
    assertThat(attributes.containsKey("missing")).isFalse();
    assertThat(attributes.keySet()).containsExactly(Message.SENT_TIMESTAMP, Message.APPROXIMATE_RECEIVE_COUNT);
    assertThatThrownBy(() -> attributes.get(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> attributes.entrySet().iterator().next().setValue("x"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> attributes.keySet().remove(Message.SENT_TIMESTAMP))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(attributes::clear).isInstanceOf(UnsupportedOperationException.class);
    assertThat(attributes).hasSize(2);
  }

  @Test
  void builder_laterValueOfANameWins_andReuseLeavesBuiltMessagesUnchanged() {
    Message.Builder builder = Message.builder().id("id-1").body("b").receiptHandle("r")
        .attribute(Message.APPROXIMATE_RECEIVE_COUNT, "1").attribute(Message.SENT_TIMESTAMP, "5")
        .attribute(Message.APPROXIMATE_RECEIVE_COUNT, "2");
    Message first = builder.build();
    builder.attribute(Message.APPROXIMATE_RECEIVE_COUNT, "3").attribute(Message.MESSAGE_GROUP_ID, "g")
        .messageAttribute("n", MessageAttribute.ofString("String", "x"));
    Message second = builder.build();

    assertThat(first.attributes()).containsOnly(Map.entry(Message.APPROXIMATE_RECEIVE_COUNT, "2"),
        Map.entry(Message.SENT_TIMESTAMP, "5"));
    assertThat(first.messageAttributes()).isEmpty();
    assertThat(first.groupId()).isEmpty();
    assertThat(second.receiveCount()).isEqualTo(3);
    assertThat(second.groupId()).contains("g");
    assertThat(second.messageAttributes()).containsOnlyKeys("n");
    assertThat(second.toBuilder().build().attributes()).isEqualTo(second.attributes());
  }

  @Test
  void toString_neverShowsBodyOrReceiptHandle() {
    Message message = Message.builder().id("id-1").body("secret body").receiptHandle("secret-receipt")
        .messageAttribute("token", MessageAttribute.ofString("String", "secret value")).build();
    assertThat(message.toString()).contains("id-1").doesNotContain("secret");
    assertThat(message.messageAttributes().get("token").toString()).doesNotContain("secret");
  }

  @Test
  void equality_isPerDelivery() {
    Message first = Message.builder().id("a").body("x").receiptHandle("r1").build();
    Message again = first.toBuilder().receiptHandle("r2").build();
    assertThat(first).isNotEqualTo(again).isEqualTo(first.toBuilder().build());
  }

  @Test
  void receiveCount_garbledIsOne() {
    Message message = Message.builder().id("a").body("x").receiptHandle("r")
        .attribute(Message.APPROXIMATE_RECEIVE_COUNT, "many").build();
    assertThat(message.receiveCount()).isEqualTo(1);
  }
}
