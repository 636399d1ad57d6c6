package dev.flinkreranker.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of the Compose specification that our compose files rely on.
 *
 * <p>No JSON-schema validator for the Compose schema can be installed here (and the docker client on
 * the build machines cannot run {@code docker compose config} without an engine), so these are the
 * spec's rules we need, written out: the services map, image or build per service, the ports short
 * syntax, depends_on and its conditions, named volumes declared at top level, bind sources that
 * exist, profiles, healthchecks, and device reservations. Each returns readable problems instead of
 * throwing, so tests can also show that a broken file is caught.
 */
final class ComposeRules {
  private ComposeRules() {}

  static final Set<String> TOP_LEVEL =
      Set.of("name", "services", "networks", "volumes", "configs", "secrets", "include");

  /** Service attributes of the Compose specification (the subset is closed: typos are caught). */
  static final Set<String> SERVICE_KEYS =
      Set.of(
          "annotations", "attach", "build", "blkio_config", "cap_add", "cap_drop", "cgroup",
          "cgroup_parent", "command", "configs", "container_name", "cpu_count", "cpu_percent",
          "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpus",
          "cpuset", "depends_on", "deploy", "develop", "device_cgroup_rules", "devices", "dns",
          "dns_opt", "dns_search", "domainname", "entrypoint", "env_file", "environment", "expose",
          "extends", "external_links", "extra_hosts", "gpus", "group_add", "healthcheck",
          "hostname", "image", "init", "ipc", "isolation", "labels", "links", "logging",
          "mac_address", "mem_limit", "mem_reservation", "mem_swappiness", "memswap_limit",
          "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit",
          "platform", "ports", "privileged", "profiles", "pull_policy", "read_only", "restart",
          "runtime", "scale", "secrets", "security_opt", "shm_size", "stdin_open",
          "stop_grace_period", "stop_signal", "storage_opt", "sysctls", "tmpfs", "tty", "ulimits",
          "user", "userns_mode", "uts", "volumes", "volumes_from", "working_dir");

  static final Set<String> CONDITIONS =
      Set.of("service_started", "service_healthy", "service_completed_successfully");

  static final Set<String> RESTART = Set.of("no", "always", "on-failure", "unless-stopped");

  /** [[ip:](host[-range]):]container[-range][/protocol], ip being v4 here. */
  static final Pattern PORT =
      Pattern.compile(
          "^((\\d{1,3}\\.){3}\\d{1,3}:)?((\\d+(-\\d+)?)?:)?\\d+(-\\d+)?(/(tcp|udp|sctp))?$");

  static final Pattern PROFILE = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$");

  static List<String> check(JsonNode compose, Path projectDir) {
    List<String> problems = new ArrayList<>();
    compose.fieldNames().forEachRemaining(k -> {
      if (!TOP_LEVEL.contains(k) && !k.startsWith("x-")) {
        problems.add("unknown top-level element '" + k + "'"
            + (k.equals("version") ? " (obsolete in the Compose specification)" : ""));
      }
    });
    JsonNode services = compose.path("services");
    if (!services.isObject() || services.isEmpty()) {
      problems.add("'services' must be a non-empty map");
      return problems;
    }
    Set<String> declaredVolumes = new HashSet<>();
    compose.path("volumes").fieldNames().forEachRemaining(declaredVolumes::add);
    Set<String> declaredNetworks = new HashSet<>();
    compose.path("networks").fieldNames().forEachRemaining(declaredNetworks::add);

    for (Map.Entry<String, JsonNode> e : iterable(services)) {
      String name = e.getKey();
      JsonNode s = e.getValue();
      String at = "service '" + name + "': ";
      if (!s.isObject()) {
        problems.add(at + "must be a map");
        continue;
      }
      s.fieldNames().forEachRemaining(k -> {
        if (!SERVICE_KEYS.contains(k) && !k.startsWith("x-")) {
          problems.add(at + "unknown attribute '" + k + "'");
        }
      });
      if (!s.has("image") && !s.has("build")) {
        problems.add(at + "needs 'image' or 'build'");
      }
      checkBuild(s.path("build"), projectDir, at, problems);
      for (JsonNode p : s.path("ports")) {
        if (p.isObject()) {
          if (!p.has("target")) {
            problems.add(at + "long-syntax port without 'target'");
          }
        } else if (!PORT.matcher(p.asText()).matches()) {
          problems.add(at + "invalid port '" + p.asText() + "'");
        }
      }
      checkDependsOn(services, name, s, at, problems);
      checkVolumes(s.path("volumes"), declaredVolumes, projectDir, at, problems);
      for (JsonNode n : s.path("networks").isObject() ? iterableNames(s.path("networks"))
          : s.path("networks")) {
        if (!declaredNetworks.contains(n.asText()) && !n.asText().equals("default")) {
          problems.add(at + "network '" + n.asText() + "' is not declared at top level");
        }
      }
      JsonNode profiles = s.path("profiles");
      if (!profiles.isMissingNode()) {
        if (!profiles.isArray() || profiles.isEmpty()) {
          problems.add(at + "'profiles' must be a non-empty list");
        }
        profiles.forEach(p -> {
          if (!PROFILE.matcher(p.asText()).matches()) {
            problems.add(at + "invalid profile name '" + p.asText() + "'");
          }
        });
      }
      if (s.has("restart") && !RESTART.contains(s.path("restart").asText())
          && !s.path("restart").asText().matches("on-failure:\\d+")) {
        problems.add(at + "invalid restart policy '" + s.path("restart").asText() + "'");
      }
      JsonNode env = s.path("environment");
      if (env.isObject()) {
        env.fields().forEachRemaining(v -> {
          if (v.getValue().isContainerNode()) {
            problems.add(at + "environment '" + v.getKey() + "' must be a scalar");
          }
        });
      } else if (env.isArray()) {
        env.forEach(v -> {
          if (!v.isTextual()) {
            problems.add(at + "environment entries must be strings");
          }
        });
      } else if (!env.isMissingNode()) {
        problems.add(at + "'environment' must be a map or a list");
      }
      JsonNode hc = s.path("healthcheck");
      if (!hc.isMissingNode()) {
        JsonNode test = hc.path("test");
        boolean ok = test.isTextual()
            || (test.isArray() && !test.isEmpty()
                && Set.of("CMD", "CMD-SHELL", "NONE").contains(test.get(0).asText()));
        if (!ok) {
          problems.add(at + "healthcheck.test must be a string or start with CMD/CMD-SHELL/NONE");
        }
      }
      for (JsonNode d : s.path("deploy").path("resources").path("reservations").path("devices")) {
        if (!d.path("capabilities").isArray() || d.path("capabilities").isEmpty()) {
          problems.add(at + "a reserved device needs a non-empty 'capabilities' list");
        }
        if (d.has("count") && d.has("device_ids")) {
          problems.add(at + "a reserved device takes 'count' or 'device_ids', not both");
        }
      }
    }
    return problems;
  }

