package sql

// Oracle built-ins. No Oracle server runs in this project's tests: this
// text is pinned by golden files (testdata/oracle_*.sql) and its results
// go through the same reducers the PostgreSQL and MySQL results do.
var oracleBuiltins = map[string]builtin{
	modeTablespace: {
		queries: []string{
			// Permanent and undo tablespaces. Capacity counts each data
			// file at its autoextend maximum when that is larger than its
			// current size; used = allocated − free extents.
			`SELECT df.tablespace_name AS ts_name,
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
ORDER BY df.tablespace_name`,
		},
		reduce: reduceTablespace,
	},
	modeTemp: {
		queries: []string{
			// Temporary tablespaces: used = size − free (dba_temp_free_space,
			// 11g+), capacity from dba_temp_files with autoextend maxima.
			`SELECT f.tablespace_name AS ts_name,
       f.tablespace_size - f.free_space AS used_bytes,
       f.tablespace_size AS size_bytes,
       m.max_bytes AS max_bytes
FROM dba_temp_free_space f
JOIN (SELECT tablespace_name,
             SUM(CASE WHEN autoextensible = 'YES' AND maxbytes > bytes THEN maxbytes ELSE bytes END) AS max_bytes
      FROM dba_temp_files
      GROUP BY tablespace_name) m
  ON m.tablespace_name = f.tablespace_name
ORDER BY f.tablespace_name`,
		},
		reduce: reduceTemp,
	},
	modeDBSize: {
		queries: []string{
			`SELECT (SELECT NVL(SUM(bytes), 0) FROM dba_data_files)
     + (SELECT NVL(SUM(bytes), 0) FROM dba_temp_files) AS size_bytes
FROM dual`,
		},
		reduce: reduceDBSize,
	},
	modeConnections: {
		queries: []string{
			`SELECT current_utilization AS connections,
       CASE WHEN TRIM(limit_value) = 'UNLIMITED' THEN NULL ELSE TO_NUMBER(TRIM(limit_value)) END AS max_connections
FROM v$resource_limit
WHERE resource_name = 'sessions'`,
		},
		reduce: reduceConnections,
	},
}
