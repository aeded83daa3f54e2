package io.github.sqsconsumer.jackson;

import static io.github.sqsconsumer.jackson.Messages.message;
import static io.github.sqsconsumer.jackson.Messages.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.MessageHandler;
import io.github.sqsconsumer.PermanentFailureException;
import io.github.sqsconsumer.jackson.Messages.Order;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonParser;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.exc.InvalidDefinitionException;
import tools.jackson.databind.json.JsonMapper;

/** The single-message adapters with real Jackson against {@link Message} instances. */
final class JsonHandlerTest {
  private static final String SECRET = "s3cr3t-card-4111";

  private final List<Order> handled = new CopyOnWriteArrayList<>();

  @Test
  void handler_readsBodyIntoType() throws Exception {
    Json.handler(Order.class, handled::add).handle(message(order("o-1", 3)));

    assertThat(handled).containsExactly(new Order("o-1", 3));
  }

  @Test
  void handler_unknownPropertiesIgnoredByDefault() throws Exception {
    Json.handler(Order.class, handled::add).handle(message("{\"id\":\"o-1\",\"quantity\":3,\"added\":true}"));

    assertThat(handled).containsExactly(new Order("o-1", 3));
  }

  @Test
  void handler_genericTypeThroughTypeReference() throws Exception {
    List<List<Order>> batches = new CopyOnWriteArrayList<>();
    MessageHandler handler = Json.handler(new TypeReference<List<Order>>() {}, batches::add);

    handler.handle(message("[" + order("a", 1) + "," + order("b", 2) + "]"));

    assertThat(batches).containsExactly(List.of(new Order("a", 1), new Order("b", 2)));
  }

  @Test
  void handler_customMapper() throws Exception {
    record LineItem(String itemId, int unitCount) {}
    JsonMapper snake = JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
    List<LineItem> items = new CopyOnWriteArrayList<>();

    Json.of(LineItem.class).mapper(snake).handler(items::add)
        .handle(message("{\"item_id\":\"i-1\",\"unit_count\":4}"));

    assertThat(items).containsExactly(new LineItem("i-1", 4));
  }

  @Test
  void handler_customMapperStrictAboutUnknownProperties() {
    JsonMapper strict = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    Message message = message("{\"id\":\"o-1\",\"quantity\":3,\"added\":true}");

    Throwable thrown = catchThrowable(() -> Json.of(Order.class).mapper(strict).handler(handled::add).handle(message));

    assertThat(thrown).isInstanceOf(PermanentFailureException.class)
        .cause().isInstanceOf(UnparsableBodyException.class)
        .hasMessageContaining("UnrecognizedPropertyException");
    assertThat(handled).isEmpty();
  }

  @Test
  void handler_malformedBodyDiscardedByDefault() {
    Message message = message("{not json");

    Throwable thrown = catchThrowable(() -> Json.handler(Order.class, handled::add).handle(message));

    assertThat(thrown).isInstanceOf(PermanentFailureException.class);
    assertThat(thrown.getCause()).isInstanceOfSatisfying(UnparsableBodyException.class, e -> {
      assertThat(e.messageId()).isEqualTo(message.id());
      assertThat(e.payloadType()).isEqualTo(Order.class);
      assertThat(e).hasMessage("message " + message.id() + ": the body is not a valid "
          + Order.class.getTypeName() + ": StreamReadException at line 1, column 2");
    });
    assertThat(handled).isEmpty();
  }

  @Test
  void handler_mismatchedValueNamesItsPath() {
    Message message = message("{\"id\":\"o-1\",\n \"quantity\":\"" + SECRET + "\"}");

    Throwable thrown = catchThrowable(() -> Json.handler(Order.class, handled::add).handle(message));

    assertThat(thrown).isInstanceOf(PermanentFailureException.class)
        .hasMessageEndingWith(": InvalidFormatException at line 2, column 13, path $.quantity");
  }

  @Test
  void handler_mapKeysNotInPath() {
    Message message = message("{\"" + SECRET + "\": {\"id\":\"o-1\",\"quantity\":\"x\"}}");

    Throwable thrown = catchThrowable(
        () -> Json.handler(new TypeReference<java.util.Map<String, Order>>() {}, m -> {}).handle(message));

    assertThat(thrown).hasMessageEndingWith("path $[*].quantity").hasMessageNotContaining(SECRET);
  }

  record Scheduled(java.time.Instant at, java.time.LocalDate day, java.time.Duration every, java.net.URI callback) {}

  /**
   * Jackson's deserializers of java.time values and URIs fail with the JDK parser's exception as the cause:
   * still the body's fault, discarded like any value that does not read, not retried as the code's failure.
   */
  @Test
  void handler_invalidDateTimeOrUriValuesAreUnparsable() {
    String good = "{\"at\":\"2026-12-07T10:00:00Z\",\"day\":\"2026-12-07\",\"every\":\"PT1M\","
        + "\"callback\":\"https://example.com/x\"}";
    Object[][] cases = {
        {"at", "\"not-a-time\""}, {"day", "\"2024-02-30\""}, {"day", "\"2024-13-45\""},
        {"every", "\"one minute\""}, {"callback", "\"http://exa mple.com/ bad\""}};
    List<Scheduled> seen = new CopyOnWriteArrayList<>();
    for (Object[] c : cases) {
      String body = good.replaceFirst("\"" + c[0] + "\":\"[^\"]*\"", "\"" + c[0] + "\":" + c[1]);
      assertThat(body).as("test body").isNotEqualTo(good);
      Throwable thrown = catchThrowable(() -> Json.handler(Scheduled.class, seen::add).handle(message(body)));
      assertThat(thrown).as("%s = %s", c[0], c[1]).isInstanceOf(PermanentFailureException.class)
          .cause().isInstanceOf(UnparsableBodyException.class)
          .hasMessageContaining("InvalidFormatException").hasMessageEndingWith("path $." + c[0]);
    }
    assertThat(seen).isEmpty();
    assertThat(catchThrowable(() -> Json.handler(Scheduled.class, seen::add).handle(message(good)))).isNull();
    assertThat(seen).hasSize(1);
  }

