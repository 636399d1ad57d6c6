package dev.flinkreranker.local;

import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.config.RerankOptions;
import dev.flinkreranker.gateway.GatewayConfig;
import dev.flinkreranker.gateway.RerankGateway;
import dev.flinkreranker.job.RerankJob;
import dev.flinkreranker.kafka.CandidateSetCodec;
import dev.flinkreranker.kafka.KafkaFactory;
import dev.flinkreranker.kafka.RecordEncoding;
import dev.flinkreranker.kafka.TopicAdmin;
import dev.flinkreranker.validation.RejectedRecordException;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The one-command demo: a real KRaft broker and a Flink MiniCluster with the web dashboard in this
 * JVM, the rerank job on them, the samples published, and every result printed as it arrives.
 */
public final class LocalDemo {

  /**
   * @param conf the job configuration ({@code kafka.bootstrap-servers} is replaced by the embedded
   *     broker's address)
   * @param samplesDir directory of {@code *.jsonl} samples, or null for the copy in the jar
   * @param once exit after every sample is ranked or dead-lettered
   * @param onceTimeout how long {@code once} waits before failing
   * @param stdin JSON lines typed here are published too (null: none)
   * @param gateway the HTTP rerank API and console to start in front of the job (null: none); its
   *     Kafka side is filled in from {@code conf}
   */
  public record Settings(Configuration conf, Path samplesDir, int dashboardPort, boolean once,
      Duration onceTimeout, PrintStream out, boolean ansi, InputStream stdin,
      GatewayConfig gateway) {

    /** Without the gateway. */
    public Settings(Configuration conf, Path samplesDir, int dashboardPort, boolean once,
        Duration onceTimeout, PrintStream out, boolean ansi, InputStream stdin) {
      this(conf, samplesDir, dashboardPort, once, onceTimeout, out, ansi, stdin, null);
    }
  }

  private LocalDemo() {}

  /** Runs the demo; returns the process exit code. */
  public static int run(Settings s) throws Exception {
    PrintStream out = s.out();
    Configuration conf = new Configuration(s.conf());
    Path workDir = Files.createTempDirectory("flink-reranker-local");
    out.println("Starting an embedded Kafka broker (KRaft)...");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(workDir.resolve("kafka"))) {
      String bootstrap = kafka.bootstrapServers();
      conf.set(RerankOptions.BOOTSTRAP_SERVERS, bootstrap);
      List<String> inputTopics = conf.get(RerankOptions.INPUT_TOPICS);
      List<String> topics = new ArrayList<>(inputTopics);
      topics.add(conf.get(RerankOptions.OUTPUT_TOPIC));
      topics.add(conf.get(RerankOptions.DEAD_LETTER_TOPIC));
      TopicAdmin.ensureTopics(bootstrap, KafkaFactory.clientProperties(conf), topics, 2, (short) 1);

      Configuration flinkConf = new Configuration();
      flinkConf.set(RestOptions.PORT, s.dashboardPort());
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flinkConf);
      RerankJob.buildKafka(env, conf);
      out.println("Starting Flink (MiniCluster) with the dashboard on http://localhost:"
          + s.dashboardPort() + " ...");
      JobClient job = env.executeAsync(conf.get(RerankOptions.JOB_NAME));

      CandidateSetCodec.Format outFormat =
          CandidateSetCodec.Format.parse(conf.get(RerankOptions.OUTPUT_FORMAT));
      ResultPrinter printer = new ResultPrinter(bootstrap, conf.get(RerankOptions.OUTPUT_TOPIC),
          conf.get(RerankOptions.DEAD_LETTER_TOPIC), outFormat, out, s.ansi());
      Thread printerThread = new Thread(printer, "result-printer");
      printerThread.setDaemon(true);
      printerThread.start();

