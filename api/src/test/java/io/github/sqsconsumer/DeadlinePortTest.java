package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.TestParts.ListRunner;
import io.github.sqsconsumer.TestParts.ThreadWorker;
import io.github.sqsconsumer.spi.AbstractHarvester;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.HarvesterCallback;
import io.github.sqsconsumer.spi.HarvesterContext;
import io.github.sqsconsumer.spi.HarvesterProvider;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.ReceiveAttributes;
import io.github.sqsconsumer.spi.Settings;
import io.github.sqsconsumer.spi.VisibilityChange;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * [every port answer comes within a deadline] (DeadlinePort): an answer the runner never gives fails with a
 * TimeoutException at the deadline and the runner's future is cancelled; a harvester over such a port
 * retries, reports the message failed and gets its room back; the consumer gives its harvester the runner
 * behind one.
 */
@Timeout(30)
final class DeadlinePortTest {
  private static final Duration DEADLINE = Duration.ofMillis(200);

  /** Answers after {@code answerAfter}, or never when it is null; records what it returned. */
  private static class SlowPort implements QueuePort {
    final List<CompletableFuture<?>> sent = new CopyOnWriteArrayList<>();
    private final Duration answerAfter;

    SlowPort(Duration answerAfter) {
      this.answerAfter = answerAfter;
    }

    private <T> CompletableFuture<T> answer(T value) {
      CompletableFuture<T> answer = new CompletableFuture<>();
      sent.add(answer);
      if (answerAfter != null) {
        CompletableFuture.delayedExecutor(answerAfter.toNanos(), TimeUnit.NANOSECONDS)
            .execute(() -> answer.complete(value));
      }
      return answer;
    }

    @Override
    public CompletableFuture<Void> delete(Message message) {
      return answer(null);
    }

    @Override
    public CompletableFuture<Void> changeVisibility(Message message, Duration visibility) {
      return answer(null);
    }

    @Override
    public CompletableFuture<BatchReply> deleteBatch(List<Message> messages) {
      return answer(BatchReply.ok());
    }

    @Override
    public CompletableFuture<BatchReply> changeVisibilityBatch(List<VisibilityChange> changes) {
      return answer(BatchReply.ok());
    }
  }

  private static Throwable failureOf(CompletableFuture<?> future) {
    return assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .actual().getCause();
  }

  @Test
  void neverAnswered_eachCallFailsAtTheDeadline_runnersFutureCancelled() {
    SlowPort runner = new SlowPort(null);
    DeadlinePort port = new DeadlinePort("orders", runner, DEADLINE);
    Message message = TestParts.message(1);
    long start = System.nanoTime();

    List<CompletableFuture<?>> answers = List.of(port.delete(message),
        port.changeVisibility(message, Duration.ZERO), port.deleteBatch(List.of(message)),
        port.changeVisibilityBatch(List.of(new VisibilityChange(message, Duration.ZERO))));

    assertThat(answers).allSatisfy(answer -> assertThat(failureOf(answer)).isInstanceOf(TimeoutException.class)
        .hasMessageStartingWith("the queue did not answer a ")
        .hasMessageEndingWith(" within " + DEADLINE.toMillis() + " ms"));
    assertThat(failureOf(answers.get(2))).hasMessageContaining("a batch of deletes");
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(DEADLINE.toNanos());
    assertThat(runner.sent).hasSize(4).allSatisfy(f -> assertThat(f).isCancelled());
  }

  @Test
  void answeredBeforeTheDeadline_answerPassedOn_runnersFutureLeftAlone() throws Exception {
    SlowPort runner = new SlowPort(Duration.ofMillis(20));
    DeadlinePort port = new DeadlinePort("orders", runner, Duration.ofSeconds(10));

    BatchReply reply = port.deleteBatch(List.of(TestParts.message(1))).get(10, TimeUnit.SECONDS);

    assertThat(reply.failures()).isEmpty();
    assertThat(runner.sent).singleElement().satisfies(f -> assertThat(f).isCompleted().isNotCancelled());
  }

