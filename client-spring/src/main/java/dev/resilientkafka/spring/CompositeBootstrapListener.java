package dev.resilientkafka.spring;

import dev.resilientkafka.BootstrapException;
import dev.resilientkafka.BootstrapListener;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/** Forwards each bootstrap event to several listeners, in order; the resolver catches what they throw. */
final class CompositeBootstrapListener implements BootstrapListener {
  private final List<BootstrapListener> listeners;

  private CompositeBootstrapListener(List<BootstrapListener> listeners) {
    this.listeners = listeners;
  }

  static BootstrapListener of(List<BootstrapListener> listeners) {
    return listeners.isEmpty() ? BootstrapListener.NONE
        : listeners.size() == 1 ? listeners.get(0) : new CompositeBootstrapListener(List.copyOf(listeners));
  }

  @Override
  public void onResolved(String service, List<InetSocketAddress> servers, Duration ttl) {
    listeners.forEach(l -> l.onResolved(service, servers, ttl));
  }

  @Override
  public void onBrokerSetChanged(String service, List<InetSocketAddress> added, List<InetSocketAddress> removed,
      List<InetSocketAddress> current) {
    listeners.forEach(l -> l.onBrokerSetChanged(service, added, removed, current));
  }

  @Override
  public void onResolutionFailed(String service, BootstrapException error, boolean keptLastGood) {
    listeners.forEach(l -> l.onResolutionFailed(service, error, keptLastGood));
  }

  @Override
  public void onStaleJvmDnsCache(String host, String detail) {
    listeners.forEach(l -> l.onStaleJvmDnsCache(host, detail));
  }

  @Override
  public void onAdvertisedHostMismatch(String advertisedHost, String detail) {
    listeners.forEach(l -> l.onAdvertisedHostMismatch(advertisedHost, detail));
  }
}
