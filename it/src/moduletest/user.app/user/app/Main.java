package user.app;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.ConsumerException;
import io.github.sqsconsumer.ConsumerListener;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.RetryPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Runs the scenarios named by its arguments, one after another, and prints what happened on lines starting
 * with {@code USERAPP}, for the launching test to read.
 *
 * <ul>
 *   <li>{@code consume,<worker>,<harvester>,<queueUrl>,<n>[,<failShare>,<receiptsFile>]}: consumes until
 *       {@code n} distinct messages succeeded, then closes. A part named {@code -} is not chosen in code (the
 *       only one present, or the system property, decides). With a fail share, that share of handler calls
 *       throws; with a receipts file, every receipt handle seen is written there.</li>
 *   <li>{@code build,<worker>,<harvester>}: only builds a consumer and prints the error, if any.</li>
 * </ul>
 * The endpoint, region and credentials come from system properties
 * ({@code io.github.sqsconsumer.sqs.endpoint}, {@code io.github.sqsconsumer.sqs.region}, {@code aws.*}).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    Module module = Main.class.getModule();
    String modules = ModuleLayer.boot().modules().stream().map(Module::getName)
        .filter(n -> n.startsWith("io.github.sqsconsumer") || n.startsWith("user."))
        .sorted().collect(Collectors.joining(" "));
    out("module " + (module.isNamed() ? module.getName() : "unnamed") + "; boot layer: [" + modules + "]");
    int status = 0;
    for (String arg : args) {
      List<String> p = List.of(arg.split(","));
      try {
        switch (p.get(0)) {
          case "consume" -> consume(p.get(1), p.get(2), p.get(3), Integer.parseInt(p.get(4)),
              p.size() > 5 ? Double.parseDouble(p.get(5)) : 0, p.size() > 6 ? Path.of(p.get(6)) : null);
          case "build" -> build(p.get(1), p.get(2));
          default -> throw new IllegalArgumentException("unknown scenario " + arg);
        }
      } catch (ConsumerException e) {
        out("error: " + e.getMessage());
        status = 2;
      }
    }
    out("exit " + status);
    System.exit(status);
  }

  private static Consumer.Builder builder(String worker, String harvester, String queue) {
    Consumer.Builder builder = Consumer.builder().name("user-app").queue(queue);
    if (!worker.equals("-")) {
      builder.worker(worker);
    }
    if (!harvester.equals("-")) {
      builder.harvester(harvester);
    }
    return builder;
  }

  private static void build(String worker, String harvester) {
    Consumer consumer = builder(worker, harvester, "https://sqs.us-east-1.amazonaws.com/000000000000/unused")
        .handler(m -> { })
        .build();
    out("built " + consumer);
    consumer.close();
  }

  private static void consume(String worker, String harvester, String queue, int n, double failShare,
      Path receipts) throws InterruptedException {
    Set<String> succeeded = ConcurrentHashMap.newKeySet();
    CountDownLatch done = new CountDownLatch(n);
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger acknowledged = new AtomicInteger();
    Consumer consumer = builder(worker, harvester, queue)
        .concurrency(4)
        .waitTime(Duration.ofSeconds(1))
        // failed messages come back within a second: the default backoff doubles with each receive, and
        // receives lost to injected faults count too, so a message could wait longer than the scenario
        .retryPolicy(RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(1)))
        .handler(message -> {
          if (receipts != null) {
            record(receipts, message);
          }
          if (ThreadLocalRandom.current().nextDouble() < failShare) {
            failures.incrementAndGet();
            throw new IllegalStateException("the handler failed on purpose");
          }
          if (succeeded.add(message.id())) {
            done.countDown();
          }
        })
        .listener(new ConsumerListener() {
          @Override
          public void onAcknowledged(Message message) {
            acknowledged.incrementAndGet();
          }
        })
        .build();
    out("built " + consumer);
    try (consumer) {
      consumer.start();
      out("started " + consumer);
      if (!done.await(60, TimeUnit.SECONDS)) {
        out("timed out with " + succeeded.size() + " of " + n);
      }
    }
    out("consumed " + succeeded.size() + " of " + n + ", failures " + failures.get() + ", acknowledged "
        + acknowledged.get() + ", " + consumer);
  }

  private static synchronized void record(Path receipts, Message message) {
    try {
      Files.writeString(receipts, message.receiptHandle() + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void out(String line) {
    System.out.println("USERAPP " + line);
    System.out.flush();
  }
}
