package io.github.sqsconsumer.runner.sqs;

import static io.github.sqsconsumer.runner.sqs.Checks.requireArgument;
import static io.github.sqsconsumer.runner.sqs.Checks.requireState;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.Limits;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueueException.Kind;
import io.github.sqsconsumer.spi.QueueInfo;
import io.github.sqsconsumer.spi.ReceiveAttributes;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.VisibilityChange;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * The SQS transport: receives with long polling, deletes and changes visibility, over an
 * {@link SqsAsyncClient}.
 *
 * <p>Batch entries are identified by their position ({@code "0"} to {@code "9"}), never by message id: a
 * redelivered message may sit twice in one batch, and SQS rejects a whole batch whose ids repeat
 * ({@code AWS.SimpleQueueService.BatchEntryIdsNotDistinct}).
 */
final class SqsRunner implements Runner {
  /*
   * Concurrency:
   *   open() runs first (again only after a failure), on the thread starting the consumer. It writes
   *   client, receiveTemplate (the URL and attribute names every receive sends, built once) and, last,
   *   queueUrl, all volatile: poll threads (receive), harvester and heartbeat threads (the port methods) read
   *   them after open() returned, and the core hands work to them only then. Afterwards this class holds no
   *   mutable state but the closed flag and receiveRequests, a cache of immutable SDK requests that pollers
   *   write racily (a lost write only builds one again); the SDK client is thread-safe, and every call
   *   returns a future at once. The SDK builds and signs a request on the thread that calls it: calls that
   *   virtual threads (pollers, handlers) ask for are made on the runner's sender threads, the others on
   *   their callers (see Senders for why and what it measured).
   *
   * Cancellation:
   *   Each call's SDK future is relayed into a future of our own (mapped result, classified failure). A
   *   cancel of ours cancels the SDK future of a delete or visibility change, which aborts the HTTP request
   *   and frees its connection. [cancel(ours) => cancel(sdk), but for receives]
   *   A receive is not aborted: cutting a long poll's connection does not end it on the server, which
   *   hands the next messages to it all the same (SQS and ElasticMQ do), and they would stay invisible
   *   for their visibility timeout with a receive counted against maxReceiveCount. The core cancels
   *   outstanding long polls at shutdown; ours completes cancelled at once, the request runs on until the
   *   server answers (at most its wait time), and what it brings is ours alone (the core never sees it),
   *   so it is released at once, visibility zero (the Runner#receive contract). The same holds for a
   *   cancel that comes after the response arrived. `draining` holds such receives until their answer was
   *   handled, `releasing` such releases until answered. close() waits up to RELEASE_GRACE for the
   *   releases; a client of our own is closed once the polls still draining have answered and their
   *   releases went out (at most their wait time plus RELEASE_GRACE), on a daemon thread of its own, so
   *   close does not wait for them (a consumer's close would take up to 20 s longer, an idle one's too).
   *   A JVM that exits first cuts those polls, and what the server hands them comes back after its
   *   visibility timeout. A user's client stays open: the polls end and the releases go out on it. A
   *   sender in between passes a cancel on and hands messages that arrive after it to the same release.
   *
   * FIFO receives:
   *   No ReceiveRequestAttemptId is sent. The id lets a retry of a receive within 5 minutes get the same
   *   messages and receipt handles back (resetting their visibility) when the first response was lost, as
   *   long as none of them was deleted or had its visibility changed. But a receive that failed because
   *   the queue throttled it is not retryable: SQS refuses the same id again, and the retry must carry a
   *   new one. The SDK retries a call with the same request, throttles included, and the core retries a
   *   failed receive with a new call after its backoff, so an id would only pay off after a lost response
   *   and would turn a throttle into a refusal. Without it, the messages of a lost response, and their
   *   groups, stay hidden until the visibility timeout sent with the receive runs out (a short configured
   *   visibilityTimeout, which the heartbeat extends for messages being handled, bounds that).
   *
   * Shutdown:
   *   close() runs once, after every other call has completed or been cancelled. It closes the client only
   *   if this runner built it; a user's client stays open for the user (and needs no wait).
   *
   * Size:
   *   One class for the Runner contract because open, receive, the port methods and close share its state:
   *   the client, the queue URL, the closed flag and the releases under way. What needs none of it lives
   *   apart: mapping the SDK's answers (SqsMapping), classifying failures (SqsErrors), building a client
   *   (SqsClients) and argument checks (Checks).
   */
  private static final Logger LOG = LoggerFactory.getLogger(SqsRunner.class);

