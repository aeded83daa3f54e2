package io.github.sqsconsumer.spi;

/** What a runner is created with. Thread-safe. */
public interface RunnerContext extends PartContext {

  /** Returns the queue as the user named it: a URL or a name, as the runner understands it; never null. */
  String queue();
}
