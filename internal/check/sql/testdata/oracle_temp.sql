-- oracle temp
SELECT f.tablespace_name AS ts_name,
       f.tablespace_size - f.free_space AS used_bytes,
       f.tablespace_size AS size_bytes,
       m.max_bytes AS max_bytes
FROM dba_temp_free_space f
JOIN (SELECT tablespace_name,
             SUM(CASE WHEN autoextensible = 'YES' AND maxbytes > bytes THEN maxbytes ELSE bytes END) AS max_bytes
      FROM dba_temp_files
      GROUP BY tablespace_name) m
  ON m.tablespace_name = f.tablespace_name
ORDER BY f.tablespace_name;