  // a long poll's attempt may take its wait plus this before the SDK gives up on it: room for the
  // server's reply of up to 10 x 256 KiB (1 MiB) on a slow link, well short of the read timeout's role
  static final Duration RECEIVE_SLACK = Duration.ofSeconds(10);
  // a release of a cancelled receive's messages is one request; past this the messages come back after
  // their visibility timeout anyway, and close() must not hang on a queue that stopped answering
  static final Duration RELEASE_GRACE = Duration.ofSeconds(2);
  // a batch entry's id is its position: "0" to "9"
  private static final String[] ENTRY_IDS = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

  private final String queue;
  private final SqsAsyncClient userClient; // null when the runner builds its own
  private final SqsClients.Config config; // null with a user's client
  private final Duration configuredVisibility; // the consumer's visibilityTimeout, sent with each receive; or null
  private final ReceiveAttributes asked; // asked for with each receive (RunnerContext#receiveAttributes)
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Make the SDK calls that virtual threads ask for: receives, deletes, visibility changes (see Senders). */
  private final Senders senders;
  /** Releases of cancelled receives' messages not yet answered. */
  private final Set<CompletableFuture<?>> releasing = ConcurrentHashMap.newKeySet();
  /** Cancelled receives still running on the server, until their answer was handled (see Cancellation). */
  private final Set<CompletableFuture<?>> draining = ConcurrentHashMap.newKeySet();
  /** The wait time of the latest receive request built, in seconds: the longest a draining receive runs after close. */
  private volatile int waitSeconds;
  private volatile SqsClients.OwnClient ownClient; // the client we built, written once by open()
  private volatile SqsAsyncClient client; // written once by open()
  private volatile String queueUrl; // written once by open()
  // written once by open(): the URL and the attributes every receive sends, so a receive sets only its counts
  private volatile ReceiveMessageRequest receiveTemplate;
  /**
   * The last receive request built, by its size (index 1 to 10): immutable SDK requests (final fields, so
   * safely seen by any thread), written racily by pollers; a lost write only builds one again.
   */
  private final ReceiveMessageRequest[] receiveRequests = new ReceiveMessageRequest[MAX_BATCH_SIZE + 1];

  /**
   * Creates a runner; calls no network.
   *
   * @param queue the queue's URL or name
   * @param userClient the user's client, or null to build one from {@code config}
   * @param config the settings for a client of our own; null with a user's client
   * @param configuredVisibility the consumer's visibilityTimeout (RunnerContext#visibilityTimeout), or null
   * @param attributes the attributes every receive asks for (RunnerContext#receiveAttributes)
   * @param consumerName names the sender threads (PartContext#consumerName)
   */
  SqsRunner(String queue, SqsAsyncClient userClient, SqsClients.Config config, Duration configuredVisibility,
      ReceiveAttributes attributes, String consumerName) {
    requireArgument(queue != null && !queue.isBlank(), "queue must not be blank but was '%s'", queue);
    requireArgument(userClient != null ^ config != null, "exactly one of a client and a config is needed");
    this.queue = queue.trim();
    this.userClient = userClient;
    this.config = config;
    this.configuredVisibility = configuredVisibility;
    this.asked = Objects.requireNonNull(attributes, "attributes");
    this.senders = new Senders(Objects.requireNonNull(consumerName, "consumerName")); // starts no thread yet
  }

  /** Returns true if the queue is given as a URL rather than a name. */
  static boolean isUrl(String queue) {
    return queue.regionMatches(true, 0, "https://", 0, 8) || queue.regionMatches(true, 0, "http://", 0, 7);
  }

