package io.kmsgw.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code health [--live]}: asks the local gateway's admin plane for {@code /readyz} (or {@code /livez})
 * over TLS with the instance CA; exit 0 when it answers 200, 1 otherwise. For container health checks,
 * which have no curl in the image. It always connects to loopback, whatever address the gateway binds.
 */
@Command(name = "health", mixinStandardHelpOptions = true, description = "Exit 0 if the local gateway is ready (or, with --live, alive)")
public final class HealthCommand implements Callable<Integer> {
    @Option(names = "--data-dir", description = "data directory holding instance.json (default ./data)", defaultValue = "./data")
    Path dataDir;
    @Option(names = "--live", description = "check /livez instead of /readyz")
    boolean live;

    @Override
    public Integer call() {
        String path = live ? "/livez" : "/readyz";
        try {
            Path instanceFile = dataDir.resolve("instance.json");
            if (!Files.exists(instanceFile)) {
                System.err.println("kmsgw health: " + instanceFile + " not found (not started yet?)");
                return 1;
            }
            JsonNode instance = new ObjectMapper().readTree(instanceFile.toFile());
            String admin = instance.get("AdminEndpoint").asText();
            String port = admin.substring(admin.lastIndexOf(':') + 1);
            HttpClient client = HttpClient.newBuilder().sslContext(AdminCommand.trusting(Path.of(instance.get("CaFile").asText())))
                    .connectTimeout(Duration.ofSeconds(3)).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            System.out.println(path + " " + r.statusCode() + " " + r.body().strip());
            return r.statusCode() == 200 ? 0 : 1;
        } catch (Exception e) {
            System.err.println("kmsgw health: " + path + " unreachable: " + io.kmsgw.gateway.Main.oneLine(e));
            return 1;
        }
    }
}
