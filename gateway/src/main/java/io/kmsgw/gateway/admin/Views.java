package io.kmsgw.gateway.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kmsgw.crypto.api.IsoTime;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeyVersionInfo;
import io.kmsgw.crypto.api.Secret;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Admin responses as records, named as the KMS OpenAPI names them (UpperCamelCase, components in the order
 * the API documents), serialized by Jackson.
 */
final class Views {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Views() {
    }

    /** The JSON object of a view, for the handler to add the RequestId to. */
    static ObjectNode tree(Object view) {
        return JSON.valueToTree(view);
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record Tag(String tagKey, String tagValue) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record Tags(List<Tag> tag) {
        static Tags of(Map<String, String> tags) {
            return new Tags(tags.entrySet().stream().map(e -> new Tag(e.getKey(), e.getValue())).toList());
        }
    }

    /** DescribeKey's KeyMetadata. */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record Key(String keyId, String arn, String keySpec, String keyUsage, String keyState, String description, String origin,
               String creationDate, String primaryKeyVersion, String deleteDate, String automaticRotation, String rotationInterval,
               String nextRotationDate, String lastRotationDate, Tags tags, String keyMaterialExpireTime) {
        static Key of(KeyMetadata m) {
            return new Key(m.keyId(), Views.arn(m.keyId()), m.spec().name(), m.usage().wireName(), m.state().name(), m.description(), m.origin(),
                    m.creationDate().toString(), m.primaryVersionId(), orEmpty(m.deletionDate()),
                    m.rotationInterval() == null ? "Disabled" : "Enabled",
                    m.rotationInterval() == null ? "" : m.rotationInterval().getSeconds() + "s", orEmpty(m.nextRotation()),
                    m.lastRotation().toString(), Tags.of(m.tags()), orEmpty(m.materialExpireTime()));
        }
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record KeyResult(Key keyMetadata) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record KeyRef(String keyId, String keyArn) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record KeyRefs(List<KeyRef> key) {
    }

    /** ListKeys: one page. */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record KeyPage(KeyRefs keys, int totalCount, int pageNumber, int pageSize) {
        static KeyPage of(List<KeyMetadata> all, int page, int size) {
            List<KeyRef> refs = all.stream().skip((long) (page - 1) * size).limit(size).map(m -> new KeyRef(m.keyId(), arn(m.keyId())))
                    .toList();
            return new KeyPage(new KeyRefs(refs), all.size(), page, size);
        }
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record KeyVersion(String keyId, String keyVersionId, String creationDate) {
        static KeyVersion of(KeyVersionInfo v) {
            return new KeyVersion(v.keyId(), v.versionId(), v.creationDate().toString());
        }
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record KeyVersionResult(KeyVersion keyVersion) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record KeyVersionList(List<KeyVersion> keyVersion) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record KeyVersions(KeyVersionList keyVersions, int totalCount) {
        static KeyVersions of(List<KeyVersionInfo> versions) {
            return new KeyVersions(new KeyVersionList(versions.stream().map(KeyVersion::of).toList()), versions.size());
        }
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record Alias(String aliasName, String keyId) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record AliasList(List<Alias> alias) {
    }

    /** ListAliases, sorted by name. */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record Aliases(AliasList aliases, int totalCount) {
        static Aliases of(Map<String, String> aliasToKey) {
            List<Alias> list = aliasToKey.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> new Alias(e.getKey(), e.getValue()))
                    .toList();
            return new Aliases(new AliasList(list), list.size());
        }
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record SecretVersion(String versionId, String createTime, List<String> versionStages) {
        static List<SecretVersion> of(Secret s) {
            return s.versions().values().stream().sorted(Comparator.comparing(Secret.Version::created))
                    .map(v -> new SecretVersion(v.versionId(), IsoTime.seconds(v.created()), s.stagesOf(v.versionId()))).toList();
        }
    }

    /** A secret's metadata (never its value). */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record SecretInfo(String secretName, String secretType, String encryptionKeyId, String description, String createTime,
                      String plannedDeleteTime, String versionId, List<SecretVersion> versionIds) {
        static SecretInfo of(Secret s) {
            String current = s.stages().get(Secret.CURRENT);
            return new SecretInfo(s.name(), s.secretType(), s.encryptionKeyId(), s.description(), IsoTime.seconds(s.created()),
                    orEmpty(s.plannedDeletion()), current == null ? "" : current, SecretVersion.of(s));
        }
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record SecretList(List<SecretInfo> secretList, int totalCount) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record SecretVersionIds(String secretName, List<SecretVersion> versionIds, int totalCount) {
    }

    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record SecretDeletion(String secretName, String plannedDeleteTime) {
    }

    /** GetParametersForImport: the wrapping public key (Base64 DER), the token and its expiry. */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    record ImportParameters(String keyId, String publicKey, String importToken, String tokenExpireTime, String wrappingAlgorithm,
                            String wrappingKeySpec) {
        static ImportParameters of(io.kmsgw.crypto.api.KeyImport.Parameters p) {
            return new ImportParameters(p.keyId(), p.publicKey(), p.importToken(), IsoTime.seconds(p.tokenExpireTime()), p.algorithm().name(),
                    p.wrappingKeySpec());
        }
    }

    static String arn(String keyId) {
        return "acs:kms:::key/" + keyId;
    }

    private static String orEmpty(Object t) {
        return t == null ? "" : t.toString();
    }
}
