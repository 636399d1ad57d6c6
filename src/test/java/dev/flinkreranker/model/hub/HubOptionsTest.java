package dev.flinkreranker.model.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment variables are read the way the Python tools read them. */
class HubOptionsTest {
  @TempDir Path home;

  private HubOptions from(Map<String, String> env) {
    Properties props = new Properties();
    props.setProperty("user.home", home.toString());
    return HubOptions.fromEnvironment(env, props);
  }

  @Test
  void defaultsMatchHuggingFaceHub() {
    HubOptions o = from(Map.of());

    assertEquals(HubOptions.DEFAULT_ENDPOINT, o.endpoint());
    assertTrue(o.endpoint().startsWith("https://"));
    assertEquals(home.resolve(".cache/huggingface/hub"), o.cacheDir());
    assertNull(o.token());
    assertFalse(o.offline());
  }

  @Test
  void cacheDirectoryPrecedence() {
    assertEquals(Path.of("/data/hf/hub"), from(Map.of("HF_HOME", "/data/hf")).cacheDir());
    assertEquals(Path.of("/xdg/huggingface/hub"), from(Map.of("XDG_CACHE_HOME", "/xdg")).cacheDir());
    assertEquals(
        Path.of("/shared/cache"),
        from(Map.of("HF_HUB_CACHE", "/shared/cache", "HF_HOME", "/data/hf")).cacheDir());
    assertEquals(Path.of("/legacy"), from(Map.of("HUGGINGFACE_HUB_CACHE", "/legacy")).cacheDir());
    assertEquals(home.resolve("models"), from(Map.of("HF_HUB_CACHE", "~/models")).cacheDir());
  }

  @Test
  void endpointFromEnvironmentThenSystemPropertyWithoutTrailingSlash() {
    assertEquals("http://mirror.local:8080", from(Map.of("HF_ENDPOINT", "http://mirror.local:8080/")).endpoint());
    Properties props = new Properties();
    props.setProperty("user.home", home.toString());
    props.setProperty("hf.endpoint", "http://prop.local");
    assertEquals("http://prop.local", HubOptions.fromEnvironment(Map.of(), props).endpoint());
    assertEquals("http://env.local", HubOptions.fromEnvironment(Map.of("HF_ENDPOINT", "http://env.local"), props).endpoint());
  }

  @Test
  void downloadTimeoutInSecondsLikePython() {
    assertEquals(HubOptions.DEFAULT_READ_TIMEOUT, from(Map.of()).readTimeout());
    assertEquals(Duration.ofSeconds(60), from(Map.of("HF_HUB_DOWNLOAD_TIMEOUT", "60")).readTimeout());
    assertEquals(Duration.ofMillis(2500), from(Map.of("HF_HUB_DOWNLOAD_TIMEOUT", "2.5")).readTimeout());
  }

  @Test
  void offlineAcceptsTheSameTrueValues() {
    for (String yes : new String[] {"1", "true", "YES", "on"}) {
      assertTrue(from(Map.of("HF_HUB_OFFLINE", yes)).offline(), yes);
    }
    for (String no : new String[] {"0", "false", "", "nope"}) {
      assertFalse(from(Map.of("HF_HUB_OFFLINE", no)).offline(), no);
    }
    assertTrue(from(Map.of("TRANSFORMERS_OFFLINE", "1")).offline());
  }

  @Test
  void tokenFromVariableElseFromTheLoginFile() throws IOException {
    assertEquals("hf_env", from(Map.of("HF_TOKEN", "hf_env")).token());
    Path hfHome = Files.createDirectories(home.resolve("hfhome"));
    Files.writeString(hfHome.resolve("token"), "hf_from_file\n");
    Map<String, String> env = new HashMap<>(Map.of("HF_HOME", hfHome.toString()));
    assertEquals("hf_from_file", from(env).token());
    env.put("HF_TOKEN", "hf_env");
    assertEquals("hf_env", from(env).token(), "the variable wins over the file");
    assertFalse(from(env).toString().contains("hf_env"), "toString never prints the token");
  }
}
