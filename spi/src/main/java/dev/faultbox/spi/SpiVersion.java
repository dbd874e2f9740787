package dev.faultbox.spi;

/**
 * The version of this SPI. A plugin reports the version it was compiled against from
 * {@link MockProtocol#spiVersion()}; the kernel skips a plugin whose version differs, naming it.
 * Bumped only when a change breaks compiled plugins (the SPI otherwise grows by default methods).
 */
public final class SpiVersion {
  public static final int CURRENT = 2;

  private SpiVersion() {}
}
