package io.github.sqsconsumer.testkit.elasticmq;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * A JUnit 5 extension that runs an embedded ElasticMQ for a test class and hands its tests what they need
 * to test a consumer against a real SQS-compatible server.
 *
 * <pre>{@code
 * @ExtendWith(ElasticMqExtension.class)
 * final class OrderHandlerTest {
 *   @Test
 *   void handle(SqsAsyncClient sqs, @SqsQueue(name = "orders") TestQueue orders) { ... }
 * }
 * }</pre>
 *
 * <p><b>The server</b> starts on {@code 127.0.0.1} and a free port when a test class first needs it and
 * stops after the class. Registered as {@code @RegisterExtension static final ElasticMqExtension SQS =
 * ElasticMqExtension.shared();} it is started once and shared by every class that registers it so, until
 * the end of the run (starting ElasticMQ takes a second or two).
 *
 * <p><b>Parameters</b> it resolves, of tests, lifecycle methods and constructors:
 * <ul>
 *   <li>{@link SqsAsyncClient}: a client for the server, shared by the class; do not close it. Hand it to a
 *       consumer with {@code .component(SqsAsyncClient.class, client)} (a consumer leaves it open).</li>
 *   <li>{@link ElasticMqServer}: the server itself, for its {@link ElasticMqServer#endpoint() endpoint}, or
 *       to stop and restart it.</li>
 *   <li>{@link TestQueue} annotated with {@link SqsQueue}: the declared queue, created on first use; a
 *       {@code String} annotated so is its URL.</li>
 * </ul>
 *
 * <p><b>Isolation</b>: before each test, every queue the class declared so far is deleted and created again,
 * empty, with its dead-letter queue, so no test sees another's messages (nor FIFO deduplication ids). A
 * queue keeps its URL. Test classes sharing a server may declare queues of one name only if they do not run
 * at the same time.
 *
 * <p>Needs JUnit 5.13 or newer (it closes the server through the store's {@link AutoCloseable} support),
 * and runs on the class path: ElasticMQ's Scala jars cannot live on the module path. Thread-safe.
 */
public final class ElasticMqExtension implements BeforeEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ElasticMqExtension.class);
  private static final String SERVER = "server";
  private static final String DECLARED = "declared";
  private static final String IN_THIS_TEST = "declaredInThisTest";

  private final boolean shared;

  /** Creates the extension with a server for each test class; what {@code @ExtendWith} calls. */
  public ElasticMqExtension() {
    this(false);
  }

  private ElasticMqExtension(boolean shared) {
    this.shared = shared;
  }

  /**
   * Returns an extension whose server is started once and shared by every test class that registers an
   * extension made here, until the end of the run.
   *
   * @return a new extension; never null
   */
  public static ElasticMqExtension shared() {
    return new ElasticMqExtension(true);
  }

  /** Creates every queue declared so far in the test's class again, empty. Called by JUnit. */
  @Override
  public void beforeEach(ExtensionContext context) {
    ElasticMqResources resources = resources(context);
    for (String name : declared(context)) {
      resources.recreate(name);
    }
  }

  /** Says whether the parameter is one this extension provides. Called by JUnit. */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == SqsAsyncClient.class || type == ElasticMqServer.class || type == TestQueue.class
        || parameter.isAnnotated(SqsQueue.class);
  }

  /**
   * Returns the client, the server, or the declared queue (its URL for a {@code String}). Called by JUnit.
   *
   * @throws ParameterResolutionException if a queue parameter lacks {@link SqsQueue}, has another type, or
   *     its declaration is invalid, saying which
   */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type == SqsAsyncClient.class) {
      return resources(context).client();
    }
    if (type == ElasticMqServer.class) {
      return resources(context).server();
    }
    SqsQueue annotation = parameter.findAnnotation(SqsQueue.class).orElseThrow(() ->
        new ParameterResolutionException("a TestQueue parameter needs @SqsQueue(name = ...): "
            + parameter.getParameter() + " of " + parameter.getDeclaringExecutable()));
    if (type != TestQueue.class && type != String.class) {
      throw new ParameterResolutionException("@SqsQueue applies to a TestQueue or a String (its URL), not to "
          + type.getName() + ": " + parameter.getParameter() + " of " + parameter.getDeclaringExecutable());
    }
    QueueDeclaration declaration;
    try {
      declaration = QueueDeclaration.of(annotation);
    } catch (IllegalArgumentException e) {
      throw new ParameterResolutionException(e.getMessage(), e);
    }
    // one queue, one declaration per test: a second one otherwise would make the queue again, and the
    // handle given out first would describe a queue that is gone
    @SuppressWarnings("unchecked")
    Map<String, QueueDeclaration> inThisTest = context.getStore(NAMESPACE).getOrComputeIfAbsent(
        IN_THIS_TEST, key -> new ConcurrentHashMap<String, QueueDeclaration>(), Map.class);
    QueueDeclaration earlier = inThisTest.putIfAbsent(declaration.name(), declaration);
    if (earlier != null && !earlier.equals(declaration)) {
      throw new ParameterResolutionException("queue " + declaration.name() + " is declared twice with different "
          + "settings for one test (" + earlier + " and " + declaration + "): declare it once, or give the "
          + "second another name: " + parameter.getParameter() + " of " + parameter.getDeclaringExecutable());
    }
    // first use in this class: made afresh, since another class sharing the server may have left messages
    boolean fresh = declared(context).add(declaration.name());
    TestQueue queue = resources(context).declare(declaration, fresh);
    return type == String.class ? queue.url() : queue;
  }

  private ElasticMqResources resources(ExtensionContext context) {
    ExtensionContext owner = shared ? context.getRoot() : testClass(context);
    return owner.getStore(NAMESPACE).getOrComputeIfAbsent(SERVER, key -> ElasticMqResources.start(),
        ElasticMqResources.class);
  }

  /** The names of the queues the test's class declared, kept with the class. */
  @SuppressWarnings("unchecked")
  private static Set<String> declared(ExtensionContext context) {
    return testClass(context).getStore(NAMESPACE).getOrComputeIfAbsent(DECLARED,
        key -> ConcurrentHashMap.<String>newKeySet(), Set.class);
  }

  /** The context of the outermost test class: nested classes share its server and queues. */
  private static ExtensionContext testClass(ExtensionContext context) {
    ExtensionContext current = context;
    while (current.getParent().flatMap(ExtensionContext::getTestClass).isPresent()) {
      current = current.getParent().orElseThrow();
    }
    return current;
  }
}
