-- mysql dbsize
SELECT COALESCE(SUM(data_length + index_length), 0) AS size_bytes
FROM information_schema.tables
WHERE table_schema = DATABASE()
   OR (DATABASE() IS NULL AND table_schema NOT IN ('information_schema', 'performance_schema'));
