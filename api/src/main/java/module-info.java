/**
 * sqs-consumer: consume a queue with one handler function.
 *
 * <p>Users build a {@link io.github.sqsconsumer.Consumer}; the moving parts — the runner that talks to
 * the queue, the worker that runs handlers, the harvester that acknowledges — are services found with
 * {@link java.util.ServiceLoader} on the module path or the class path.
 *
 * @uses io.github.sqsconsumer.spi.RunnerProvider
 * @uses io.github.sqsconsumer.spi.WorkerProvider
 * @uses io.github.sqsconsumer.spi.HarvesterProvider
 */
module io.github.sqsconsumer {
  requires org.slf4j;

  exports io.github.sqsconsumer;
  exports io.github.sqsconsumer.spi;

  uses io.github.sqsconsumer.spi.RunnerProvider;
  uses io.github.sqsconsumer.spi.WorkerProvider;
  uses io.github.sqsconsumer.spi.HarvesterProvider;
}
