package dev.flinkreranker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.testutil.EmbeddedKafkaExtension;
import dev.flinkreranker.testutil.FlinkTestCluster;
import dev.flinkreranker.testutil.KafkaTestUtil;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless Chromium (Debian's chromium and chromium-driver): the seed's
 * Arabic scenario typed into the page, its Top 1 read back, and a record produced straight to the
 * input topic seen arriving in the live view.
 */
class ConsoleBrowserITCase {
  @RegisterExtension
  static final MiniClusterExtension FLINK = FlinkTestCluster.oneTaskManagerTwoSlots();

  @RegisterExtension
  static final EmbeddedKafkaExtension kafka = new EmbeddedKafkaExtension();

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  // Scenario 4 of seed-scenarios.md, byte for byte; the seed's top-1 is candidate 3.
  private static final String QUERY = "كيف أقوم بتحويل ملف PDF إلى نص باستخدام Python؟";
  private static final List<String> CANDIDATES = List.of("Use PyPDF2 or pdfplumber",
      "Install poppler and use pdf2image", "يمكنك استخدام مكتبة PyPDF2 المتخصصة في معالجة ملفات PDF");

  private static WebDriver browser() {
    // Missing browser = a broken test machine: fail, never skip.
    assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "the console test needs Debian's chromium and chromium-driver (" + CHROMIUM + ", "
            + CHROMEDRIVER + "): apt-get install -y chromium chromium-driver");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
        "--disable-gpu", "--window-size=1400,1000", "--lang=en-US");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  @Test
  void ranksTheArabicScenarioAndShowsTheStream() throws Exception {
    try (GatewayRig rig = GatewayRig.start(kafka.bootstrapServers(), "console", "json",
        c -> c.servedModelName("qwen3-reranker-8b").flinkDashboardUrl("http://localhost:8081")
            .grafanaUrl("http://localhost:3000"))) {
      WebDriver driver = browser();
      try {
        driver.get(rig.uri().toString());
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
        // The page knows the served model before it calls (it polls /api/stream at once).
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("model"),
            "qwen3-reranker-8b"));
        driver.findElement(By.id("query")).sendKeys(QUERY);
        driver.findElement(By.id("candidates")).sendKeys(String.join("\n", CANDIDATES));
        driver.findElement(By.id("rerank")).click();

        WebElement top1 = wait.until(
            ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#results li.top1")));
        String top1Text = top1.getText();
        assertTrue(top1Text.matches("(?s)Top 1 \\(\\d\\.\\d{4}\\)\\s+.*"), top1Text);
        assertTrue(top1Text.endsWith(CANDIDATES.get(2)), top1Text);
        assertEquals(3, driver.findElements(By.cssSelector("#results li")).size());
        assertEquals(1, driver.findElements(By.cssSelector("#results li.top1")).size());
        assertTrue(driver.findElement(By.id("latency")).getText().matches("answered in \\d+ ms"));
        assertEquals("http://localhost:8081/",
            driver.findElement(By.linkText("Flink dashboard")).getAttribute("href"));
        assertEquals("http://localhost:3000/",
            driver.findElement(By.linkText("Grafana")).getAttribute("href"));

        // A record that does not come through the gateway: produced straight to the input topic.
        KafkaTestUtil.produce(kafka.bootstrapServers(), "console.candidates", List.of(
            ("{\"request_id\":\"stream-42\",\"query\":\"merge two sorted lists\",\"candidates\":["
                + "{\"id\":\"a\",\"text\":\"heapq.merge merges sorted lists\"},"
                + "{\"id\":\"b\",\"text\":\"a flink is a group of cows\"}]}")
                .getBytes(StandardCharsets.UTF_8),
            "{\"request_id\":\"stream-43\",\"query\":\"\",\"candidates\":[]}"
                .getBytes(StandardCharsets.UTF_8)));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("live-results"),
            "stream-42"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("dead-letters"),
            "MISSING_QUERY"));
        // The console's own request is in the live view too.
        assertTrue(driver.findElement(By.id("live-results")).getText().contains(QUERY));

        Path shot = Path.of("target", "console.png");
        Files.copy(((ChromeDriver) driver).getScreenshotAs(OutputType.FILE).toPath(), shot,
            StandardCopyOption.REPLACE_EXISTING);
      } finally {
        driver.quit();
      }
    }
  }
}
