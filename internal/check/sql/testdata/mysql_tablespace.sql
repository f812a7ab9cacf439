-- mysql tablespace
SELECT s.schema_name AS ts_name,
       COALESCE(SUM(t.data_length + t.index_length), 0) AS used_bytes
FROM information_schema.schemata s
LEFT JOIN information_schema.tables t
  ON t.table_schema = s.schema_name
 AND t.table_type NOT IN ('VIEW', 'SYSTEM VIEW')
WHERE s.schema_name NOT IN ('information_schema', 'performance_schema')
GROUP BY s.schema_name
ORDER BY s.schema_name;

-- mysql tablespace
SELECT tablespace_name AS ts_name,
       SUM(total_extents * extent_size) AS size_bytes,
       MAX(data_free) AS free_bytes,
       SUM(maximum_size) AS max_bytes
FROM information_schema.files
WHERE file_type = 'TABLESPACE'
  AND maximum_size > 0
GROUP BY tablespace_name
ORDER BY tablespace_name;
