package dev.resilientkafka.examples;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** A client properties file given on the command line ({@code --command-config} and its aliases). */
public final class PropertiesFile {
  private PropertiesFile() {}

  /**
   * The file's keys and values, in no particular order.
   *
   * @param option the option that named the file, for the message
   * @throws UsageException naming the option and the file when it cannot be read
   */
  public static Map<String, Object> read(String option, Path file) throws UsageException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UsageException("cannot read " + option + " " + file + ": " + e);
    }
    Map<String, Object> config = new LinkedHashMap<>();
    for (String key : properties.stringPropertyNames()) {
      config.put(key, properties.getProperty(key));
    }
    return config;
  }
}
