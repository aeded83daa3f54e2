package io.github.sqsconsumer.testkit;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.VisibilityChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A {@link QueuePort} test double for harvester tests: it answers from a script and records every call.
 *
 * <p>What it can do:
 * <ul>
 *   <li>record each request (kind, entries, visibilities, when it was sent) and count requests and batch
 *       sizes;</li>
 *   <li>fail whole requests ({@link #failNextRequests}), with a {@link QueueException} of any kind;</li>
 *   <li>fail single entries: {@link QueueException.Kind#TRANSIENT} for the first N attempts
 *       ({@link #failEntry}), or {@link QueueException.Kind#INVALID_RECEIPT} forever
 *       ({@link #invalidReceipt});</li>
 *   <li>answer later: after a fixed {@link #latency}, or only when {@link #resume()} is called after
 *       {@link #hold()} (a port that never answers, until told to);</li>
 *   <li>tell which messages were deleted, how many times, and which visibility each change set.</li>
 * </ul>
 * A batch request is answered positionally, like SQS's with distinct entry ids: the same message twice in
 * one request gives two independent entries. A single-message request fails whole if its entry is scripted
 * to fail.
 *
 * <p>Thread-safe: all state is guarded by this object's monitor; answers are completed outside it, on the
 * calling thread (no latency), on the port's scheduler (latency) or on the thread calling {@link #resume()}.
 * Call {@link #close()} to stop the scheduler.
 */
public final class ScriptedQueuePort implements QueuePort, AutoCloseable {
  /*
   * Size:
   *   About 420 lines, a fifth of them the Javadoc of its public members. The script (what each call
   *   answers) and the observations (every call, as asked) are one class because a test
   *   drives and reads them together, through one object handed to the harvester under test.
   */

  /** What kind of call a request was. */
  public enum Kind {
    /** {@link QueuePort#deleteBatch}. */
    DELETE_BATCH,
    /** {@link QueuePort#changeVisibilityBatch}. */
    CHANGE_VISIBILITY_BATCH,
    /** {@link QueuePort#delete}. */
    DELETE,
    /** {@link QueuePort#changeVisibility}. */
    CHANGE_VISIBILITY;

    /** {@return true for the two batch kinds} */
    public boolean isBatch() {
      return this == DELETE_BATCH || this == CHANGE_VISIBILITY_BATCH;
    }
  }

  /**
   * One recorded request.
   *
   * @param kind the call
   * @param messages its entries in order; one for single calls
   * @param visibilities the visibility of each entry for visibility changes; empty for deletes
   * @param sentAtNanos {@link System#nanoTime()} when the call was made
   */
  public record Request(Kind kind, List<Message> messages, List<Duration> visibilities, long sentAtNanos) {
    /** Copies the lists. */
    public Request {
      messages = List.copyOf(messages);
      visibilities = List.copyOf(visibilities);
    }

    /** {@return the number of entries} */
    public int size() {
      return messages.size();
    }
  }

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "scripted-queue-port");
    t.setDaemon(true);
    return t;
  });

  // all guarded by this
  private final List<Request> requests = new ArrayList<>();
  private final Map<Message, Integer> entryAttempts = new HashMap<>();
  private final Map<Message, Integer> deletions = new HashMap<>();
  private final Map<Message, List<Duration>> visibilityChanges = new HashMap<>();
  private final Map<Message, EntryScript> entryScripts = new HashMap<>();
  private final List<Runnable> held = new ArrayList<>();
  private QueueException.Kind requestFailureKind;
  private int requestFailuresLeft;
  private Supplier<? extends Error> thrown;
  private int throwsLeft;
  private Duration latency = Duration.ZERO;
  private boolean holding;
  private int outstanding;
  private int maxOutstanding;

  private record EntryScript(QueueException.Kind kind, int times) {}

  /** Creates a port that answers at once and succeeds. */
  public ScriptedQueuePort() {}

  // ---- script ----

  /**
   * Fails the next {@code count} requests whole with a {@link QueueException} of {@code kind}.
   *
   * @param count how many of the next requests fail, zero or more; replaces what is left of an earlier count
   * @param kind the kind of the {@link QueueException}; never null
   * @return this port
   */
  public synchronized ScriptedQueuePort failNextRequests(int count, QueueException.Kind kind) {
    this.requestFailuresLeft = count;
    this.requestFailureKind = Objects.requireNonNull(kind, "kind");
    return this;
  }

  /**
   * Makes the next {@code count} calls throw what {@code error} supplies instead of answering: a port with
   * a bug. A call that throws records nothing.
   *
   * @param count how many of the next calls throw, zero or more; replaces what is left of an earlier count
   * @param error supplies the error each such call throws; never null
   * @return this port
   */
  public synchronized ScriptedQueuePort throwOnNextRequests(int count, Supplier<? extends Error> error) {
    this.throwsLeft = count;
    this.thrown = Objects.requireNonNull(error, "error");
    return this;
  }

  /** Throws if {@link #throwOnNextRequests} says so. */
  private void throwIfScripted() {
    Error error = null;
    synchronized (this) {
      if (throwsLeft > 0) {
        throwsLeft--;
        error = thrown.get();
      }
    }
    if (error != null) {
      throw error;
    }
  }

  /**
   * Fails each entry for {@code message} with {@code kind} on its first {@code times} attempts (counted
   * over all requests); {@link Integer#MAX_VALUE} fails it forever.
   *
   * @param message the message whose entries fail (equal id and receipt handle); never null
   * @param kind the kind of each entry's {@link QueueException}; never null
   * @param times how many attempts fail, over all requests
   * @return this port
   */
  public synchronized ScriptedQueuePort failEntry(Message message, QueueException.Kind kind, int times) {
    entryScripts.put(Objects.requireNonNull(message, "message"), new EntryScript(kind, times));
    return this;
  }

  /**
   * Fails every entry for {@code message} with {@link QueueException.Kind#INVALID_RECEIPT}, forever.
   *
   * @param message the message whose entries fail (equal id and receipt handle); never null
   * @return this port
   */
  public ScriptedQueuePort invalidReceipt(Message message) {
    return failEntry(message, QueueException.Kind.INVALID_RECEIPT, Integer.MAX_VALUE);
  }

  /**
   * Answers each request {@code latency} after it was made, on the port's scheduler thread.
   *
   * @param latency the delay of each answer, zero to answer on the calling thread; never null
   * @return this port
   */
  public synchronized ScriptedQueuePort latency(Duration latency) {
    this.latency = Objects.requireNonNull(latency, "latency");
    return this;
  }

  /**
   * Keeps every answer from now on until {@link #resume()}: a port that does not answer.
   *
   * @return this port
   */
  public synchronized ScriptedQueuePort hold() {
    holding = true;
    return this;
  }

  /** Stops holding and sends every held answer now, on the calling thread. */
  public void resume() {
    List<Runnable> toRun;
    synchronized (this) {
      holding = false;
      toRun = new ArrayList<>(held);
      held.clear();
    }
    toRun.forEach(Runnable::run);
  }

  // ---- observations ----

  /** {@return every request so far, in the order made} */
  public synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  /** {@return how many requests were made} */
  public synchronized int requestCount() {
    return requests.size();
  }

  /**
   * {@return how many requests of this kind were made}
   *
   * @param kind the kind to count; never null
   */
  public synchronized int requestCount(Kind kind) {
    return (int) requests.stream().filter(r -> r.kind() == kind).count();
  }

  /** {@return the number of entries of every batch request, in order} */
  public synchronized List<Integer> batchSizes() {
    return requests.stream().filter(r -> r.kind().isBatch()).map(Request::size).toList();
  }

  /**
   * {@return how many times {@code message} was deleted successfully}
   *
   * @param message the message (equal id and receipt handle); never null
   */
  public synchronized int deletions(Message message) {
    return deletions.getOrDefault(message, 0);
  }

  /** {@return how many times each message was deleted successfully} */
  public synchronized Map<Message, Integer> deletions() {
    return Map.copyOf(deletions);
  }

  /**
   * {@return the visibilities successfully set for {@code message}, in order}
   *
   * @param message the message (equal id and receipt handle); never null
   */
  public synchronized List<Duration> visibilityChanges(Message message) {
    return List.copyOf(visibilityChanges.getOrDefault(message, List.of()));
  }

  /**
   * {@return how many entries for {@code message} were sent, in all requests, successful or not}
   *
   * @param message the message (equal id and receipt handle); never null
   */
  public synchronized int attempts(Message message) {
    return entryAttempts.getOrDefault(message, 0);
  }

  /** {@return how many requests are made and not yet answered} */
  public synchronized int outstanding() {
    return outstanding;
  }

  /** {@return the most requests that were ever made and not yet answered at one time} */
  public synchronized int maxOutstanding() {
    return maxOutstanding;
  }

  /** Stops the scheduler; answers still due by latency are dropped. */
  @Override
  public void close() {
    scheduler.shutdownNow();
  }

  // ---- QueuePort ----

  @Override
  public CompletableFuture<BatchReply> deleteBatch(List<Message> messages) {
    checkBatch(messages);
    throwIfScripted();
    return batch(Kind.DELETE_BATCH, messages, List.of());
  }

  @Override
  public CompletableFuture<BatchReply> changeVisibilityBatch(List<VisibilityChange> changes) {
    checkBatch(changes);
    throwIfScripted();
    return batch(Kind.CHANGE_VISIBILITY_BATCH, changes.stream().map(VisibilityChange::message).toList(),
        changes.stream().map(VisibilityChange::visibility).toList());
  }

  @Override
  public CompletableFuture<Void> delete(Message message) {
    Objects.requireNonNull(message, "message");
    throwIfScripted();
    return single(Kind.DELETE, message, null);
  }

  @Override
  public CompletableFuture<Void> changeVisibility(Message message, Duration visibility) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(visibility, "visibility");
    throwIfScripted();
    return single(Kind.CHANGE_VISIBILITY, message, visibility);
  }

  private static void checkBatch(List<?> entries) {
    Objects.requireNonNull(entries, "entries");
    if (entries.isEmpty() || entries.size() > MAX_BATCH_SIZE) {
      throw new IllegalArgumentException(
          "a batch must have between 1 and " + MAX_BATCH_SIZE + " entries but had " + entries.size());
    }
  }

  private CompletableFuture<BatchReply> batch(Kind kind, List<Message> messages, List<Duration> visibilities) {
    CompletableFuture<BatchReply> future = new CompletableFuture<>();
    Runnable answer;
    synchronized (this) {
      requests.add(new Request(kind, messages, visibilities, System.nanoTime()));
      messages.forEach(m -> entryAttempts.merge(m, 1, Integer::sum));
      QueueException whole = nextRequestFailure();
      if (whole != null) {
        answer = () -> future.completeExceptionally(whole);
      } else {
        Map<Integer, QueueException> failures = new HashMap<>();
          for (int i = 0; i < messages.size(); i++) {
          QueueException failure = entryOutcome(messages.get(i));
          if (failure != null) {
            failures.put(i, failure);
          } else {
            succeed(messages.get(i), visibilities.isEmpty() ? null : visibilities.get(i));
          }
        }
        BatchReply reply = new BatchReply(failures);
        answer = () -> future.complete(reply);
      }
    }
    deliver(answer);
    return future;
  }

  private CompletableFuture<Void> single(Kind kind, Message message, Duration visibility) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    Runnable answer;
    synchronized (this) {
      requests.add(new Request(kind, List.of(message),
          visibility == null ? List.of() : List.of(visibility), System.nanoTime()));
      entryAttempts.merge(message, 1, Integer::sum);
      QueueException failure = nextRequestFailure();
      if (failure == null) {
        failure = entryOutcome(message);
      }
      if (failure != null) {
        QueueException f = failure;
        answer = () -> future.completeExceptionally(f);
      } else {
        succeed(message, visibility);
        answer = () -> future.complete(null);
      }
    }
    deliver(answer);
    return future;
  }

  /** Sends the answer now, later, or when resumed; counts it outstanding meanwhile. */
  private void deliver(Runnable answer) {
    Runnable counted = () -> {
      synchronized (this) {
        outstanding--;
      }
      answer.run();
    };
    Duration delay;
    synchronized (this) {
      outstanding++;
      maxOutstanding = Math.max(maxOutstanding, outstanding);
      if (holding) {
        held.add(counted);
        return;
      }
      delay = latency;
    }
    if (delay.isZero()) {
      counted.run();
    } else {
      scheduler.schedule(counted, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** Guarded by this. */
  private QueueException nextRequestFailure() {
    if (requestFailuresLeft <= 0) {
      return null;
    }
    requestFailuresLeft--;
    return new QueueException(requestFailureKind, "Scripted" + requestFailureKind, "scripted request failure",
        null);
  }

  /** Guarded by this: returns the scripted failure of the attempt just counted, or null. */
  private QueueException entryOutcome(Message message) {
    int attempt = entryAttempts.get(message);
    EntryScript script = entryScripts.get(message);
    if (script == null || attempt > script.times()) {
      return null;
    }
    return new QueueException(script.kind(), "Scripted" + script.kind(), "scripted entry failure", null);
  }

  /** Guarded by this. */
  private void succeed(Message message, Duration visibility) {
    if (visibility == null) {
      deletions.merge(message, 1, Integer::sum);
    } else {
      visibilityChanges.computeIfAbsent(message, m -> new ArrayList<>()).add(visibility);
    }
  }
}
