/**
 * The contract between Faultbox's kernel and its protocol plugins.
 *
 * <p>A plugin author meets these types: {@link dev.faultbox.spi.MockProtocol} (the entry point),
 * {@link dev.faultbox.spi.ProtocolFactory} (one per protocol: prepare, start, steps, fault model),
 * {@link dev.faultbox.spi.MockDefinition} and {@link dev.faultbox.spi.MockResponse} (what the spec
 * declared), {@link dev.faultbox.spi.MockContext} (what the kernel lends a running mock: events,
 * faults, threads, TLS), {@link dev.faultbox.spi.MockRequest} and
 * {@link dev.faultbox.spi.DynamicHandler} (answers computed by the spec),
 * {@link dev.faultbox.spi.MockEvent} (what a mock records), {@link dev.faultbox.spi.FaultModel}
 * with {@link dev.faultbox.spi.FaultProbe} and {@link dev.faultbox.spi.FaultDecision} (faults), and
 * {@link dev.faultbox.spi.StepMethod} (calls a test makes). The rest are small value records.
 *
 * <p>Contracts that hold throughout: no method takes or returns {@code null} unless its Javadoc
 * says so ({@code Optional} stands for absence); records copy their collections and are immutable;
 * the kernel's objects ({@code MockContext}, {@code EventSink}, {@code FaultGate}) are thread-safe
 * and cheap enough to call from an event loop. A {@code DynamicHandler}'s stage completes on a
 * kernel script thread, never on the plugin's event loop, so the plugin hops back to its own
 * thread before it writes. The kernel calls {@code prepare} once per mock at load, {@code start}
 * once per test, {@code MockServer.close} before the next test, and {@code MockProtocol.close}
 * once when the run ends.
 */
package dev.faultbox.spi;
