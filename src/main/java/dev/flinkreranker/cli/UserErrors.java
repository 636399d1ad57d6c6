package dev.flinkreranker.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** The one line a command prints for an exception that reached the top. */
final class UserErrors {
  private UserErrors() {}

  /**
   * The exception's message, except for file-system errors, whose message is only the path (a
   * missing {@code --docs docs.txt} used to print "error: docs.txt"): those say what is wrong.
   */
  static String describe(Throwable e) {
    if (e instanceof FileSystemException f && f.getFile() != null) {
      String what = e instanceof NoSuchFileException ? "no such file"
          : e instanceof AccessDeniedException ? "permission denied"
          : e instanceof NotDirectoryException ? "not a directory"
          : f.getReason() != null ? f.getReason() : "cannot access";
      return what + ": " + f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "");
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }
}