  @Test
  void handler_jsonNullAndEmptyBodiesUnparsable() {
    for (String body : new String[] {"null", "", "  ", "[]", "42"}) {
      Throwable thrown = catchThrowable(() -> Json.handler(Order.class, handled::add).handle(message(body)));
      assertThat(thrown).as("body '%s'", body).isInstanceOf(PermanentFailureException.class)
          .cause().isInstanceOf(UnparsableBodyException.class);
    }
    assertThat(catchThrowable(() -> Json.handler(Order.class, handled::add).handle(message("null"))))
        .hasMessageEndingWith(": it is JSON null");
    assertThat(handled).isEmpty();
  }

  @Test
  void handler_retryPolicyFailsTheMessage() {
    Message message = message("{not json");
    MessageHandler handler = Json.of(Order.class).onUnparsable(UnparsableBody.RETRY).handler(handled::add);

    assertThatThrownBy(() -> handler.handle(message))
        .isInstanceOf(UnparsableBodyException.class)
        .isNotInstanceOf(PermanentFailureException.class)
        .hasMessageStartingWith("message " + message.id() + ": ");
  }

  /** Jackson's own messages quote the body ("from String \"...\""): none of that reaches an exception or a log. */
  @Test
  void handler_unparsableNeverQuotesTheBody() {
    PrintStream stderr = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Throwable discarded;
    Throwable retried;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
    try {
      Message bad = message("{\"id\":\"" + SECRET + "\",\"quantity\":\"" + SECRET + "\"}");
      discarded = catchThrowable(() -> Json.handler(Order.class, handled::add).handle(bad));
      Message malformed = message("{\"id\": " + SECRET + "}");
      retried = catchThrowable(
          () -> Json.of(Order.class).onUnparsable(UnparsableBody.RETRY).handler(handled::add).handle(malformed));
    } finally {
      System.setErr(stderr);
    }

    assertThat(stackTrace(discarded)).contains("UnparsableBodyException").doesNotContain(SECRET);
    assertThat(stackTrace(retried)).contains("StreamReadException").doesNotContain(SECRET);
    String logged = log.toString(StandardCharsets.UTF_8);
    assertThat(logged).contains("WARN").contains("; discarded").contains("; retried (received 1 times)")
        .doesNotContain(SECRET);
  }

  /** A custom deserializer that fails for reasons of its own, such as a lookup that is down. */
  static final class FailingDeserializer extends ValueDeserializer<Integer> {
    @Override
    public Integer deserialize(JsonParser p, DeserializationContext ctxt) {
      throw new IllegalStateException("price service unavailable");
    }
  }

  record Priced(String id, @JsonDeserialize(using = FailingDeserializer.class) Integer price) {}

  @Test
  void handler_exceptionOfUserCodeInDeserializerIsTheHandlersFailure() {
    Throwable thrown = catchThrowable(
        () -> Json.handler(Priced.class, p -> {}).handle(message("{\"id\":\"p\",\"price\":1}")));

    assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessage("price service unavailable");
  }

  record Validated(String id, int quantity) {
    Validated {
      if (quantity <= 0) {
        throw new PermanentFailureException("quantity must be positive but was " + quantity);
      }
    }
  }

  @Test
  void handler_permanentFailureOfUserCodeKeepsItsMeaning() {
    Throwable thrown = catchThrowable(() -> Json.handler(Validated.class, v -> {}).handle(message(order("v", 0))));

    assertThat(thrown).isExactlyInstanceOf(PermanentFailureException.class)
        .hasMessage("quantity must be positive but was 0").hasNoCause();
  }

  /** No creator Jackson can use: a defect of the code, the same for every body. */
  static final class NoCreator {
    private NoCreator(String a, String b) {}
  }

  @Test
  void handler_typeJacksonCannotReadIsTheHandlersFailure() {
    Throwable thrown = catchThrowable(() -> Json.handler(NoCreator.class, v -> {}).handle(message("{}")));

    assertThat(thrown).isInstanceOf(InvalidDefinitionException.class).isNotInstanceOf(PermanentFailureException.class);
  }

  @Test
  void handler_failureOfThePayloadHandlerPropagates() {
    IllegalStateException failure = new IllegalStateException("database down");

    Throwable thrown = catchThrowable(() -> Json.handler(Order.class, o -> {
      throw failure;
    }).handle(message(order("o", 1))));

    assertThat(thrown).isSameAs(failure);
  }

  @Test
  void messageHandler_givesPayloadAndMessage() throws Exception {
    Message message = message(order("o-1", 3));
    List<JsonMessage<Order>> seen = new CopyOnWriteArrayList<>();

    Json.of(Order.class).messageHandler(seen::add).handle(message);

    assertThat(seen).singleElement().satisfies(m -> {
      assertThat(m.payload()).isEqualTo(new Order("o-1", 3));
      assertThat(m.message()).isSameAs(message);
      assertThat(m.sns()).isEmpty();
      assertThat(m.toString()).doesNotContain("o-1");
    });
  }

  @Test
  void of_nullArgumentsRejected() {
    assertThatThrownBy(() -> Json.of((Class<Order>) null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Json.of(Order.class).mapper(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Json.of(Order.class).onUnparsable(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Json.of(Order.class).handler(null)).isInstanceOf(NullPointerException.class);
  }

  private static String stackTrace(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }
}
