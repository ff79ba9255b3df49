package dev.resilientkafka.testkit.internal;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Creates the JVM's hosts file before the first test runs, when the JVM was started with
 * {@code -Djdk.net.hosts.file} and the file does not exist yet: without it even {@code localhost} would
 * not resolve until the first cluster starts.
 */
public final class HostsFileInitializer implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    HostsFile.shared().ensureExists();
  }
}
