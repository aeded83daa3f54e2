package io.github.sqsconsumer.testkit;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.MessageAttribute;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.Limits;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.ReceiveAttributes;
import io.github.sqsconsumer.spi.RunnerProvider;
import io.github.sqsconsumer.spi.VisibilityChange;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An Amazon SQS-like queue in memory, for tests and benchmarks: no network, no threads of its own, with
 * hooks to inject latency and failures and counters to assert on.
 *
 * <h2>Semantics (modelled on SQS)</h2>
 * <ul>
 *   <li>{@link #receive} long-polls without blocking: it completes at once when messages are visible, else
 *       when some become visible (a send, an expired visibility timeout, a visibility changed to zero) or,
 *       with an empty list, when the wait time elapses. Cancelling the returned future never loses a
 *       message: if the cancellation wins, nothing was taken (messages already assigned to the request go
 *       back to their place, their receive count restored); if it loses, the messages are in flight as
 *       after any receive.</li>
 *   <li>Each delivery has a fresh receipt handle, sets {@code ApproximateReceiveCount} (one more than the
 *       delivery before), keeps {@code ApproximateFirstReceiveTimestamp} and {@code SentTimestamp}, and
 *       hides the message for the receive's visibility timeout (the queue's unless the receive names
 *       one). A message not deleted by then becomes
 *       visible again at its original position (messages are ordered by a sequence number), so order is
 *       kept.</li>
 *   <li>A receipt handle is valid only for the current delivery of a message in flight: deleting or
 *       changing the visibility with any other handle fails with {@link QueueException.Kind#INVALID_RECEIPT}.
 *       A visibility changed to zero makes the message visible at once. A delivery stays hidden at most
 *       12 hours after its receive request arrived: a change whose new timeout would end later fails
 *       ({@code InvalidParameterValue}, {@link QueueException.Kind#FATAL}) and changes nothing, as on
 *       SQS, which does not shorten it to what remains.</li>
 *   <li>FIFO queues ({@link #fifo}): every message has a group. A group with a message in flight is locked
 *       and skipped by receives; one receive may return several consecutive messages of one unlocked group,
 *       in order, and messages of several groups. Groups are served in the order of their oldest message.
 *       Every send is a new message: there is no deduplication.</li>
 *   <li>Redrive ({@link #withDeadLetterQueue}): a message about to be received when its receive count
 *       already equals {@code maxReceiveCount} is moved to the dead-letter queue instead, keeping its id,
 *       body and attributes; its receive count starts again from zero there.</li>
 * </ul>
 * Unlike SQS, durations are not rounded to seconds: a visibility timeout of 50 ms is fine for a test.
 *
 * <h2>A consumer on it</h2>
 * {@link #runner()} gives the runner to hand to a consumer; it is not a registered service, so it is chosen
 * only where handed over, never instead of the SQS runner:
 * <pre>{@code
 * InMemoryQueue queue = InMemoryQueue.standard("orders", Duration.ofSeconds(30));
 * Consumer consumer = Consumer.builder()
 *     .queue("orders")                                  // the queue's name, or "memory://orders"
 *     .runner(queue.runner())
 *     .handler(message -> ...)
 *     .build();
 * }</pre>
 *
 * <h2>Faults, latency, counters</h2>
 * {@link #latency} delays every reply of {@link #receive}, the deletes and the visibility changes (the
 * change itself takes effect at once, as on a server whose answer travels back slowly). {@link #failNext}
 * and {@link #failRate} make calls fail whole with a {@link QueueException.Kind#TRANSIENT} exception
 * (code {@code InjectedFailure}) and no effect. Request counters ({@link #receiveRequests()} and friends)
 * count every call, failed or not, so a test or benchmark can compute requests per message. Per-message
 * tracking ({@link #deliveries}, {@link #deletedIds()}) is on by default; benchmarks that push millions of
 * messages turn it off with {@link #trackMessages(boolean)}.
 *
 * <h2>Threads</h2>
 * Thread-safe. Replies complete on the calling thread when they are ready at once, on the thread that made
 * messages visible (for example a thread calling {@link #send}) for a waiting receive, or on one shared
 * daemon timer thread (deadlines, expiries, latency). Callbacks attached to the futures must therefore be
 * short and must not block.
 */
public final class InMemoryQueue implements QueuePort {

  /*
   * Concurrency:
   *   One lock guards all message state: the visible messages, the in-flight registry (receipt -> entry),
   *   the timed set (in-flight and delayed messages by the time they become visible), the FIFO groups, the
   *   waiting receives and the counters of messages. Every operation runs under it in three steps: process
   *   expiries that are due (lazily, so no timer is needed to keep the state right), do its work, and in
   *   unlockAndDispatch() serve waiting receives from what became visible and arm the expiry timer. Futures
   *   are completed, and moved messages handed to the dead-letter queue, only after unlocking, so no
   *   callback ever runs under the lock and two queues' locks are never held together (a redrive cycle
   *   cannot deadlock). Request counters and fault settings are atomics/volatiles read before the lock.
   *
   * Waiting:
   *   A receive that finds nothing receivable and may wait becomes a QueueWaiter at the tail of `waiters`, with
   *   a deadline task on the timer. [waiters non-empty => nothing receivable] holds whenever the lock is
   *   free, because unlockAndDispatch() serves waiters, oldest first, before unlocking. A served waiter is
   *   completed after unlocking; if its future was cancelled in between, complete() fails and undo() puts
   *   the messages back (the cancellation won, so nothing was taken). A cancelled waiter withdraws itself
   *   (whenComplete) and its deadline task is cancelled.
   *
   * Timers:
   *   One static daemon timer thread, created on first use, shared by all queues. A queue schedules only
   *   what it needs: each waiter's deadline, one expiry task for the earliest timed message while waiters
   *   exist (nobody to wake otherwise: the next operation processes expiries lazily), and delayed replies
   *   when latency is set. Cancelled tasks are removed from the timer at once, so nothing outlives a test.
   *
   * Shutdown:
   *   None needed: a queue owns no thread and holds no resource; an abandoned queue is garbage once its
   *   last timer task (at most a wait time or a latency away) has run. The timer thread is a daemon.
   *
   * Order:
   *   Entries carry a sequence number. Standard: visible entries by sequence in a SequenceQueue (a new
   *   message is appended and taken in O(1), a returning one goes back to its place in O(log n)). Timed
   *   entries by the time they become visible in TimedEntries (added in O(1) when times rise, removed in
   *   O(1) amortized). FIFO: each group holds its visible entries by sequence and counts its in-flight
   *   ones; `available` holds the groups that are unlocked and have a visible message, by the sequence of
   *   their oldest one.
   *   [group in available <=> group.inFlight == 0 && group has visible entries]
   *
   * Size:
   *   One class for all message state because one lock guards it and every operation runs the same three
   *   steps under it (expire, work, dispatch), and it is the public face of the test kit's queue, so its
   *   public methods (configuration, sending, the port, inspection) are here. What needs neither the lock
   *   nor that state lives apart: the records it keeps (QueueEntry, QueueGroup, QueueWaiter), the fault
   *   injection and reply latency (QueueFaults) and the shared timer (QueueTimer).
   */

  private static final Duration MAX_WAIT = Limits.MAX_WAIT_TIME;
  private static final Duration MAX_VISIBILITY = Limits.MAX_VISIBILITY;
  /** SQS's longest delivery delay. */
  private static final Duration MAX_DELAY = Duration.ofMinutes(15);
  /** SQS's largest maxReceiveCount of a redrive policy. */
  private static final int MAX_RECEIVE_COUNT = 1000;
  /** Attributes the queue sets itself; a sender may not. */
  private static final Set<String> SET_BY_QUEUE = Set.of(Message.SENT_TIMESTAMP, Message.APPROXIMATE_RECEIVE_COUNT,
      Message.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP, Message.SEQUENCE_NUMBER);
  private static final String INVALID_RECEIPT = "ReceiptHandleIsInvalid";
  private static final String INVALID_PARAMETER = "InvalidParameterValue";
  private static final AtomicInteger QUEUES = new AtomicInteger();

  private final String name;
  private final boolean fifo;
  private final Duration visibilityTimeout;
  private final String receiptPrefix;
  private final long idSalt;

  private final ReentrantLock lock = new ReentrantLock();
  // all fields below up to the request counters are guarded by lock
  private long nextSequence;
  private long nextReceipt;
  private final SequenceQueue visible = new SequenceQueue(); // standard only
  private final Map<String, QueueGroup> groups = new HashMap<>(); // FIFO only
  private final PriorityQueue<QueueGroup> available = new PriorityQueue<>(Comparator.comparingLong(g -> g.key));
  private final Map<String, QueueEntry> inFlight = new HashMap<>();
  private final TimedEntries timed = new TimedEntries();
  private final ArrayDeque<QueueWaiter> waiters = new ArrayDeque<>();
  private int visibleCount;
  private int delayedCount;
  private ScheduledFuture<?> expiryTimer;
  private long expiryTimerAt;
  private long expiryTimerGeneration;
  private InMemoryQueue deadLetterQueue;
  private int maxReceiveCount;
  private Map<String, QueueEntry> history = new HashMap<>(); // null when tracking is off
  private long sent;
  private long delivered;
  private long deleted;
  private long movedToDeadLetterQueue;
  // handed over to unlockAndDispatch(): completed / moved after unlocking
  private List<Ready> ready;
  private List<QueueEntry> movedOut;
  private InMemoryQueue movedTo;

  private final AtomicLong receiveRequests = new AtomicLong();
  private final AtomicLong deleteRequests = new AtomicLong();
  private final AtomicLong deleteBatchRequests = new AtomicLong();
  private final AtomicLong changeVisibilityRequests = new AtomicLong();
  private final AtomicLong changeVisibilityBatchRequests = new AtomicLong();
  private final QueueFaults faults = new QueueFaults();

  private InMemoryQueue(String name, boolean fifo, Duration visibilityTimeout) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(visibilityTimeout, "visibilityTimeout");
    requireArgument(!name.isBlank(), "queue name must not be blank");
    requireArgument(visibilityTimeout.compareTo(Duration.ZERO) > 0 && visibilityTimeout.compareTo(MAX_VISIBILITY) <= 0,
        "visibilityTimeout must be positive and at most %s but was %s", MAX_VISIBILITY, visibilityTimeout);
    this.name = name;
    this.fifo = fifo;
    this.visibilityTimeout = visibilityTimeout;
    this.receiptPrefix = "q" + QUEUES.incrementAndGet() + "-";
    this.idSalt = ThreadLocalRandom.current().nextLong();
  }

  /**
   * Creates a standard queue: no groups, no ordering promise beyond "oldest first".
   *
   * @param name the queue's name, not blank; the memory runner checks the consumer's queue against it
   * @param visibilityTimeout how long a received message stays hidden; positive, at most 12 hours
   * @return a new empty queue, never null
   */
  public static InMemoryQueue standard(String name, Duration visibilityTimeout) {
    return new InMemoryQueue(name, false, visibilityTimeout);
  }

  /**
   * Creates a FIFO queue: every message needs a group; a group with a message in flight is locked.
   *
   * @param name the queue's name, not blank (SQS requires a {@code .fifo} suffix; this queue does not)
   * @param visibilityTimeout how long a received message stays hidden; positive, at most 12 hours
   * @return a new empty queue, never null
   */
  public static InMemoryQueue fifo(String name, Duration visibilityTimeout) {
    return new InMemoryQueue(name, true, visibilityTimeout);
  }

  // ---------------------------------------------------------------------------------------------------
  // configuration

  /**
   * Sets the redrive policy: a message about to be received when its receive count already equals
   * {@code maxReceiveCount} goes to {@code deadLetterQueue} instead.
   *
   * @param deadLetterQueue another queue of the same kind (standard or FIFO), never null
   * @param maxReceiveCount between 1 and 1000
   * @return this queue
   */
  public InMemoryQueue withDeadLetterQueue(InMemoryQueue deadLetterQueue, int maxReceiveCount) {
    Objects.requireNonNull(deadLetterQueue, "deadLetterQueue");
    requireArgument(deadLetterQueue != this, "a queue cannot be its own dead-letter queue: %s", name);
    requireArgument(deadLetterQueue.fifo == fifo, "the dead-letter queue of a %s queue must be %s too but %s is not",
        kind(), kind(), deadLetterQueue.name);
    requireArgument(maxReceiveCount >= 1 && maxReceiveCount <= MAX_RECEIVE_COUNT,
        "maxReceiveCount must be between 1 and %d but was %d", MAX_RECEIVE_COUNT, maxReceiveCount);
    lock.lock();
    try {
      this.deadLetterQueue = deadLetterQueue;
      this.maxReceiveCount = maxReceiveCount;
    } finally {
      unlockAndDispatch();
    }
    return this;
  }

  /**
   * Delays every reply of receive, delete and change-visibility calls by this much (zero: reply at once, on
   * the calling thread). The call's effect on the queue is immediate.
   *
   * @param latency zero or positive, never null
   * @return this queue
   */
  public InMemoryQueue latency(Duration latency) {
    Objects.requireNonNull(latency, "latency");
    requireArgument(!latency.isNegative(), "latency must not be negative but was %s", latency);
    faults.latency(latency.toNanos());
    return this;
  }

  /**
   * Makes the next {@code calls} receive, delete or change-visibility calls (single or batch) fail whole with
   * a {@link QueueException.Kind#TRANSIENT} exception, without effect. Replaces an earlier count.
   *
   * @param calls zero or more
   * @return this queue
   */
  public InMemoryQueue failNext(int calls) {
    requireArgument(calls >= 0, "calls must not be negative but was %d", calls);
    faults.failNext(calls);
    return this;
  }

  /**
   * Makes this share of receive, delete and change-visibility calls fail whole, at random, with a
   * {@link QueueException.Kind#TRANSIENT} exception and without effect.
   *
   * @param rate between 0 (none, the default) and 1 (all)
   * @return this queue
   */
  public InMemoryQueue failRate(double rate) {
    requireArgument(rate >= 0 && rate <= 1, "failure rate must be between 0 and 1 but was %s", rate);
    faults.failRate(rate);
    return this;
  }

  /**
   * Turns per-message tracking on (the default) or off. On, the queue remembers every message sent from
   * then on, with its deliveries, until {@link #resetCounters()}; off, it forgets them, saving memory in
   * long benchmarks, and {@link #deliveries}, {@link #isDeleted} and {@link #deletedIds} throw.
   *
   * @param on whether to track
   * @return this queue
   */
  public InMemoryQueue trackMessages(boolean on) {
    lock.lock();
    try {
      if (!on) {
        history = null;
      } else if (history == null) {
        history = new HashMap<>();
      }
    } finally {
      unlockAndDispatch();
    }
    return this;
  }

  // ---------------------------------------------------------------------------------------------------
  // facts

  /** {@return the queue's name, never null} */
  public String name() {
    return name;
  }

  /** {@return true for a FIFO queue} */
  public boolean isFifo() {
    return fifo;
  }

  /** {@return the visibility timeout of every delivery, never null} */
  public Duration visibilityTimeout() {
    return visibilityTimeout;
  }

  /**
   * Returns the runner provider ({@code memory}) a consumer reads this queue with: hand it to
   * {@code Consumer.Builder.runner(RunnerProvider)}. The consumer's queue must be this queue's name (or
   * {@code memory://<name>}); another name makes {@code start()} fail as for a missing queue. The runner
   * never closes the queue: the test owns it.
   *
   * @return a new provider; never null
   */
  public RunnerProvider runner() {
    return new InMemoryRunnerProvider(this);
  }

  // ---------------------------------------------------------------------------------------------------
  // sending

  /**
   * Sends a message to a standard queue.
   *
   * @param body never null
   * @return the new message's id, never null
   * @throws IllegalArgumentException on a FIFO queue, which needs a group
   */
  public String send(String body) {
    return send(body, Map.of(), Map.of(), Duration.ZERO);
  }

  /**
   * Sends a message to a FIFO queue.
   *
   * @param body never null
   * @param groupId the message group, not blank
   * @return the new message's id, never null
   * @throws IllegalArgumentException on a standard queue, which takes no group
   */
  public String send(String body, String groupId) {
    Objects.requireNonNull(groupId, "groupId");
    return send(body, Map.of(Message.MESSAGE_GROUP_ID, groupId), Map.of(), Duration.ZERO);
  }

  /**
   * Sends a message with attributes.
   *
   * @param body never null
   * @param attributes system attributes every delivery carries, never null: {@code MessageGroupId}
   *     (required on FIFO queues, refused on standard ones), {@code MessageDeduplicationId} or any other
   *     (such as {@code AWSTraceHeader}); not the ones the queue sets (SentTimestamp,
   *     ApproximateReceiveCount, ApproximateFirstReceiveTimestamp, SequenceNumber)
   * @param messageAttributes the user's message attributes, never null
   * @return the new message's id, never null
   */
  public String send(String body, Map<String, String> attributes, Map<String, MessageAttribute> messageAttributes) {
    return send(body, attributes, messageAttributes, Duration.ZERO);
  }

  /**
   * Sends a message with attributes that becomes visible only after a delay (standard queues only; SQS
   * FIFO queues have no per-message delay).
   *
   * @param body never null
   * @param attributes as for {@link #send(String, Map, Map)}
   * @param messageAttributes never null
   * @param delay between zero and 15 minutes
   * @return the new message's id, never null
   */
  public String send(String body, Map<String, String> attributes, Map<String, MessageAttribute> messageAttributes,
      Duration delay) {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(attributes, "attributes");
    Objects.requireNonNull(messageAttributes, "messageAttributes");
    Objects.requireNonNull(delay, "delay");
    for (String attribute : attributes.keySet()) {
      requireArgument(!SET_BY_QUEUE.contains(attribute), "attribute %s is set by the queue, not by the sender",
          attribute);
    }
    String groupId = attributes.get(Message.MESSAGE_GROUP_ID);
    if (fifo) {
      requireArgument(groupId != null, "a fifo queue needs a message group id for every message (queue %s);"
          + " use send(body, groupId)", name);
      requireArgument(!groupId.isBlank(), "a message group id must not be blank (queue %s)", name);
      requireArgument(delay.isZero(), "a fifo queue takes no per-message delay but got %s (queue %s)", delay, name);
    } else {
      requireArgument(groupId == null, "a standard queue takes no message group id but got '%s' (queue %s);"
          + " use InMemoryQueue.fifo(...) for groups", groupId, name);
      requireArgument(!delay.isNegative() && delay.compareTo(MAX_DELAY) <= 0,
          "delay must be between zero and %s but was %s", MAX_DELAY, delay);
    }
    Map<String, String> copiedAttributes = attributes.isEmpty() ? Map.of() : Map.copyOf(attributes);
    Map<String, MessageAttribute> copiedMessageAttributes =
        messageAttributes.isEmpty() ? Map.of() : Map.copyOf(messageAttributes);
    String sentTimestamp = Long.toString(System.currentTimeMillis());
    lock.lock();
    try {
      long now = System.nanoTime();
      expire(now);
      long seq = nextSequence++;
      QueueEntry entry = new QueueEntry(new UUID(idSalt, seq).toString(), seq, body, copiedAttributes,
          copiedMessageAttributes, sentTimestamp, fifo ? groupFor(groupId) : null);
      enqueue(entry, now + delay.toNanos(), !delay.isZero());
      return entry.id;
    } finally {
      unlockAndDispatch();
    }
  }

  /** Takes messages moved from another queue's redrive: same id, body and attributes; new sequence. */
  private void acceptMoved(List<QueueEntry> moved) {
    lock.lock();
    try {
      long now = System.nanoTime();
      expire(now);
      for (QueueEntry old : moved) {
        long seq = nextSequence++;
        QueueEntry entry = new QueueEntry(old.id, seq, old.body, old.attributes, old.messageAttributes,
            old.sentTimestamp, fifo ? groupFor(old.attributes.get(Message.MESSAGE_GROUP_ID)) : null);
        enqueue(entry, now, false);
      }
    } finally {
      unlockAndDispatch();
    }
  }

  private void enqueue(QueueEntry entry, long visibleAt, boolean delayed) {
    sent++;
    if (history != null) {
      history.put(entry.id, entry);
    }
    if (delayed) {
      entry.state = QueueEntry.State.DELAYED;
      entry.visibleAt = visibleAt;
      timed.add(entry);
      delayedCount++;
    } else {
      makeVisible(entry);
      settle(entry.group);
    }
  }

  private QueueGroup groupFor(String groupId) {
    return groups.computeIfAbsent(groupId, QueueGroup::new);
  }

  // ---------------------------------------------------------------------------------------------------
  // receiving

  /**
   * Receives up to {@code maxMessages} messages, waiting up to {@code waitTime} for the first, and hides
   * them for the queue's visibility timeout; never blocks. See {@link #receive(int, Duration, Duration)}.
   *
   * @param maxMessages the most messages to receive, 1 to 10
   * @param waitTime how long to wait for the first message, 0 to 20 seconds; never null
   * @return completes with the messages received, empty if none came within {@code waitTime}; never null
   */
  public CompletableFuture<List<Message>> receive(int maxMessages, Duration waitTime) {
    return receive(maxMessages, waitTime, visibilityTimeout);
  }

  /**
   * Receives up to {@code maxMessages} messages, waiting up to {@code waitTime} for the first, and hides
   * them for {@code visibilityTimeout} (ReceiveMessage's {@code VisibilityTimeout}); never blocks.
   *
   * @param maxMessages between 1 and 10
   * @param waitTime between zero and 20 seconds; zero answers at once
   * @param visibilityTimeout how long the received messages stay hidden, positive and at most 12 hours
   * @return the messages, possibly none, in queue order, with every attribute; completes exceptionally with
   *     a {@link QueueException} only when a failure is injected. {@code cancel(true)} withdraws the request:
   *     if it returns true, no message was taken
   */
  public CompletableFuture<List<Message>> receive(int maxMessages, Duration waitTime, Duration visibilityTimeout) {
    return receive(maxMessages, waitTime, visibilityTimeout, ReceiveAttributes.EVERYTHING);
  }

  /**
   * Receives as {@link #receive(int, Duration, Duration)} does, and, like SQS, gives the messages only the
   * system and message attributes {@code attributes} names: a consumer that forgets to ask for an attribute
   * it reads fails its tests here as it would against SQS. The runner of {@link #runner()} receives so, with
   * what the consumer asks for.
   *
   * @param maxMessages between 1 and 10
   * @param waitTime between zero and 20 seconds; zero answers at once
   * @param visibilityTimeout how long the received messages stay hidden, positive and at most 12 hours
   * @param attributes the attributes to deliver, never null
   * @return as {@link #receive(int, Duration, Duration)}, each message with the asked-for attributes only
   */
  public CompletableFuture<List<Message>> receive(int maxMessages, Duration waitTime, Duration visibilityTimeout,
      ReceiveAttributes attributes) {
    Objects.requireNonNull(attributes, "attributes");
    requireArgument(maxMessages >= 1 && maxMessages <= MAX_BATCH_SIZE,
        "maxMessages must be between 1 and %d but was %d", MAX_BATCH_SIZE, maxMessages);
    Objects.requireNonNull(waitTime, "waitTime");
    requireArgument(!waitTime.isNegative() && waitTime.compareTo(MAX_WAIT) <= 0,
        "waitTime must be between zero and %s but was %s", MAX_WAIT, waitTime);
    Objects.requireNonNull(visibilityTimeout, "visibilityTimeout");
    requireArgument(visibilityTimeout.compareTo(Duration.ZERO) > 0 && visibilityTimeout.compareTo(MAX_VISIBILITY) <= 0,
        "visibilityTimeout must be positive and at most %s but was %s", MAX_VISIBILITY, visibilityTimeout);
    receiveRequests.incrementAndGet();
    QueueException injected = injectedFailure("ReceiveMessage");
    if (injected != null) {
      return reply(null, injected);
    }
    List<Message> messages;
    QueueWaiter waiter = null;
    lock.lock();
    try {
      long now = System.nanoTime();
      expire(now);
      messages = take(maxMessages, now, visibilityTimeout.toNanos(), now, attributes);
      if (messages.isEmpty() && !waitTime.isZero()) {
        QueueWaiter w = new QueueWaiter(maxMessages, visibilityTimeout.toNanos(), now, attributes);
        waiters.addLast(w);
        w.deadline = timer().schedule(() -> timeOut(w), waitTime.toNanos(), TimeUnit.NANOSECONDS);
        waiter = w;
      }
    } finally {
      unlockAndDispatch();
    }
    if (waiter == null) {
      return replyMessages(null, messages);
    }
    QueueWaiter w = waiter;
    w.future.whenComplete((result, failure) -> {
      if (failure != null) {
        withdraw(w);
      }
    });
    return w.future;
  }

  /** The waiter's wait time elapsed: answer it with nothing, if nobody served it first. */
  private void timeOut(QueueWaiter waiter) {
    boolean removed;
    lock.lock();
    try {
      removed = waiters.remove(waiter);
    } finally {
      unlockAndDispatch();
    }
    if (removed) {
      replyMessages(waiter.future, List.of());
    }
  }

  /** The waiter's future was cancelled (or failed by its caller): stop waiting. */
  private void withdraw(QueueWaiter waiter) {
    lock.lock();
    try {
      if (waiters.remove(waiter)) {
        waiter.deadline.cancel(false);
      }
    } finally {
      unlockAndDispatch();
    }
  }

  /**
   * Completes {@code future} with {@code messages}, after the latency if any; if the future was cancelled
   * first, the messages go back to the queue untouched. A null future means a fresh one, returned.
   */
  private CompletableFuture<List<Message>> replyMessages(CompletableFuture<List<Message>> future,
      List<Message> messages) {
    long latency = faults.latencyNanos();
    if (latency == 0 && future == null) {
      return CompletableFuture.completedFuture(messages); // nobody can cancel it before it is done
    }
    CompletableFuture<List<Message>> target = future != null ? future : new CompletableFuture<>();
    if (latency == 0) {
      if (!target.complete(messages) && !messages.isEmpty()) {
        undo(messages); // the cancellation won: nothing was taken
      }
      return target;
    }
    if (!messages.isEmpty()) {
      // cancelled while the reply travels: put the messages back at once, not when the reply arrives
      target.whenComplete((result, failure) -> {
        if (failure != null) {
          undo(messages);
        }
      });
    }
    timer().schedule(() -> target.complete(messages), latency, TimeUnit.NANOSECONDS);
    return target;
  }

  /** Puts back messages whose receive lost against a cancellation, as if they had never been taken. */
  private void undo(List<Message> messages) {
    lock.lock();
    try {
      long now = System.nanoTime();
      expire(now);
      for (Message message : messages) {
        QueueEntry entry = inFlight.get(message.receiptHandle());
        if (entry == null) {
          continue; // its visibility already expired (latency longer than the timeout): it is back anyway
        }
        leaveFlight(entry);
        timed.remove(entry);
        entry.receiveCount--;
        if (entry.receiveCount == 0) {
          entry.firstReceiveTimestamp = null;
        }
        entry.deliveries--;
        delivered--;
        makeVisible(entry);
        settle(entry.group);
      }
    } finally {
      unlockAndDispatch();
    }
  }

  /**
   * Takes up to max receivable messages (moving those past maxReceiveCount to the DLQ), hidden for
   * {@code visibility} from now, with the asked-for attributes; {@code requestedAt} is when the receive
   * request arrived. Under lock.
   */
  private List<Message> take(int max, long now, long visibility, long requestedAt, ReceiveAttributes attributes) {
    if (!receivable()) {
      return List.of();
    }
    List<Message> out = new ArrayList<>(Math.min(max, visibleCount));
    String nowMillis = null; // for ApproximateFirstReceiveTimestamp, computed once
    // what the receive asked for, decided once per receive rather than per message: this runs under the lock
    ReceiveAttributes asked = attributes.equals(ReceiveAttributes.EVERYTHING) ? null : attributes;
    if (!fifo) {
      QueueEntry entry;
      while (out.size() < max && (entry = visible.poll()) != null) {
        visibleCount--;
        if (!redrive(entry)) {
          nowMillis = nowMillis != null ? nowMillis : Long.toString(System.currentTimeMillis());
          out.add(deliver(entry, now, nowMillis, visibility, requestedAt, asked));
        }
      }
      return out;
    }
    while (out.size() < max && !available.isEmpty()) {
      QueueGroup group = available.poll();
      group.available = false;
      QueueEntry entry;
      // consecutive messages of one group may go together, in order, like SQS
      while (out.size() < max && (entry = group.visible.poll()) != null) {
        visibleCount--;
        if (!redrive(entry)) {
          nowMillis = nowMillis != null ? nowMillis : Long.toString(System.currentTimeMillis());
          out.add(deliver(entry, now, nowMillis, visibility, requestedAt, asked));
        }
      }
      settle(group);
    }
    return out;
  }

  private boolean receivable() {
    return fifo ? !available.isEmpty() : visibleCount > 0;
  }

  /** Moves the entry to the dead-letter queue if it was received often enough already. Under lock. */
  private boolean redrive(QueueEntry entry) {
    if (deadLetterQueue == null || entry.receiveCount < maxReceiveCount) {
      return false;
    }
    entry.state = QueueEntry.State.MOVED;
    movedToDeadLetterQueue++;
    if (movedOut == null) {
      movedOut = new ArrayList<>();
      movedTo = deadLetterQueue; // cannot change before unlockAndDispatch(): setting it takes the lock
    }
    movedOut.add(entry);
    return true;
  }

  /**
   * Marks the entry delivered with a new receipt handle and builds its message, with the asked-for
   * attributes ({@code asked}, or every attribute if null). Under lock.
   */
  private Message deliver(QueueEntry entry, long now, String nowMillis, long visibility, long requestedAt,
      ReceiveAttributes asked) {
    String receipt = receiptPrefix + Long.toString(nextReceipt++, 36);
    entry.state = QueueEntry.State.IN_FLIGHT;
    entry.receipt = receipt;
    entry.receiveCount++;
    if (entry.firstReceiveTimestamp == null) {
      entry.firstReceiveTimestamp = nowMillis;
    }
    entry.deliveries++;
    delivered++;
    entry.visibleAt = now + visibility;
    entry.requestedAt = requestedAt;
    inFlight.put(receipt, entry);
    timed.add(entry);
    if (entry.group != null) {
      entry.group.inFlight++; // locks the group
    }
    Message.Builder message = Message.builder().id(entry.id).body(entry.body).receiptHandle(receipt);
    if (asked == null) {
      message.attribute(Message.SENT_TIMESTAMP, entry.sentTimestamp)
          .attribute(Message.APPROXIMATE_RECEIVE_COUNT, Integer.toString(entry.receiveCount))
          .attribute(Message.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP, entry.firstReceiveTimestamp);
      if (entry.group != null) {
        message.attribute(Message.SEQUENCE_NUMBER, entry.sequenceNumber());
      }
      if (!entry.attributes.isEmpty()) {
        message.attributes(entry.attributes);
      }
      if (!entry.messageAttributes.isEmpty()) {
        message.messageAttributes(entry.messageAttributes);
      }
      return message.build();
    }
    systemAttribute(message, asked, Message.SENT_TIMESTAMP, entry.sentTimestamp);
    systemAttribute(message, asked, Message.APPROXIMATE_RECEIVE_COUNT, Integer.toString(entry.receiveCount));
    systemAttribute(message, asked, Message.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP, entry.firstReceiveTimestamp);
    if (entry.group != null) {
      systemAttribute(message, asked, Message.SEQUENCE_NUMBER, entry.sequenceNumber());
    }
    entry.attributes.forEach((name, value) -> systemAttribute(message, asked, name, value));
    entry.messageAttributes.forEach((name, value) -> {
      if (asked.includesMessageAttribute(name)) {
        message.messageAttribute(name, value);
      }
    });
    return message.build();
  }

  private static void systemAttribute(Message.Builder message, ReceiveAttributes asked, String name,
      String value) {
    if (asked.includesSystemAttribute(name)) {
      message.attribute(name, value);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // deleting and changing visibility

  /**
   * Deletes the message in flight with this receipt handle.
   *
   * @param receiptHandle the handle of the message's current delivery, never null
   * @return completes when done; exceptionally with {@link QueueException.Kind#INVALID_RECEIPT} if the
   *     handle is not that of a message in flight, or with an injected failure
   */
  public CompletableFuture<Void> delete(String receiptHandle) {
    Objects.requireNonNull(receiptHandle, "receiptHandle");
    deleteRequests.incrementAndGet();
    QueueException failure = injectedFailure("DeleteMessage");
    if (failure == null) {
      lock.lock();
      try {
        expire(System.nanoTime());
        failure = deleteLocked(receiptHandle) ? null : invalidReceipt("DeleteMessage");
      } finally {
        unlockAndDispatch();
      }
    }
    return reply(null, failure);
  }

  /** Deletes one message; see {@link #delete(String)}. */
  @Override
  public CompletableFuture<Void> delete(Message message) {
    return delete(Objects.requireNonNull(message, "message").receiptHandle());
  }

  /**
   * Deletes up to 10 messages in one request. An entry fails with {@link QueueException.Kind#INVALID_RECEIPT}
   * if its handle is not that of a message in flight; the same valid handle twice in one request succeeds
   * twice (as on SQS).
   *
   * @param messages 1 to 10 messages, never null
   * @return the reply with failures by position; completes exceptionally only with an injected failure
   */
  @Override
  public CompletableFuture<BatchReply> deleteBatch(List<Message> messages) {
    requireBatch(messages);
    deleteBatchRequests.incrementAndGet();
    QueueException injected = injectedFailure("DeleteMessageBatch");
    if (injected != null) {
      return reply(null, injected);
    }
    Map<Integer, QueueException> failures = null;
    lock.lock();
    try {
      expire(System.nanoTime());
      for (int i = 0; i < messages.size(); i++) {
        String receipt = messages.get(i).receiptHandle();
        if (!deleteLocked(receipt) && !earlierSucceeded(messages, i, failures)) {
          failures = failures != null ? failures : new HashMap<>();
          failures.put(i, invalidReceipt("DeleteMessageBatch"));
        }
      }
    } finally {
      unlockAndDispatch();
    }
    return reply(failures == null ? BatchReply.ok() : new BatchReply(failures), null);
  }

  /**
   * Sets the visibility of the message in flight with this receipt handle to {@code visibility} from now;
   * zero makes it visible at once.
   *
   * @param receiptHandle the handle of the message's current delivery, never null
   * @param visibility between zero and 12 hours, never null
   * @return completes when done; exceptionally with {@link QueueException.Kind#INVALID_RECEIPT} if the
   *     handle is not that of a message in flight, with {@link QueueException.Kind#FATAL} if the visibility
   *     is out of range or would end more than 12 hours after the receive, or with an injected failure
   */
  public CompletableFuture<Void> changeVisibility(String receiptHandle, Duration visibility) {
    Objects.requireNonNull(receiptHandle, "receiptHandle");
    Objects.requireNonNull(visibility, "visibility");
    changeVisibilityRequests.incrementAndGet();
    QueueException failure = injectedFailure("ChangeMessageVisibility");
    if (failure == null) {
      failure = checkVisibility(visibility, "ChangeMessageVisibility");
    }
    if (failure == null) {
      lock.lock();
      try {
        long now = System.nanoTime();
        expire(now);
        failure = changeVisibilityLocked(receiptHandle, visibility, now, "ChangeMessageVisibility");
      } finally {
        unlockAndDispatch();
      }
    }
    return reply(null, failure);
  }

  /** Changes one message's visibility; see {@link #changeVisibility(String, Duration)}. */
  @Override
  public CompletableFuture<Void> changeVisibility(Message message, Duration visibility) {
    return changeVisibility(Objects.requireNonNull(message, "message").receiptHandle(), visibility);
  }

  /**
   * Changes the visibility of up to 10 messages in one request. An entry fails with
   * {@link QueueException.Kind#INVALID_RECEIPT} if its handle is not that of a message in flight, with
   * {@link QueueException.Kind#FATAL} if its visibility is out of range. The same handle twice: both apply in
   * order; if the first made the handle invalid (a change to zero), the second succeeds without effect.
   *
   * @param changes 1 to 10 changes, never null
   * @return the reply with failures by position; completes exceptionally only with an injected failure
   */
  @Override
  public CompletableFuture<BatchReply> changeVisibilityBatch(List<VisibilityChange> changes) {
    requireBatch(changes);
    changeVisibilityBatchRequests.incrementAndGet();
    QueueException injected = injectedFailure("ChangeMessageVisibilityBatch");
    if (injected != null) {
      return reply(null, injected);
    }
    Map<Integer, QueueException> failures = null;
    lock.lock();
    try {
      long now = System.nanoTime();
      expire(now);
      List<Message> messages = new ArrayList<>(changes.size());
      for (int i = 0; i < changes.size(); i++) {
        VisibilityChange change = changes.get(i);
        messages.add(change.message());
        String action = "ChangeMessageVisibilityBatch";
        QueueException failure = checkVisibility(change.visibility(), action);
        if (failure == null) {
          failure = changeVisibilityLocked(change.message().receiptHandle(), change.visibility(), now, action);
          if (failure != null && failure.kind() == QueueException.Kind.INVALID_RECEIPT
              && earlierSucceeded(messages, i, failures)) {
            failure = null;
          }
        }
        if (failure != null) {
          failures = failures != null ? failures : new HashMap<>();
          failures.put(i, failure);
        }
      }
    } finally {
      unlockAndDispatch();
    }
    return reply(failures == null ? BatchReply.ok() : new BatchReply(failures), null);
  }

  /** Deletes the entry in flight with this receipt; false if there is none. Under lock. */
  private boolean deleteLocked(String receipt) {
    QueueEntry entry = inFlight.get(receipt);
    if (entry == null) {
      return false;
    }
    leaveFlight(entry);
    timed.remove(entry);
    entry.state = QueueEntry.State.DELETED;
    deleted++;
    settle(entry.group); // may unlock the group
    return true;
  }

  /**
   * Changes the visibility of the entry in flight with this receipt; returns why it cannot: no such entry
   * (INVALID_RECEIPT), or a visibility that would end more than 12 hours after the receive request that
   * delivered it arrived (as SQS: InvalidParameterValue, and the change has no effect). Under lock.
   */
  private QueueException changeVisibilityLocked(String receipt, Duration visibility, long now, String action) {
    QueueEntry entry = inFlight.get(receipt);
    if (entry == null) {
      return invalidReceipt(action);
    }
    if (!visibility.isZero() && now + visibility.toNanos() - entry.requestedAt > MAX_VISIBILITY.toNanos()) {
      return new QueueException(QueueException.Kind.FATAL, INVALID_PARAMETER, action + " on queue " + name
          + ": value " + visibility.toSeconds() + " for parameter VisibilityTimeout is invalid: total "
          + "VisibilityTimeout for the message is beyond the limit [" + MAX_VISIBILITY.toSeconds() + " seconds]",
          null);
    }
    timed.remove(entry); // before changing the key it is sorted by
    if (visibility.isZero()) {
      leaveFlight(entry);
      makeVisible(entry);
      settle(entry.group);
    } else {
      entry.visibleAt = now + visibility.toNanos();
      timed.add(entry);
    }
    return null;
  }

  /** Whether an earlier entry of this batch had the same receipt handle and succeeded. */
  private static boolean earlierSucceeded(List<Message> messages, int index, Map<Integer, QueueException> failures) {
    String receipt = messages.get(index).receiptHandle();
    for (int i = 0; i < index; i++) {
      if (messages.get(i).receiptHandle().equals(receipt) && (failures == null || !failures.containsKey(i))) {
        return true;
      }
    }
    return false;
  }

  private QueueException checkVisibility(Duration visibility, String action) {
    if (visibility.isNegative() || visibility.compareTo(MAX_VISIBILITY) > 0) {
      return new QueueException(QueueException.Kind.FATAL, INVALID_PARAMETER, action + " on queue " + name
          + ": visibility must be between zero and " + MAX_VISIBILITY + " but was " + visibility, null);
    }
    return null;
  }

  private QueueException invalidReceipt(String action) {
    return new QueueException(QueueException.Kind.INVALID_RECEIPT, INVALID_RECEIPT, action + " on queue " + name
        + ": the receipt handle is not that of a message in flight (deleted, expired or redelivered)", null);
  }

  private static void requireBatch(List<?> entries) {
    Objects.requireNonNull(entries, "entries");
    requireArgument(!entries.isEmpty() && entries.size() <= MAX_BATCH_SIZE,
        "a batch must have between 1 and %d entries but had %d", MAX_BATCH_SIZE, entries.size());
    for (Object entry : entries) {
      Objects.requireNonNull(entry, "a batch entry must not be null");
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // state transitions, all under lock

  /** Turns due timed entries (in flight or delayed) visible again. */
  private void expire(long now) {
    QueueEntry entry;
    while (!timed.isEmpty() && (entry = timed.first()).visibleAt - now <= 0) {
      timed.pollFirst();
      if (entry.state == QueueEntry.State.IN_FLIGHT) {
        leaveFlight(entry);
      } else {
        delayedCount--;
      }
      makeVisible(entry);
      settle(entry.group);
    }
  }

  /** Removes the entry from the in-flight registry (not from {@code timed}) and from its group's count. */
  private void leaveFlight(QueueEntry entry) {
    inFlight.remove(entry.receipt);
    entry.receipt = null;
    if (entry.group != null) {
      entry.group.inFlight--;
    }
  }

  /** Puts the entry back at its place by sequence; callers {@link #settle} its group afterwards. */
  private void makeVisible(QueueEntry entry) {
    entry.state = QueueEntry.State.VISIBLE;
    visibleCount++;
    if (entry.group == null) {
      visible.add(entry);
    } else {
      entry.group.visible.add(entry);
    }
  }

  /** Restores [group in available <=> unlocked with visible entries]; forgets a group with no entries. */
  private void settle(QueueGroup group) {
    if (group == null || group.available) {
      return; // standard queue, or already available: only newer messages were added
    }
    if (group.inFlight == 0) {
      if (!group.visible.isEmpty()) {
        group.key = group.visible.peek().seq;
        group.available = true;
        available.add(group);
      } else {
        groups.remove(group.id);
      }
    }
  }

  /**
   * Serves waiting receives and arms the expiry timer, then unlocks; then hands moved messages to the
   * dead-letter queue and completes served receives. Every locked section ends here.
   */
  private void unlockAndDispatch() {
    List<Ready> toComplete;
    List<QueueEntry> toMove;
    InMemoryQueue target;
    try {
      if (!waiters.isEmpty() || expiryTimer != null) {
        long now = System.nanoTime();
        serveWaiters(now);
        armExpiryTimer(now);
      }
      toComplete = ready;
      toMove = movedOut;
      target = movedTo;
      ready = null;
      movedOut = null;
      movedTo = null;
    } finally {
      lock.unlock();
    }
    if (toMove != null) {
      target.acceptMoved(toMove); // before completing receives: a test sees the move once it has its reply
    }
    if (toComplete != null) {
      for (Ready r : toComplete) {
        replyMessages(r.waiter.future, r.messages);
      }
    }
  }

  /** Hands receivable messages to waiters, oldest waiter first. */
  private void serveWaiters(long now) {
    while (!waiters.isEmpty() && receivable()) {
      QueueWaiter waiter = waiters.peekFirst();
      if (waiter.future.isDone()) {
        waiters.pollFirst(); // cancelled; its withdraw() will find it gone
        waiter.deadline.cancel(false);
        continue;
      }
      List<Message> messages = take(waiter.max, now, waiter.visibility, waiter.requestedAt, waiter.attributes);
      if (messages.isEmpty()) {
        continue; // all moved to the dead-letter queue; receivable() tells whether more remain
      }
      waiters.pollFirst();
      waiter.deadline.cancel(false);
      if (ready == null) {
        ready = new ArrayList<>();
      }
      ready.add(new Ready(waiter, messages));
    }
  }

  /** Keeps one timer task at the earliest timed entry while receives wait; none otherwise. */
  private void armExpiryTimer(long now) {
    if (waiters.isEmpty() || timed.isEmpty()) {
      if (expiryTimer != null) {
        expiryTimer.cancel(false);
        expiryTimer = null;
      }
      return;
    }
    long at = timed.first().visibleAt;
    if (expiryTimer != null) {
      if (expiryTimerAt - at <= 0) {
        return; // fires early enough; it re-arms when it finds nothing due
      }
      expiryTimer.cancel(false);
    }
    long generation = ++expiryTimerGeneration;
    expiryTimerAt = at;
    expiryTimer = timer().schedule(() -> onExpiryTimer(generation), Math.max(0, at - now), TimeUnit.NANOSECONDS);
  }

  private void onExpiryTimer(long generation) {
    lock.lock();
    try {
      if (generation == expiryTimerGeneration) {
        expiryTimer = null;
      }
      expire(System.nanoTime());
    } finally {
      unlockAndDispatch();
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // replies and faults

  private <T> CompletableFuture<T> reply(T value, QueueException failure) {
    return faults.reply(value, failure);
  }

  private QueueException injectedFailure(String action) {
    return faults.injectedFailure(action + " on queue " + name);
  }

  // ---------------------------------------------------------------------------------------------------
  // inspection

  /** {@return how many messages are visible now (receivable or, on FIFO, waiting behind a locked group)} */
  public int visibleCount() {
    lock.lock();
    try {
      expire(System.nanoTime());
      return visibleCount;
    } finally {
      unlockAndDispatch();
    }
  }

  /** {@return how many messages are in flight now: received, not deleted, visibility not expired} */
  public int inFlightCount() {
    lock.lock();
    try {
      expire(System.nanoTime());
      return inFlight.size();
    } finally {
      unlockAndDispatch();
    }
  }

  /**
   * {@return how many receives wait for messages now (long polls neither answered nor withdrawn): for tests
   * that must know when no receive is outstanding}
   */
  public int waitingReceives() {
    lock.lock();
    try {
      return waiters.size();
    } finally {
      unlockAndDispatch();
    }
  }

  /** {@return how many messages were sent with a delay that has not yet elapsed} */
  public int delayedCount() {
    lock.lock();
    try {
      expire(System.nanoTime());
      return delayedCount;
    } finally {
      unlockAndDispatch();
    }
  }

  /** {@return how many messages the queue holds: visible, in flight and delayed} */
  public int size() {
    lock.lock();
    try {
      expire(System.nanoTime());
      return visibleCount + inFlight.size() + delayedCount;
    } finally {
      unlockAndDispatch();
    }
  }

  /** {@return true if the queue holds no message at all (none visible, in flight or delayed)} */
  public boolean isEmpty() {
    return size() == 0;
  }

  /** {@return how many messages were sent (or moved here by a redrive) since the last reset} */
  public long sent() {
    return readCounter(() -> sent);
  }

  /** {@return how many deliveries were made since the last reset (a redelivery counts again)} */
  public long delivered() {
    return readCounter(() -> delivered);
  }

  /** {@return how many messages were deleted since the last reset} */
  public long deleted() {
    return readCounter(() -> deleted);
  }

  /** {@return how many messages were moved to the dead-letter queue since the last reset} */
  public long movedToDeadLetterQueue() {
    return readCounter(() -> movedToDeadLetterQueue);
  }

  /** {@return how many receive requests were made, failed ones included} */
  public long receiveRequests() {
    return receiveRequests.get();
  }

  /** {@return how many single delete requests were made, failed ones included} */
  public long deleteRequests() {
    return deleteRequests.get();
  }

  /** {@return how many delete batch requests were made, failed ones included} */
  public long deleteBatchRequests() {
    return deleteBatchRequests.get();
  }

  /** {@return how many single change-visibility requests were made, failed ones included} */
  public long changeVisibilityRequests() {
    return changeVisibilityRequests.get();
  }

  /** {@return how many change-visibility batch requests were made, failed ones included} */
  public long changeVisibilityBatchRequests() {
    return changeVisibilityBatchRequests.get();
  }

  /** {@return all requests: receives, deletes and visibility changes, single and batch} */
  public long requests() {
    return receiveRequests() + deleteRequests() + deleteBatchRequests() + changeVisibilityRequests()
        + changeVisibilityBatchRequests();
  }

  /**
   * {@return how many times the message with this id was delivered since it was sent or since the last
   * reset; 0 for an unknown id}
   *
   * @param id the message id the queue gave at send; never null
   * @throws IllegalStateException if tracking is off
   */
  public int deliveries(String id) {
    Objects.requireNonNull(id, "id");
    lock.lock();
    try {
      expire(System.nanoTime());
      QueueEntry entry = trackedHistory().get(id);
      return entry == null ? 0 : entry.deliveries;
    } finally {
      unlockAndDispatch();
    }
  }

  /**
   * {@return true if the message with this id was deleted (since the last reset)}
   *
   * @param id the message id the queue gave at send; never null
   * @throws IllegalStateException if tracking is off
   */
  public boolean isDeleted(String id) {
    Objects.requireNonNull(id, "id");
    lock.lock();
    try {
      QueueEntry entry = trackedHistory().get(id);
      return entry != null && entry.state == QueueEntry.State.DELETED;
    } finally {
      unlockAndDispatch();
    }
  }

  /**
   * {@return the ids of the messages deleted since the last reset, in the order they were sent; a snapshot,
   * never null}
   *
   * @throws IllegalStateException if tracking is off
   */
  public Set<String> deletedIds() {
    lock.lock();
    try {
      Set<String> ids = new LinkedHashSet<>();
      List<QueueEntry> entries = new ArrayList<>(trackedHistory().values());
      entries.sort(QueueEntry.BY_SEQUENCE);
      for (QueueEntry entry : entries) {
        if (entry.state == QueueEntry.State.DELETED) {
          ids.add(entry.id);
        }
      }
      return ids;
    } finally {
      unlockAndDispatch();
    }
  }

  /**
   * {@return how many times each tracked message was delivered, by id in the order they were sent; a
   * snapshot, never null}
   *
   * @throws IllegalStateException if tracking is off
   */
  public Map<String, Integer> deliveriesById() {
    lock.lock();
    try {
      expire(System.nanoTime());
      List<QueueEntry> entries = new ArrayList<>(trackedHistory().values());
      entries.sort(QueueEntry.BY_SEQUENCE);
      Map<String, Integer> result = new LinkedHashMap<>();
      for (QueueEntry entry : entries) {
        result.put(entry.id, entry.deliveries);
      }
      return result;
    } finally {
      unlockAndDispatch();
    }
  }

  /**
   * Zeroes every counter (requests, messages, per-message deliveries) and forgets tracked messages no longer
   * in the queue. Messages stay where they are.
   */
  public void resetCounters() {
    receiveRequests.set(0);
    deleteRequests.set(0);
    deleteBatchRequests.set(0);
    changeVisibilityRequests.set(0);
    changeVisibilityBatchRequests.set(0);
    lock.lock();
    try {
      expire(System.nanoTime());
      sent = 0;
      delivered = 0;
      deleted = 0;
      movedToDeadLetterQueue = 0;
      if (history != null) {
        history.values().removeIf(entry -> entry.state == QueueEntry.State.DELETED
            || entry.state == QueueEntry.State.MOVED || entry.state == QueueEntry.State.PURGED);
        history.values().forEach(entry -> entry.deliveries = 0);
      }
    } finally {
      unlockAndDispatch();
    }
  }

  /** Removes every message, visible, in flight or delayed (their receipt handles become invalid). */
  public void purge() {
    lock.lock();
    try {
      timed.forEach(entry -> entry.state = QueueEntry.State.PURGED);
      visible.forEach(entry -> entry.state = QueueEntry.State.PURGED);
      for (QueueGroup group : groups.values()) {
        group.visible.forEach(entry -> entry.state = QueueEntry.State.PURGED);
      }
      visible.clear();
      groups.clear();
      available.clear();
      inFlight.clear();
      timed.clear();
      visibleCount = 0;
      delayedCount = 0;
    } finally {
      unlockAndDispatch();
    }
  }

  /** Shows the name, the kind and the counts; never a body. */
  @Override
  public String toString() {
    lock.lock();
    try {
      return "InMemoryQueue[" + name + ", " + kind() + ", visible=" + visibleCount + ", inFlight="
          + inFlight.size() + ", delayed=" + delayedCount + "]";
    } finally {
      unlockAndDispatch();
    }
  }

  private long readCounter(java.util.function.LongSupplier counter) {
    lock.lock();
    try {
      return counter.getAsLong();
    } finally {
      unlockAndDispatch();
    }
  }

  private Map<String, QueueEntry> trackedHistory() {
    if (history == null) {
      throw new IllegalStateException("message tracking is off for queue " + name
          + "; turn it on with trackMessages(true) before sending");
    }
    return history;
  }

  private String kind() {
    return fifo ? "fifo" : "standard";
  }

  private static void requireArgument(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(format, args));
    }
  }

  /** The shared timer, created on first use; a daemon thread, so it never keeps a JVM alive. */
  private static ScheduledThreadPoolExecutor timer() {
    return QueueTimer.INSTANCE;
  }

  /** Returns how many tasks the shared timer holds, for tests that check nothing is left scheduled. */
  static int timerTasks() {
    return timer().getQueue().size();
  }

  /** A served waiter and its messages, completed after unlocking. */
  private record Ready(QueueWaiter waiter, List<Message> messages) {}
}
