-- oracle tablespace
SELECT df.tablespace_name AS ts_name,
       df.bytes - NVL(fs.bytes, 0) AS used_bytes,
       df.bytes AS size_bytes,
       df.max_bytes AS max_bytes
FROM (SELECT tablespace_name,
             SUM(bytes) AS bytes,
             SUM(CASE WHEN autoextensible = 'YES' AND maxbytes > bytes THEN maxbytes ELSE bytes END) AS max_bytes
      FROM dba_data_files
      GROUP BY tablespace_name) df
LEFT JOIN (SELECT tablespace_name,
                  SUM(bytes) AS bytes
           FROM dba_free_space
           GROUP BY tablespace_name) fs
  ON fs.tablespace_name = df.tablespace_name
ORDER BY df.tablespace_name;
