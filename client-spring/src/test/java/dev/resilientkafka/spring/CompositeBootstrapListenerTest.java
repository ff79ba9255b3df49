package dev.resilientkafka.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilientkafka.BootstrapListener;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The composite passes every bootstrap event on to every listener, even past one that throws. */
class CompositeBootstrapListenerTest {

  @Test
  void everyEventOfTheInterfaceIsPassedOn() {
    List<String> notForwarded = new ArrayList<>();
    for (Method method : BootstrapListener.class.getMethods()) {
      if (Modifier.isStatic(method.getModifiers())) {
        continue;
      }
      try {
        CompositeBootstrapListener.class.getDeclaredMethod(method.getName(), method.getParameterTypes());
      } catch (NoSuchMethodException e) {
        notForwarded.add(method.getName());
      }
    }
    assertThat(notForwarded).as("BootstrapListener methods the composite leaves at their no-op default").isEmpty();
  }

  @Test
  void ignoredSrvRecordsReachEveryListenerPastOneThatThrows() {
    List<String> seen = new CopyOnWriteArrayList<>();
    BootstrapListener throwing = new BootstrapListener() {
      @Override
      public void onSrvRecordsIgnored(String service, String reason, List<InetSocketAddress> ignored, String detail) {
        throw new IllegalStateException("listener bug");
      }
    };
    BootstrapListener recording = new BootstrapListener() {
      @Override
      public void onSrvRecordsIgnored(String service, String reason, List<InetSocketAddress> ignored, String detail) {
        seen.add(service + " " + reason + " " + ignored);
      }
    };
    BootstrapListener composite = CompositeBootstrapListener.of(List.of(throwing, recording));
    composite.onSrvRecordsIgnored("kafka-svc", "other_port",
        List.of(InetSocketAddress.createUnresolved("kafka-0.kafka-svc.default.svc.cluster.local", 9093)), "controller port");
    assertThat(seen).containsExactly("kafka-svc other_port [kafka-0.kafka-svc.default.svc.cluster.local/<unresolved>:9093]");
  }
}