  @Override
  public QueueInfo open() {
    // may be called again after a transient failure; the client built by a failed attempt is reused
    requireState(queueUrl == null, "the runner is open already");
    requireState(!closed.get(), "the runner is closed");
    if (client == null) {
      if (userClient != null) {
        client = userClient;
      } else {
        ownClient = buildClient();
        client = ownClient.client();
      }
    }
    String url = isUrl(queue) ? queue : resolveUrl(queue);
    Map<String, String> attributes = await("GetQueueAttributes", client.getQueueAttributes(b -> b
        .queueUrl(url)
        .attributeNames(QueueAttributeName.VISIBILITY_TIMEOUT, QueueAttributeName.FIFO_QUEUE)))
        .attributesAsStrings();
    boolean fifo = Boolean.parseBoolean(attributes.get(QueueAttributeName.FIFO_QUEUE.toString()))
        || url.endsWith(".fifo");
    Duration queueVisibility =
        Duration.ofSeconds(parseSeconds(attributes.get(QueueAttributeName.VISIBILITY_TIMEOUT.toString())));
    Duration visibility = queueVisibility;
    if (visibility.isZero()) {
      // QueueInfo needs a positive timeout. The core asks for its configured timeout with every receive
      // (Runner#receive), so with one set the queue's value is never used, and without it the builder's
      // setting is the fix that needs no change to the queue
      if (configuredVisibility == null) {
        LOG.warn("queue {} has a visibility timeout of 0 s: each message is received for 1 s and extended every "
            + "few hundred ms; set Consumer.builder().visibilityTimeout(...) to more than a handler's usual "
            + "time, or the queue's VisibilityTimeout", url);
      }
      visibility = Duration.ofSeconds(1);
    }
    ReceiveMessageRequest.Builder template = ReceiveMessageRequest.builder().queueUrl(url);
    if (!asked.systemAttributeNames().isEmpty()) { // SQS spells the names as we do ("All" included)
      template.messageSystemAttributeNamesWithStrings(asked.systemAttributeNames());
    }
    if (!asked.messageAttributeNames().isEmpty()) {
      template.messageAttributeNames(asked.messageAttributeNames());
    }
    receiveTemplate = template.build();
    queueUrl = url; // [queueUrl != null => receiveTemplate != null]
    LOG.debug("receives from {} ask for system attributes {} and message attributes {}", url,
        asked.systemAttributeNames(), asked.messageAttributeNames());
    LOG.info("opened queue {} at {} (fifo={}, visibility timeout {} s{}, {} client)", url, where(), fifo,
        queueVisibility.toSeconds(),
        configuredVisibility != null ? ", " + configuredVisibility.toSeconds() + " s asked with each receive" : "",
        userClient != null ? "user's" : "own");
    return new QueueInfo(url, fifo, visibility);
  }

  private SqsClients.OwnClient buildClient() {
    try {
      return SqsClients.build(config, queue);
    } catch (SdkException e) { // the region chain found nothing, or the settings do not fit together
      throw new QueueException(Kind.FATAL, "", "cannot build the SQS client for queue '" + queue + "': "
          + e.getMessage() + " (set " + SqsClients.REGION + " or AWS_REGION, or hand the runner an "
          + "SqsAsyncClient)", e);
    }
  }

  private String resolveUrl(String name) {
    return await("GetQueueUrl", client.getQueueUrl(b -> b.queueName(name))).queueUrl();
  }

  /** Waits for a call of {@link #open()}, turning failures into clear queue exceptions. */
  private <T> T await(String operation, CompletableFuture<T> call) {
    try {
      return call.get();
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new QueueException(Kind.TRANSIENT, "", "interrupted while opening queue '" + queue + "'", e);
    } catch (ExecutionException e) {
      throw explainOpenFailure(SqsErrors.classify(operation, e));
    }
  }

  private QueueException explainOpenFailure(QueueException e) {
    String what = "queue '" + queue + "'";
    if (SqsErrors.isMissingQueue(e.code())) {
      return new QueueException(Kind.FATAL, e.code(), what + " does not exist at " + where()
          + ": check the queue name or URL, the region and the account (" + e.getMessage() + ")", e.getCause());
    }
    if (SqsErrors.isAccessDenied(e.code())) {
      return new QueueException(Kind.FATAL, e.code(), "access to " + what + " at " + where()
          + " is denied: check the credentials and that they allow sqs:GetQueueUrl, sqs:GetQueueAttributes, "
          + "sqs:ReceiveMessage, sqs:DeleteMessage and sqs:ChangeMessageVisibility (" + e.getMessage() + ")",
          e.getCause());
    }
    if (e.kind() == Kind.TRANSIENT) {
      return new QueueException(Kind.TRANSIENT, e.code(), "cannot reach " + what + " at " + where()
          + " now, it may work later: " + e.getMessage(), e.getCause());
    }
    return new QueueException(e.kind(), e.code(), "cannot open " + what + " at " + where() + ": "
        + e.getMessage(), e.getCause());
  }

