package io.github.sqsconsumer.testkit.elasticmq;

/**
 * What a test asked for with {@link SqsQueue}, with the names resolved and the values checked.
 *
 * @param deadLetterName null without a dead-letter queue
 * @param maxReceiveCount 0 without a dead-letter queue
 */
record QueueDeclaration(String name, boolean fifo, int visibilityTimeoutSeconds, String deadLetterName,
    int maxReceiveCount) {
  private static final String FIFO_SUFFIX = ".fifo";

  static QueueDeclaration of(SqsQueue queue) {
    boolean fifo = queue.fifo() || queue.name().endsWith(FIFO_SUFFIX);
    String name = withSuffix(queue.name(), fifo);
    require(!queue.name().isBlank(), "@SqsQueue name must not be blank");
    require(queue.visibilityTimeoutSeconds() >= 0 && queue.visibilityTimeoutSeconds() <= 43_200,
        "@SqsQueue(name = \"" + name + "\") visibilityTimeoutSeconds must be between 0 and 43200 but was "
            + queue.visibilityTimeoutSeconds());
    DeadLetter[] deadLetters = queue.deadLetter();
    require(deadLetters.length <= 1,
        "@SqsQueue(name = \"" + name + "\") may have one deadLetter but has " + deadLetters.length);
    if (deadLetters.length == 0) {
      return new QueueDeclaration(name, fifo, queue.visibilityTimeoutSeconds(), null, 0);
    }
    DeadLetter deadLetter = deadLetters[0];
    require(deadLetter.maxReceiveCount() >= 1 && deadLetter.maxReceiveCount() <= 1000,
        "@DeadLetter of queue " + name + ": maxReceiveCount must be between 1 and 1000 but was "
            + deadLetter.maxReceiveCount());
    String base = fifo ? name.substring(0, name.length() - FIFO_SUFFIX.length()) : name;
    String deadLetterName = deadLetter.name().isEmpty() ? withSuffix(base + "-dlq", fifo)
        : withSuffix(deadLetter.name(), fifo);
    require(!deadLetterName.equals(name), "@DeadLetter of queue " + name + " must name another queue");
    return new QueueDeclaration(name, fifo, queue.visibilityTimeoutSeconds(), deadLetterName,
        deadLetter.maxReceiveCount());
  }

  boolean hasDeadLetterQueue() {
    return deadLetterName != null;
  }

  private static String withSuffix(String name, boolean fifo) {
    return fifo && !name.endsWith(FIFO_SUFFIX) ? name + FIFO_SUFFIX : name;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
