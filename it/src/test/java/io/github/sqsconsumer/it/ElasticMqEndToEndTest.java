package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.ConsumerException;
import io.github.sqsconsumer.it.EndToEnd.Mode;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqExtension;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * Every combination end to end through the real SQS runner and the AWS SDK against an embedded ElasticMQ:
 * 5,000 messages with passing failures and slow handlers, with the single-message handler and with the
 * batch handler; and a saturating run that measures SQS requests per message.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ElasticMqEndToEndTest {
  private static final int MESSAGES = 5_000;
  /** Enough to make the start and the end (a few empty receives) negligible in requests per message. */
  private static final int SATURATING_MESSAGES = 3_000;
  /** Receive 10 + delete 10 costs 0.2 requests per message; a quarter more is the budget. */
  private static final double BATCH_REQUESTS_PER_MESSAGE = 0.25;

  @RegisterExtension
  static final ElasticMqExtension SQS = ElasticMqExtension.shared();

  private static SqsFixture sqs;

  @BeforeAll
  static void server(ElasticMqServer server) {
    sqs = SqsFixture.on(server);
  }

  @AfterAll
  static void closeFixture() {
    sqs.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sqsconsumer.it.Combination#all")
  void handler_someFailSomeSlow_allHandledQueueEmptyNothingDeletedEarly(Combination parts) throws Exception {
    EndToEnd.run(sqs, parts, MESSAGES, Mode.HANDLER, Duration.ofSeconds(90));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sqsconsumer.it.Combination#all")
  void batchHandler_partialFailures_allHandledQueueEmptyNothingDeletedEarly(Combination parts) throws Exception {
    EndToEnd.run(sqs, parts, MESSAGES, Mode.BATCH_HANDLER, Duration.ofSeconds(90));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sqsconsumer.it.Combination#all")
  void saturating_requestsPerMessage(Combination parts) throws Exception {
    EndToEnd.Result result = EndToEnd.run(sqs, parts, SATURATING_MESSAGES, Mode.SATURATING, Duration.ofSeconds(90));

    if (parts.harvester().equals("batch")) {
      assertThat(result.requestsPerMessage()).as("requests per message, floor 0.2")
          .isLessThanOrEqualTo(BATCH_REQUESTS_PER_MESSAGE);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.sqsconsumer.it.Combination#all")
  void start_missingQueue_failsSayingSo(Combination parts) {
    String missing = sqs.endpoint() + "/000000000000/no-such-queue";
    try (SqsAsyncClient client = sqs.client(null)) {
      Consumer consumer = parts.onSqs(client, missing).handler(message -> {}).build();

      assertThatThrownBy(consumer::start).isInstanceOf(ConsumerException.class)
          .hasMessageContaining("no-such-queue").hasMessageContaining("does not exist");
      assertThat(consumer.state()).isEqualTo(Consumer.State.FAILED);
    }
  }
}