  /** Describes where the client sends requests: its endpoint override, or its region. */
  private String where() {
    SqsAsyncClient c = client;
    if (c == null) {
      return "(no client)";
    }
    var configuration = c.serviceClientConfiguration();
    return configuration.endpointOverride().map(URI::toString)
        .orElseGet(() -> {
          Region region = configuration.region();
          return "region " + (region != null ? region.id() : "(unknown)");
        });
  }

  @Override
  public CompletableFuture<List<Message>> receive(int maxMessages, Duration waitTime, Duration visibilityTimeout) {
    requireArgument(maxMessages >= 1 && maxMessages <= MAX_BATCH_SIZE,
        "maxMessages must be between 1 and %d but was %d", MAX_BATCH_SIZE, maxMessages);
    requireArgument(waitTime != null && !waitTime.isNegative() && waitTime.compareTo(Limits.MAX_WAIT_TIME) <= 0,
        "waitTime must be between 0 and 20 seconds but was %s", waitTime);
    requireArgument(visibilityTimeout != null && visibilityTimeout.compareTo(Duration.ofSeconds(1)) >= 0
        && visibilityTimeout.compareTo(Limits.MAX_VISIBILITY) <= 0,
        "visibilityTimeout must be between 1 second and 12 hours but was %s", visibilityTimeout);
    int waitSeconds = (int) Math.min(Limits.MAX_WAIT_TIME.toSeconds(), (waitTime.toMillis() + 999) / 1000); // round up
    int visibilitySeconds = visibilitySeconds(visibilityTimeout);
    ReceiveMessageRequest request = receiveRequests[maxMessages];
    if (request == null || request.waitTimeSeconds() != waitSeconds
        || request.visibilityTimeout() != visibilitySeconds) {
      request = receiveRequest(maxMessages, waitSeconds, visibilitySeconds);
      receiveRequests[maxMessages] = request;
      this.waitSeconds = waitSeconds; // changes only with the request, not per receive
    }
    SqsAsyncClient c = client();
    ReceiveMessageRequest sent = request;
    // relayed where it is sent; messages that arrive once ours was cancelled are released either way
    return senders.send(() -> relay("ReceiveMessage", c.receiveMessage(sent), this::messagesOf, this::releaseUnclaimed,
        draining), this::releaseUnclaimed);
  }

  private List<Message> messagesOf(ReceiveMessageResponse response) {
    List<software.amazon.awssdk.services.sqs.model.Message> received = response.messages();
    List<Message> messages = new ArrayList<>(received.size());
    for (software.amazon.awssdk.services.sqs.model.Message m : received) {
      messages.add(SqsMapping.toMessage(m));
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("received {} messages from {}", messages.size(), queueUrl);
    }
    return messages;
  }

  /**
   * Builds a receive request. The core asks with the same wait and visibility every time and mostly for a
   * whole batch, so receive() keeps the last request per size and sends it again: the request, its
   * attribute lists and its override configuration are built once, not per call.
   */
  private ReceiveMessageRequest receiveRequest(int maxMessages, int waitSeconds, int visibilitySeconds) {
    url(); // fails unless open
    return receiveTemplate.toBuilder()
        .maxNumberOfMessages(maxMessages)
        .waitTimeSeconds(waitSeconds)
        .visibilityTimeout(visibilitySeconds) // [hidden as long as the core counts on]
        .overrideConfiguration(o -> o.apiCallAttemptTimeout(Duration.ofSeconds(waitSeconds).plus(RECEIVE_SLACK)))
        .build();
  }

