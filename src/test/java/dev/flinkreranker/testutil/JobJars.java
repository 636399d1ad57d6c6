package dev.flinkreranker.testutil;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The manifests that the pom's shade executions write, and jars built with them from
 * {@code target/classes}: the jars themselves are made in {@code package}, after the tests run.
 */
public final class JobJars {
  private JobJars() {}

  /** Shade execution of {@code target/flink-reranker.jar} (java -jar). */
  public static final String RUNNABLE = "runnable-jar";
  /** Shade execution of {@code target/flink-reranker-job.jar} (flink run, REST, application mode). */
  public static final String JOB = "job-jar";

  public static final Path CLASSES = Path.of("target", "classes").toAbsolutePath();

  /**
   * The manifest attributes the shade execution {@code executionId} of pom.xml writes: its
   * ManifestResourceTransformer's {@code Main-Class} and {@code manifestEntries}.
   */
  public static Map<String, String> manifest(String executionId) {
    try {
      var pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
          .parse(Path.of("pom.xml").toFile());
      NodeList executions = pom.getElementsByTagName("execution");
      for (int i = 0; i < executions.getLength(); i++) {
        Element execution = (Element) executions.item(i);
        if (!executionId.equals(childText(execution, "id"))) {
          continue;
        }
        NodeList transformers = execution.getElementsByTagName("transformer");
        for (int t = 0; t < transformers.getLength(); t++) {
          Element transformer = (Element) transformers.item(t);
          if (!transformer.getAttribute("implementation").endsWith("ManifestResourceTransformer")) {
            continue;
          }
          Map<String, String> attributes = new LinkedHashMap<>();
          attributes.put("Main-Class", childText(transformer, "mainClass"));
          NodeList entries = transformer.getElementsByTagName("manifestEntries");
          if (entries.getLength() > 0) {
            for (Node n = entries.item(0).getFirstChild(); n != null; n = n.getNextSibling()) {
              if (n instanceof Element e) {
                attributes.put(e.getTagName(), e.getTextContent().strip());
              }
            }
          }
          return attributes;
        }
      }
      throw new IllegalStateException("pom.xml has no shade execution '" + executionId
          + "' with a ManifestResourceTransformer");
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the manifest of " + executionId
          + " from pom.xml", e);
    }
  }

  /** A jar at {@code jar} with every file of {@code classes} and the given manifest. */
  public static Path build(Path jar, Path classes, Map<String, String> manifestAttributes) {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifestAttributes.forEach((k, v) -> manifest.getMainAttributes().putValue(k, v));
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest);
        Stream<Path> files = Files.walk(classes)) {
      for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
        Files.copy(p, out);
        out.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build " + jar, e);
    }
    return jar;
  }

  private static String childText(Element parent, String tag) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        return e.getTextContent().strip();
      }
    }
    return null;
  }

  /** Every .class file under a directory. */
  public static List<Path> classFiles(Path classes) {
    try (Stream<Path> files = Files.walk(classes)) {
      return files.filter(p -> p.toString().endsWith(".class")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
