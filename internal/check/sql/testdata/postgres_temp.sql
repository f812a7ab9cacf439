-- postgres temp
SELECT t.spcname AS ts_name,
       COALESCE(SUM(f.size), 0) AS used_bytes,
       COUNT(f.name) AS file_count
FROM pg_tablespace t
LEFT JOIN LATERAL pg_ls_tmpdir(t.oid) AS f ON true
WHERE t.spcname <> 'pg_global'
GROUP BY t.spcname
ORDER BY t.spcname;

-- postgres temp
SELECT d.temp_files,
       d.temp_bytes,
       current_setting('temp_tablespaces') AS temp_tablespaces
FROM pg_stat_database d
WHERE d.datname = current_database();
