package io.github.sqsconsumer.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class ReceiveAttributesTest {

  @Test
  void union_takesTheNamesOfBoth() {
    ReceiveAttributes a = ReceiveAttributes.of(List.of("SentTimestamp"), List.of("traceparent"));
    ReceiveAttributes b = ReceiveAttributes.of(List.of("AWSTraceHeader", "SentTimestamp"), List.of("orders.*"));

    ReceiveAttributes union = a.union(b);

    assertThat(union.systemAttributeNames()).containsExactly("AWSTraceHeader", "SentTimestamp");
    assertThat(union.messageAttributeNames()).containsExactly("orders.*", "traceparent");
    assertThat(b.union(a)).isEqualTo(union);
    assertThat(a.union(ReceiveAttributes.NONE)).isEqualTo(a);
  }

  @Test
  void union_allAbsorbsTheNames() {
    ReceiveAttributes some = ReceiveAttributes.of(List.of("SentTimestamp"), List.of("traceparent"));

    assertThat(some.union(ReceiveAttributes.EVERYTHING)).isEqualTo(ReceiveAttributes.EVERYTHING);
    assertThat(ReceiveAttributes.of(List.of("All", "SenderId"), List.of(".*", "x")))
        .isEqualTo(ReceiveAttributes.EVERYTHING);
  }

  @Test
  void includes_byNameAllOrPrefix() {
    ReceiveAttributes asked = ReceiveAttributes.of(List.of("SentTimestamp"), List.of("traceparent", "orders.*"));

    assertThat(asked.includesSystemAttribute("SentTimestamp")).isTrue();
    assertThat(asked.includesSystemAttribute("SenderId")).isFalse();
    assertThat(asked.includesMessageAttribute("traceparent")).isTrue();
    assertThat(asked.includesMessageAttribute("orders.id")).isTrue();
    assertThat(asked.includesMessageAttribute("ordersid")).isFalse();
    assertThat(asked.includesMessageAttribute("tracestate")).isFalse();
    assertThat(ReceiveAttributes.EVERYTHING.includesSystemAttribute("SenderId")).isTrue();
    assertThat(ReceiveAttributes.EVERYTHING.includesMessageAttribute("anything")).isTrue();
    assertThat(ReceiveAttributes.NONE.includesSystemAttribute("SentTimestamp")).isFalse();
  }

  @Test
  void new_blankName() {
    assertThatThrownBy(() -> new ReceiveAttributes(Set.of(" "), Set.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("system attribute names must not be blank but one was ' '");
    assertThatThrownBy(() -> new ReceiveAttributes(Set.of(), Set.of("")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("message attribute names must not be blank but one was ''");
  }
}
