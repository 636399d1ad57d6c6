package dev.flinkreranker.local;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;

/**
 * Where the {@code local} command listens. Everything is on {@link #LOOPBACK} unless the user opens
 * it with {@code --bind}; a port that is taken is reported with the option that changes it, before
 * anything starts.
 */
public final class Ports {
  /** The default address of every listener of {@code local}. */
  public static final String LOOPBACK = "127.0.0.1";

  private Ports() {}

  /** A port that cannot be bound, named with the option that picks another one. */
  public static final class PortInUseException extends IllegalStateException {
    private final int port;

    PortInUseException(String message, int port) {
      super(message);
      this.port = port;
    }

    public int port() {
      return port;
    }
  }

  /**
   * Fails with a message naming the port, what wanted it and the option that changes it when
   * {@code port} cannot be bound on {@code address}. Port 0 (any free port) always passes.
   *
   * @param what the listener, e.g. "the Flink dashboard"
   * @param option the command-line option that sets its port, e.g. "--dashboard-port"
   */
  public static void requireFree(String address, int port, String what, String option) {
    if (port == 0) {
      return;
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(option + " " + port + " is not a TCP port (1-65535, or 0"
          + " for any free port)");
    }
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(address), port));
    } catch (BindException e) {
      throw new PortInUseException("port " + port + " on " + address + " (" + what + ") is already"
          + " in use by another program; choose another with " + option + " PORT, or stop what"
          + " listens there", port);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot listen on " + address + ":" + port + " (" + what
          + "): " + e.getMessage(), e);
    }
  }

  /** A port that is free on {@code address} now (the usual race: someone may take it first). */
  static int free(String address) throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
      return s.getLocalPort();
    }
  }

  /**
   * The host name clients use for a listener bound to {@code bindAddress}: the address itself, or
   * this machine's name when bound to all interfaces (a wildcard cannot be connected to).
   */
  public static String advertisedHost(String bindAddress) {
    if (!isWildcard(bindAddress)) {
      return bindAddress;
    }
    try {
      return InetAddress.getLocalHost().getCanonicalHostName();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--bind " + bindAddress + ": this machine's host name"
          + " does not resolve (" + e.getMessage() + "); bind to one of its addresses instead", e);
    }
  }

  /** True when {@code bindAddress} means every interface (0.0.0.0, ::). */
  public static boolean isWildcard(String bindAddress) {
    try {
      return InetAddress.getByName(bindAddress).isAnyLocalAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--bind " + bindAddress + ": unknown address", e);
    }
  }

  /** True when {@code bindAddress} is reachable from this machine only. */
  public static boolean isLoopback(String bindAddress) {
    try {
      return InetAddress.getByName(bindAddress).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--bind " + bindAddress + ": unknown address", e);
    }
  }
}
