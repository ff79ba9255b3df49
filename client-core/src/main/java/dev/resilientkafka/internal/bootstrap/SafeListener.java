package dev.resilientkafka.internal.bootstrap;

import dev.resilientkafka.BootstrapException;
import dev.resilientkafka.BootstrapListener;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls a user's listener and keeps its exceptions away from the resolver: WARN once, then DEBUG. */
final class SafeListener implements BootstrapListener {
  private static final Logger LOG = LoggerFactory.getLogger(SafeListener.class);
  private final BootstrapListener delegate;
  private final AtomicBoolean warned = new AtomicBoolean();

  SafeListener(BootstrapListener delegate) {
    this.delegate = delegate;
  }

  @Override
  public void onResolved(String service, List<InetSocketAddress> servers, Duration ttl) {
    call(() -> delegate.onResolved(service, servers, ttl));
  }

  @Override
  public void onBrokerSetChanged(
      String service, List<InetSocketAddress> added, List<InetSocketAddress> removed, List<InetSocketAddress> current) {
    call(() -> delegate.onBrokerSetChanged(service, added, removed, current));
  }

  @Override
  public void onResolutionFailed(String service, BootstrapException error, boolean keptLastGood) {
    call(() -> delegate.onResolutionFailed(service, error, keptLastGood));
  }

  @Override
  public void onStaleJvmDnsCache(String host, String detail) {
    call(() -> delegate.onStaleJvmDnsCache(host, detail));
  }

  @Override
  public void onSrvRecordsIgnored(String service, String reason, List<InetSocketAddress> ignored, String detail) {
    call(() -> delegate.onSrvRecordsIgnored(service, reason, ignored, detail));
  }

  @Override
  public void onAdvertisedHostMismatch(String advertisedHost, String detail) {
    call(() -> delegate.onAdvertisedHostMismatch(advertisedHost, detail));
  }

  private void call(Runnable event) {
    try {
      event.run();
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError fatal && !(e instanceof StackOverflowError)) {
        throw fatal;
      }
      if (warned.compareAndSet(false, true)) {
        LOG.warn("A BootstrapListener threw; ignored (further failures log at DEBUG)", e);
      } else {
        LOG.debug("A BootstrapListener threw; ignored", e);
      }
    }
  }
}
