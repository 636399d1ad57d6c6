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
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
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
   * @param bindAddress where the dashboard and Kafka listen ({@link Ports#LOOPBACK} unless the user
   *     opens them with {@code --bind}); Flink's RPC and blob server and Kafka's controller stay on
   *     127.0.0.1 whatever it is
   * @param kafkaPort the embedded broker's port; 0 picks a free one
   * @param gateway the HTTP rerank API and console to start in front of the job (null: none); its
   *     Kafka side is filled in from {@code conf}
   */
  public record Settings(Configuration conf, Path samplesDir, int dashboardPort, boolean once,
      Duration onceTimeout, PrintStream out, boolean ansi, InputStream stdin, String bindAddress,
      int kafkaPort, GatewayConfig gateway) {

    /** Everything on 127.0.0.1, Kafka on a free port, no gateway. */
    public Settings(Configuration conf, Path samplesDir, int dashboardPort, boolean once,
        Duration onceTimeout, PrintStream out, boolean ansi, InputStream stdin) {
      this(conf, samplesDir, dashboardPort, once, onceTimeout, out, ansi, stdin, Ports.LOOPBACK, 0,
          null);
    }

    /** Without the gateway. */
    public Settings(Configuration conf, Path samplesDir, int dashboardPort, boolean once,
        Duration onceTimeout, PrintStream out, boolean ansi, InputStream stdin, String bindAddress,
        int kafkaPort) {
      this(conf, samplesDir, dashboardPort, once, onceTimeout, out, ansi, stdin, bindAddress,
          kafkaPort, null);
    }
  }

  /** What the seed's vLLM server was started with ({@code --served-model-name}). */
  public static final String SEED_SERVED_MODEL_NAME = "qwen3-reranker-8b";

  private LocalDemo() {}

  /** Runs the demo; returns the process exit code. */
  public static int run(Settings s) throws Exception {
    PrintStream out = s.out();
    Configuration conf = new Configuration(s.conf());
    String bind = s.bindAddress();
    // A taken port is reported with the option that changes it, before anything starts.
    Ports.requireFree(bind, s.dashboardPort(), "the Flink dashboard", "--dashboard-port");
    Ports.requireFree(bind, s.kafkaPort(), "the embedded Kafka broker", "--kafka-port");
    String host = Ports.advertisedHost(bind);
    if (!Ports.isLoopback(bind)) {
      out.println("WARNING: --bind " + bind + ": the dashboard (http://" + host + ":"
          + s.dashboardPort() + ") and Kafka (plaintext, no authentication) are reachable from"
          + " the network. Anyone who can connect can read and write every topic, cancel the job,"
          + " and submit a Flink job through the REST API, which runs code in this process. Use"
          + " this on a trusted network only.");
    }
    Path workDir = Files.createTempDirectory("flink-reranker-local");
    out.println("Starting an embedded Kafka broker (KRaft)...");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(workDir.resolve("kafka"), bind, s.kafkaPort())) {
      String bootstrap = kafka.bootstrapServers();
      conf.set(RerankOptions.BOOTSTRAP_SERVERS, bootstrap);
      List<String> inputTopics = conf.get(RerankOptions.INPUT_TOPICS);

      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(
          flinkConfiguration(bind, s.dashboardPort()));
      RerankJob.buildKafka(env, conf);
      createTopics(conf, env.getParallelism());
      out.println("Starting Flink (MiniCluster) with the dashboard on http://" + host + ":"
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
        publish(producer, topic, samples, inFormat);
        out.println("Published " + samples.size() + " sample candidate sets to '" + topic
            + "'; results appear as each checkpoint commits them ("
            + conf.get(RerankOptions.CHECKPOINT_INTERVAL).toMillis() + " ms).");

        if (s.once()) {
          return awaitAll(job, printer, samples.size(), s.onceTimeout(), out);
        }
        out.println();
        out.println("Running until Ctrl-C. Dashboard: http://" + host + ":" + s.dashboardPort());
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

  /**
   * The MiniCluster's settings: the dashboard/REST endpoint on {@code bind}; the JobManager's and
   * TaskManager's RPC, blob and data ports on 127.0.0.1 (nothing outside this JVM needs them); jar
   * upload and submission off, since whoever can upload a jar runs code in this process. Cancelling
   * from the dashboard stays on: it stops only this demo.
   */
  static Configuration flinkConfiguration(String bind, int dashboardPort) {
    Configuration c = new Configuration();
    c.set(RestOptions.PORT, dashboardPort);
    c.set(RestOptions.BIND_ADDRESS, bind);
    // Where this JVM's own REST client connects: a wildcard bind is reached on loopback.
    c.set(RestOptions.ADDRESS, Ports.isWildcard(bind) ? Ports.LOOPBACK : bind);
    c.set(JobManagerOptions.ADDRESS, Ports.LOOPBACK);
    c.set(JobManagerOptions.BIND_HOST, Ports.LOOPBACK);
    c.set(TaskManagerOptions.HOST, Ports.LOOPBACK);
    c.set(TaskManagerOptions.BIND_HOST, Ports.LOOPBACK);
    c.set(WebOptions.SUBMIT_ENABLE, false);
    return c;
  }

  private static RerankGateway startGateway(GatewayConfig config, Configuration conf,
      PrintStream out) throws java.io.IOException {
    if (config == null) {
      return null;
    }
    if (config.servedModelName() == null) {
      // The name the vLLM server we replace served, so that its clients work unchanged against
      // the demo (the job's model.name is accepted too; answers name the model that scored).
      config.servedModelName(SEED_SERVED_MODEL_NAME);
    }
    if (config.exposureWarning() != null) {
      out.println(config.exposureWarning());
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
    out.println("All " + ResultPrinter.plural(expected, "sample") + " accounted for: "
        + ResultPrinter.plural(printer.results(), "result") + ", "
        + ResultPrinter.plural(printer.deadLetters(), "dead letter") + ".");
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

  /**
   * Creates the job's topics with one partition per source subtask: with fewer, the other source
   * subtasks idle and the dashboard shows 100 % data skew.
   */
  static void createTopics(Configuration conf, int partitions) {
    List<String> topics = new ArrayList<>(conf.get(RerankOptions.INPUT_TOPICS));
    topics.add(conf.get(RerankOptions.OUTPUT_TOPIC));
    topics.add(conf.get(RerankOptions.DEAD_LETTER_TOPIC));
    TopicAdmin.ensureTopics(conf.get(RerankOptions.BOOTSTRAP_SERVERS),
        KafkaFactory.clientProperties(conf), topics, partitions, (short) 1);
  }

  /**
   * Publishes lines round-robin over the topic's partitions: a producer without keys would put a
   * small burst like the samples into one partition, so one source subtask would read them all.
   */
  static void publish(KafkaProducer<byte[], byte[]> producer, String topic, List<String> lines,
      CandidateSetCodec.Format format) {
    int partitions = producer.partitionsFor(topic).size();
    for (int i = 0; i < lines.size(); i++) {
      producer.send(new ProducerRecord<>(topic, i % partitions, null, encode(lines.get(i), format)));
    }
    producer.flush();
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

  static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p);
  }
}
