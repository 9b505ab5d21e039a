package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;

/**
 * Admin actions on fuzzed JSON bodies over real TLS: every answer is 200 or a client error with a
 * JSON Code and Message; nothing answers 5xx, and the admin plane still answers afterwards.
 */
@SuppressWarnings("try") // the loopback allowance is held, not used
class AdminFuzzTest {
    private static final FuzzGateway gw = new FuzzGateway();

    private static final String[] ACTIONS = {
        "CreateNetworkRule", "DescribeNetworkRule", "UpdateNetworkRule", "DeleteNetworkRule", "ListNetworkRules", "CreatePolicy",
        "DescribePolicy", "UpdatePolicy", "DeletePolicy", "ListPolicies", "CreateApplicationAccessPoint",
        "DescribeApplicationAccessPoint", "UpdateApplicationAccessPoint", "DeleteApplicationAccessPoint", "ListApplicationAccessPoints",
        "CreateClientKey", "GetClientKey", "DeleteClientKey", "ListClientKeys", "QuickCreateApplicationAccessPoint", "QueryAuditLog",
        "CreateSecret", "PutSecretValue", "DescribeSecret", "ListSecrets", "GetSecretValue", "CreateKey", "DescribeKey", "ListKeys",
        "EnableKey", "DisableKey", "ScheduleKeyDeletion", "CancelKeyDeletion", "UpdateKeyDescription", "TagResource", "UntagResource",
        "UpdateRotationPolicy", "UpdateAlias", "DeleteAlias", "ListSecretVersionIds", "UpdateSecretVersionStage", "DeleteSecret",
        "RestoreSecret", "CreateAlias", "ListAliases", "CreateKeyVersion", "ListKeyVersions", "NoSuchAction"};
    private static final Set<Integer> STATUSES = Set.of(200, 400, 404, 409);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** First byte picks the action, the rest is the request body. */
    @FuzzTest(maxDuration = "10m")
    void actionsOnAnyBody(byte[] input) throws Exception {
        FuzzGateway.Picked in = FuzzGateway.Picked.from(input, ACTIONS);
        if (in == null) {
            return;
        }
        String action = in.choice();
        byte[] body = in.body();
        JsonNode inst = gw.instance();
        String token = Files.readString(Path.of(inst.get("AdminTokenFile").asText())).trim();
        String head = "POST /admin/v1/" + action + " HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                + "authorization: Bearer " + token + "\r\ncontent-length: " + body.length + "\r\nconnection: close\r\n\r\n";
        RawHttps.Response r;
        try (SilentCloseable loopback = FuzzGateway.loopbackOnly()) {
            r = RawHttps.send(gw.caFile(), gw.server().adminPort(), head, body);
        }
        assertTrue(STATUSES.contains(r.status()), action + " answered " + r.status() + ": " + new String(r.body()));
        JsonNode reply = JSON.readTree(r.body());
        assertFalse(reply.path("RequestId").asText().isEmpty(), action);
        if (r.status() != 200) {
            assertFalse(reply.path("Code").asText().isEmpty(), action);
            String message = reply.path("Message").asText();
            String sent = new String(body, java.nio.charset.StandardCharsets.ISO_8859_1);
            for (String internal : new String[] {"Exception", "java.", "com.fasterxml", "io.kmsgw", "\tat "}) {
                assertFalse(message.contains(internal) && !sent.contains(internal), action + ": Java internals in " + reply);
            }
        }
    }

    @AfterAll
    static void adminPlaneStillAnswers() throws Exception {
        try (SilentCloseable loopback = FuzzGateway.loopbackOnly()) {
            assertEquals(200, TestGateway.admin(gw.server(), "ListKeys", "{}").status());
        } finally {
            gw.close();
        }
    }
}
