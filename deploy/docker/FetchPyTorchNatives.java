/*
 * Run at image build time (deploy/Dockerfile) with the single-file source launcher:
 *
 *   PYTORCH_FLAVOR=cu128 PYTORCH_VERSION=2.7.1 DJL_CACHE_DIR=/opt/djl \
 *     java -cp 'lib/*' FetchPyTorchNatives.java
 *
 * cpu: libtorch comes from the pytorch-native-cpu jar in lib/; this extracts it into the cache ahead
 * of time, so TaskManagers start without writing 450 MB each.
 * cu128: Maven Central has no CUDA libtorch for PyTorch 2.7.1, so DJL's own loader fetches the build that
 * its cu128 JNI bridge (inside pytorch-jni) was compiled against, into
 * $DJL_CACHE_DIR/pytorch/2.7.1[-date]-cu128-linux-x86_64/. The image then runs with -Dai.djl.offline=true
 * and never downloads on a TaskManager.
 *
 * The build host usually has no GPU driver. Loading the CUDA libraries may then fail after the
 * download, which is fine: what matters is that the files are there, and that is what is checked.
 */
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

public final class FetchPyTorchNatives {
  public static void main(String[] args) throws Exception {
    String flavor = System.getenv("PYTORCH_FLAVOR");
    String version = System.getenv("PYTORCH_VERSION");
    String cache = System.getenv("DJL_CACHE_DIR");
    if (flavor == null || version == null || cache == null) {
      throw new IllegalStateException("set PYTORCH_FLAVOR, PYTORCH_VERSION and DJL_CACHE_DIR");
    }
    try {
      // LibUtils.loadLibrary() = find or download libtorch, load it, extract the JNI bridge.
      Class.forName("ai.djl.pytorch.jni.LibUtils").getMethod("loadLibrary").invoke(null);
      System.out.println("PyTorch " + version + " (" + flavor + ") loaded");
    } catch (ReflectiveOperationException | LinkageError e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.out.println("load failed (expected without a GPU driver): " + cause);
    }
    // <version>[-<build date>]-<flavor>-linux-x86_64: the jar's natives carry a build date.
    Path dir;
    try (Stream<Path> dirs = Files.list(Path.of(cache, "pytorch"))) {
      dir = dirs.filter(d -> {
            String n = d.getFileName().toString();
            return n.startsWith(version + "-") && n.endsWith("-" + flavor + "-linux-x86_64");
          })
          .findFirst()
          .orElseThrow(() -> new IllegalStateException(
              "no PyTorch " + version + " " + flavor + " under " + cache + ": download failed?"));
    }
    String[] required =
        flavor.startsWith("cu")
            ? new String[] {"libtorch.so", "libtorch_cpu.so", "libtorch_cuda.so", "libc10_cuda.so"}
            : new String[] {"libtorch.so", "libtorch_cpu.so"};
    for (String lib : required) {
      if (!Files.isRegularFile(dir.resolve(lib))) {
        throw new IllegalStateException("missing " + dir.resolve(lib) + ": download failed?");
      }
    }
    System.out.println("PyTorch natives in " + dir + ":");
    try (Stream<Path> files = Files.list(dir)) {
      files.sorted().forEach(f -> System.out.println("  " + f.getFileName()));
    }
  }
}
