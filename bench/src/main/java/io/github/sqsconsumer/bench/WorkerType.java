package io.github.sqsconsumer.bench;

import io.github.sqsconsumer.spi.Worker;
import io.github.sqsconsumer.spi.WorkerProvider;
import io.github.sqsconsumer.testkit.WorkerTestContext;
import java.util.Map;
import java.util.ServiceLoader;

/** The workers under test, by the name a consumer chooses them with. */
public enum WorkerType {
  /** A virtual thread per unit behind a semaphore. */
  SEMAPHORE("semaphore"),
  /** An elastic pool of reused platform threads with a bounded waiting room. */
  POOL("pool");

  private final String providerName;

  WorkerType(String providerName) {
    this.providerName = providerName;
  }

  /** Returns the name to pass to {@code Consumer.Builder.worker}. */
  public String providerName() {
    return providerName;
  }

  /** Creates the worker alone, found through {@link ServiceLoader} like a consumer finds it. */
  Worker create(int concurrency) {
    for (WorkerProvider provider : ServiceLoader.load(WorkerProvider.class)) {
      if (provider.name().equals(providerName)) {
        return provider.create(new WorkerTestContext("bench", concurrency, Map.of()));
      }
    }
    throw new IllegalStateException("no worker named " + providerName + " on the class path");
  }
}
