package dev.flinkreranker.model.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint problem; the message always names the file and, when known, the tensor. */
public class SafetensorsException extends IOException {
  public SafetensorsException(Path file, String tensor, String problem) {
    super(format(file, tensor, problem));
  }

  public SafetensorsException(Path file, String tensor, String problem, Throwable cause) {
    super(format(file, tensor, problem), cause);
  }

  private static String format(Path file, String tensor, String problem) {
    StringBuilder sb = new StringBuilder();
    sb.append(file);
    if (tensor != null) {
      sb.append(": tensor '").append(tensor).append('\'');
    }
    return sb.append(": ").append(problem).toString();
  }
}
