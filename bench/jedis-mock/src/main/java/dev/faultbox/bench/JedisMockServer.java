package dev.faultbox.bench;

import com.github.fppt.jedismock.RedisServer;
import java.net.InetAddress;

/** Starts jedis-mock on 127.0.0.1:PORT and serves until killed. */
public final class JedisMockServer {
  private JedisMockServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    RedisServer server = RedisServer.newRedisServer(port, InetAddress.getLoopbackAddress());
    server.start();
    System.out.println("jedis-mock listening on 127.0.0.1:" + server.getBindPort());
    Thread.currentThread().join();
  }
}
