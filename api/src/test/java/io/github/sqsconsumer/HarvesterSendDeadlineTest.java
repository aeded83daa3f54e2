package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.spi.AbstractHarvester;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.HarvesterCallback;
import io.github.sqsconsumer.spi.HarvesterContext;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.Settings;
import io.github.sqsconsumer.spi.VisibilityChange;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A send through {@link AbstractHarvester#call} that the port never answers counts as a transient failure
 * after the harvester's send deadline: it is retried, then reported failed, the port's futures are
 * cancelled, and the room the entry held comes back. The harvester here deletes one message per request
 * (the class's own example).
 */
@Timeout(30)
final class HarvesterSendDeadlineTest {
  private static final Duration DEADLINE = Duration.ofMillis(200);

  /** Deletes answer after {@code answerAfter}, or never when it is null. */
  private static final class SlowPort implements QueuePort {
    final List<CompletableFuture<Void>> sent = new CopyOnWriteArrayList<>();
    private final Duration answerAfter;

    SlowPort(Duration answerAfter) {
      this.answerAfter = answerAfter;
    }

    @Override
    public CompletableFuture<Void> delete(Message message) {
      CompletableFuture<Void> answer = new CompletableFuture<>();
      sent.add(answer);
      if (answerAfter != null) {
        CompletableFuture.delayedExecutor(answerAfter.toNanos(), TimeUnit.NANOSECONDS)
            .execute(() -> answer.complete(null));
      }
      return answer;
    }

    @Override
    public CompletableFuture<Void> changeVisibility(Message message, Duration visibility) {
      return delete(message);
    }

    @Override
    public CompletableFuture<BatchReply> deleteBatch(List<Message> messages) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<BatchReply> changeVisibilityBatch(List<VisibilityChange> changes) {
      throw new UnsupportedOperationException();
    }
  }

  /** Records the reports. */
  private static final class Reports implements HarvesterCallback {
    final List<Message> acknowledged = new CopyOnWriteArrayList<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    final CountDownLatch reported = new CountDownLatch(1);

    @Override
    public void acknowledged(Message message) {
      acknowledged.add(message);
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

  private static HarvesterContext context(QueuePort port, HarvesterCallback callback) {
    return new HarvesterContext() {
      @Override
      public QueuePort port() {
        return port;
      }

      @Override
      public HarvesterCallback callback() {
        return callback;
      }

      @Override
      public int concurrency() {
        return 1;
      }

      @Override
      public String consumerName() {
        return "deadline";
      }

      @Override
      public Settings settings() {
        return Settings.of(Map.of());
      }

      @Override
      public <T> Optional<T> component(Class<T> type) {
        return Optional.empty();
      }
    };
  }

  /** One delete per request, retried after the harvester's backoff; room for one message. */
  private static final class OneByOne extends AbstractHarvester {
    OneByOne(HarvesterContext context, Duration deadline) {
      super(context, 1, 2, deadline);
    }

    <T> CompletableFuture<T> send(Supplier<CompletableFuture<T>> request) {
      return call(request);
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

  @Test
  void portNeverAnswers_eachSendFailsAfterTheDeadline_reportedFailedAndRoomBack() throws Exception {
    SlowPort port = new SlowPort(null);
    Reports reports = new Reports();
    OneByOne harvester = new OneByOne(context(port, reports), DEADLINE);
    long start = System.nanoTime();

    harvester.acknowledge(TestParts.message(1));

    assertThat(reports.reported.await(10, TimeUnit.SECONDS)).as("reported within the deadlines").isTrue();
    assertThat(System.nanoTime() - start).as("two attempts, each waiting out the deadline")
        .isGreaterThanOrEqualTo(DEADLINE.multipliedBy(2).toNanos());
    assertThat(reports.failures).singleElement().isInstanceOf(TimeoutException.class);
    assertThat(port.sent).hasSize(2).allSatisfy(f -> assertThat(f).isCancelled());
    harvester.acknowledge(TestParts.message(2)); // room for one: the first no longer holds it
    harvester.close(Duration.ZERO);
  }

  @Test
  void answerBeforeTheDeadline_acknowledged_portFutureLeftAlone() throws Exception {
    SlowPort port = new SlowPort(Duration.ofMillis(20));
    Reports reports = new Reports();
    OneByOne harvester = new OneByOne(context(port, reports), Duration.ofSeconds(10));

    harvester.acknowledge(TestParts.message(1));

    assertThat(reports.reported.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(reports.acknowledged).extracting(Message::id).containsExactly("m1");
    assertThat(port.sent).singleElement().satisfies(f -> assertThat(f).isCompleted().isNotCancelled());
    harvester.close(Duration.ofSeconds(1));
  }

  @Test
  void answeredInProcess_theSameFutureBack() {
    OneByOne harvester = new OneByOne(context(new SlowPort(null), new Reports()), DEADLINE);
    CompletableFuture<String> done = CompletableFuture.completedFuture("answered");

    assertThat(harvester.send(() -> done)).isSameAs(done);
    assertThat(harvester.send(() -> null)).isCompletedExceptionally();
    assertThat(harvester.send(() -> {
      throw new AssertionError("a port that throws");
    })).isCompletedExceptionally();
  }

  @Test
  void sendDeadline_notPositive_rejected() {
    HarvesterContext context = context(new SlowPort(null), new Reports());

    assertThatThrownBy(() -> new OneByOne(context, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sendDeadline must be positive but was PT0S");
  }
}
