package dev.faultbox.kernel.frontend;

/** TEMPORARY stand-in. */
public record Translation(String file, String originalSource, String source) {}
