package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

final class ConsumerBuilderTest {

  private static Consumer.Builder valid() {
    return Consumer.builder().queue("orders").handler(message -> {});
  }

  private static void assertInvalidBatch(UnaryOperator<Consumer.Builder> change, String message) {
    assertThatThrownBy(() -> change.apply(Consumer.builder().queue("orders").batchHandler(m -> BatchResult.success()))
        .validate())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  private static void assertInvalid(UnaryOperator<Consumer.Builder> change, String message) {
    assertThatThrownBy(() -> change.apply(valid()).validate())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void build_noQueue() {
    assertThatThrownBy(() -> Consumer.builder().handler(m -> {}).validate())
        .isInstanceOf(IllegalStateException.class).hasMessage("queue must be set");
  }

  @Test
  void build_blankQueue() {
    assertInvalid(b -> b.queue(" "), "queue must not be blank");
  }

  @Test
  void build_noHandler() {
    assertThatThrownBy(() -> Consumer.builder().queue("q").validate())
        .isInstanceOf(IllegalStateException.class).hasMessage("a handler or a batchHandler must be set");
  }

  @Test
  void build_bothHandlers() {
    assertThatThrownBy(() -> valid().batchHandler(m -> BatchResult.success()).validate())
        .isInstanceOf(IllegalStateException.class).hasMessage("only one of handler and batchHandler may be set");
  }

  @Test
  void build_handlerTimeoutOutOfRange() {
    assertInvalid(b -> b.handlerTimeout(Duration.ofNanos(1)),
        "handlerTimeout must be between PT0.001S and PT12H but was PT0.000000001S");
    assertInvalid(b -> b.handlerTimeout(Duration.ofHours(13)), "handlerTimeout must be between PT0.001S and PT12H "
        + "but was PT13H");
    assertInvalid(b -> b.handlerTimeout(Duration.ofSeconds(-1)),
        "handlerTimeout must be between PT0.001S and PT12H but was PT-1S");
  }

  @Test
  void build_adaptiveConcurrencyMinimumOutOfRange() {
    assertInvalid(b -> b.concurrency(20).adaptiveConcurrency(0),
        "adaptiveConcurrency minimum must be between 1 and the concurrency (20) but was 0");
    assertInvalid(b -> b.concurrency(20).adaptiveConcurrency(21),
        "adaptiveConcurrency minimum must be between 1 and the concurrency (20) but was 21");
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void build_overloadOnAClassThatIsNoThrowable() {
    Class raw = String.class; // as configuration binding or reflection may hand one over
    assertInvalid(b -> b.concurrency(20).adaptiveConcurrency(2).overloadOn(raw),
        "overloadOn must name Throwable types but was java.lang.String");
  }

  @Test
  void build_overloadSignalWithoutAdaptiveConcurrency() {
    assertThatThrownBy(() -> valid().overloadOn(IllegalStateException.class).validate())
        .isInstanceOf(IllegalStateException.class).hasMessage("overloadOn and overloadWhen need adaptiveConcurrency(min)");
    assertThatThrownBy(() -> valid().overloadWhen(e -> true).validate())
        .isInstanceOf(IllegalStateException.class).hasMessage("overloadOn and overloadWhen need adaptiveConcurrency(min)");
  }

  @Test
  void build_adaptiveConcurrency_overloadMatchedAlongTheCauseChainOrByTheTest() {
    assertThat(valid().validate().adaptive()).as("default: fixed").isNull();
    ConsumerConfig.Adaptive adaptive = valid().concurrency(20).adaptiveConcurrency(2)
        .overloadOn(java.util.concurrent.TimeoutException.class)
        .overloadWhen(e -> "429".equals(e.getMessage())).validate().adaptive();
    assertThat(adaptive.min()).isEqualTo(2);
    assertThat(adaptive.overloaded(new java.util.concurrent.TimeoutException())).isTrue();
    assertThat(adaptive.overloaded(new RuntimeException(new java.util.concurrent.TimeoutException()))).isTrue();
    assertThat(adaptive.overloaded(new IllegalStateException("429"))).isTrue();
    assertThat(adaptive.overloaded(new IllegalStateException("500"))).isFalse();
    assertThat(adaptive.overloaded(null)).isFalse();
  }

  @Test
  void build_handlerTimeoutDefault_noLimit() {
    assertThat(valid().validate().handlerTimeout()).isZero();
    assertThat(valid().handlerTimeout(Duration.ZERO).validate().handlerTimeout()).isZero();
  }

  @Test
  void build_unhealthyAfterOutOfRange() {
    assertInvalid(b -> b.unhealthyAfter(Duration.ofMillis(999)),
        "unhealthyAfter must be between PT1S and PT24H but was PT0.999S");
    assertInvalid(b -> b.unhealthyAfter(Duration.ofDays(2)), "unhealthyAfter must be between PT1S and PT24H but was "
        + "PT48H");
    assertThat(valid().validate().unhealthyAfter()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void build_zeroConcurrency() {
    assertInvalid(b -> b.concurrency(0), "concurrency must be between 1 and 10000 but was 0");
  }

  @Test
  void build_tooMuchConcurrency() {
    assertInvalid(b -> b.concurrency(10_001), "concurrency must be between 1 and 10000 but was 10001");
  }

  @Test
  void build_batchSizeOutOfRange() {
    assertInvalid(b -> b.batchSize(0), "batchSize must be between 1 and 10000 but was 0");
    assertInvalid(b -> b.batchSize(10_001).batchWindow(Duration.ofSeconds(1)),
        "batchSize must be between 1 and 10000 but was 10001");
  }

  @Test
  void build_batchSizeAboveTenWithoutWindow() {
    assertInvalidBatch(b -> b.batchSize(11), "batchSize above 10 needs a batchWindow to gather it from several "
        + "receives (one brings at most 10) but batchSize was 11 and batchWindow zero");
  }

  /** Their Javadoc: ignored with a single-message handler; only their ranges are checked then. */
  @Test
  void build_batchSettingsWithASingleMessageHandler_ignored() {
    assertThat(valid().batchSize(11).validate().batchSize()).isEqualTo(11);
    assertThat(valid().queue("orders.fifo").batchWindow(Duration.ofSeconds(1)).validate().batchWindow())
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void build_batchWindowOutOfRange() {
    assertInvalid(b -> b.batchWindow(Duration.ofMillis(-1)),
        "batchWindow must be between PT0S and PT5M but was PT-0.001S");
    assertInvalid(b -> b.batchWindow(Duration.ofMinutes(5).plusMillis(1)),
        "batchWindow must be between PT0S and PT5M but was PT5M0.001S");
  }

  @Test
  void build_batchMaxBytesOutOfRange() {
    assertInvalid(b -> b.batchMaxBytes(1023), "batchMaxBytes must be between 1024 and 268435456 but was 1023");
    assertInvalid(b -> b.batchMaxBytes(256L * 1024 * 1024 + 1),
        "batchMaxBytes must be between 1024 and 268435456 but was 268435457");
  }

  @Test
  void build_batchWindowOnFifoQueue() {
    assertInvalidBatch(b -> b.queue("orders.fifo").batchWindow(Duration.ofSeconds(1)),
        "batchWindow must be zero for a FIFO queue (orders.fifo): SQS hands out a group's next messages only "
            + "once the earlier ones are done, so a FIFO batch holds what one receive brought; but was PT1S");
    // a queue URL with a trailing slash names the same queue (queueName() drops it): refused too
    String url = "http://localhost:9324/000000000000/orders.fifo/";
    assertInvalidBatch(b -> b.queue(url).batchWindow(Duration.ofSeconds(1)),
        "batchWindow must be zero for a FIFO queue (" + url + "): SQS hands out a group's next messages only "
            + "once the earlier ones are done, so a FIFO batch holds what one receive brought; but was PT1S");
  }

  @Test
  void build_batchDefaults_oneReceivePerBatch() {
    ConsumerConfig config = Consumer.builder().queue("orders").batchHandler(m -> BatchResult.success()).validate();
    assertThat(config.batchSize()).isEqualTo(10);
    assertThat(config.batchWindow()).isZero();
    assertThat(config.batchMaxBytes()).isEqualTo(6L * 1024 * 1024);
    assertThat(config.assemblesBatches()).isFalse();
  }

  @Test
  void build_negativePrefetch() {
    assertInvalid(b -> b.prefetch(-1), "prefetch must be between 0 and 10000 but was -1");
    assertInvalid(b -> b.prefetch(10_001), "prefetch must be between 0 and 10000 but was 10001");
  }

  @Test
  void build_waitTimeOutOfRange() {
    assertInvalid(b -> b.waitTime(Duration.ofSeconds(21)), "waitTime must be between PT0S and PT20S but was PT21S");
    assertInvalid(b -> b.waitTime(Duration.ofSeconds(-1)), "waitTime must be between PT0S and PT20S but was PT-1S");
  }

  @Test
  void build_shutdownTimeoutOutOfRange() {
    assertInvalid(b -> b.shutdownTimeout(Duration.ofHours(2)),
        "shutdownTimeout must be between PT0S and PT1H but was PT2H");
  }

  @Test
  void build_maxVisibilityExtensionOutOfRange() {
    assertInvalid(b -> b.maxVisibilityExtension(Duration.ofHours(13)),
        "maxVisibilityExtension must be between PT0S and PT12H but was PT13H");
  }

  @Test
  void build_visibilityTimeoutOutOfRange() {
    assertInvalid(b -> b.visibilityTimeout(Duration.ofMillis(500)),
        "visibilityTimeout must be between PT1S and PT12H but was PT0.5S");
  }

  @Test
  void build_negativeShutdownTimeout() {
    assertInvalid(b -> b.shutdownTimeout(Duration.ofMillis(-1)),
        "shutdownTimeout must be between PT0S and PT1H but was PT-0.001S");
  }

  @Test
  void build_negativeMaxVisibilityExtension() {
    assertInvalid(b -> b.maxVisibilityExtension(Duration.ofSeconds(-1)),
        "maxVisibilityExtension must be between PT0S and PT12H but was PT-1S");
  }

  @Test
  void build_visibilityTimeoutAboveTwelveHours() {
    assertInvalid(b -> b.visibilityTimeout(Duration.ofHours(12).plusSeconds(1)),
        "visibilityTimeout must be between PT1S and PT12H but was PT12H1S");
  }

  @Test
  void build_negativeRateLimit() {
    assertInvalid(b -> b.rateLimit(-1), "rateLimit must be between 0 and 1000000 messages per second but was -1.0");
  }

  @Test
  void build_rateLimitAboveMaximum() {
    assertInvalid(b -> b.rateLimit(1_000_000.5),
        "rateLimit must be between 0 and 1000000 messages per second but was 1000000.5");
  }

  @Test
  void build_infiniteRateLimit() {
    assertInvalid(b -> b.rateLimit(Double.POSITIVE_INFINITY),
        "rateLimit must be between 0 and 1000000 messages per second but was Infinity");
  }

  @Test
  void build_rateLimitNaN() {
    assertInvalid(b -> b.rateLimit(Double.NaN),
        "rateLimit must be between 0 and 1000000 messages per second but was NaN");
  }

  @Test
  void build_blankRunnerName() {
    assertInvalid(b -> b.runner(" "), "runner must not be blank");
  }

  @Test
  void build_blankWorkerName() {
    assertInvalid(b -> b.worker(""), "worker must not be blank");
  }

  @Test
  void build_blankHarvesterName() {
    assertInvalid(b -> b.harvester("\t"), "harvester must not be blank");
  }

  /** Every limit the Javadoc states is allowed, not just the defaults. */
  @Test
  void build_everySettingAtItsLimits() {
    valid().concurrency(1).batchSize(1).prefetch(0).waitTime(Duration.ZERO).shutdownTimeout(Duration.ZERO)
        .maxVisibilityExtension(Duration.ZERO).visibilityTimeout(Duration.ofSeconds(1)).rateLimit(0).validate();
    valid().concurrency(10_000).batchSize(10).prefetch(10_000).waitTime(Duration.ofSeconds(20))
        .shutdownTimeout(Duration.ofHours(1)).maxVisibilityExtension(Duration.ofHours(12))
        .visibilityTimeout(Duration.ofHours(12)).rateLimit(1_000_000).validate();
    Consumer.builder().queue("orders").batchHandler(messages -> BatchResult.success()).validate();
    valid().batchSize(10).batchWindow(Duration.ZERO).batchMaxBytes(1024).validate();
    valid().batchSize(10_000).batchWindow(Duration.ofMinutes(5)).batchMaxBytes(256L * 1024 * 1024).validate();
  }

  @Test
  void build_blankName() {
    assertInvalid(b -> b.name(""), "name must not be blank");
  }

  @Test
  void build_blankSettingKey() {
    assertInvalid(b -> b.setting(" ", "x"), "setting keys must not be blank");
  }

  @Test
  void build_nullArguments() {
    assertThatThrownBy(() -> valid().handler(null)).isInstanceOf(NullPointerException.class).hasMessage("handler");
    assertThatThrownBy(() -> valid().queue(null)).isInstanceOf(NullPointerException.class).hasMessage("queue");
    assertThatThrownBy(() -> valid().component(String.class, null)).isInstanceOf(NullPointerException.class);
  }

  /** Each builder method taking an object rejects null at once, naming its argument. */
  @Test
  void builderMethods_nullArgument_namedInTheMessage() {
    Map<String, UnaryOperator<Consumer.Builder>> calls = new LinkedHashMap<>();
    calls.put("name", b -> b.name(null));
    calls.put("batchHandler", b -> b.batchHandler(null));
    calls.put("batchWindow", b -> b.batchWindow(null));
    calls.put("waitTime", b -> b.waitTime(null));
    calls.put("visibilityTimeout", b -> b.visibilityTimeout(null));
    calls.put("maxVisibilityExtension", b -> b.maxVisibilityExtension(null));
    calls.put("shutdownTimeout", b -> b.shutdownTimeout(null));
    calls.put("retryPolicy", b -> b.retryPolicy(null));
    calls.put("acknowledgeMode", b -> b.acknowledgeMode(null));
    calls.put("listener", b -> b.listener(null));
    calls.put("runner", b -> b.runner((String) null));
    calls.put("worker", b -> b.worker(null));
    calls.put("harvester", b -> b.harvester(null));
    calls.put("key", b -> b.setting(null, "x"));
    calls.put("value", b -> b.setting("pool.minWorkers", null));
    calls.put("type", b -> b.component(null, "x"));
    calls.forEach((argument, call) -> assertThatThrownBy(() -> call.apply(valid()))
        .as(argument).isInstanceOf(NullPointerException.class).hasMessage(argument));
  }

  @Test
  void build_componentOfWrongType() {
    @SuppressWarnings({"unchecked", "rawtypes"})
    Class<Object> type = (Class) Integer.class;
    assertThatThrownBy(() -> valid().component(type, "not a number")).isInstanceOf(ClassCastException.class);
  }

  @Test
  void build_defaultPrefetchFollowsConcurrency() {
    org.assertj.core.api.Assertions.assertThat(valid().concurrency(1).effectivePrefetch()).isEqualTo(10);
    org.assertj.core.api.Assertions.assertThat(valid().concurrency(100).effectivePrefetch()).isEqualTo(600);
    org.assertj.core.api.Assertions.assertThat(valid().concurrency(10_000).effectivePrefetch()).isEqualTo(10_000);
    org.assertj.core.api.Assertions.assertThat(valid().prefetch(0).effectivePrefetch()).isZero();
  }

  @Test
  void build_defaultPrefetchWithBatchWindow_coversOneBatch() {
    Consumer.Builder batches = Consumer.builder().queue("orders").batchHandler(m -> BatchResult.success())
        .concurrency(2).batchSize(1_000).batchWindow(Duration.ofSeconds(1));
    assertThat(batches.effectivePrefetch()).isEqualTo(1_000);
    assertThat(batches.batchSize(10_000).concurrency(1).effectivePrefetch()).isEqualTo(10_000);
    assertThat(batches.batchWindow(Duration.ZERO).batchSize(10).effectivePrefetch()).isEqualTo(10);
  }

  @Test
  void runner_nullProvider() {
    assertThatThrownBy(() -> valid().runner((io.github.sqsconsumer.spi.RunnerProvider) null))
        .isInstanceOf(NullPointerException.class).hasMessage("runner");
  }

  @Test
  void runner_provider_replacesTheNameAndIsReplacedByOne() {
    io.github.sqsconsumer.spi.RunnerProvider provider = TestParts.runner(new TestParts.ListRunner());

    ConsumerConfig given = valid().runner("sqs").runner(provider).validate();
    org.assertj.core.api.Assertions.assertThat(given.runnerProvider()).isSameAs(provider);
    org.assertj.core.api.Assertions.assertThat(given.runner()).isNull();

    ConsumerConfig named = valid().runner(provider).runner("sqs").validate();
    org.assertj.core.api.Assertions.assertThat(named.runnerProvider()).isNull();
    org.assertj.core.api.Assertions.assertThat(named.runner()).isEqualTo("sqs");
  }

  @Test
  void build_runnerProvider_isUsedWithoutSearchingNorReadingTheSystemProperty() {
    System.setProperty("io.github.sqsconsumer.runner", "nowhere");
    try {
      // the api alone has no runner: with the instance given, build() gets as far as the worker
      assertThatThrownBy(() -> valid().runner(TestParts.runner(new TestParts.ListRunner())).build())
          .isInstanceOf(ConsumerException.class)
          .hasMessageStartingWith("no worker found on the module path or class path");
    } finally {
      System.clearProperty("io.github.sqsconsumer.runner");
    }
  }

  @Test
  void build_noProvidersOnThePath() {
    // the api module alone provides no parts: build() says what is missing and how to fix it
    assertThatThrownBy(() -> valid().build())
        .isInstanceOf(ConsumerException.class)
        .hasMessage("no runner found on the module path or class path; add sqs-consumer-runner-sqs");
  }

  /**
   * copy() carries every field of the builder, whichever is added later: each field of the original is set
   * to a value no default has, and the copy must hold the same; its lists and maps are its own.
   */
  @Test
  @SuppressWarnings("unchecked")
  void copy_everyField_sameValuesOwnCollections() throws Exception {
    Consumer.Builder original = Consumer.builder();
    List<Field> fields = new java.util.ArrayList<>();
    for (Field field : Consumer.Builder.class.getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers())) {
        continue;
      }
      field.setAccessible(true);
      fields.add(field);
      Class<?> type = field.getType();
      if (Collection.class.isAssignableFrom(type) && Modifier.isFinal(field.getModifiers())) {
        ((Collection<Object>) field.get(original)).add(Object.class); // an element no default holds
      } else if (Map.class.isAssignableFrom(type) && Modifier.isFinal(field.getModifiers())) {
        ((Map<Object, Object>) field.get(original)).put(Object.class, "set");
      } else {
        field.set(original, sentinel(type));
      }
    }
    assertThat(fields).as("the builder's settings").hasSizeGreaterThan(30);

    Consumer.Builder copy = original.copy();

    for (Field field : fields) {
      Object value = field.get(original);
      assertThat(field.get(copy)).as(field.getName()).isEqualTo(value);
      if (value instanceof Collection<?> || value instanceof Map<?, ?>) {
        if (Modifier.isFinal(field.getModifiers())) {
          assertThat(field.get(copy)).as(field.getName() + ": its own").isNotSameAs(value);
        }
      }
    }
  }

  private static Object sentinel(Class<?> type) {
    if (type == String.class) {
      return "set";
    } else if (type == int.class || type == Integer.class) {
      return 7;
    } else if (type == long.class) {
      return 7L;
    } else if (type == double.class) {
      return 7.5;
    } else if (type == boolean.class) {
      return false; // every boolean setting defaults to true
    } else if (type == Duration.class) {
      return Duration.ofSeconds(7);
    } else if (type == Set.class) {
      return Set.of("set");
    } else if (type.isEnum()) {
      Object[] constants = type.getEnumConstants();
      return constants[constants.length - 1];
    } else if (type.isInterface()) {
      return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) ->
          method.getName().equals("equals") ? proxy == args[0] : method.getName().equals("hashCode") ? 7 : null);
    }
    throw new AssertionError("no sentinel for a builder field of " + type + ": add one to this test");
  }
}
