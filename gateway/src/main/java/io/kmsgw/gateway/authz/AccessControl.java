package io.kmsgw.gateway.authz;

import io.kmsgw.gateway.net.IpBlock;
import io.kmsgw.gateway.authz.AccessModel.Aap;
import io.kmsgw.gateway.authz.AccessModel.NetworkRule;
import io.kmsgw.gateway.authz.AccessModel.Policy;
import io.kmsgw.gateway.protocol.ApiName;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The policy evaluator.
 *
 * <p>Design notes: policies are compiled once per change into per-AAP lists of matchers (role
 * flags, exact/prefix resource patterns, CIDR blocks), swapped in with one volatile write. Decisions are
 * then cached (Caffeine, bounded, hard expiry) by AAP, role, source address and resource, and the cache is
 * dropped whole on every change, so a repeated request is one hash lookup and a change is never seen
 * late. Deny by default: a
 * request is allowed only when some policy of its AAP grants the API's role, matches the resource
 * and (when the policy names network rules) contains the source address. A policy naming a rule that
 * no longer exists allows no source: fail closed.
 */
public final class AccessControl {

    private record Compiled(boolean keyUser, boolean secretUser, String[] exact, String[] prefixes, IpBlock[] sources,
                            boolean anySource) {
        boolean allowsRole(ApiName.Role role) {
            return switch (role) {
                case KEY_USER -> keyUser;
                case SECRET_USER -> secretUser;
                case ANY -> keyUser || secretUser;
            };
        }

        boolean matches(String resource) {
            for (String e : exact) {
                if (e.equals(resource)) {
                    return true;
                }
            }
            for (String p : prefixes) {
                if (resource.startsWith(p)) {
                    return true;
                }
            }
            return false;
        }

        boolean allowsSource(InetAddress ip) {
            if (anySource) {
                return true;
            }
            if (ip == null) {
                return false;
            }
            for (IpBlock c : sources) {
                if (c.contains(ip)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** One compiled generation of the model, swapped in whole. */
    private record Model(long generation, Map<String, List<Compiled>> byAap) {
    }

    private volatile Model model = new Model(0, Map.of());

    /** A decision's inputs; the generation keeps a decision made on an older model from ever being used. */
    private record Question(long generation, String aap, ApiName.Role role, InetAddress source, String resource) {
    }

    private final Cache<Question, Boolean> decisions = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(Duration.ofMinutes(10))
            .recordStats()
            .build();

    /** Exposes the decision cache's hit/miss/eviction counts as {@code cache.*{cache="authz-decisions"}}. */
    public void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics.monitor(registry, decisions, "authz-decisions");
    }

    /** Recompiles the whole model (called at start and after every access change; callers serialise it). */
    public synchronized void load(List<NetworkRule> rules, List<Policy> policies, List<Aap> aaps) {
        Map<String, NetworkRule> ruleByName = new HashMap<>();
        rules.forEach(r -> ruleByName.put(r.name(), r));
        Map<String, Compiled> policyByName = new HashMap<>();
        for (Policy p : policies) {
            policyByName.put(p.name(), compile(p, ruleByName));
        }
        Map<String, List<Compiled>> next = new HashMap<>();
        for (Aap a : aaps) {
            List<Compiled> list = new ArrayList<>();
            for (String name : a.policies()) {
                Compiled c = policyByName.get(name);
                if (c != null) {
                    list.add(c);
                }
            }
            next.put(a.name(), List.copyOf(list));
        }
        model = new Model(model.generation() + 1, Map.copyOf(next));
        decisions.invalidateAll();
    }

    private static Compiled compile(Policy p, Map<String, NetworkRule> rules) {
        List<String> exact = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        for (String r : p.resources()) {
            if (r.endsWith("*")) {
                prefixes.add(r.substring(0, r.length() - 1));
            } else {
                exact.add(r);
            }
        }
        List<IpBlock> sources = new ArrayList<>();
        for (String ruleName : p.networkRules()) {
            NetworkRule rule = rules.get(ruleName);
            if (rule != null) {
                for (String s : rule.sourcePrivateIp()) {
                    sources.add(IpBlock.parse(s));
                }
            }
        }
        return new Compiled(p.permissions().contains(AccessModel.KEY_USER), p.permissions().contains(AccessModel.SECRET_USER),
                exact.toArray(String[]::new), prefixes.toArray(String[]::new), sources.toArray(IpBlock[]::new),
                p.networkRules().isEmpty());
    }

    /**
     * True when some policy of {@code aapName} allows {@code api} on any of {@code resources} from
     * {@code source}. {@code resources} empty means the API names no resource (GenerateRandom).
     */
    public boolean allowed(String aapName, ApiName api, InetAddress source, String... resources) {
        return allowed(aapName, api.role(), source, resources);
    }

    /** As {@link #allowed(String, ApiName, InetAddress, String...)} for an explicit role (a secret's key needs KeyUser). */
    public boolean allowed(String aapName, ApiName.Role role, InetAddress source, String... resources) {
        Model m = model;
        if (resources.length == 0) {
            return decisions.get(new Question(m.generation(), aapName, role, source, null), q -> evaluate(m, aapName, role, source));
        }
        for (String r : resources) {
            if (r != null && decisions.get(new Question(m.generation(), aapName, role, source, r),
                    q -> evaluate(m, aapName, role, source, r))) {
                return true;
            }
        }
        return false;
    }

    /** The same decision without the cache: the baseline the decision cache is measured against (AuthorizationBenchmark). */
    public boolean allowedUncached(String aapName, ApiName.Role role, InetAddress source, String resource) {
        return evaluate(model, aapName, role, source, resource);
    }

    private static boolean evaluate(Model m, String aapName, ApiName.Role role, InetAddress source, String... resources) {
        List<Compiled> policies = m.byAap().get(aapName);
        if (policies == null) {
            return false;
        }
        for (Compiled c : policies) {
            if (!c.allowsRole(role) || !c.allowsSource(source)) {
                continue;
            }
            if (resources.length == 0) {
                return true;
            }
            for (String r : resources) {
                if (r != null && c.matches(r)) {
                    return true;
                }
            }
        }
        return false;
    }
}
