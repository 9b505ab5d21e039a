package io.kmsgw.crypto.secret;

import io.kmsgw.crypto.api.Secret;
import io.kmsgw.crypto.api.IsoTime;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Secrets: validation, the in-memory view of committed secrets (the data plane reads only this), and
 * version/stage bookkeeping. Values are sealed by the engine (AES-GCM in the HSM under the secret's key,
 * AAD = name and version), so a ciphertext cannot be moved to another secret or version.
 */
public final class SecretManager {
    public static final String CURRENT = Secret.CURRENT;
    public static final String PREVIOUS = Secret.PREVIOUS;
    public static final int MAX_VALUE_BYTES = 65_536;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9/_+=.@-]{1,192}");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final SecretRepository repo;
    private final ConcurrentHashMap<String, Secret> secrets = new ConcurrentHashMap<>();

    public SecretManager(SecretRepository repo) {
        this.repo = repo;
        for (Secret s : repo.loadAll()) {
            secrets.put(s.name(), s);
        }
    }

    /** Makes the view show exactly what the store holds (another gateway changed it); names present before and after never vanish. */
    public synchronized void reload() {
        Map<String, Secret> fresh = new HashMap<>();
        for (Secret s : repo.loadAll()) {
            fresh.put(s.name(), s);
        }
        secrets.putAll(fresh);
        secrets.keySet().retainAll(fresh.keySet());
    }

    /** A value to store: the plaintext bytes and its data type (text or binary). */
    public record Value(byte[] plaintext, String dataType) {
    }

    /** Parses SecretData by SecretDataType: text as UTF-8, binary as Base64 text. */
    public static Value value(String secretData, String dataType) {
        String type = dataType == null || dataType.isEmpty() ? "text" : dataType;
        if (secretData == null || secretData.isEmpty()) {
            throw KmsException.invalid("SecretData is required.");
        }
        byte[] bytes;
        if (type.equals("text")) {
            bytes = secretData.getBytes(StandardCharsets.UTF_8);
        } else if (type.equals("binary")) {
            try {
                bytes = Base64.getDecoder().decode(secretData);
            } catch (IllegalArgumentException e) {
                throw KmsException.invalid("SecretData must be Base64 when SecretDataType is binary.");
            }
        } else {
            throw KmsException.invalid("SecretDataType " + type + " is invalid; valid: text, binary.");
        }
        if (bytes.length > MAX_VALUE_BYTES) {
            throw KmsException.invalid("SecretData is larger than " + MAX_VALUE_BYTES + " bytes.");
        }
        return new Value(bytes, type);
    }

    /** The stored form of a value as the API returns it (text, or Base64 for binary). */
    public static String render(byte[] plaintext, String dataType) {
        return dataType.equals("binary") ? Base64.getEncoder().encodeToString(plaintext) : new String(plaintext, StandardCharsets.UTF_8);
    }

    public static byte[] aad(String name, String versionId) {
        return ("kmsgw-secret:" + name + ":" + versionId).getBytes(StandardCharsets.UTF_8);
    }

    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw KmsException.invalid("SecretName must be 1 to 192 of letters, digits and /_+=.@-.");
        }
        return name;
    }

    public static String versionId(String requested) {
        if (requested == null || requested.isEmpty()) {
            return UUID.randomUUID().toString();
        }
        if (!VERSION.matcher(requested).matches()) {
            throw KmsException.invalid("VersionId must be 1 to 64 of letters, digits and ._-.");
        }
        return requested;
    }

    public Secret get(String name) {
        Secret s = secrets.get(name);
        if (s == null) {
            throw new KmsException(KmsError.RESOURCE_NOT_FOUND, "The secret " + name + " does not exist in the system.");
        }
        return s;
    }

    /** The key protecting a secret, or null when there is no such secret (for authorization). */
    public String encryptionKeyIdOf(String name) {
        Secret s = secrets.get(name);
        return s == null ? null : s.encryptionKeyId();
    }

    public List<Secret> list() {
        List<Secret> l = new ArrayList<>(secrets.values());
        l.sort((a, b) -> a.created().compareTo(b.created()));
        return l;
    }

    /** Stores a new secret whose first version is already sealed. */
    public synchronized Secret create(String name, String encryptionKeyId, String description, String extendedConfig, Secret.Version first) {
        if (secrets.containsKey(name)) {
            throw new KmsException(KmsError.ALREADY_EXISTS, "The secret " + name + " already exists.");
        }
        Secret s = new Secret(name, "Generic", encryptionKeyId, description == null ? "" : description,
                extendedConfig == null ? "" : extendedConfig, first.created(), Map.of(first.versionId(), first), Map.of(CURRENT, first.versionId()),
                null);
        repo.create(s, first);
        secrets.put(name, s);
        return s;
    }

    /** Adds a sealed version as ACSCurrent; the old current becomes ACSPrevious. */
    public synchronized Secret put(String name, Secret.Version v) {
        Secret s = live(name);
        if (s.versions().containsKey(v.versionId())) {
            throw new KmsException(KmsError.ALREADY_EXISTS, "The version " + v.versionId() + " of secret " + name + " already exists.");
        }
        String previous = s.stages().get(CURRENT);
        repo.put(name, v, previous);
        Map<String, Secret.Version> versions = new LinkedHashMap<>(s.versions());
        versions.put(v.versionId(), v);
        Map<String, String> stages = new HashMap<>(s.stages());
        if (previous != null) {
            stages.put(PREVIOUS, previous);
        }
        stages.put(CURRENT, v.versionId());
        Secret next = s.with(versions, stages, s.plannedDeletion());
        secrets.put(name, next);
        return next;
    }

    /** A secret that is not pending deletion (changes and reads need one). */
    public Secret live(String name) {
        Secret s = get(name);
        if (s.plannedDeletion() != null) {
            throw new KmsException(KmsError.KEY_PENDING_DELETION, "The request was rejected because the secret " + name
                    + " is pending deletion.");
        }
        return s;
    }

    /**
     * UpdateSecretVersionStage: moves {@code stage} to {@code moveTo} (taking it from {@code removeFrom},
     * which must hold it when given), or removes it from {@code removeFrom}. Moving ACSCurrent makes the
     * old current ACSPrevious; ACSCurrent cannot be removed.
     */
    public synchronized Secret updateStage(String name, String stage, String removeFrom, String moveTo) {
        Secret s = live(name);
        if (stage == null || stage.isEmpty() || stage.length() > 64) {
            throw KmsException.invalid("VersionStage is required (1 to 64 characters).");
        }
        boolean remove = removeFrom != null && !removeFrom.isEmpty();
        boolean move = moveTo != null && !moveTo.isEmpty();
        if (!remove && !move) {
            throw KmsException.invalid("Give RemoveFromVersion, MoveToVersion or both.");
        }
        String holder = s.stages().get(stage);
        if (remove && !removeFrom.equals(holder)) {
            throw KmsException.invalid("The version " + removeFrom + " does not carry the stage " + stage + ".");
        }
        if (move && !s.versions().containsKey(moveTo)) {
            throw new KmsException(KmsError.RESOURCE_NOT_FOUND, "The secret " + name + " has no version " + moveTo + ".");
        }
        if (!move && stage.equals(CURRENT)) {
            throw new KmsException(KmsError.CONFLICT, "ACSCurrent can only be moved, not removed.");
        }
        Map<String, String> stages = new HashMap<>(s.stages());
        if (move) {
            if (stage.equals(CURRENT) && holder != null && !holder.equals(moveTo)) {
                stages.put(PREVIOUS, holder);
            }
            stages.put(stage, moveTo);
        } else {
            stages.remove(stage);
        }
        repo.setStages(name, stages);
        Secret next = s.with(s.versions(), stages, null);
        secrets.put(name, next);
        return next;
    }

    /** DeleteSecret: force (gone now) or a recovery window of 7–30 days (default 30); returns the planned time (null if forced). */
    public synchronized Instant delete(String name, int recoveryWindowInDays, boolean force, Instant now) {
        Secret s = get(name);
        if (force) {
            repo.purge(name);
            secrets.remove(name);
            return null;
        }
        if (s.plannedDeletion() != null) {
            throw new KmsException(KmsError.CONFLICT, "The secret " + name + " is already pending deletion.");
        }
        int days = recoveryWindowInDays == 0 ? 30 : recoveryWindowInDays;
        if (days < 7 || days > 30) {
            throw KmsException.invalid("RecoveryWindowInDays must be 7 to 30.");
        }
        Instant at = now.plus(java.time.Duration.ofDays(days));
        repo.setDeletion(name, at);
        secrets.put(name, s.with(s.versions(), s.stages(), at));
        return at;
    }

    /** RestoreSecret: cancels a pending deletion. */
    public synchronized Secret restore(String name) {
        Secret s = get(name);
        if (s.plannedDeletion() == null) {
            throw new KmsException(KmsError.CONFLICT, "The secret " + name + " is not pending deletion.");
        }
        repo.setDeletion(name, null);
        Secret next = s.with(s.versions(), s.stages(), null);
        secrets.put(name, next);
        return next;
    }

    /** Purges secrets whose recovery window has ended; returns how many. */
    public synchronized int purgeDue(Instant now) {
        int n = 0;
        for (Secret s : List.copyOf(secrets.values())) {
            if (s.plannedDeletion() != null && !now.isBefore(s.plannedDeletion())) {
                repo.purge(s.name());
                secrets.remove(s.name());
                n++;
            }
        }
        return n;
    }

    /** The version a GetSecretValue names: VersionId, VersionStage (default ACSCurrent); both must agree when both given. */
    public static Secret.Version select(Secret s, String stage, String versionId) {
        boolean byId = versionId != null && !versionId.isEmpty();
        boolean byStage = stage != null && !stage.isEmpty();
        if (byStage && !stage.equals(CURRENT) && !stage.equals(PREVIOUS)) {
            throw KmsException.invalid("VersionStage " + stage + " is invalid; valid: ACSCurrent, ACSPrevious.");
        }
        String staged = s.stages().get(byStage ? stage : CURRENT);
        if (byId && byStage && !versionId.equals(staged)) {
            throw KmsException.invalid("VersionId " + versionId + " does not carry VersionStage " + stage + ".");
        }
        String id = byId ? versionId : staged;
        Secret.Version v = id == null ? null : s.versions().get(id);
        if (v == null) {
            throw new KmsException(KmsError.RESOURCE_NOT_FOUND, "The secret " + s.name() + " has no version "
                    + (byId ? versionId : "in stage " + (byStage ? stage : CURRENT)) + ".");
        }
        return v;
    }

    /** Creation time of a version as the API shows it: ISO 8601 in UTC to the second ({@link IsoTime#seconds}). */
    public static String iso(Instant t) {
        return IsoTime.seconds(t);
    }
}
