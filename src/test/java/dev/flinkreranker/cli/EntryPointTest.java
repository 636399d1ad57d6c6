package dev.flinkreranker.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.testutil.JobJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassReader;
import org.apache.flink.shaded.asm9.org.objectweb.asm.ClassVisitor;
import org.apache.flink.shaded.asm9.org.objectweb.asm.Handle;
import org.apache.flink.shaded.asm9.org.objectweb.asm.MethodVisitor;
import org.apache.flink.shaded.asm9.org.objectweb.asm.Opcodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Flink runs {@link Main#main} inside the JobManager (dashboard/REST submission, application
 * mode): nothing it reaches may end the JVM, and a failure must reach Flink as an exception.
 * {@code RestSubmitITCase} shows the same through a real REST submission.
 */
class EntryPointTest {
  private static final String MAIN = Main.class.getName();
  private static final String LAUNCHER = Launcher.class.getName();

  /** Every call that ends the JVM: owner class and method name. */
  private static final List<String> EXITS =
      List.of("java/lang/System.exit", "java/lang/Runtime.exit", "java/lang/Runtime.halt");

  /**
   * The terminal entry points: {@link Launcher} of {@code java -jar target/flink-reranker.jar}, and
   * {@link DeviceMain} of the GPU kit's {@code engine.jar}, which has no Flink in it at all.
   */
  private static final List<String> LAUNCHERS = List.of(LAUNCHER, DeviceMain.class.getName());

  @Test
  void onlyTheLaunchersEndTheJvm() throws Exception {
    List<String> launchers = new ArrayList<>();
    for (String l : LAUNCHERS) {
      Path launcher = JobJars.CLASSES.resolve(l.replace('.', '/') + ".class");
      assertTrue(Files.isRegularFile(launcher), launcher + " is compiled");
      launchers.add(JobJars.CLASSES.relativize(launcher).toString());
    }
    List<String> exiting = new ArrayList<>();
    for (Path c : JobJars.classFiles(JobJars.CLASSES)) {
      if (callsAny(Files.readAllBytes(c), EXITS)) {
        exiting.add(JobJars.CLASSES.relativize(c).toString());
      }
    }
    exiting.sort(null);
    launchers.sort(null);
    assertEquals(launchers, exiting, "classes that can end the JVM; only the terminal launchers may");
  }

  /** Whether any method of a class file calls, or refers to, one of {@code owner.name}. */
  private static boolean callsAny(byte[] classFile, List<String> methods) {
    boolean[] found = new boolean[1];
    new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor,
          String signature, String[] exceptions) {
        return new MethodVisitor(Opcodes.ASM9) {
          @Override
          public void visitMethodInsn(int opcode, String owner, String method, String desc,
              boolean isInterface) {
            found[0] |= methods.contains(owner + "." + method);
          }

          @Override // a method reference such as System::exit
          public void visitInvokeDynamicInsn(String name, String desc, Handle bootstrap,
              Object... args) {
            for (Object a : args) {
              found[0] |= a instanceof Handle h && methods.contains(h.getOwner() + "." + h.getName());
            }
          }
        };
      }
    }, ClassReader.SKIP_DEBUG);
    return found[0];
  }

  @Test
  void flinkRunsMainFromBothJarsAndJavaRunsTheLauncher(@TempDir Path dir) throws Exception {
    Map<String, String> runnable = JobJars.manifest(JobJars.RUNNABLE);
    Map<String, String> job = JobJars.manifest(JobJars.JOB);
    assertEquals(LAUNCHER, runnable.get("Main-Class"), "java -jar target/flink-reranker.jar");
    assertEquals(MAIN, job.get("Main-Class"));
    // Flink takes the program class from the manifest when no entry class is given (flink run
    // without -c, /jars/:id/run without entryClass, application mode without a job class name).
    for (Map<String, String> manifest : List.of(runnable, job)) {
      Path jar = JobJars.build(dir.resolve("jar-" + manifest.hashCode() + ".jar"),
          Files.createDirectories(dir.resolve("empty")), manifest);
      PackagedProgram program = PackagedProgram.newBuilder()
          .setJarFile(jar.toFile())
          .setConfiguration(new Configuration())
          .build();
      try {
        assertEquals(MAIN, program.getMainClassName(), "Flink's entry class of " + manifest);
      } finally {
        program.close();
      }
    }
  }

  @Test
  void mainReturnsWhenTheCommandSucceeds() {
    assertDoesNotThrow(() -> Main.main(new String[] {"--version"}));
  }

  @Test
  void mainThrowsTheCommandsErrorInsteadOfExiting() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> Main.main(new String[] {"run", "--set", "job.mode=sideways"}));
    assertTrue(e.getMessage().contains("job.mode"), e.getMessage());
  }

  @Test
  void mainThrowsOnAnInvalidCommandLine() {
    var e = assertThrows(CommandLine.ParameterException.class,
        () -> Main.main(new String[] {"run", "--no-such-option"}));
    assertTrue(e.getMessage().contains("--no-such-option"), e.getMessage());
  }

  @Test
  void runStillReturnsExitCodesForTheLauncher() {
    assertEquals(0, Main.run("--version"));
    assertEquals(1, Main.run("run", "--set", "job.mode=sideways"));
    assertEquals(2, Main.run("run", "--no-such-option"));
  }
}
