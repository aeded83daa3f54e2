package io.github.sqsconsumer.it;

// README testing begin
import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.RetryPolicy;
import io.github.sqsconsumer.testkit.elasticmq.DeadLetter;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqExtension;
import io.github.sqsconsumer.testkit.elasticmq.SqsQueue;
import io.github.sqsconsumer.testkit.elasticmq.TestQueue;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.Message;

@ExtendWith(ElasticMqExtension.class)   // an embedded ElasticMQ on 127.0.0.1 for this class
class OrderHandlerTest {

  @Test
  void handlesEveryOrder(SqsAsyncClient sqs, @SqsQueue(name = "orders") TestQueue orders) {
    List<String> handled = new CopyOnWriteArrayList<>();
    try (Consumer consumer = Consumer.builder()
        .queue(orders.url())
        .component(SqsAsyncClient.class, sqs)            // the extension's client, left open
        .handler(message -> handled.add(message.body()))
        .build()) {
      consumer.start();
      List<String> sent = orders.sendMessages(20);
      orders.awaitEmpty();                               // every message handled and deleted
      assertThat(handled).containsExactlyInAnyOrderElementsOf(sent);
    }
  }

  @Test
  void unpayableOrderEndsInTheDeadLetterQueue(SqsAsyncClient sqs,
      @SqsQueue(name = "payments", deadLetter = @DeadLetter(maxReceiveCount = 2)) TestQueue payments) {
    try (Consumer consumer = Consumer.builder()
        .queue(payments.url())
        .component(SqsAsyncClient.class, sqs)
        .retryPolicy(RetryPolicy.fixed(Duration.ZERO))   // retry at once
        .handler(message -> {
          throw new IllegalStateException("card declined");
        })
        .build()) {
      consumer.start();
      payments.send("{\"order\":\"o-1\"}");
      payments.deadLetters().awaitAtLeast(1);            // received twice, then moved
    }
    assertThat(payments.deadLetters().drain()).extracting(Message::body).containsExactly("{\"order\":\"o-1\"}");
  }
}
// README testing end
