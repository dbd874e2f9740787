package dev.faultbox.spi;

/** One declared {@code interface(name, protocol, port)} of a service. */
public record InterfaceSpec(String name, String protocol, int port) {}
