-- Qwen3-Reranker as a Flink SQL model (docs/sql.md). Runs as it is:
--   java -jar target/flink-reranker.jar sql job/sql/rerank.sql
-- With a real model (downloaded once into the Hugging Face cache):
--   java -jar target/flink-reranker.jar sql job/sql/rerank.sql --set MODEL=Qwen/Qwen3-Reranker-0.6B
-- 'lexical' is the BM25 baseline: no download, but it ranks words, not meaning.

-- Pair scoring: one score per (query, document) row, like vLLM's /score.
CREATE MODEL pair_scorer
  INPUT (query STRING, document STRING)
  OUTPUT (score DOUBLE, reason STRING)
  WITH (
    'provider' = 'qwen3-reranker',
    'model' = '${MODEL:-lexical}',
    'max-length' = '1024'
  );

CREATE TEMPORARY VIEW pairs AS
SELECT * FROM (VALUES
  ('What is the capital of China?', 'The capital of China is Beijing.'),
  ('What is the capital of China?', 'Gravity is a force that attracts two bodies towards each other.'),
  ('东京有哪些博物馆？', '東京国立博物館は上野公園にあります。'),
  ('Explain gravity', CAST(NULL AS STRING))
) AS t(query, document);

-- Rows share model batches: up to 'max-concurrent-operations' rows per subtask are in flight.
-- A row that cannot be scored (here the NULL document) gets a NULL score and a reason.
SELECT query, document, score, reason
FROM ML_PREDICT(TABLE pairs, MODEL pair_scorer, DESCRIPTOR(query, document),
                MAP['async', 'true', 'max-concurrent-operations', '16']);

-- List reranking: a query and its candidates in, the best candidate (1-based index) and all scores out.
CREATE MODEL list_reranker
  INPUT (query STRING, candidates ARRAY<ROW<id STRING, text STRING>>)
  OUTPUT (top1_index INT, top1_score DOUBLE, scores ARRAY<DOUBLE>)
  WITH (
    'provider' = 'qwen3-reranker',
    'model' = '${MODEL:-lexical}',
    'max-length' = '1024'
  );

CREATE TEMPORARY VIEW candidate_sets AS
SELECT request_id, query, CAST(candidates AS ARRAY<ROW<id STRING, text STRING>>) AS candidates
FROM (VALUES
  ('req-1', 'how do I bake bread at home',
   ARRAY[ROW('a', 'Stock markets fell sharply on Monday.'),
         ROW('b', 'To bake bread at home, mix flour, water, yeast and salt, knead, let it rise, and bake.'),
         ROW('c', 'Bread is a staple food.')]),
  ('req-2', 'capital of France',
   ARRAY[ROW('x', 'Paris is the capital and largest city of France.'),
         ROW('y', 'Berlin is the capital of Germany.')])
) AS t(request_id, query, candidates);

SELECT request_id, candidates[top1_index].id AS top1_id, top1_score, scores
FROM ML_PREDICT(TABLE candidate_sets, MODEL list_reranker, DESCRIPTOR(query, candidates));
