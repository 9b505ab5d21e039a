package io.kmsgw.gateway.authz;

import io.kmsgw.gateway.net.IpBlock;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.clientkey.ClientKeyIssuer;
import io.kmsgw.crypto.store.StoreException;
import io.kmsgw.gateway.auth.ClientKeyRegistry;
import io.kmsgw.gateway.auth.SignatureVerifier;
import io.kmsgw.gateway.authz.AccessModel.Aap;
import io.kmsgw.gateway.authz.AccessModel.ClientKey;
import io.kmsgw.gateway.authz.AccessModel.NetworkRule;
import io.kmsgw.gateway.authz.AccessModel.Policy;
import io.kmsgw.gateway.tls.Pem;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manages the application-access model: validates every change, writes it, then recompiles the
 * evaluator and the client-key registry before returning, so a change (a deleted client key, a narrowed
 * policy) applies to the very next request. Changes are serialised; reads of the model are lock-free.
 */
public final class AccessService {
    private static final Logger LOG = LoggerFactory.getLogger(AccessService.class);
    public static final int MAX_POLICIES_PER_AAP = 3;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern RESOURCE = Pattern.compile("(key|secret)/[A-Za-z0-9/_:.\\-]*\\*?");
    private static final Set<String> PERMISSIONS = Set.of(AccessModel.KEY_USER, AccessModel.SECRET_USER);
    private static final Duration MIN_VALIDITY = Duration.ofDays(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AccessRepository repo;
    private final AccessControl control;
    private final ClientKeyRegistry registry;
    private final SignatureVerifier verifier;
    private final ClientKeyIssuer issuer;
    private final String instanceId;
    private final Clock clock;

    public AccessService(AccessRepository repo, AccessControl control, ClientKeyRegistry registry, SignatureVerifier verifier,
                         ClientKeyIssuer issuer, String instanceId, Clock clock) {
        this.repo = repo;
        this.control = control;
        this.registry = registry;
        this.verifier = verifier;
        this.issuer = issuer;
        this.instanceId = instanceId;
        this.clock = clock;
        reload();
    }

    /**
     * Recompiles policies and client keys from the store. A client key's certificate never changes, so a key already
     * loaded keeps its parsed public key; new ones are parsed on their first request (at 100,000 client keys parsing
     * them all was most of a start, and re-parsing them made every access change take seconds).
     */
    public synchronized void reload() {
        reloadOwn();
        for (Runnable r : onReload) {
            r.run();
        }
    }

    private final List<Runnable> onReload = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Runs {@code r} after every reload (here or followed from another replica): the AccessKeys follow their AAPs. */
    public void onReload(Runnable r) {
        onReload.add(r);
    }

    private void reloadOwn() {
        control.load(repo.networkRules(), repo.policies(), repo.aaps());
        List<ClientKey> keys = repo.clientKeys();
        List<ClientKeyRegistry.Entry> entries = new ArrayList<>(keys.size());
        for (ClientKey k : keys) {
            ClientKeyRegistry.Entry known = registry.get(k.clientKeyId());
            entries.add(known != null ? known.with(k.aapName(), k.notBefore(), k.notAfter(), k.isDeleted())
                    : ClientKeyRegistry.Entry.lazy(k.clientKeyId(), k.aapName(), subjectPublicKeyInfo(k), verifier::rsaPublicKey,
                            k.notBefore(), k.notAfter(), k.isDeleted()));
        }
        registry.replaceAll(entries);
    }

    /**
     * The key's SubjectPublicKeyInfo from its stored certificate. A certificate that cannot be read (a damaged row) gives
     * null, no key: its requests are then answered {@code ClientKeyUnavailable}, and the gateway still starts.
     */
    private static byte[] subjectPublicKeyInfo(ClientKey k) {
        try {
            return Pem.subjectPublicKeyInfo(k.certificatePem());
        } catch (IllegalArgumentException e) {
            LOG.error("client key {} of AAP {}: its stored certificate cannot be read; its requests answer ClientKeyUnavailable until "
                    + "the store is restored from a backup or the application rotates to a new client key", k.clientKeyId(), k.aapName());
            return null;
        }
    }

    // ---- network rules ----

    public synchronized NetworkRule createNetworkRule(String name, String type, List<String> sourcePrivateIp, String description) {
        checkName("Name", name);
        if (findRule(name).isPresent()) {
            throw AccessException.conflict("The network rule " + name + " already exists.");
        }
        NetworkRule r = new NetworkRule(name, checkType(type), checkSources(sourcePrivateIp), text(description), clock.instant());
        write(() -> repo.insertAll(List.of(r), List.of(), null, null));
        return r;
    }

    public synchronized NetworkRule updateNetworkRule(String name, List<String> sourcePrivateIp, String description) {
        NetworkRule old = describeNetworkRule(name);
        NetworkRule r = new NetworkRule(name, old.type(), sourcePrivateIp == null ? old.sourcePrivateIp() : checkSources(sourcePrivateIp),
                description == null ? old.description() : text(description), old.created());
        write(() -> repo.update(r));
        return r;
    }

    public synchronized void deleteNetworkRule(String name) {
        describeNetworkRule(name);
        for (Policy p : repo.policies()) {
            if (p.networkRules().contains(name)) {
                throw AccessException.conflict("The network rule " + name + " is used by policy " + p.name() + ".");
            }
        }
        write(() -> repo.deleteNetworkRule(name));
    }

    public NetworkRule describeNetworkRule(String name) {
        return findRule(name).orElseThrow(() -> AccessException.notFound("NetworkRule", name));
    }

    public List<NetworkRule> listNetworkRules() {
        return repo.networkRules();
    }

    private Optional<NetworkRule> findRule(String name) {
        return repo.networkRules().stream().filter(r -> r.name().equals(name)).findFirst();
    }

    private static String checkType(String type) {
        if (type == null || type.isEmpty() || type.equals("Private")) {
            return "Private";
        }
        throw AccessException.invalid("Type", "only Private is supported");
    }

    private static List<String> checkSources(List<String> sources) {
        if (sources == null || sources.isEmpty()) {
            throw AccessException.invalid("SourcePrivateIp", "at least one IP address or CIDR block is required");
        }
        if (sources.size() > 100) {
            throw AccessException.invalid("SourcePrivateIp", "at most 100 entries");
        }
        List<String> out = new ArrayList<>();
        for (String s : sources) {
            try {
                IpBlock.parse(s);
            } catch (IllegalArgumentException e) {
                throw AccessException.invalid("SourcePrivateIp", "\"" + shorten(s) + "\" is not an IPv4/IPv6 address or CIDR block");
            }
            out.add(s.trim());
        }
        return List.copyOf(out);
    }

    // ---- policies ----

    public synchronized Policy createPolicy(String name, String kmsInstance, List<String> permissions, List<String> resources,
                                            String accessControlRules, String description) {
        checkName("Name", name);
        if (findPolicy(name).isPresent()) {
            throw AccessException.conflict("The policy " + name + " already exists.");
        }
        Policy p = new Policy(name, checkInstance(kmsInstance), checkPermissions(permissions), checkResources(resources),
                checkRules(accessControlRules), text(description), clock.instant());
        write(() -> repo.insertAll(List.of(), List.of(p), null, null));
        return p;
    }

    public synchronized Policy updatePolicy(String name, List<String> permissions, List<String> resources, String accessControlRules,
                                            String description) {
        Policy old = describePolicy(name);
        Policy p = new Policy(name, old.kmsInstance(),
                permissions == null ? old.permissions() : checkPermissions(permissions),
                resources == null ? old.resources() : checkResources(resources),
                accessControlRules == null ? old.networkRules() : checkRules(accessControlRules),
                description == null ? old.description() : text(description), old.created());
        write(() -> repo.update(p));
        return p;
    }

    public synchronized void deletePolicy(String name) {
        describePolicy(name);
        for (Aap a : repo.aaps()) {
            if (a.policies().contains(name)) {
                throw AccessException.conflict("The policy " + name + " is used by application access point " + a.name() + ".");
            }
        }
        write(() -> repo.deletePolicy(name));
    }

    public Policy describePolicy(String name) {
        return findPolicy(name).orElseThrow(() -> AccessException.notFound("Policy", name));
    }

    public List<Policy> listPolicies() {
        return repo.policies();
    }

    private Optional<Policy> findPolicy(String name) {
        return repo.policies().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    private String checkInstance(String kmsInstance) {
        if (kmsInstance == null || kmsInstance.isEmpty() || kmsInstance.equals(instanceId)) {
            return instanceId;
        }
        throw AccessException.invalid("KmsInstance", "this gateway is instance " + instanceId);
    }

    private static List<String> checkPermissions(List<String> permissions) {
        if (permissions == null || permissions.isEmpty()) {
            throw AccessException.invalid("Permissions", "name at least one of " + String.join(", ", PERMISSIONS));
        }
        Set<String> out = new LinkedHashSet<>();
        for (String p : permissions) {
            if (!PERMISSIONS.contains(p)) {
                throw AccessException.invalid("Permissions", "\"" + shorten(p) + "\" is not one of " + String.join(", ", PERMISSIONS));
            }
            out.add(p);
        }
        return List.copyOf(out);
    }

    private static List<String> checkResources(List<String> resources) {
        if (resources == null || resources.isEmpty()) {
            throw AccessException.invalid("Resources", "at least one resource pattern is required");
        }
        for (String r : resources) {
            if (r == null || r.length() > 256 || !RESOURCE.matcher(r).matches() || r.equals("key/") || r.equals("secret/")) {
                throw AccessException.invalid("Resources", "\"" + shorten(r) + "\" must be key/<id|alias/name> or secret/<name>, "
                        + "optionally ending in * for a prefix match");
            }
        }
        return List.copyOf(new LinkedHashSet<>(resources));
    }

    /** AccessControlRules: {@code {"NetworkRules":["rule", …]}} (empty or absent = no restriction); rules must exist. */
    private List<String> checkRules(String accessControlRules) {
        if (accessControlRules == null || accessControlRules.isBlank()) {
            return List.of();
        }
        JsonNode node;
        try {
            node = JSON.readTree(accessControlRules);
        } catch (Exception e) {
            throw AccessException.invalid("AccessControlRules", "must be JSON like {\"NetworkRules\":[\"rule-name\"]}");
        }
        JsonNode rules = node == null ? null : node.get("NetworkRules");
        if (node == null || !node.isObject() || (rules != null && !rules.isArray())) {
            throw AccessException.invalid("AccessControlRules", "must be JSON like {\"NetworkRules\":[\"rule-name\"]}");
        }
        List<String> names = new ArrayList<>();
        if (rules != null) {
            for (JsonNode n : rules) {
                String name = n.asText();
                if (findRule(name).isEmpty()) {
                    throw AccessException.invalid("AccessControlRules", "the network rule " + shorten(name) + " does not exist");
                }
                names.add(name);
            }
        }
        return List.copyOf(new LinkedHashSet<>(names));
    }

    // ---- application access points ----

    public synchronized Aap createAap(String name, String authenticationMethod, List<String> policies, String description) {
        checkName("Name", name);
        if (findAap(name).isPresent()) {
            throw AccessException.conflict("The application access point " + name + " already exists.");
        }
        Aap a = new Aap(name, checkAuthMethod(authenticationMethod), checkPolicies(policies), text(description), clock.instant());
        write(() -> repo.insertAll(List.of(), List.of(), a, null));
        return a;
    }

    public synchronized Aap updateAap(String name, List<String> policies, String description) {
        Aap old = describeAap(name);
        Aap a = new Aap(name, old.authenticationMethod(), policies == null ? old.policies() : checkPolicies(policies),
                description == null ? old.description() : text(description), old.created());
        write(() -> repo.update(a));
        return a;
    }

    /** Deletes an AAP and, at once, every client key it holds. */
    public synchronized void deleteAap(String name) {
        describeAap(name);
        write(() -> repo.deleteAap(name, clock.instant()));
    }

    public Aap describeAap(String name) {
        return findAap(name).orElseThrow(() -> AccessException.notFound("ApplicationAccessPoint", name));
    }

    public List<Aap> listAaps() {
        return repo.aaps();
    }

    private Optional<Aap> findAap(String name) {
        return repo.aaps().stream().filter(a -> a.name().equals(name)).findFirst();
    }

    private static String checkAuthMethod(String m) {
        if (m == null || m.isEmpty() || m.equals("ClientKey")) {
            return "ClientKey";
        }
        throw AccessException.invalid("AuthenticationMethod", "only ClientKey is supported");
    }

    private List<String> checkPolicies(List<String> policies) {
        if (policies == null || policies.isEmpty() || policies.size() > MAX_POLICIES_PER_AAP) {
            throw AccessException.invalid("Policies", "name 1 to " + MAX_POLICIES_PER_AAP + " policies");
        }
        for (String p : policies) {
            if (findPolicy(p).isEmpty()) {
                throw AccessException.invalid("Policies", "the policy " + shorten(p) + " does not exist");
            }
        }
        return List.copyOf(new LinkedHashSet<>(policies));
    }

    // ---- client keys ----

    /** A new client key; the private part is in the result only and never stored. */
    public synchronized ClientKeyIssuer.Issued createClientKey(String aapName, String password, Instant notBefore, Instant notAfter) {
        describeAap(aapName);
        Validity validity = validity(notBefore, notAfter);
        Instant nb = validity.notBefore();
        Instant na = validity.notAfter();
        ClientKeyIssuer.Issued issued;
        try {
            issued = issuer.issue(password, nb, na);
        } catch (KmsException e) {
            throw AccessException.invalid("Password", e.getMessage());
        }
        ClientKey k = new ClientKey(issued.clientKeyId(), aapName, "RSA_2048", issued.certificatePem(), nb, na, clock.instant(), null);
        write(() -> repo.insertAll(List.of(), List.of(), null, k));
        return issued;
    }

    /** A client key's validity period. */
    private record Validity(Instant notBefore, Instant notAfter) {
    }

    /** NotBefore and NotAfter: both given, or neither (now, and 5 years on); 1 day to 5 years apart. */
    private Validity validity(Instant notBefore, Instant notAfter) {
        if ((notBefore == null) != (notAfter == null)) {
            throw AccessException.invalid("NotBefore/NotAfter", "give both or neither");
        }
        Instant nb = notBefore != null ? notBefore : clock.instant();
        Instant na = notAfter != null ? notAfter : nb.atZone(ZoneOffset.UTC).plusYears(5).toInstant();
        if (Duration.between(nb, na).compareTo(MIN_VALIDITY) < 0 || na.isAfter(nb.atZone(ZoneOffset.UTC).plusYears(5).toInstant())) {
            throw AccessException.invalid("NotAfter", "the validity must be between 1 day and 5 years");
        }
        return new Validity(nb, na);
    }

    public synchronized void deleteClientKey(String clientKeyId) {
        ClientKey k = getClientKey(clientKeyId);
        if (k.isDeleted()) {
            throw AccessException.notFound("ClientKey", clientKeyId);
        }
        write(() -> repo.deleteClientKey(clientKeyId, clock.instant()));
    }

    /** A client key, deleted ones included (their {@code deleted} time is set). */
    public ClientKey getClientKey(String clientKeyId) {
        return repo.clientKeys().stream().filter(k -> k.clientKeyId().equals(clientKeyId)).findFirst()
                .orElseThrow(() -> AccessException.notFound("ClientKey", clientKeyId));
    }

    /**
     * Live client keys as the data plane holds them: id, AAP and validity, read from memory. The expiry check uses it
     * every hour and at start, where reading every row with its certificate from the store cost a tenth of the CPU of a
     * start at 100,000 client keys.
     */
    public List<ClientKeyRegistry.Entry> liveClientKeys() {
        return registry.live();
    }

    /** Live client keys, optionally of one AAP, from the store. */
    public List<ClientKey> listClientKeys(String aapName) {
        return repo.clientKeys().stream().filter(k -> !k.isDeleted())
                .filter(k -> aapName == null || aapName.isEmpty() || k.aapName().equals(aapName)).toList();
    }

    // ---- quick creation ----

    /** Quick creation result: the AAP, its all-access policy, and a client key (private part once). */
    public record QuickCreated(Aap aap, Policy policy, ClientKeyIssuer.Issued clientKey) {
    }

    /** {@link #quickCreate(String, String, String, Instant, Instant)} with a 5-year client key. */
    public QuickCreated quickCreate(String name, String password, String description) {
        return quickCreate(name, password, description, null, null);
    }

    /**
     * Quick creation in one transaction: policy {@code <name>} (both roles, {@code key/*} and
     * {@code secret/*}, no network rule), AAP {@code <name>}, and a client key valid from notBefore to notAfter
     * (both null: from now for 5 years).
     */
    public synchronized QuickCreated quickCreate(String name, String password, String description, Instant notBefore, Instant notAfter) {
        checkName("AapName", name);
        if (findAap(name).isPresent() || findPolicy(name).isPresent()) {
            throw AccessException.conflict("An application access point or policy named " + name + " already exists.");
        }
        Instant now = clock.instant();
        Validity validity = validity(notBefore, notAfter);
        ClientKeyIssuer.Issued issued;
        try {
            issued = issuer.issue(password, validity.notBefore(), validity.notAfter());
        } catch (KmsException e) {
            throw AccessException.invalid("Password", e.getMessage());
        }
        Policy p = new Policy(name, instanceId, List.of(AccessModel.KEY_USER, AccessModel.SECRET_USER), List.of("key/*", "secret/*"),
                List.of(), "Quick creation", now);
        Aap a = new Aap(name, "ClientKey", List.of(name), text(description), now);
        ClientKey k = new ClientKey(issued.clientKeyId(), name, "RSA_2048", issued.certificatePem(), issued.notBefore(),
                issued.notAfter(), now, null);
        write(() -> repo.insertAll(List.of(), List.of(p), a, k));
        return new QuickCreated(a, p, issued);
    }

    // ---- helpers ----

    private void write(Runnable r) {
        write(r, this::reload);
    }

    /**
     * Runs a store write of the access model, then {@code reload}, answering a store failure as the admin plane reports it:
     * a name already taken is a conflict, a lost commit answer says to look before retrying, a rolled-back one is 503.
     */
    static void write(Runnable r, Runnable reload) {
        try {
            r.run();
        } catch (StoreException e) {
            if (e.constraintViolation()) {
                throw AccessException.conflict("The resource already exists.");
            }
            if (e.outcomeUnknown()) {
                throw new KmsException(KmsError.COMMIT_OUTCOME_UNKNOWN, "The store's answer to the commit was lost: the change may or "
                        + "may not have been made. Look (Describe/List) before retrying.");
            }
            // the transaction rolled back: nothing of the change is stored; the admin plane answers 503
            throw new KmsException(KmsError.UNAVAILABLE, "The store is temporarily unavailable.");
        } finally {
            reload.run();
        }
    }

    private static void checkName(String parameter, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw AccessException.invalid(parameter, "use 1 to 64 letters, digits, _ or -");
        }
    }

    private static String text(String s) {
        if (s != null && s.length() > 1024) {
            throw AccessException.invalid("Description", "at most 1024 characters");
        }
        return s == null ? "" : s;
    }

    private static String shorten(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
