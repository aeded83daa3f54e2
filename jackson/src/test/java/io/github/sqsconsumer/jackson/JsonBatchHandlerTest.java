package io.github.sqsconsumer.jackson;

import static io.github.sqsconsumer.jackson.Messages.fifoMessage;
import static io.github.sqsconsumer.jackson.Messages.message;
import static io.github.sqsconsumer.jackson.Messages.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.BatchHandler;
import io.github.sqsconsumer.BatchResult;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.PermanentFailureException;
import io.github.sqsconsumer.jackson.Messages.Order;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The batch adapter: each body's outcome on its own, merged with the user's result. */
final class JsonBatchHandlerTest {
  private final List<List<Order>> batches = new CopyOnWriteArrayList<>();

  private BatchHandler allSucceed(Json<Order> json) {
    return json.batchHandler(batch -> {
      batches.add(batch.stream().map(JsonMessage::payload).toList());
      return BatchResult.success();
    });
  }

  @Test
  void batchHandler_oneUnparsableBodyFailsOnlyItsMessage() throws Exception {
    Message a = message(order("a", 1));
    Message bad = message("{oops");
    Message c = message(order("c", 3));

    BatchResult result = allSucceed(Json.of(Order.class)).handle(List.of(a, bad, c));

    assertThat(batches).containsExactly(List.of(new Order("a", 1), new Order("c", 3)));
    assertThat(result.failures()).containsOnlyKeys(bad);
    assertThat(result.failureOf(bad).orElseThrow()).isInstanceOf(PermanentFailureException.class)
        .cause().isInstanceOf(UnparsableBodyException.class);
  }

  @Test
  void batchHandler_retriedUnparsableIsAPlainFailure() throws Exception {
    Message bad = message("{oops");

    BatchResult result = allSucceed(Json.of(Order.class).onUnparsable(UnparsableBody.RETRY))
        .handle(List.of(message(order("a", 1)), bad));

    assertThat(result.failures()).containsOnlyKeys(bad);
    assertThat(result.failureOf(bad).orElseThrow()).isInstanceOf(UnparsableBodyException.class);
  }

  @Test
  void batchHandler_userFailuresMergedWithUnparsable() throws Exception {
    Message a = message(order("a", 1));
    Message bad = message("[]");
    Message c = message(order("c", 3));
    IllegalStateException failure = new IllegalStateException("c failed");

    BatchResult result = Json.batchHandler(Order.class,
        batch -> BatchResult.builder().failed(batch.get(1).message(), failure).build()).handle(List.of(a, bad, c));

    assertThat(result.failures()).containsOnlyKeys(bad, c);
    assertThat(result.failureOf(c).orElseThrow()).isSameAs(failure);
    assertThat(result.failureOf(bad).orElseThrow()).isInstanceOf(PermanentFailureException.class);
  }

  @Test
  void batchHandler_exceptionFailsTheMessagesItWasGiven() throws Exception {
    Message a = message(order("a", 1));
    Message bad = message("{oops");
    IllegalStateException failure = new IllegalStateException("database down");

    BatchResult result = Json.batchHandler(Order.class, batch -> {
      throw failure;
    }).handle(List.of(a, bad));

    assertThat(result.failureOf(a).orElseThrow()).isSameAs(failure);
    assertThat(result.failureOf(bad).orElseThrow()).isInstanceOf(PermanentFailureException.class);
  }

  @Test
  void batchHandler_nullResultFailsTheMessagesItWasGiven() throws Exception {
    Message a = message(order("a", 1));

    BatchResult result = Json.batchHandler(Order.class, batch -> null).handle(List.of(a));

    assertThat(result.failureOf(a).orElseThrow()).isInstanceOf(NullPointerException.class)
        .hasMessage("the batch handler returned null instead of a BatchResult");
  }

  @Test
  void batchHandler_errorFailsTheWholeBatch() {
    BatchHandler handler = Json.batchHandler(Order.class, batch -> {
      throw new AssertionError("boom");
    });

    assertThatThrownBy(() -> handler.handle(List.of(message(order("a", 1))))).isInstanceOf(AssertionError.class);
  }

  @Test
  void batchHandler_noBodyReadsHandlerNotCalled() throws Exception {
    Message bad1 = message("{oops");
    Message bad2 = message("null");

    BatchResult result = allSucceed(Json.of(Order.class)).handle(List.of(bad1, bad2));

    assertThat(batches).isEmpty();
    assertThat(result.failures()).containsOnlyKeys(bad1, bad2);
  }

  @Test
  void batchHandler_listIsUnmodifiable() throws Exception {
    Message a = message(order("a", 1));

    BatchResult result = Json.batchHandler(Order.class, batch -> {
      batch.clear();
      return BatchResult.success();
    }).handle(List.of(a));

    assertThat(result.failureOf(a).orElseThrow()).isInstanceOf(UnsupportedOperationException.class);
  }

  /** FIFO: a message that comes back holds back the rest of its group, which must not run before it. */
  @Test
  void batchHandler_fifoRetriedBodyHoldsBackTheRestOfItsGroup() throws Exception {
    Message a = fifoMessage(order("a", 1), "g");
    Message bad = fifoMessage("{oops", "g");
    Message c = fifoMessage(order("c", 3), "g");

    BatchResult result = allSucceed(Json.of(Order.class).onUnparsable(UnparsableBody.RETRY)).handle(List.of(a, bad, c));

    assertThat(batches).containsExactly(List.of(new Order("a", 1)));
    assertThat(result.failureOf(a)).isEmpty();
    assertThat(result.failureOf(bad).orElseThrow()).isInstanceOf(UnparsableBodyException.class);
    assertThat(result.failureOf(c).orElseThrow()).isInstanceOf(IllegalStateException.class)
        .hasMessage("not handled: message " + bad.id() + " before it in its FIFO group failed");
  }

  @Test
  void batchHandler_fifoDiscardedBodyDoesNotHoldBack() throws Exception {
    Message a = fifoMessage(order("a", 1), "g");
    Message bad = fifoMessage("{oops", "g");
    Message c = fifoMessage(order("c", 3), "g");

    BatchResult result = allSucceed(Json.of(Order.class)).handle(List.of(a, bad, c));

    assertThat(batches).containsExactly(List.of(new Order("a", 1), new Order("c", 3)));
    assertThat(result.failures()).containsOnlyKeys(bad);
  }

  /** FIFO: only the failed message's own group is held back; a receive may bring several groups. */
  @Test
  void batchHandler_fifoRetriedBodyHoldsBackOnlyItsOwnGroup() throws Exception {
    Message bad = fifoMessage("{oops", "g1");
    Message behind = fifoMessage(order("b", 2), "g1");
    Message other = fifoMessage(order("o", 3), "g2");

    BatchResult result = allSucceed(Json.of(Order.class).onUnparsable(UnparsableBody.RETRY))
        .handle(List.of(bad, behind, other));

    assertThat(batches).containsExactly(List.of(new Order("o", 3)));
    assertThat(result.failures()).containsOnlyKeys(bad, behind);
  }

  /** A failure naming no message of the batch is passed on: the consumer matches it by id or fails the batch. */
  @Test
  void batchHandler_failureNamingAnotherMessageIsPassedOn() throws Exception {
    Message a = message(order("a", 1));
    Message elsewhere = message(order("x", 9));
    IllegalStateException failure = new IllegalStateException("meant for another");

    BatchResult result = Json.batchHandler(Order.class, batch -> BatchResult.builder().failed(elsewhere, failure).build())
        .handle(List.of(a));

    assertThat(result.failures()).containsExactly(java.util.Map.entry(elsewhere, failure));
  }
}
