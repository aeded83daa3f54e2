package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.HarvesterProvider;
import io.github.sqsconsumer.spi.RunnerProvider;
import io.github.sqsconsumer.spi.WorkerProvider;

/** The consumer core. (Being written: lifecycle and engine land in the next commit.) */
final class DefaultConsumer implements Consumer {
  final Consumer.Builder config;
  final RunnerProvider runnerProvider;
  final WorkerProvider workerProvider;
  final HarvesterProvider harvesterProvider;

  private DefaultConsumer(Consumer.Builder config, RunnerProvider runner, WorkerProvider worker,
      HarvesterProvider harvester) {
    this.config = config;
    this.runnerProvider = runner;
    this.workerProvider = worker;
    this.harvesterProvider = harvester;
  }

  static Consumer create(Consumer.Builder config) {
    RunnerProvider runner = Providers.choose(RunnerProvider.class, RunnerProvider::name, "runner",
        config.runner, "sqs-consumer-runner-sqs");
    WorkerProvider worker = Providers.choose(WorkerProvider.class, WorkerProvider::name, "worker",
        config.worker, "sqs-consumer-worker-semaphore or sqs-consumer-worker-pool");
    HarvesterProvider harvester = Providers.choose(HarvesterProvider.class, HarvesterProvider::name,
        "harvester", config.harvester, "sqs-consumer-harvester-batch or sqs-consumer-harvester-direct");
    return new DefaultConsumer(config, runner, worker, harvester);
  }

  @Override
  public void start() {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void close() {}

  @Override
  public State state() {
    return State.NEW;
  }

  @Override
  public String name() {
    return config.name;
  }

  @Override
  public int inFlight() {
    return 0;
  }
}
