package io.mlsm.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;

import java.io.Serializable;
import java.util.List;

/** What the jobs share: one task per work item, and starting an in-process Spark for the command line. */
public final class SparkJobs {

    private SparkJobs() {
    }

    /**
     * Runs {@code task} on every item, one Spark task each (so a failed item is retried alone), and collects the
     * results in item order.
     */
    static <T extends Serializable, R> List<R> eachOnce(JavaSparkContext sc, List<T> items, Function<T, R> task,
                                                        String description) {
        if (items.isEmpty()) {
            return List.of();
        }
        sc.setJobDescription(description);
        try {
            return sc.parallelize(items, items.size()).map(task).collect();
        } finally {
            sc.setJobDescription(null);
        }
    }

    /**
     * Removes the pieces a job joined and its lock file, then the folder if nothing else is in it (a staging folder
     * the user named may hold other files; those stay). Call it after the lock is released.
     */
    static void removeStaging(java.nio.file.Path dir, List<java.nio.file.Path> pieces) throws java.io.IOException {
        for (java.nio.file.Path p : pieces) {
            java.nio.file.Files.deleteIfExists(p);
        }
        io.mlsm.runtime.AtomicFiles.removeStaleTemporaries(dir);
        java.nio.file.Files.deleteIfExists(dir.resolve(io.mlsm.runtime.RunDirectoryLock.FILE_NAME));
        try (var rest = java.nio.file.Files.list(dir)) {
            if (rest.findAny().isEmpty()) {
                java.nio.file.Files.delete(dir);
            }
        }
    }

    /**
     * A Spark context for the command line: {@code master} when given, else the one {@code spark-submit} set, else
     * {@code local[N]} with one slot per core.
     *
     * @param appName the application name
     * @param master  a master URL ({@code local[2]}, {@code spark://host:7077}, {@code yarn}, {@code k8s://…}) or
     *                {@code null}
     * @return the context
     */
    public static JavaSparkContext context(String appName, String master) {
        SparkConf conf = new SparkConf().setAppName(appName);
        if (master != null && !master.isBlank()) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[" + Runtime.getRuntime().availableProcessors() + "]");
        }
        if (conf.get("spark.master").startsWith("local") && !conf.contains("spark.driver.host")) {
            conf.set("spark.driver.host", "localhost");
        }
        return new JavaSparkContext(conf);
    }
}
