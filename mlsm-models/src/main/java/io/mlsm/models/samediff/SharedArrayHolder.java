package io.mlsm.models.samediff;

import org.nd4j.autodiff.samediff.ArrayHolder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An {@link ArrayHolder} that keeps arrays by reference. SameDiff's default holder ({@code ThreadSafeArrayHolder})
 * duplicates every array it is given, so a graph would compute with its own copy of each parameter; with this
 * holder several graphs and the model's parameter map share one array per parameter, and an in-place optimizer
 * update is seen everywhere without copying. Single-threaded use only.
 *
 * <pre>{@code
 * SameDiff sd = SharedArrayHolder.newGraph();
 * sd.var("w", w);          // the graph now computes with w itself
 * }</pre>
 */
final class SharedArrayHolder implements ArrayHolder {

    private final Map<String, INDArray> map = new LinkedHashMap<>();

    /** @return an empty graph whose variables and constants are held by reference */
    static SameDiff newGraph() {
        SameDiff sd = SameDiff.create();
        sd.setArrayHolders(new SharedArrayHolder(), new SharedArrayHolder(), false);
        return sd;
    }

    @Override
    public boolean hasArray(String name) {
        return map.containsKey(name);
    }

    @Override
    public INDArray getArray(String name) {
        return map.get(name);
    }

    @Override
    public void setArray(String name, INDArray array) {
        map.put(name, array);
    }

    @Override
    public INDArray removeArray(String name) {
        return map.remove(name);
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public void initFrom(ArrayHolder arrayHolder) {
        map.clear();
        for (String n : arrayHolder.arrayNames()) {
            map.put(n, arrayHolder.getArray(n));
        }
    }

    @Override
    public Collection<String> arrayNames() {
        return map.keySet();
    }

    @Override
    public void rename(String from, String to) {
        INDArray a = map.remove(from);
        if (a != null) {
            map.put(to, a);
        }
    }
}
