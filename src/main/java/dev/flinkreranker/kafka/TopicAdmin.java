package dev.flinkreranker.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** Creates the job's topics when they do not exist yet. */
public final class TopicAdmin {
  private TopicAdmin() {}

  public static void ensureTopics(String bootstrapServers, Properties clientProps,
      List<String> topics, int partitions, short replicationFactor) {
    Properties props = new Properties();
    props.putAll(clientProps);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(props)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String t : topics) {
        if (!existing.contains(t)) {
          missing.add(new NewTopic(t, partitions, replicationFactor));
        }
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topics " + topics + " on "
          + bootstrapServers + ": " + e.getMessage(), e);
    }
  }
}
