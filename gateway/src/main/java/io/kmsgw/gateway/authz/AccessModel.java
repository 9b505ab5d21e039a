package io.kmsgw.gateway.authz;

import java.time.Instant;
import java.util.List;

/** The application-access model, with the Alibaba OpenAPI names. */
public final class AccessModel {
    private AccessModel() {
    }

    public static final String KEY_USER = "RbacPermission/Template/CryptoServiceKeyUser";
    public static final String SECRET_USER = "RbacPermission/Template/CryptoServiceSecretUser";

    /** A network access rule: allowed source IPs and CIDRs. */
    public record NetworkRule(String name, String type, List<String> sourcePrivateIp, String description, Instant created) {
    }

    /** A permission policy: roles, resource patterns and the network rules that restrict it. */
    public record Policy(String name, String kmsInstance, List<String> permissions, List<String> resources,
                         List<String> networkRules, String description, Instant created) {
    }

    /** An application access point: authentication method and up to three policies. */
    public record Aap(String name, String authenticationMethod, List<String> policies, String description, Instant created) {
    }

    /** A client key as stored: only the certificate (public key), never the private key. */
    public record ClientKey(String clientKeyId, String aapName, String keyAlgorithm, String certificatePem, Instant notBefore,
                            Instant notAfter, Instant created, Instant deleted) {
        public boolean isDeleted() {
            return deleted != null;
        }
    }

    /**
     * An AccessKey for the KMS OpenAPI front door, bound to an AAP: its secret only sealed under the HSM's master key
     * ({@code sealedSecret}), never in plaintext at rest.
     */
    public record AccessKey(String accessKeyId, String aapName, byte[] sealedSecret, Instant created, Instant deleted) {
        public boolean isDeleted() {
            return deleted != null;
        }
    }
}
