package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.it.JournalingConsumer.Journal;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqExtension;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * A consumer process killed with SIGKILL ({@link Process#destroyForcibly()}) in the middle of 5,000
 * messages, then a new consumer drains the queue. The killed process ({@link JournalingConsumer}) keeps a
 * journal of its handlers that survives the kill; the new one runs here and records what it receives.
 * Checks:
 * <ul>
 *   <li>every message was handled to the end at least once, by one consumer or the other;</li>
 *   <li>none was deleted before its handler finished: a message the new consumer never received was deleted
 *       by the killed one (the new one drains the queue until it is empty: everything not deleted reaches
 *       it), so its handler's end must be in the journal;</li>
 *   <li>the kill found handlers running (held ones, see {@link JournalingConsumer}), and they came back;</li>
 *   <li>the queue is empty at the end.</li>
 * </ul>
 * Prints the duplicate share: messages handled to the end by both consumers, whose deletes the kill lost.
 */
final class CrashTest {
  private static final int MESSAGES = 5_000;
  private static final double KILL_AT = 0.3; // share of messages handled when the kill comes
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

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS) // a JVM start, 5,000 messages, a visibility timeout
  void sigkill_midRun_everyMessageHandledNoneDeletedEarly(@TempDir Path dir) throws Exception {
    // the batch harvester: it holds acknowledgements longest, so the kill loses the most of them
    Combination parts = new Combination("pool", "batch");
    String queueUrl = sqs.standardQueue("crash", JournalingConsumer.VISIBILITY);
    sqs.send(queueUrl, MESSAGES, i -> "m-" + i);
    Set<String> all = IntStream.range(0, MESSAGES).mapToObj(i -> "m-" + i).collect(Collectors.toSet());
    Path journalFile = dir.resolve("journal");
    Path out = dir.resolve("out");

    Process child = ModulePathLauncher.classPathChild(List.of("-Xmx256m",
            "-Daws.accessKeyId=test", "-Daws.secretAccessKey=test", "-Daws.disableEc2Metadata=true"),
        JournalingConsumer.class, List.of(sqs.endpoint().toString(), queueUrl, parts.worker(), parts.harvester(),
            journalFile.toString()))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    Journal beforeKill;
    try {
      await("the child handling " + KILL_AT + " of the messages, a held handler among them")
          .atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(50))
          .until(() -> {
            assertThat(child.isAlive()).as("child alive; it printed: %s", Files.readString(out)).isTrue();
            Journal journal = Journal.read(journalFile);
            return journal.done().size() >= MESSAGES * KILL_AT
                && journal.started().stream().anyMatch(CrashTest::held);
          });
    } finally {
      child.destroyForcibly(); // SIGKILL on Unix: no shutdown hook, no close, no last delete
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the killed child ended").isTrue();
    }
    beforeKill = Journal.read(journalFile); // what the journal holds now is all the child ever wrote
    int exitValue = child.exitValue();
    int remainingAfterKill = sqs.remaining(queueUrl);

    // the new consumer: everything the killed one did not delete comes to it, the held messages once their
    // visibility (renewed by the dead process's heartbeat) expires
    Probe drained = new Probe();
    try (SqsAsyncClient client = sqs.client(null);
        Consumer consumer = parts.onSqs(client, queueUrl).name("after-crash").concurrency(20)
            .waitTime(Duration.ofSeconds(1)).visibilityTimeout(JournalingConsumer.VISIBILITY)
            .handler(message -> {
              drained.attempt(message);
              drained.succeeded(message);
            }).build()) {
      consumer.start();
      await("the queue drained").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
          .until(() -> sqs.remaining(queueUrl) == 0);
    }

    Set<String> doneBeforeKill = new HashSet<>(beforeKill.done());
    Set<String> runningAtKill = new TreeSet<>(beforeKill.started());
    runningAtKill.removeAll(doneBeforeKill);
    Set<String> deletedByKilled = new HashSet<>(all);
    deletedByKilled.removeIf(body -> drained.attempts(body) > 0);
    Set<String> deletedEarly = new TreeSet<>(deletedByKilled);
    deletedEarly.removeAll(doneBeforeKill);
    Set<String> handledTwice = new HashSet<>(doneBeforeKill);
    handledTwice.retainAll(drained.succeeded());
    Set<String> handled = new HashSet<>(doneBeforeKill);
    handled.addAll(drained.succeeded());

    System.out.printf("crash %s: %d msgs; killed (exit %d) after %d handlers ended, %d running (held %d); "
            + "%d left in the queue; the killed process deleted %d, the new one handled %d (%d calls); "
            + "handled by both (deletes lost to the kill) %d = %.2f %% duplicates%n", parts, MESSAGES, exitValue,
        beforeKill.done().size(), runningAtKill.size(), runningAtKill.stream().filter(CrashTest::held).count(),
        remainingAfterKill, deletedByKilled.size(), drained.succeeded().size(), drained.handled(),
        handledTwice.size(), 100.0 * handledTwice.size() / MESSAGES);

    assertThat(exitValue).as("exit value of a killed process").isNotZero();
    assertThat(deletedEarly).as("deleted by the killed process without a finished handler").isEmpty();
    assertThat(handled).as("handled to the end at least once").isEqualTo(all);
    assertThat(runningAtKill).as("handlers the kill cut short").isNotEmpty();
    assertThat(drained.succeeded()).as("what the kill cut short came back").containsAll(runningAtKill);
    assertThat(deletedByKilled).as("the killed process had deleted some").isNotEmpty();
    assertThat(sqs.remaining(queueUrl)).as("left in the queue").isZero();
  }

  private static boolean held(String body) {
    return EndToEnd.index(body) % JournalingConsumer.HOLD_EVERY == 0;
  }
}
