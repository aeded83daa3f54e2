package io.github.sqsconsumer.testkit.elasticmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The extension as JUnit runs it: each sample class below is run by the Jupiter engine through the
 * platform's {@link EngineTestKit}, its assertions inside, and the outcome checked here. Samples are static
 * nested classes, which surefire does not run by themselves.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ElasticMqExtensionTest {
  /** The servers the samples saw, by sample; read after the run. */
  static final Map<String, ElasticMqServer> SERVERS = new ConcurrentHashMap<>();

  @BeforeEach
  void forgetServers() {
    SERVERS.clear();
  }

  private static Events run(Class<?>... classes) {
    var request = EngineTestKit.engine("junit-jupiter");
    for (Class<?> type : classes) {
      request.selectors(selectClass(type));
    }
    return request.execute().testEvents();
  }

  @Test
  void perClass_injectsServerClientAndQueues_recreatesQueuesBetweenTests_stopsAfterTheClass() {
    run(PerClassSample.class).assertStatistics(stats -> stats.started(2).succeeded(2));

    assertThat(SERVERS).containsOnlyKeys("first", "second");
    assertThat(SERVERS.get("first")).isSameAs(SERVERS.get("second"));
    assertThat(SERVERS.get("first").isRunning()).as("stopped after the class").isFalse();
  }

  @Test
  void fifo_hasContentBasedDeduplication() {
    run(FifoSample.class).assertStatistics(stats -> stats.started(1).succeeded(1));
  }

  @Test
  void deadLetter_receivesWhatWasReceivedMaxReceiveCountTimes() {
    run(DeadLetterSample.class).assertStatistics(stats -> stats.started(1).succeeded(1));
  }

  @Test
  void shared_oneServerForEveryClass_stoppedAtTheEndOfTheRun() {
    run(SharedSampleA.class, SharedSampleB.class).assertStatistics(stats -> stats.started(2).succeeded(2));

    assertThat(SERVERS.get("a")).isSameAs(SERVERS.get("b"));
    assertThat(SERVERS.get("a").isRunning()).isFalse();
  }

  @Test
  void perClass_eachClassItsOwnServer() {
    run(PerClassSample.class, FifoSample.class).assertStatistics(stats -> stats.succeeded(3));

    assertThat(SERVERS.get("first")).isNotSameAs(SERVERS.get("fifo"));
  }

  @Test
  void queueParameter_withoutAnnotationOrOfAnotherType_failsSayingWhy() {
    Events events = run(MisdeclaredSample.class);

    events.assertStatistics(stats -> stats.started(4).failed(4));
    events.assertThatEvents()
        .haveExactly(1, event(finishedWithFailure(instanceOf(ParameterResolutionException.class),
            message(m -> m.startsWith("a TestQueue parameter needs @SqsQueue(name = ...)")))))
        .haveExactly(1, event(finishedWithFailure(instanceOf(ParameterResolutionException.class),
            message(m -> m.startsWith("@SqsQueue applies to a TestQueue or a String (its URL), not to int")))))
        .haveExactly(1, event(finishedWithFailure(instanceOf(ParameterResolutionException.class),
            message("@DeadLetter of queue jobs: maxReceiveCount must be between 1 and 1000 but was 0"))))
        .haveExactly(1, event(finishedWithFailure(instanceOf(ParameterResolutionException.class),
            message(m -> m.startsWith("queue dual is declared twice with different settings for one test")))));
  }

  @ExtendWith(ElasticMqExtension.class)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static final class PerClassSample {
    @Test
    @Order(1)
    void first(ElasticMqServer server, SqsAsyncClient client, @SqsQueue(name = "orders") TestQueue orders,
        @SqsQueue(name = "orders") String url) throws Exception {
      SERVERS.put("first", server);
      assertThat(server.endpoint().getHost()).isEqualTo("127.0.0.1");
      assertThat(url).isEqualTo(orders.url()).isEqualTo(server.endpoint() + "/000000000000/orders");
      assertThat(orders.sendMessages(12)).hasSize(12).startsWith("message-1").endsWith("message-12");
      assertThat(orders.count()).isEqualTo(12);
      List<Message> got = client.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(1)).get().messages();
      assertThat(got).extracting(Message::body).containsExactly("message-1");
      assertThat(orders.count()).as("in flight counts").isEqualTo(12);
      // leaves 12 messages behind, one in flight
    }

    @Test
    @Order(2)
    void second(ElasticMqServer server, @SqsQueue(name = "orders") TestQueue orders) {
      SERVERS.put("second", server);
      assertThat(orders.count()).as("the queue was made again").isZero();
      orders.send("{\"id\":\"o-1\"}", Map.of("tenant", "acme"));
      assertThat(orders.drain()).singleElement().satisfies(m -> {
        assertThat(m.body()).isEqualTo("{\"id\":\"o-1\"}");
        assertThat(m.messageAttributes().get("tenant").stringValue()).isEqualTo("acme");
      });
      orders.awaitEmpty();
    }
  }

  @ExtendWith(ElasticMqExtension.class)
  static final class FifoSample {
    @Test
    void fifo(ElasticMqServer server, @SqsQueue(name = "events", fifo = true) TestQueue events) {
      SERVERS.put("fifo", server);
      assertThat(events.name()).isEqualTo("events.fifo");
      assertThat(events.isFifo()).isTrue();
      events.send("same");
      events.send("same");
      events.send("same", "other-group"); // deduplicated by content, whatever the group
      events.sendAll(List.of("x", "y"));
      assertThat(events.count()).isEqualTo(3);
      assertThat(events.drain()).extracting(Message::body).containsExactly("same", "x", "y");
    }
  }

  @ExtendWith(ElasticMqExtension.class)
  static final class DeadLetterSample {
    @Test
    void redrive(SqsAsyncClient client,
        @SqsQueue(name = "jobs", deadLetter = @DeadLetter(maxReceiveCount = 2)) TestQueue jobs) throws Exception {
      assertThat(jobs.deadLetters().name()).isEqualTo("jobs-dlq");
      jobs.send("poison");
      for (int receive = 1; receive <= 2; receive++) {
        List<Message> got = client.receiveMessage(b -> b.queueUrl(jobs.url()).visibilityTimeout(0)
            .waitTimeSeconds(1)).get().messages();
        assertThat(got).as("receive %d", receive).extracting(Message::body).containsExactly("poison");
      }
      // the third receive finds it received twice: ElasticMQ moves it instead of handing it out
      assertThat(client.receiveMessage(b -> b.queueUrl(jobs.url()).waitTimeSeconds(0)).get().messages()).isEmpty();

      jobs.deadLetters().awaitAtLeast(1);
      jobs.awaitEmpty();
      assertThat(jobs.deadLetters().drain()).extracting(Message::body).containsExactly("poison");
    }
  }

  static final class SharedSampleA {
    @RegisterExtension
    static final ElasticMqExtension SQS = ElasticMqExtension.shared();

    @Test
    void a(ElasticMqServer server, @SqsQueue(name = "shared") TestQueue queue) {
      SERVERS.put("a", server);
      queue.send("left behind");
    }
  }

  static final class SharedSampleB {
    @RegisterExtension
    static final ElasticMqExtension SQS = ElasticMqExtension.shared();

    @Test
    void b(ElasticMqServer server, @SqsQueue(name = "shared") TestQueue queue) {
      SERVERS.put("b", server);
      assertThat(queue.count()).as("made afresh on the first use in a class").isZero();
    }
  }

  @ExtendWith(ElasticMqExtension.class)
  static final class MisdeclaredSample {
    @Test
    void unannotated(TestQueue queue) {}

    @Test
    void wrongType(@SqsQueue(name = "orders") int queue) {}

    @Test
    void badDeadLetter(@SqsQueue(name = "jobs", deadLetter = @DeadLetter(maxReceiveCount = 0)) TestQueue queue) {}

    /** The second declaration would make the queue again, and the first handle describe one that is gone. */
    @Test
    void declaredTwiceOtherwise(@SqsQueue(name = "dual", visibilityTimeoutSeconds = 5) TestQueue fast,
        @SqsQueue(name = "dual", visibilityTimeoutSeconds = 600) TestQueue slow) {}
  }
}