  /**
   * Makes the messages of a receive whose future was cancelled before they arrived visible again at once:
   * nobody else will ever see them.
   */
  private void releaseUnclaimed(List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    List<VisibilityChange> changes = new ArrayList<>(messages.size());
    for (Message message : messages) {
      changes.add(new VisibilityChange(message, Duration.ZERO));
    }
    CompletableFuture<BatchReply> call;
    try {
      call = changeVisibilityBatch(changes);
    } catch (RuntimeException e) { // closed meanwhile
      LOG.warn("could not release {} message(s) of a cancelled receive; they come back after their "
          + "visibility timeout: {}", messages.size(), e.getClass().getSimpleName());
      return;
    }
    CompletableFuture<Void> done = call.handle((reply, error) -> {
      Throwable failure = error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error;
      int failed = failure != null ? messages.size() : reply.failures().size();
      if (failed == 0) {
        LOG.debug("released {} message(s) of a cancelled receive from {}", messages.size(), queueUrl);
      } else {
        // the code only: SQS error messages may quote the receipt handle
        String code = failure instanceof QueueException q ? q.code()
            : failure != null ? failure.getClass().getSimpleName()
            : reply.failures().values().iterator().next().code();
        LOG.warn("could not release {} of {} message(s) of a cancelled receive; they come back after their "
            + "visibility timeout ({})", failed, messages.size(), code);
      }
      return null;
    });
    releasing.add(done);
    done.whenComplete((ignored, failure) -> releasing.remove(done));
  }

