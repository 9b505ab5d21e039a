package io.kmsgw.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;


import io.kmsgw.gateway.audit.AuditBenchmark;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Every JMH benchmark, with every value of its parameters, set up, invoked a few times and torn down outside JMH:
 * a benchmark that throws, returns nothing where it returns a result, or no longer sets up fails the build here
 * instead of in a measurement run. No timings.
 */
class EveryBenchmarkRunsTest {
    private static final List<Class<?>> BENCHMARKS = List.of(EngineBenchmark.class, AuthenticationBenchmark.class,
            AuthorizationBenchmark.class, PipelineBenchmark.class, ProviderBenchmark.class, EncryptPathBenchmark.class,
            CodecBenchmark.class, TlsBenchmark.class, AuditBenchmark.class, MetricsBenchmark.class);

    /** Parameter values too slow to set up in a unit test run (100,000 policies); the smallest value stands for them. */
    private static boolean tooSlow(String field, String value) {
        return field.equals("aaps") && Integer.parseInt(value) > 10_000;
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Class<?> c : BENCHMARKS) {
            List<Field> params = Arrays.stream(c.getDeclaredFields()).filter(f -> f.isAnnotationPresent(Param.class)).toList();
            List<List<String[]>> combos = new ArrayList<>();
            combos.add(new ArrayList<>());
            for (Field f : params) {
                List<List<String[]>> next = new ArrayList<>();
                for (List<String[]> prefix : combos) {
                    for (String v : f.getAnnotation(Param.class).value()) {
                        if (tooSlow(f.getName(), v)) {
                            continue;
                        }
                        List<String[]> l = new ArrayList<>(prefix);
                        l.add(new String[] {f.getName(), v});
                        next.add(l);
                    }
                }
                combos = next;
            }
            for (List<String[]> combo : combos) {
                StringBuilder name = new StringBuilder(c.getSimpleName());
                combo.forEach(p -> name.append(' ').append(p[0]).append('=').append(p[1]));
                out.add(Arguments.of(name.toString(), c, combo));
            }
        }
        return out.stream();
    }

    private static List<Method> annotated(Class<?> c, Class<? extends java.lang.annotation.Annotation> a) {
        return Arrays.stream(c.getMethods()).filter(m -> m.isAnnotationPresent(a)).sorted(Comparator.comparing(Method::getName)).toList();
    }

    private static void set(Object bench, String field, String value) throws Exception {
        Field f = bench.getClass().getDeclaredField(field);
        f.setAccessible(true);
        Class<?> t = f.getType();
        f.set(bench, t == int.class ? Integer.parseInt(value) : t == long.class ? Long.parseLong(value)
                : t == boolean.class ? Boolean.parseBoolean(value) : value);
    }

    private static Object invoke(Method m, Object bench, Blackhole hole) throws Throwable {
        try {
            return m.getParameterCount() == 0 ? m.invoke(bench) : m.invoke(bench, hole);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void setsUpRunsAndTearsDown(String name, Class<?> type, List<String[]> params) throws Throwable {
        Object bench = type.getDeclaredConstructor().newInstance();
        for (String[] p : params) {
            set(bench, p[0], p[1]);
        }
        List<Method> benchmarks = annotated(type, Benchmark.class);
        assertFalse(benchmarks.isEmpty(), name + " has benchmarks");
        Blackhole hole = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        for (Method setup : annotated(type, Setup.class)) {
            invoke(setup, bench, hole);
        }
        try {
            for (Method m : benchmarks) {
                for (int i = 0; i < 3; i++) {
                    Object result = invoke(m, bench, hole);
                    if (m.getReturnType() != void.class) {
                        assertNotNull(result, name + "." + m.getName() + " returns a result");
                    }
                }
            }
        } finally {
            for (Method teardown : annotated(type, TearDown.class)) {
                invoke(teardown, bench, hole);
            }
            hole.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
        }
    }
}