  @Test
  void doneAnswerNullAndThrow_passedThroughAsTheyAre() {
    CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
    AtomicReference<CompletableFuture<Void>> next = new AtomicReference<>(done);
    QueuePort runner = new SlowPort(null) {
      @Override
      public CompletableFuture<Void> delete(Message message) {
        CompletableFuture<Void> answer = next.get();
        if (answer == null) {
          throw new IllegalStateException("a runner that throws");
        }
        return answer;
      }

      @Override
      public CompletableFuture<Void> changeVisibility(Message message, Duration visibility) {
        return null; // a broken runner: the callers report it
      }
    };
    DeadlinePort port = new DeadlinePort("orders", runner, DEADLINE);
    Message message = TestParts.message(1);

    assertThat(port.delete(message)).isSameAs(done); // in process: no copy, no timer
    assertThat(port.changeVisibility(message, Duration.ZERO)).isNull();
    next.set(null);
    assertThatThrownBy(() -> port.delete(message)).isInstanceOf(IllegalStateException.class);
  }

  /** Records the reports. */
  private static final class Reports implements HarvesterCallback {
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    final CountDownLatch reported = new CountDownLatch(1);

    @Override
    public void acknowledged(Message message) {
      reported.countDown();
    }

    @Override
    public void released(Message message, Duration visibility) {
      reported.countDown();
    }

    @Override
    public void failed(Message message, Throwable cause) {
      failures.add(cause);
      reported.countDown();
    }
  }

  /** One delete per request, retried after the harvester's backoff; room for one message, two attempts. */
  private static final class OneByOne extends AbstractHarvester {
    OneByOne(HarvesterContext context) {
      super(context, 1, 2);
    }

    @Override
    protected void sendNow(Entry entry) {
      call(() -> port().delete(entry.message())).whenComplete((ignored, failure) -> answered(entry, failure));
    }

    @Override
    protected boolean retryLater(Entry entry) {
      CompletableFuture.delayedExecutor(entry.dueNanos() - System.nanoTime(), TimeUnit.NANOSECONDS).execute(() -> {
        if (isUnsettled(entry)) {
          sendNow(entry);
        }
      });
      return true;
    }
  }

  /** The context the consumer would give its harvester, with this port and callback. */
  private static HarvesterContext context(QueuePort port, HarvesterCallback callback) {
    return new PartContextImpl("orders", Settings.of(Map.of()), Map.of(), "orders", 1, null,
        ReceiveAttributes.NONE, port, callback);
  }

  @Test
  void harvesterOverARunnerThatNeverAnswers_retriesReportsFailedAndGetsItsRoomBack() throws Exception {
    SlowPort runner = new SlowPort(null);
    Reports reports = new Reports();
    OneByOne harvester = new OneByOne(context(new DeadlinePort("orders", runner, DEADLINE), reports));
    long start = System.nanoTime();

    harvester.acknowledge(TestParts.message(1));

    assertThat(reports.reported.await(10, TimeUnit.SECONDS)).as("reported within the deadlines").isTrue();
    assertThat(System.nanoTime() - start).as("two attempts, each cut at the deadline")
        .isGreaterThanOrEqualTo(DEADLINE.multipliedBy(2).toNanos());
    assertThat(reports.failures).singleElement().satisfies(cause -> assertThat(
        cause instanceof CompletionException ? cause.getCause() : cause).isInstanceOf(TimeoutException.class));
    assertThat(runner.sent).hasSize(2).allSatisfy(f -> assertThat(f).isCancelled());
    harvester.acknowledge(TestParts.message(2)); // room for one: the first no longer holds it
    harvester.close(Duration.ZERO);
  }

  @Test
  void consumer_givesItsHarvesterTheRunnerBehindADeadline() throws Exception {
    AtomicReference<QueuePort> given = new AtomicReference<>();
    HarvesterProvider capturing = new HarvesterProvider() {
      @Override
      public String name() {
        return "capturing";
      }

      @Override
      public Harvester create(HarvesterContext context) {
        given.set(context.port());
        return TestParts.harvester().create(context);
      }
    };
    ThreadWorker[] worker = new ThreadWorker[1];
    Consumer consumer = DefaultConsumer.create(Consumer.builder().queue("orders").handler(m -> {}).validate(),
        TestParts.runner(new ListRunner()), TestParts.worker(worker), capturing);
    try {
      consumer.start();
      assertThat(given.get()).isInstanceOf(DeadlinePort.class);
    } finally {
      consumer.close();
    }
  }
}
