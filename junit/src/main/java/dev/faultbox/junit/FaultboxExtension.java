package dev.faultbox.junit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContextException;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.platform.commons.support.AnnotationSupport;

/** What {@link FaultboxSpec} registers: one {@link Topology} per test class. */
public final class FaultboxExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, TestInstancePostProcessor,
        ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FaultboxExtension.class);
  private static final String TOPOLOGY = "topology";
  private static final String FAULTS = "faults";

  @Override
  public void beforeAll(ExtensionContext context) {
    Topology t = topology(context);
    for (Field f : fields(context.getRequiredTestClass(), true)) {
      set(f, null, t);
    }
  }

  @Override
  public void postProcessTestInstance(Object instance, ExtensionContext context) {
    Topology t = topology(context);
    for (Field f : fields(instance.getClass(), false)) {
      set(f, instance, t);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Topology t = topology(context);
    if (spec(context).lifecycle() == FaultboxSpec.Lifecycle.PER_METHOD) {
      if (t.isStarted()) {
        t.stop();
      }
      start(t); // also after a failed restart, so that test fails for its own reason
    }
    t.resetEvents();
    WithFault wf = context.getRequiredTestMethod().getAnnotation(WithFault.class);
    if (wf != null) {
      List<Topology.Fault> laid = new ArrayList<>();
      try {
        for (String name : wf.value()) {
          laid.add(t.fault(name));
        }
      } catch (IllegalArgumentException e) {
        laid.forEach(Topology.Fault::close);
        throw new FaultboxException("@WithFault(\"" + String.join("\", \"", wf.value()) + "\"): " + e.getMessage());
      }
      context.getStore(NS).put(FAULTS, laid);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public void afterEach(ExtensionContext context) {
    List<Topology.Fault> laid = context.getStore(NS).remove(FAULTS, List.class);
    if (laid != null) {
      laid.forEach(Topology.Fault::close);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Holder h = context.getStore(NS).remove(TOPOLOGY, Holder.class);
    if (h != null) {
      h.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Topology.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return topology(context);
  }

  /** The class's topology, loaded and started on first use (a constructor may ask before beforeAll). */
  private static Topology topology(ExtensionContext context) {
    ExtensionContext owner = classContext(context);
    return owner.getStore(NS).getOrComputeIfAbsent(TOPOLOGY, k -> {
      FaultboxSpec spec = spec(owner);
      Topology t = Faultbox.load(Path.of(spec.value()));
      try {
        start(t);
      } catch (RuntimeException e) {
        t.close();
        throw e;
      }
      return new Holder(t);
    }, Holder.class).topology;
  }

  private static void start(Topology t) {
    t.start();
    t.properties().forEach(System::setProperty);
  }

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getElement().isEmpty() || !(c.getElement().get() instanceof Class<?> type)
        || AnnotationSupport.findAnnotation(type, FaultboxSpec.class).isEmpty()) {
      c = c.getParent().orElseThrow(() -> new ExtensionContextException("no @FaultboxSpec class around " + context.getDisplayName()));
    }
    return c;
  }

  private static FaultboxSpec spec(ExtensionContext context) {
    Class<?> type = (Class<?>) classContext(context).getElement().orElseThrow();
    return AnnotationSupport.findAnnotation(type, FaultboxSpec.class).orElseThrow();
  }

  private static List<Field> fields(Class<?> type, boolean statics) {
    List<Field> out = new ArrayList<>();
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (f.getType() == Topology.class && Modifier.isStatic(f.getModifiers()) == statics
            && !Modifier.isFinal(f.getModifiers())) {
          out.add(f);
        }
      }
    }
    return out;
  }

  private static void set(Field f, Object instance, Topology t) {
    try {
      f.setAccessible(true);
      f.set(instance, t);
    } catch (IllegalAccessException e) {
      throw new ExtensionContextException("cannot inject Topology into " + f, e);
    }
  }

  /** Closes the topology when JUnit discards the class's store, and clears its properties. */
  private static final class Holder implements ExtensionContext.Store.CloseableResource {
    final Topology topology;

    Holder(Topology topology) {
      this.topology = topology;
    }

    @Override
    public void close() {
      Map<String, String> props = topology.properties();
      topology.close();
      props.keySet().forEach(System::clearProperty);
    }
  }
}
