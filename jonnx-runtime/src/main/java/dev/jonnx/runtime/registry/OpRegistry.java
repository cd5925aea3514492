package dev.jonnx.runtime.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Maps (domain, operator type, since-version) to a kernel factory. A lookup for a model's opset
 * takes the entry with the highest since-version not above it, as ONNX versioning defines: an
 * operator version stays in force until the next version of that operator.
 *
 * <p>The default domain is keyed as {@code ""}; {@code "ai.onnx"} is accepted as an alias.
 * The registry is immutable once built.
 */
public final class OpRegistry {
    private final Map<String, TreeMap<Integer, KernelFactory>> entries;

    private OpRegistry(Map<String, TreeMap<Integer, KernelFactory>> entries) {
        this.entries = entries;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Returns the factory in force for {@code opset}, if any version is. */
    public Optional<KernelFactory> lookup(String domain, String opType, int opset) {
        TreeMap<Integer, KernelFactory> versions = entries.get(key(domain, opType));
        if (versions == null) {
            return Optional.empty();
        }
        Map.Entry<Integer, KernelFactory> e = versions.floorEntry(opset);
        return e == null ? Optional.empty() : Optional.of(e.getValue());
    }

    /** The since-versions registered for an operator, in increasing order. */
    public List<Integer> versions(String domain, String opType) {
        TreeMap<Integer, KernelFactory> versions = entries.get(key(domain, opType));
        return versions == null ? List.of() : List.copyOf(versions.keySet());
    }

    /** Every registered (domain, operator type), as "domain:OpType" strings, sorted. */
    public List<String> operators() {
        List<String> names = new ArrayList<>(entries.keySet());
        Collections.sort(names);
        return names;
    }

    private static String key(String domain, String opType) {
        String d = domain == null || domain.equals("ai.onnx") ? "" : domain;
        return d + ":" + opType;
    }

    /** Collects entries, family by family. */
    public static final class Builder {
        private final Map<String, TreeMap<Integer, KernelFactory>> entries = new HashMap<>();

        /**
         * Registers a kernel for an operator from {@code sinceVersion} on.
         *
         * @throws IllegalStateException if that (domain, op, version) is already registered
         */
        public Builder add(String domain, String opType, int sinceVersion, KernelFactory factory) {
            TreeMap<Integer, KernelFactory> versions =
                    entries.computeIfAbsent(key(domain, opType), k -> new TreeMap<>());
            if (versions.putIfAbsent(sinceVersion, factory) != null) {
                throw new IllegalStateException("operator " + key(domain, opType) + " version "
                        + sinceVersion + " is registered twice");
            }
            return this;
        }

        /** Registers one factory under several since-versions of a default-domain operator. */
        public Builder add(String opType, KernelFactory factory, int... sinceVersions) {
            for (int v : sinceVersions) {
                add("", opType, v, factory);
            }
            return this;
        }

        public OpRegistry build() {
            Map<String, TreeMap<Integer, KernelFactory>> copy = new HashMap<>();
            entries.forEach((k, v) -> copy.put(k, new TreeMap<>(v)));
            return new OpRegistry(copy);
        }
    }
}