  @Override
  public CompletableFuture<BatchReply> deleteBatch(List<Message> messages) {
    requireBatch("messages", messages);
    List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      entries.add(DeleteMessageBatchRequestEntry.builder()
          .id(ENTRY_IDS[i]) // [entry id == position]
          .receiptHandle(messages.get(i).receiptHandle())
          .build());
    }
    int size = entries.size();
    SqsAsyncClient c = client();
    String url = url();
    return relay("DeleteMessageBatch", senders.send(() -> c.deleteMessageBatch(b -> b.queueUrl(url).entries(entries))),
        response -> SqsMapping.reply("DeleteMessageBatch", size,
            successfulIds(response.successful(), DeleteMessageBatchResultEntry::id), response.failed()));
  }

  @Override
  public CompletableFuture<BatchReply> changeVisibilityBatch(List<VisibilityChange> changes) {
    requireBatch("changes", changes);
    List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>(changes.size());
    for (int i = 0; i < changes.size(); i++) {
      VisibilityChange change = changes.get(i);
      entries.add(ChangeMessageVisibilityBatchRequestEntry.builder()
          .id(ENTRY_IDS[i]) // [entry id == position]
          .receiptHandle(change.message().receiptHandle())
          .visibilityTimeout(visibilitySeconds(change.visibility()))
          .build());
    }
    int size = entries.size();
    SqsAsyncClient c = client();
    String url = url();
    return relay("ChangeMessageVisibilityBatch",
        senders.send(() -> c.changeMessageVisibilityBatch(b -> b.queueUrl(url).entries(entries))),
        response -> SqsMapping.reply("ChangeMessageVisibilityBatch", size,
            successfulIds(response.successful(), ChangeMessageVisibilityBatchResultEntry::id), response.failed()));
  }

  @Override
  public CompletableFuture<Void> delete(Message message) {
    String receiptHandle = message.receiptHandle();
    SqsAsyncClient c = client();
    String url = url();
    return relay("DeleteMessage",
        senders.send(() -> c.deleteMessage(b -> b.queueUrl(url).receiptHandle(receiptHandle))), response -> null);
  }

  @Override
  public CompletableFuture<Void> changeVisibility(Message message, Duration visibility) {
    String receiptHandle = message.receiptHandle();
    int seconds = visibilitySeconds(visibility);
    SqsAsyncClient c = client();
    String url = url();
    return relay("ChangeMessageVisibility", senders.send(() -> c.changeMessageVisibility(b -> b
        .queueUrl(url).receiptHandle(receiptHandle).visibilityTimeout(seconds))), response -> null);
  }

  /** Returns the ids of a batch response's successful entries. */
  private static <E> List<String> successfulIds(List<E> successful, Function<E, String> id) {
    List<String> ids = new ArrayList<>(successful.size());
    for (E entry : successful) {
      ids.add(id.apply(entry));
    }
    return ids;
  }

  private static void requireBatch(String name, List<?> entries) {
    requireArgument(entries != null, "%s must not be null", name);
    requireArgument(!entries.isEmpty() && entries.size() <= MAX_BATCH_SIZE,
        "%s must hold between 1 and %d entries but held %d", name, MAX_BATCH_SIZE, entries.size());
  }

  /** Returns whole seconds, rounded up: a message never comes back earlier than asked. */
  static int visibilitySeconds(Duration visibility) {
    requireArgument(visibility != null && !visibility.isNegative() && visibility.compareTo(Limits.MAX_VISIBILITY) <= 0,
        "visibility must be between 0 and 12 hours but was %s", visibility);
    long seconds = visibility.getSeconds() + (visibility.getNano() > 0 ? 1 : 0);
    return (int) Math.min(seconds, Limits.MAX_VISIBILITY.toSeconds());
  }

  /**
   * Relays an SDK future into one of ours: maps the result, classifies the failure, and passes a cancel of
   * ours on to the SDK future, which aborts the request.
   */
  private static <R, T> CompletableFuture<T> relay(String operation, CompletableFuture<R> call,
      Function<? super R, ? extends T> mapper) {
    return relay(operation, call, mapper, null, null);
  }

  /**
   * Relays like {@link #relay(String, CompletableFuture, Function)}, and hands a result that ours could not
   * take (it was cancelled first) to {@code unclaimed}. With {@code drains} (receives), a cancel of ours
   * does not abort the request: it runs on, held in {@code drains} until its answer was handled (see
   * Cancellation in the class comment).
   */
  private static <R, T> CompletableFuture<T> relay(String operation, CompletableFuture<R> call,
      Function<? super R, ? extends T> mapper, java.util.function.Consumer<? super T> unclaimed,
      Set<CompletableFuture<?>> drains) {
    CompletableFuture<T> result = new CompletableFuture<>();
    CompletableFuture<R> handled = call.whenComplete((response, failure) -> {
      if (failure != null) {
        result.completeExceptionally(SqsErrors.classify(operation, failure));
        return;
      }
      T value;
      try {
        value = mapper.apply(response);
      } catch (Throwable e) { // even an Error: a future left incomplete would hang its poller for good
        result.completeExceptionally(SqsErrors.classify(operation, e));
        return;
      }
      if (!result.complete(value) && unclaimed != null) {
        unclaimed.accept(value); // [only a cancel completes ours first]
      }
    });
    result.whenComplete((ignored, failure) -> {
      if (!result.isCancelled()) {
        return;
      }
      if (drains == null) {
        call.cancel(true); // [cancel(ours) => cancel(sdk)]
      } else if (!handled.isDone()) {
        drains.add(handled); // removed once handled; at once if that happened meanwhile
        handled.whenComplete((response, error) -> drains.remove(handled));
      }
    });
    return result;
  }

  private SqsAsyncClient client() {
    SqsAsyncClient c = client;
    requireState(c != null, "the runner is not open: call open() first");
    return c;
  }

  private String url() {
    String url = queueUrl;
    requireState(url != null, "the runner is not open: call open() first");
    return url;
  }

  private static long parseSeconds(String value) {
    if (value == null) {
      return 30; // the SQS default, should a server not say
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new QueueException(Kind.FATAL, "", "the queue's VisibilityTimeout is not a number: " + value, e);
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    senders.close(); // idle senders end now; a call after this is made on its caller's thread
    SqsClients.OwnClient own = ownClient;
    if (own != null) {
      awaitAll(releasing, System.nanoTime() + RELEASE_GRACE.toNanos());
      if (draining.isEmpty()) {
        closeOwnClient(own);
        return;
      }
      // closing the client would cut the draining polls, and the server would still hand them messages:
      // it closes once they answered and their releases went out, or their wait time plus the grace passed
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds) + RELEASE_GRACE.toNanos();
      Thread.ofVirtual().name("sqs-runner-drain").start(() -> {
        awaitAll(draining, deadline);
        awaitAll(releasing, deadline);
        closeOwnClient(own);
      });
    }
  }

  private void closeOwnClient(SqsClients.OwnClient own) {
    own.close(); // aborts what is left
    LOG.info("closed the SQS client of queue {}", queueUrl != null ? queueUrl : queue);
  }

  /**
   * Waits until {@code deadline} (System.nanoTime) for the cancelled receives still running on the server or
   * for the releases of what they brought (see Cancellation); failures were logged where they happened.
   */
  private static void awaitAll(Set<CompletableFuture<?>> calls, long deadline) {
    CompletableFuture<?>[] pending = calls.toArray(CompletableFuture<?>[]::new);
    if (pending.length == 0) {
      return;
    }
    try {
      CompletableFuture.allOf(pending).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // a failed receive brings nothing, a failed release was logged; what still runs is aborted with the client
    }
  }

  @Override
  public String toString() {
    return "SqsRunner[" + (queueUrl != null ? queueUrl : queue) + "]";
  }
}
