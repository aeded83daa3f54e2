package io.github.sqsconsumer;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hooks of one consumer, called around each handler call: the log context first (outermost), then the
 * user's hooks in the order they were added. Immutable; used by any number of worker threads at once.
 */
final class Hooks {
  private static final Logger LOG = LoggerFactory.getLogger(Hooks.class);

  private final String name;
  private final HandlerHook[] hooks;

  private Hooks(String name, List<HandlerHook> hooks) {
    this.name = name;
    this.hooks = hooks.toArray(HandlerHook[]::new);
  }

  /** Returns the hooks of a consumer built from {@code config}, or null when it has none. */
  static Hooks of(ConsumerConfig config) {
    List<HandlerHook> all = new ArrayList<>(config.hooks().size() + 1);
    if (config.mdc()) {
      all.add(new MdcHook(config.name(), config.queueName()));
    }
    all.addAll(config.hooks());
    return all.isEmpty() ? null : new Hooks(config.name(), all);
  }

  /**
   * Calls every hook's {@code before}, in order, and returns what they returned. If one throws, the hooks
   * entered before it get {@code after} with that failure (in reverse order), and the failure is thrown:
   * the unit fails as if its handler had thrown it.
   */
  Object[] before(List<Message> messages) throws Throwable {
    Object[] states = new Object[hooks.length];
    for (int i = 0; i < hooks.length; i++) {
      try {
        states[i] = hooks[i].before(messages);
      } catch (Throwable t) {
        after(messages, states, i, t, null);
        throw t;
      }
    }
    return states;
  }

  /** Calls every hook's {@code after}, in reverse order; what they throw is logged and ignored. */
  void after(List<Message> messages, Object[] states, Throwable failure, BatchResult result) {
    after(messages, states, hooks.length, failure, result);
  }

  private void after(List<Message> messages, Object[] states, int entered, Throwable failure,
      BatchResult result) {
    for (int i = entered - 1; i >= 0; i--) {
      try {
        hooks[i].after(messages, states[i], failure, result);
      } catch (Throwable t) { // the handler's outcome stands; the outer hooks still clean up
        LOG.warn("{}: a handler hook failed after the handler of {} message(s); ignored: {}", name,
            messages.size(), Throwables.describe(t));
      }
    }
  }
}