      CandidateSetCodec.Format inFormat =
          CandidateSetCodec.Format.parse(conf.get(RerankOptions.INPUT_FORMAT));
      List<String> samples = Samples.load(s.samplesDir());
      RerankGateway gateway = null;
      try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
        // Before the samples, so that the console's live view shows them too.
        gateway = startGateway(s.gateway(), conf, out);
        String topic = inputTopics.get(0);
        for (String line : samples) {
          producer.send(new ProducerRecord<>(topic, encode(line, inFormat)));
        }
        producer.flush();
        out.println("Published " + samples.size() + " sample candidate sets to '" + topic
            + "'; results appear as each checkpoint commits them ("
            + conf.get(RerankOptions.CHECKPOINT_INTERVAL).toMillis() + " ms).");

        if (s.once()) {
          return awaitAll(job, printer, samples.size(), s.onceTimeout(), out);
        }
        out.println();
        out.println("Running until Ctrl-C. Dashboard: http://localhost:" + s.dashboardPort());
        out.println("Send more candidate sets as JSON lines to Kafka at " + bootstrap
            + ", topic '" + topic + "', or type/paste them here, one per line, e.g.:");
        out.println("{\"request_id\":\"my-1\",\"query\":\"what is flink\",\"candidates\":["
            + "{\"id\":\"a\",\"text\":\"Apache Flink is a stream processor.\"},"
            + "{\"id\":\"b\",\"text\":\"A flink is a group of cows.\"}]}");
        forwardStdin(s.stdin(), producer, topic, inFormat, out);
        job.getJobExecutionResult().get();
        return 0;
      } finally {
        printer.close();
        stop(job);
        if (gateway != null) {
          gateway.close();
        }
      }
    }
  }

  private static RerankGateway startGateway(GatewayConfig config, Configuration conf,
      PrintStream out) throws java.io.IOException {
    if (config == null) {
      return null;
    }
    RerankGateway gateway = RerankGateway.start(config.job(conf));
    out.println("Rerank API and web console on " + gateway.uri()
        + " (POST /v1/rerank, /v1/score; --gateway-port N or --no-gateway to change).");
    return gateway;
  }

  /** Cancels the job and waits until it has stopped, so that Kafka outlives its clients. */
  private static void stop(JobClient job) {
    try {
      if (!job.getJobStatus().get().isGloballyTerminalState()) {
        job.cancel().get(30, java.util.concurrent.TimeUnit.SECONDS);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!job.getJobStatus().get().isGloballyTerminalState() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    } catch (Exception e) {
      // The MiniCluster shuts down with the job; a status call may fail once it is gone.
    }
  }

  private static int awaitAll(JobClient job, ResultPrinter printer, int expected,
      Duration timeout, PrintStream out) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (printer.printed() < expected) {
      if (job.getJobStatus().get().isGloballyTerminalState()) {
        out.println("The job ended before every sample was ranked: " + job.getJobStatus().get());
        return 1;
      }
      if (System.nanoTime() > deadline) {
        out.println("Timed out: " + printer.printed() + " of " + expected + " samples ranked.");
        return 1;
      }
      Thread.sleep(200);
    }
    out.println();
    out.println("All " + expected + " samples accounted for: " + printer.results() + " results, "
        + printer.deadLetters() + " dead letters.");
    return 0;
  }

  private static void forwardStdin(InputStream stdin, KafkaProducer<byte[], byte[]> producer,
      String topic, CandidateSetCodec.Format format, PrintStream out) throws Exception {
    if (stdin == null) {
      return;
    }
    BufferedReader reader = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      // Bad input is published as it is: the job turns it into a dead letter with the reason.
      producer.send(new ProducerRecord<>(topic, encode(line, format)));
      producer.flush();
      out.println("(sent)");
    }
  }

  /** A sample line as the input format expects it. */
  static byte[] encode(String jsonLine, CandidateSetCodec.Format format) {
    byte[] json = jsonLine.getBytes(StandardCharsets.UTF_8);
    if (format == CandidateSetCodec.Format.JSON) {
      return json;
    }
    try {
      CandidateSet set = new CandidateSetCodec(CandidateSetCodec.Format.JSON)
          .decode(json, System.currentTimeMillis());
      return RecordEncoding.avro(set);
    } catch (RejectedRecordException e) {
      return json; // not a CandidateSet: let the job dead-letter it as undecodable
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p);
  }
}
