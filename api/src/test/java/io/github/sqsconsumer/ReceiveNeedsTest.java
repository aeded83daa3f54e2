package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.spi.ReceiveAttributes;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.RunnerContext;
import io.github.sqsconsumer.spi.RunnerProvider;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** What a consumer's receives ask for: the core's, the user's and the hooks' attributes together. */
final class ReceiveNeedsTest {

  /** A hook that reads the given attributes and does nothing else. */
  private static HandlerHook reading(Set<String> system, Set<String> message) {
    return new HandlerHook() {
      @Override
      public Set<String> systemAttributeNames() {
        return system;
      }

      @Override
      public Set<String> messageAttributeNames() {
        return message;
      }

      @Override
      public Object before(List<Message> messages) {
        return null;
      }

      @Override
      public void after(List<Message> messages, Object state, Throwable failure, BatchResult result) {}
    };
  }

  private static Consumer.Builder builder() {
    return Consumer.builder().queue("orders").handler(m -> {});
  }

  @Test
  void of_defaults_messageAttributesAllAndTheSystemAttributesMessageNames() {
    ReceiveAttributes asked = ReceiveNeeds.of(builder().validate());

    assertThat(asked.messageAttributeNames()).containsExactly("All");
    assertThat(asked.systemAttributeNames()).containsExactlyInAnyOrder(Message.APPROXIMATE_RECEIVE_COUNT,
        Message.SENT_TIMESTAMP, Message.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP, Message.MESSAGE_GROUP_ID,
        Message.MESSAGE_DEDUPLICATION_ID, Message.SEQUENCE_NUMBER);
  }

  @Test
  void of_userAsksForNone_onlyTheCoresNeeds() {
    ReceiveAttributes asked =
        ReceiveNeeds.of(builder().systemAttributeNames().messageAttributeNames().validate());

    assertThat(asked).isEqualTo(ReceiveNeeds.CORE);
    assertThat(asked.systemAttributeNames())
        .containsExactly(Message.APPROXIMATE_RECEIVE_COUNT, Message.MESSAGE_GROUP_ID);
    assertThat(asked.messageAttributeNames()).isEmpty();
  }

  @Test
  void of_unionOfCoreUserAndEveryHook() {
    ReceiveAttributes asked = ReceiveNeeds.of(builder()
        .systemAttributeNames("SenderId").messageAttributeNames("orders.id", "orders.id")
        .hook(reading(Set.of("AWSTraceHeader"), Set.of("traceparent", "tracestate")))
        .hook(reading(Set.of(Message.SENT_TIMESTAMP), Set.of()))
        .validate());

    assertThat(asked.systemAttributeNames()).containsExactly("AWSTraceHeader", Message.APPROXIMATE_RECEIVE_COUNT,
        Message.MESSAGE_GROUP_ID, "SenderId", Message.SENT_TIMESTAMP);
    assertThat(asked.messageAttributeNames()).containsExactly("orders.id", "traceparent", "tracestate");
  }

  @Test
  void of_aHookAskingForAll_getsAll() {
    ReceiveAttributes asked = ReceiveNeeds.of(builder().messageAttributeNames()
        .hook(reading(Set.of(), Set.of("All"))).validate());

    assertThat(asked.messageAttributeNames()).containsExactly("All");
  }

  @Test
  void build_theRunnerIsGivenTheUnion() {
    AtomicReference<ReceiveAttributes> seen = new AtomicReference<>();
    RunnerProvider runner = new RunnerProvider() {
      @Override
      public String name() {
        return "seeing";
      }

      @Override
      public void validate(RunnerContext context) {
        seen.set(context.receiveAttributes());
      }

      @Override
      public Runner create(RunnerContext context) {
        throw new AssertionError("not started");
      }
    };
    Consumer.Builder builder = builder().systemAttributeNames().messageAttributeNames()
        .hook(reading(Set.of("AWSTraceHeader"), Set.of("traceparent")));

    DefaultConsumer.create(builder.validate(), runner, TestParts.worker(new TestParts.ThreadWorker[1]),
        TestParts.harvester()).close();

    assertThat(seen.get()).isEqualTo(ReceiveAttributes.of(
        List.of("AWSTraceHeader", Message.APPROXIMATE_RECEIVE_COUNT, Message.MESSAGE_GROUP_ID),
        List.of("traceparent")));
  }

  @Test
  void build_blankAttributeName() {
    assertThatThrownBy(() -> builder().systemAttributeNames("SentTimestamp", " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("systemAttributeNames must not be blank but one was ' '");
    assertThatThrownBy(() -> builder().messageAttributeNames(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("messageAttributeNames must not be blank but one was ''");
  }
}
