package io.github.sqsconsumer.it;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.Message;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A consumer process for {@link CrashTest}, killed with SIGKILL while it runs: it consumes a queue the way a
 * user's service would (the SQS runner builds its own client from {@code sqs.endpoint}) and keeps a journal
 * of its handlers: {@code S <body>} when a handler starts, {@code D <body>} just before it returns. Each
 * line is one write(2) that has returned before the handler goes on, so a line is in the file as soon as it
 * is written: a SIGKILL ends the process, not the kernel, and the page cache keeps what was written (no
 * fsync needed; that would matter only if the machine died). The library deletes a message only after its
 * handler returned, so every message it deleted has its {@code D} line.
 *
 * <p>The handler works up to 2 ms; messages whose number is a multiple of {@link #HOLD_EVERY} hold their
 * handler until the process dies, so the kill certainly finds handlers running. The process never ends by
 * itself before {@link #DEADLINE}.
 *
 * <p>Arguments: endpoint, queue URL, worker, harvester, journal file.
 */
final class JournalingConsumer {
  /** Every this many messages, one whose handler runs until the kill. */
  static final int HOLD_EVERY = 1_000;
  /** The visibility timeout the heartbeat renews: a held message comes back this long after the kill. */
  static final Duration VISIBILITY = Duration.ofSeconds(5);
  /** How long the process lives at most if nobody kills it, so a broken test cannot leave it behind. */
  private static final Duration DEADLINE = Duration.ofMinutes(5);

  private JournalingConsumer() {}

  public static void main(String[] args) throws Exception {
    String endpoint = args[0];
    String queueUrl = args[1];
    String worker = args[2];
    String harvester = args[3];
    Path journalFile = Path.of(args[4]);
    CountDownLatch never = new CountDownLatch(1);
    try (FileChannel journal = FileChannel.open(journalFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
        Consumer consumer = Consumer.builder()
            .name("journaling-" + ProcessHandle.current().pid())
            .queue(queueUrl).runner("sqs").worker(worker).harvester(harvester)
            .setting("sqs.endpoint", endpoint).setting("sqs.region", "us-east-1")
            .concurrency(20).waitTime(Duration.ofSeconds(1)).visibilityTimeout(VISIBILITY)
            .handler(message -> {
              write(journal, "S ", message);
              if (EndToEnd.index(message) % HOLD_EVERY == 0) {
                never.await(DEADLINE.toSeconds(), TimeUnit.SECONDS); // until the kill
              } else {
                Thread.sleep(Duration.ofNanos(ThreadLocalRandom.current().nextLong(2_000_000)));
              }
              write(journal, "D ", message);
            })
            .build()) {
      consumer.start();
      System.out.println("started");
      Thread.sleep(DEADLINE);
    }
  }

  /** Appends one line in one write; handlers write one at a time so lines never interleave. */
  private static void write(FileChannel journal, String kind, Message message) throws IOException {
    ByteBuffer line = ByteBuffer.wrap((kind + message.body() + "\n").getBytes(StandardCharsets.UTF_8));
    synchronized (journal) {
      while (line.hasRemaining()) {
        journal.write(line);
      }
    }
  }

  /** A journal as written so far: complete lines only (a process killed mid-line leaves none: one write). */
  record Journal(List<String> started, List<String> done) {
    static Journal read(Path file) throws IOException {
      List<String> started = new ArrayList<>();
      List<String> done = new ArrayList<>();
      if (!Files.exists(file)) {
        return new Journal(started, done);
      }
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int end = text.lastIndexOf('\n') + 1; // a line without its newline yet is not written
      for (String line : text.substring(0, end).split("\n")) {
        if (line.startsWith("S ")) {
          started.add(line.substring(2));
        } else if (line.startsWith("D ")) {
          done.add(line.substring(2));
        }
      }
      return new Journal(started, done);
    }
  }
}
