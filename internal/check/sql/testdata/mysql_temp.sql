-- mysql temp
SHOW GLOBAL STATUS
WHERE Variable_name IN ('Created_tmp_tables', 'Created_tmp_disk_tables', 'Created_tmp_files');

-- mysql temp
SELECT tablespace_name AS ts_name,
       SUM(total_extents * extent_size) AS size_bytes,
       MAX(data_free) AS free_bytes,
       SUM(maximum_size) AS max_bytes
FROM information_schema.files
WHERE file_type = 'TEMPORARY'
GROUP BY tablespace_name
ORDER BY tablespace_name;
