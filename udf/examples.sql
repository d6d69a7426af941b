-- spark-bce SQL functions on the demo data: each of the seven functions, in plain Spark SQL.
--
--   ./submit.sh demo                      # writes target/demo/data (once)
--   ./submit.sh sql udf/examples.sql      # embedded Spark, functions registered, results printed
--
-- or with a Spark installation (see udf/README.md):
--   spark-sql --jars target/spark-bce-0.1.0-SNAPSHOT.jar \
--     --conf spark.sql.extensions=io.sparkbce.BceSparkExtensions -f udf/examples.sql
--
-- The path below is relative: run from the project root.

CREATE OR REPLACE TEMPORARY VIEW demo
USING parquet OPTIONS (path 'target/demo/data');

-- The data: one row per sample; logits and labels are ARRAY<FLOAT> of 16 classes. Labels of the
-- last day are not all in yet (NULL): aggregates skip those rows, as avg() skips NULLs.
SELECT date, model_version, count(*) AS rows, count(labels) AS labelled
FROM demo
GROUP BY date, model_version
ORDER BY date, model_version;

-- 1. bce_with_logits(input, target [, weight [, pos_weight]]): the loss of every element, in the
--    input's shape (here the first 3 of 16 classes), and for one class as plain numbers.
SELECT sample_id,
       slice(labels, 1, 3) AS labels,
       transform(slice(bce_with_logits(logits, labels), 1, 3), l -> round(l, 6)) AS loss,
       round(bce_with_logits(logits[0], labels[0]), 6) AS loss_class_0
FROM demo
WHERE labels IS NOT NULL
ORDER BY sample_id
LIMIT 5;

-- 2. bce(input, target [, weight]): the same loss from probabilities (the sigmoid of a logit).
SELECT sample_id,
       round(bce_with_logits(logits[3], labels[3]), 6) AS from_logit,
       round(bce(1 / (1 + exp(-logits[3])), labels[3]), 6) AS from_probability
FROM demo
WHERE labels IS NOT NULL
ORDER BY sample_id
LIMIT 5;

-- 3. bce_with_logits_grad(input, target [, weight [, pos_weight]]): d loss / d logit, what
--    PyTorch's backward() gives; here with the row weight and pos_weight 2 for every class.
SELECT sample_id, weight,
       transform(slice(bce_with_logits_grad(logits, labels, weight, 2D), 1, 3),
                 g -> round(g, 6)) AS grad
FROM demo
WHERE labels IS NOT NULL
ORDER BY sample_id
LIMIT 5;

-- 4. bce_with_logits_loss(input, target [, weight [, pos_weight [, reduction]]]): one number per
--    group. 'mean' (the default) divides by the number of elements, as PyTorch; 'weighted_mean'
--    by the sum of the weights; 'sum' adds up. NULL skips an optional argument.
SELECT model_version,
       bce_with_logits_loss(logits, labels) AS mean,
       bce_with_logits_loss(logits, labels, weight, NULL, 'weighted_mean') AS weighted_mean,
       bce_with_logits_loss(logits, labels, NULL, NULL, 'sum') AS sum
FROM demo
GROUP BY model_version
ORDER BY model_version;

--    ... per day: v2 starts better than v1 and drifts.
SELECT date,
       round(bce_with_logits_loss(logits, labels) FILTER (WHERE model_version = 'v1'), 4) AS v1,
       round(bce_with_logits_loss(logits, labels) FILTER (WHERE model_version = 'v2'), 4) AS v2
FROM demo
GROUP BY date
ORDER BY date;

-- 5. bce_loss(input, target [, weight [, reduction]]): the aggregate on probabilities.
SELECT model_version,
       bce_loss(transform(logits, x -> 1 / (1 + exp(-x))), labels) AS mean
FROM demo
GROUP BY model_version
ORDER BY model_version;

-- 6. bce_with_logits_loss_per_class(input, target [, weight [, pos_weight [, reduction]]]): one
--    mean per class (an ARRAY<DOUBLE> of 16).
SELECT model_version,
       transform(bce_with_logits_loss_per_class(logits, labels), l -> round(l, 4)) AS per_class
FROM demo
GROUP BY model_version
ORDER BY model_version;

-- 7. bce_pos_weight(target): negatives / positives of each class, PyTorch's recommended
--    pos_weight for imbalanced classes ...
SELECT transform(bce_pos_weight(labels), p -> round(p, 3)) AS pos_weight
FROM demo;

--    ... passed to the loss as a scalar subquery (computed once, not per row).
SELECT model_version,
       bce_with_logits_loss(logits, labels, NULL, (SELECT bce_pos_weight(labels) FROM demo))
         AS mean_with_pos_weight
FROM demo
GROUP BY model_version
ORDER BY model_version;
