package io.github.sqsconsumer.runner.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Where the sender threads make a call, and what its future then tells; real threads, no SDK. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class SendersTest {
  private final Senders senders = new Senders("senders-test");

  @AfterEach
  void close() {
    senders.close();
  }

  /** Runs {@code body} on a new virtual thread and returns what it returned. */
  private static <T> T onVirtualThread(java.util.concurrent.Callable<T> body) throws Exception {
    AtomicReference<T> result = new AtomicReference<>();
    AtomicReference<Exception> failure = new AtomicReference<>();
    Thread.ofVirtual().start(() -> {
      try {
        result.set(body.call());
      } catch (Exception e) {
        failure.set(e);
      }
    }).join();
    if (failure.get() != null) {
      throw failure.get();
    }
    return result.get();
  }

  /** The thread that asked, the thread that made the call, and the call's answer. */
  private record Sent(Thread caller, Thread callingThread, String answer) {}

  /** Asks for a call answering {@code value} on a new virtual thread; waits for the answer. */
  private Sent sendFromVirtualThread(String value) throws Exception {
    AtomicReference<Thread> caller = new AtomicReference<>();
    AtomicReference<Thread> callingThread = new AtomicReference<>();
    CompletableFuture<String> answer = onVirtualThread(() -> {
      caller.set(Thread.currentThread());
      return senders.send(() -> {
        callingThread.set(Thread.currentThread());
        return CompletableFuture.completedFuture(value);
      });
    });
    String answered = answer.get(10, TimeUnit.SECONDS); // first: the sender records its thread before answering
    return new Sent(caller.get(), callingThread.get(), answered);
  }

  @Test
  void send_fromAVirtualThread_runsTheCallOnASenderThread() throws Exception {
    Sent sent = sendFromVirtualThread("sent");

    assertThat(sent.answer()).isEqualTo("sent");
    assertThat(sent.callingThread()).isNotSameAs(sent.caller());
    assertThat(sent.callingThread().isVirtual()).isFalse();
    assertThat(sent.callingThread().isDaemon()).isTrue();
    assertThat(sent.callingThread().getName()).isEqualTo("senders-test-sqs-sender");
  }

  @Test
  void send_fromAPlatformThread_runsTheCallOnTheCaller() throws Exception {
    AtomicReference<Thread> callingThread = new AtomicReference<>();

    CompletableFuture<String> answer = senders.send(() -> {
      callingThread.set(Thread.currentThread());
      return CompletableFuture.completedFuture("sent");
    });

    assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("sent");
    assertThat(callingThread.get()).isSameAs(Thread.currentThread());
  }

  @Test
  void send_everySenderBusy_theCallerSendsItself() throws Exception {
    CountDownLatch busy = new CountDownLatch(Senders.MAX_THREADS);
    CountDownLatch release = new CountDownLatch(1);
    List<CompletableFuture<String>> blocked = new ArrayList<>();
    try {
      for (int i = 0; i < Senders.MAX_THREADS; i++) {
        blocked.add(onVirtualThread(() -> senders.send(() -> {
          busy.countDown();
          awaitQuietly(release);
          return CompletableFuture.completedFuture("late");
        })));
      }
      assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue(); // every sender is in a call

      Sent sent = sendFromVirtualThread("now");

      assertThat(sent.answer()).isEqualTo("now");
      assertThat(sent.callingThread()).isSameAs(sent.caller());
    } finally {
      release.countDown();
    }
    for (CompletableFuture<String> late : blocked) {
      assertThat(late.get(10, TimeUnit.SECONDS)).isEqualTo("late"); // none lost
    }
  }

  @Test
  void send_aCallThatThrows_failsTheFuture() throws Exception {
    CompletableFuture<String> runtime = onVirtualThread(() -> senders.send(() -> {
      throw new IllegalStateException("client closed");
    }));
    CompletableFuture<String> error = senders.send(() -> {
      throw new AssertionError("an Error too");
    });
    CompletableFuture<String> none = onVirtualThread(() -> senders.send(() -> null));

    assertThat(causeOf(runtime)).isInstanceOf(IllegalStateException.class).hasMessage("client closed");
    assertThat(causeOf(error)).isInstanceOf(AssertionError.class);
    assertThat(causeOf(none)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void send_theSdkFutureFails_theFutureFailsWithItsCause() throws Exception {
    CompletableFuture<String> answer = onVirtualThread(() -> senders.send(
        () -> CompletableFuture.failedFuture(new IllegalArgumentException("refused"))));

    assertThat(causeOf(answer)).isInstanceOf(IllegalArgumentException.class).hasMessage("refused");
  }

  @Test
  void cancel_cancelsTheSdkFuture() throws Exception {
    CompletableFuture<String> request = new CompletableFuture<>();
    CountDownLatch sent = new CountDownLatch(1);
    CompletableFuture<String> answer = onVirtualThread(() -> senders.send(() -> {
      sent.countDown();
      return request;
    }));
    assertThat(sent.await(10, TimeUnit.SECONDS)).isTrue();

    answer.cancel(true);

    // passed on by the sender thread, maybe a moment later: the SDK aborts the request, frees its connection
    assertThatThrownBy(() -> request.get(10, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
  }

  @Test
  void cancel_aResultThatArrivesAfterwards_goesToUnclaimed() throws Exception {
    CompletableFuture<String> request = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        return false; // the response is in hand, as an SDK future's can be: nothing left to abort
      }
    };
    CountDownLatch sent = new CountDownLatch(1);
    CompletableFuture<String> unclaimed = new CompletableFuture<>();
    CompletableFuture<String> answer = onVirtualThread(() -> senders.send(() -> {
      sent.countDown();
      return request;
    }, unclaimed::complete));
    assertThat(sent.await(10, TimeUnit.SECONDS)).isTrue();

    assertThat(answer.cancel(true)).isTrue();
    request.complete("late");

    assertThat(unclaimed.get(10, TimeUnit.SECONDS)).isEqualTo("late"); // to be released, not lost
    assertThat(answer).isCancelled();
  }

  @Test
  void send_answered_nothingGoesToUnclaimed() throws Exception {
    CompletableFuture<String> unclaimed = new CompletableFuture<>();
    CompletableFuture<String> answer = onVirtualThread(() -> senders.send(
        () -> CompletableFuture.completedFuture("read"), unclaimed::complete));

    assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("read");
    assertThat(unclaimed).isNotDone();
  }

  @Test
  void send_afterClose_runsTheCallOnTheCaller() throws Exception {
    senders.close();

    Sent sent = sendFromVirtualThread("sent");

    assertThat(sent.answer()).isEqualTo("sent");
    assertThat(sent.callingThread()).isSameAs(sent.caller());
  }

  private static Throwable causeOf(CompletableFuture<?> future) throws Exception {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the future did not fail");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
