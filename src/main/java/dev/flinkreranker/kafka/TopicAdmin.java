package dev.flinkreranker.kafka;

import dev.flinkreranker.config.RerankOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that the job's topics exist and creates the missing ones. Existing topics are never
 * changed. Every call is bounded by a timeout: an unreachable broker is an error that names
 * {@code kafka.bootstrap-servers}, not a hang.
 */
public final class TopicAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);

  private TopicAdmin() {}

  /** Creates the given topics that do not exist yet (tests, the local demo). */
  public static void ensureTopics(String bootstrapServers, Properties clientProps,
      List<String> topics, int partitions, short replicationFactor) {
    ensure(bootstrapServers, clientProps, topics, true, partitions,
        Optional.of(replicationFactor), RerankOptions.ADMIN_TIMEOUT.defaultValue());
  }

  /** The topics a streaming job reads and writes: the input topics, results, dead letters. */
  public static List<String> jobTopics(Configuration conf) {
    Set<String> topics = new LinkedHashSet<>();
    conf.get(RerankOptions.INPUT_TOPICS).forEach(t -> topics.add(t.strip()));
    topics.add(conf.get(RerankOptions.OUTPUT_TOPIC));
    topics.add(conf.get(RerankOptions.DEAD_LETTER_TOPIC));
    return List.copyOf(topics);
  }

  /**
   * What {@code run} does before it starts the job: with {@code kafka.create-topics} the missing
   * topics are created ({@code kafka.topic-partitions}, -1 = {@code parallelism};
   * {@code kafka.topic-replication}, -1 = the broker's default), without it a missing topic is an
   * error that names it.
   *
   * @return the topics that were created
   */
  public static List<String> ensureJobTopics(Configuration conf, int parallelism) {
    int partitions = conf.get(RerankOptions.TOPIC_PARTITIONS);
    if (partitions == -1) {
      partitions = Math.max(1, parallelism);
    } else if (partitions < 1) {
      throw new IllegalArgumentException(RerankOptions.TOPIC_PARTITIONS.key()
          + " must be >= 1 or -1 (the job's parallelism), got " + partitions);
    }
    int replication = conf.get(RerankOptions.TOPIC_REPLICATION);
    if (replication != -1 && (replication < 1 || replication > Short.MAX_VALUE)) {
      throw new IllegalArgumentException(RerankOptions.TOPIC_REPLICATION.key()
          + " must be >= 1 or -1 (the broker's default), got " + replication);
    }
    Duration timeout = conf.get(RerankOptions.ADMIN_TIMEOUT);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(
          RerankOptions.ADMIN_TIMEOUT.key() + " must be positive, got " + timeout);
    }
    return ensure(conf.get(RerankOptions.BOOTSTRAP_SERVERS), KafkaFactory.clientProperties(conf),
        jobTopics(conf), conf.get(RerankOptions.CREATE_TOPICS), partitions,
        replication == -1 ? Optional.empty() : Optional.of((short) replication), timeout);
  }

  static List<String> ensure(String bootstrapServers, Properties clientProps, List<String> topics,
      boolean create, int partitions, Optional<Short> replication, Duration timeout) {
    String where = RerankOptions.BOOTSTRAP_SERVERS.key() + "=" + bootstrapServers;
    Properties props = new Properties();
    props.putAll(clientProps);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    // Without these the client retries for its own default (60 s) after our wait gave up, and
    // close() would wait for it.
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    Admin admin;
    try {
      admin = Admin.create(props);
    } catch (KafkaException e) {
      // e.g. a bootstrap address that does not resolve
      throw new IllegalStateException("cannot connect to Kafka at " + where + ": "
          + rootMessage(e), e);
    }
    try {
      Set<String> existing = admin.listTopics().names().get(millis, TimeUnit.MILLISECONDS);
      List<String> missing = topics.stream().filter(t -> !existing.contains(t)).toList();
      if (missing.isEmpty()) {
        return List.of();
      }
      if (!create) {
        throw new IllegalStateException("Kafka topics " + missing + " do not exist at " + where
            + ": create them, or set " + RerankOptions.CREATE_TOPICS.key()
            + ": true so that the job creates them");
      }
      List<NewTopic> newTopics = new ArrayList<>();
      for (String t : missing) {
        newTopics.add(new NewTopic(t, Optional.of(partitions), replication));
      }
      List<String> created = new ArrayList<>();
      var results = admin.createTopics(newTopics).values();
      for (String t : missing) {
        try {
          results.get(t).get(millis, TimeUnit.MILLISECONDS);
          created.add(t);
        } catch (ExecutionException e) {
          // Another instance of the job created it in the meantime: that is what we wanted.
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      // The controller has committed them, but a broker's metadata may lag: wait until the broker
      // lists them, so that a source (or a check) started right after sees them.
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      while (!admin.listTopics().names().get(millis, TimeUnit.MILLISECONDS).containsAll(missing)) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("created topics " + missing + " did not appear in time");
        }
        Thread.sleep(20);
      }
      LOG.info("Created Kafka topics {} at {} with {} partitions and replication factor {}",
          created, where, partitions, replication.map(String::valueOf).orElse("(broker default)"));
      return created;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking Kafka topics at " + where, e);
    } catch (TimeoutException e) {
      throw timedOut(where, timeout, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw timedOut(where, timeout, cause);
      }
      if (cause instanceof TopicAuthorizationException
          || cause instanceof ClusterAuthorizationException) {
        throw new IllegalStateException("not allowed to create Kafka topics " + topics + " at "
            + where + " (" + cause.getMessage() + "): create them beforehand, or grant this"
            + " principal CREATE; " + RerankOptions.CREATE_TOPICS.key()
            + ": false only checks that they exist", cause);
      }
      if (cause instanceof InvalidReplicationFactorException
          || cause instanceof InvalidPartitionsException) {
        throw new IllegalStateException("cannot create Kafka topics " + topics + " at " + where
            + ": " + cause.getMessage() + " (check " + RerankOptions.TOPIC_PARTITIONS.key()
            + " and " + RerankOptions.TOPIC_REPLICATION.key() + ")", cause);
      }
      throw new IllegalStateException("cannot check or create Kafka topics " + topics + " at "
          + where + ": " + rootMessage(cause), cause);
    } finally {
      // Nothing may outlive the call: pending requests are abandoned, not waited for.
      admin.close(Duration.ZERO);
    }
  }

  private static IllegalStateException timedOut(String where, Duration timeout, Throwable e) {
    return new IllegalStateException("Kafka did not answer within "
        + TimeUtils.formatWithHighestUnit(timeout) + " at " + where
        + ": check the address and that the broker is reachable from here ("
        + RerankOptions.ADMIN_TIMEOUT.key() + " sets the wait)", e);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
