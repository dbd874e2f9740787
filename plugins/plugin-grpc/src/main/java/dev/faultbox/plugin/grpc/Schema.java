package dev.faultbox.plugin.grpc;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.TypeRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The message and service types of one FileDescriptorSet (or of what a server's reflection
 * told), ready to encode and decode with: services by full name, a type registry for
 * {@code google.protobuf.Any}. Immutable.
 */
final class Schema {

  private final String origin;
  private final List<FileDescriptor> files;
  private final Map<String, ServiceDescriptor> services = new LinkedHashMap<>();
  private final TypeRegistry registry;

  /**
   * @param origin where the types came from, for messages: the set's path
   * @param files the set's files (not the pre-registered well-known types it did not include)
   */
  Schema(String origin, List<FileDescriptor> files) {
    this.origin = origin;
    this.files = List.copyOf(files);
    TypeRegistry.Builder types = TypeRegistry.newBuilder();
    for (FileDescriptor file : files) {
      for (ServiceDescriptor service : file.getServices()) {
        services.putIfAbsent(service.getFullName(), service);
      }
      addTypes(types, file.getMessageTypes());
    }
    for (FileDescriptor wkt : DescriptorSets.WellKnown.FILES.values()) {
      addTypes(types, wkt.getMessageTypes());
    }
    addTypes(types, ErrorDetails.commonTypes()); // so an Any in a reply or an error detail may hold them
    this.registry = types.build();
  }

  private static void addTypes(TypeRegistry.Builder types, List<Descriptor> messages) {
    for (Descriptor message : messages) {
      types.add(message);
      addTypes(types, message.getNestedTypes());
    }
  }

  String origin() {
    return origin;
  }

  List<FileDescriptor> files() {
    return files;
  }

  Map<String, ServiceDescriptor> services() {
    return services;
  }

  TypeRegistry registry() {
    return registry;
  }

  /** The method of a full method name {@code /pkg.Svc/Method}, or null. */
  MethodDescriptor method(String fullMethod) {
    int slash = fullMethod.lastIndexOf('/');
    if (slash <= 0) {
      return null;
    }
    ServiceDescriptor service = services.get(fullMethod.substring(fullMethod.startsWith("/") ? 1 : 0, slash));
    return service == null ? null : service.findMethodByName(fullMethod.substring(slash + 1));
  }

  /** Every method of every service, as {@code /pkg.Svc/Method}. */
  List<String> fullMethods() {
    List<String> out = new ArrayList<>();
    for (ServiceDescriptor service : services.values()) {
      for (MethodDescriptor method : service.getMethods()) {
        out.add("/" + service.getFullName() + "/" + method.getName());
      }
    }
    return out;
  }
}
