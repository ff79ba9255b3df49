package dev.resilientkafka.spring;

import dev.resilientkafka.BootstrapException;
import dev.resilientkafka.BootstrapListener;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards each bootstrap event to several listeners, in order; one that throws does not keep the
 * event from the others (logged WARN once, then DEBUG).
 */
final class CompositeBootstrapListener implements BootstrapListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CompositeBootstrapListener.class);
  private final List<BootstrapListener> listeners;
  private final AtomicBoolean warned = new AtomicBoolean();

  private CompositeBootstrapListener(List<BootstrapListener> listeners) {
    this.listeners = listeners;
  }

  static BootstrapListener of(List<BootstrapListener> listeners) {
    return listeners.isEmpty() ? BootstrapListener.NONE
        : listeners.size() == 1 ? listeners.get(0) : new CompositeBootstrapListener(List.copyOf(listeners));
  }

  @Override
  public void onResolved(String service, List<InetSocketAddress> servers, Duration ttl) {
    each(l -> l.onResolved(service, servers, ttl));
  }

  @Override
  public void onBrokerSetChanged(String service, List<InetSocketAddress> added, List<InetSocketAddress> removed,
      List<InetSocketAddress> current) {
    each(l -> l.onBrokerSetChanged(service, added, removed, current));
  }

  @Override
  public void onResolutionFailed(String service, BootstrapException error, boolean keptLastGood) {
    each(l -> l.onResolutionFailed(service, error, keptLastGood));
  }

  @Override
  public void onStaleJvmDnsCache(String host, String detail) {
    each(l -> l.onStaleJvmDnsCache(host, detail));
  }

  @Override
  public void onSrvRecordsIgnored(String service, String reason, List<InetSocketAddress> ignored, String detail) {
    each(l -> l.onSrvRecordsIgnored(service, reason, ignored, detail));
  }

  @Override
  public void onAdvertisedHostMismatch(String advertisedHost, String detail) {
    each(l -> l.onAdvertisedHostMismatch(advertisedHost, detail));
  }

  private void each(Consumer<BootstrapListener> event) {
    for (BootstrapListener listener : listeners) {
      try {
        event.accept(listener);
      } catch (RuntimeException e) {
        if (warned.compareAndSet(false, true)) {
          LOG.warn("bootstrap listener {} failed (further failures at DEBUG)", listener, e);
        } else {
          LOG.debug("bootstrap listener {} failed", listener, e);
        }
      }
    }
  }

  /** Closes the listeners that hold resources (meters). */
  @Override
  public void close() {
    for (BootstrapListener listener : listeners) {
      if (listener instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          LOG.debug("closing bootstrap listener {} failed", listener, e);
        }
      }
    }
  }
}