  private static void checkBuild(JsonNode build, Path projectDir, String at, List<String> problems) {
    if (build.isMissingNode()) {
      return;
    }
    String context = build.isTextual() ? build.asText() : build.path("context").asText(".");
    Path dir = projectDir.resolve(context).normalize();
    if (!Files.isDirectory(dir)) {
      problems.add(at + "build context '" + context + "' does not exist");
      return;
    }
    String dockerfile = build.path("dockerfile").asText("Dockerfile");
    if (!Files.isRegularFile(dir.resolve(dockerfile))) {
      problems.add(at + "dockerfile '" + dockerfile + "' not found in the build context");
    }
    JsonNode args = build.path("args");
    if (!args.isMissingNode() && !args.isObject() && !args.isArray()) {
      problems.add(at + "build.args must be a map or a list");
    }
  }

  private static void checkDependsOn(
      JsonNode services, String name, JsonNode s, String at, List<String> problems) {
    JsonNode dependsOn = s.path("depends_on");
    List<String> targets = new ArrayList<>();
    if (dependsOn.isArray()) {
      dependsOn.forEach(d -> targets.add(d.asText()));
    } else if (dependsOn.isObject()) {
      for (Map.Entry<String, JsonNode> d : iterable(dependsOn)) {
        targets.add(d.getKey());
        String condition = d.getValue().path("condition").asText("service_started");
        if (!CONDITIONS.contains(condition)) {
          problems.add(at + "unknown depends_on condition '" + condition + "'");
        }
        if (condition.equals("service_healthy")
            && services.path(d.getKey()).path("healthcheck").isMissingNode()) {
          problems.add(at + "waits for '" + d.getKey() + "' to be healthy, which has no healthcheck");
        }
      }
    } else if (!dependsOn.isMissingNode()) {
      problems.add(at + "'depends_on' must be a list or a map");
    }
    boolean profiled = s.has("profiles");
    for (String t : targets) {
      if (t.equals(name)) {
        problems.add(at + "depends on itself");
      } else if (!services.has(t)) {
        problems.add(at + "depends on unknown service '" + t + "'");
      } else if (!profiled && services.path(t).has("profiles")) {
        // Compose refuses to start a service whose dependency is disabled by its profile.
        problems.add(at + "always starts but depends on '" + t + "', which only runs in a profile");
      }
    }
  }

  private static void checkVolumes(
      JsonNode volumes, Set<String> declared, Path projectDir, String at, List<String> problems) {
    for (JsonNode v : volumes) {
      String source;
      String target;
      if (v.isObject()) {
        source = v.path("source").asText("");
        target = v.path("target").asText("");
        if (v.path("type").asText("volume").equals("bind")) {
          checkBindSource(source, projectDir, at, problems);
          continue;
        }
      } else {
        String[] parts = v.asText().split(":");
        if (parts.length == 1) {
          continue; // anonymous volume
        }
        if (parts.length > 3 || (parts.length == 3 && !parts[2].matches("(ro|rw|z|Z|,)+"))) {
          problems.add(at + "invalid volume '" + v.asText() + "'");
          continue;
        }
        source = parts[0];
        target = parts[1];
        if (source.startsWith(".") || source.startsWith("/") || source.startsWith("~")) {
          checkBindSource(source, projectDir, at, problems);
          continue;
        }
      }
      if (!target.startsWith("/")) {
        problems.add(at + "volume target '" + target + "' must be an absolute path");
      }
      if (!source.isEmpty() && !declared.contains(source)) {
        problems.add(at + "named volume '" + source + "' is not declared at top level");
      }
    }
  }

  private static void checkBindSource(
      String source, Path projectDir, String at, List<String> problems) {
    if (source.startsWith(".") && !Files.exists(projectDir.resolve(source).normalize())) {
      problems.add(at + "bind-mount source '" + source + "' does not exist");
    }
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode node) {
    return node::fields;
  }

  private static Iterable<JsonNode> iterableNames(JsonNode node) {
    List<JsonNode> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(n -> names.add(DeployFiles.JSON.getNodeFactory().textNode(n)));
    return names;
  }
}
