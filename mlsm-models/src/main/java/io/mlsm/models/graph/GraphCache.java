package io.mlsm.models.graph;

import io.mlsm.models.samediff.SameDiffWorkarounds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Built graphs by key (objective terms, scope, sequence length, dropout on/off, or an inference kind), least recently
 * used evicted beyond a capacity (its buffer pool freed). Building a graph costs tens to hundreds of milliseconds; a training run uses one or
 * two keys, an evaluation a handful of sequence lengths.
 *
 * <pre>{@code
 * GraphCache<Key> cache = new GraphCache<>(8);
 * CompiledGraph g = cache.get(key, k -> build(k));
 * }</pre>
 *
 * @param <K> key type (a value type: record or enum)
 */
public final class GraphCache<K> {

    private static final Logger LOG = LoggerFactory.getLogger(GraphCache.class);

    private final Map<K, CompiledGraph> graphs;

    /** @param capacity graphs kept, at least 1 */
    public GraphCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        graphs = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, CompiledGraph> eldest) {
                if (size() > capacity) {
                    SameDiffWorkarounds.releaseGraph(eldest.getValue().sd());
                    return true;
                }
                return false;
            }
        };
    }

    /**
     * @param key   graph key
     * @param build builds the graph on a miss
     * @return the cached or newly built graph
     */
    public CompiledGraph get(K key, Function<K, CompiledGraph> build) {
        CompiledGraph g = graphs.get(key);
        if (g == null) {
            long start = System.nanoTime();
            g = build.apply(key);
            graphs.put(key, g);
            LOG.debug("built graph {} with {} ops in {} ms", key, g.sd().getOps().size(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        return g;
    }

    /** Drops every graph (after the parameter set changed). */
    public void clear() {
        for (CompiledGraph g : graphs.values()) {
            SameDiffWorkarounds.releaseGraph(g.sd());
        }
        graphs.clear();
    }
}
