package io.kmsgw.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyState;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.api.KeyVersionInfo;
import io.kmsgw.crypto.api.Secret;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The admin plane's JSON, byte for byte: names, order and empty values as the console and scripts read them. */
class ViewsTest {
    private static final Instant T = Instant.parse("2026-03-04T05:06:07Z");

    @Test
    void keyMetadata() {
        KeyMetadata m = KeyMetadata.created("key-1", KeySpec.parse("Aliyun_AES_256"), KeyUsage.parse("", KeySpec.parse("Aliyun_AES_256")),
                "d", T, "v1", new TreeMap<>(Map.of("a", "1")));
        assertEquals("{\"KeyMetadata\":{\"KeyId\":\"key-1\",\"Arn\":\"acs:kms:::key/key-1\",\"KeySpec\":\"Aliyun_AES_256\","
                + "\"KeyUsage\":\"ENCRYPT/DECRYPT\",\"KeyState\":\"Enabled\",\"Description\":\"d\",\"Origin\":\"Aliyun_KMS\","
                + "\"CreationDate\":\"2026-03-04T05:06:07Z\",\"PrimaryKeyVersion\":\"v1\",\"DeleteDate\":\"\",\"AutomaticRotation\":\"Disabled\","
                + "\"RotationInterval\":\"\",\"NextRotationDate\":\"\",\"LastRotationDate\":\"2026-03-04T05:06:07Z\","
                + "\"Tags\":{\"Tag\":[{\"TagKey\":\"a\",\"TagValue\":\"1\"}]},\"KeyMaterialExpireTime\":\"\"}}",
                Views.tree(new Views.KeyResult(Views.Key.of(m))).toString());
        KeyMetadata rotating = m.withRotation(Duration.ofDays(7)).withState(KeyState.PendingDeletion, T.plusSeconds(1));
        Views.Key k = Views.Key.of(rotating);
        assertEquals("Enabled", k.automaticRotation());
        assertEquals("604800s", k.rotationInterval());
        assertEquals("2026-03-11T05:06:07Z", k.nextRotationDate());
        assertEquals("2026-03-04T05:06:08Z", k.deleteDate());
    }

    @Test
    void keyPagesAndVersions() {
        KeyMetadata a = KeyMetadata.created("key-a", KeySpec.parse("Aliyun_AES_256"), KeyUsage.ENCRYPT_DECRYPT, "", T, "v", Map.of());
        KeyMetadata b = KeyMetadata.created("key-b", KeySpec.parse("Aliyun_AES_256"), KeyUsage.ENCRYPT_DECRYPT, "", T, "v", Map.of());
        assertEquals("{\"Keys\":{\"Key\":[{\"KeyId\":\"key-b\",\"KeyArn\":\"acs:kms:::key/key-b\"}]},\"TotalCount\":2,\"PageNumber\":2,"
                + "\"PageSize\":1}", Views.tree(Views.KeyPage.of(List.of(a, b), 2, 1)).toString());
        assertEquals("{\"Keys\":{\"Key\":[]},\"TotalCount\":2,\"PageNumber\":3,\"PageSize\":1}",
                Views.tree(Views.KeyPage.of(List.of(a, b), 3, 1)).toString(), "past the last page: an empty page, the true total");
        assertEquals("{\"KeyVersions\":{\"KeyVersion\":[{\"KeyId\":\"key-a\",\"KeyVersionId\":\"v\",\"CreationDate\":\"2026-03-04T05:06:07Z\"}]},"
                + "\"TotalCount\":1}", Views.tree(Views.KeyVersions.of(List.of(new KeyVersionInfo("key-a", "v", T)))).toString());
    }

    @Test
    void aliasesAreSortedByName() {
        assertEquals("{\"Aliases\":{\"Alias\":[{\"AliasName\":\"alias/a\",\"KeyId\":\"k2\"},{\"AliasName\":\"alias/b\",\"KeyId\":\"k1\"}]},"
                + "\"TotalCount\":2}", Views.tree(Views.Aliases.of(Map.of("alias/b", "k1", "alias/a", "k2"))).toString());
    }

    @Test
    void secretsShowVersionsOldestFirstWithTheirStagesAndNeverAValue() {
        Secret.Version v1 = new Secret.Version("v1", T, "text", "kv", new byte[12], new byte[] {1});
        Secret.Version v2 = new Secret.Version("v2", T.plusSeconds(1), "text", "kv", new byte[12], new byte[] {2});
        Secret s = new Secret("db", "Generic", "key-x", "", "", T, Map.of("v2", v2, "v1", v1),
                Map.of(Secret.CURRENT, "v2", Secret.PREVIOUS, "v1"), null);
        assertEquals("{\"SecretName\":\"db\",\"SecretType\":\"Generic\",\"EncryptionKeyId\":\"key-x\",\"Description\":\"\","
                + "\"CreateTime\":\"2026-03-04T05:06:07Z\",\"PlannedDeleteTime\":\"\",\"VersionId\":\"v2\",\"VersionIds\":["
                + "{\"VersionId\":\"v1\",\"CreateTime\":\"2026-03-04T05:06:07Z\",\"VersionStages\":[\"ACSPrevious\"]},"
                + "{\"VersionId\":\"v2\",\"CreateTime\":\"2026-03-04T05:06:08Z\",\"VersionStages\":[\"ACSCurrent\"]}]}",
                Views.tree(Views.SecretInfo.of(s)).toString());
    }
}
