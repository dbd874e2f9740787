package dev.faultbox.sut;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.faultbox.plugin.grpc.test.geo.City;
import dev.faultbox.plugin.grpc.test.geo.GeoConfigServiceGrpc;
import dev.faultbox.plugin.grpc.test.geo.GetCityRequest;
import dev.faultbox.plugin.grpc.test.user.GetUserRequest;
import dev.faultbox.plugin.grpc.test.user.User;
import dev.faultbox.plugin.grpc.test.user.UserServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The truck-api shape: a service with compiled gRPC stubs for two upstreams, found through its
 * environment, answering {@code POST /order} over HTTP. Upstream failures become 504.
 */
public final class TruckApi {
  public static void main(String[] args) throws Exception {
    ManagedChannel geo = ManagedChannelBuilder.forTarget(System.getenv("GRPC_GEO_CONFIG_ADDRESS")).usePlaintext().build();
    ManagedChannel users = ManagedChannelBuilder.forTarget(System.getenv("GRPC_USER_SERVICE_ADDRESS")).usePlaintext().build();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(System.getenv("PORT"))), 0);
    server.createContext("/order", ex -> {
      ex.getRequestBody().readAllBytes();
      try {
        User user = UserServiceGrpc.newBlockingStub(users).withDeadlineAfter(1, TimeUnit.SECONDS)
            .getUser(GetUserRequest.newBuilder().setUserId("u1").build());
        City city = GeoConfigServiceGrpc.newBlockingStub(geo).withDeadlineAfter(1, TimeUnit.SECONDS)
            .getCity(GetCityRequest.newBuilder().setId(user.getHomeCity().getId()).build());
        reply(ex, 201, "{\"user\":\"" + user.getDisplayName() + "\",\"city\":\"" + city.getName()
            + "\",\"currency\":\"" + city.getCurrency() + "\"}");
      } catch (StatusRuntimeException e) {
        System.err.println("upstream failed: " + e.getStatus().getCode());
        reply(ex, 504, "{\"error\":\"" + e.getStatus().getCode() + "\"}");
      }
    });
    server.start();
    System.out.println("truck-api listening");
  }

  private static void reply(HttpExchange ex, int status, String json) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(b);
    }
  }
}
