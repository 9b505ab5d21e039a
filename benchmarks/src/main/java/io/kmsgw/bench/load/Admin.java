package io.kmsgw.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.kmsgw.gateway.cli.AdminCommand;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import javax.net.ssl.SSLSocket;

/** The harness's setup calls: admin actions, and one signed Encrypt to get a ciphertext for Decrypt runs. */
final class Admin {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonNode instance;
    private final HttpClient http;
    private final String token;

    Admin(JsonNode instance) throws Exception {
        this.instance = instance;
        this.http = HttpClient.newBuilder().sslContext(AdminCommand.trusting(Path.of(instance.get("CaFile").asText()))).build();
        this.token = Files.readString(Path.of(instance.get("AdminTokenFile").asText())).trim();
    }

    private HttpResponse<String> post(String action, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("https://" + instance.get("AdminEndpoint").asText() + "/admin/v1/" + action))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode call(String action, String body) throws Exception {
        HttpResponse<String> r = post(action, body);
        if (r.statusCode() != 200) {
            throw new IllegalStateException(action + " failed: " + r.body());
        }
        return JSON.readTree(r.body());
    }

    void callAllowing409(String action, String body) throws Exception {
        HttpResponse<String> r = post(action, body);
        if (r.statusCode() != 200 && r.statusCode() != 409) {
            throw new IllegalStateException(action + " failed: " + r.body());
        }
    }

    KmsApi.EncryptResponse encryptSample(JsonNode inst) throws Exception {
        LoadHarness.ClientKey ck = LoadHarness.ClientKey.of(inst);
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
        byte[] req = LoadHarness.request(ck, "Encrypt", KmsApi.EncryptRequest.newBuilder().setKeyId("alias/quickstart")
                .setPlaintext(ByteString.copyFromUtf8("decrypt me")).build(), date, Signature.getInstance("SHA256withRSA"));
        String[] ep = inst.get("Endpoint").asText().split(":");
        try (SSLSocket s = (SSLSocket) AdminCommand.trusting(Path.of(inst.get("CaFile").asText())).getSocketFactory()
                .createSocket(ep[0], Integer.parseInt(ep[1]))) {
            s.getOutputStream().write(req);
            DataInputStream in = new DataInputStream(s.getInputStream());
            int length = -1;
            String line;
            while (!(line = line(in)).isEmpty()) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            byte[] body = new byte[length];
            in.readFully(body);
            return KmsApi.EncryptResponse.parseFrom(body);
        }
    }

    private static String line(InputStream in) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
