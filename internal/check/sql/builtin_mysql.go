package sql

// MySQL and MariaDB built-ins. Column names follow the contract in
// builtin.go.
var mysqlBuiltins = map[string]builtin{
	modeTablespace: {
		queries: []string{
			// Per schema: data + index bytes of its tables.
			`SELECT s.schema_name AS ts_name,
       COALESCE(SUM(t.data_length + t.index_length), 0) AS used_bytes
FROM information_schema.schemata s
LEFT JOIN information_schema.tables t
  ON t.table_schema = s.schema_name
 AND t.table_type NOT IN ('VIEW', 'SYSTEM VIEW')
WHERE s.schema_name NOT IN ('information_schema', 'performance_schema')
GROUP BY s.schema_name
ORDER BY s.schema_name`,
			// InnoDB tablespaces with a maximum size (MySQL 8 fills FILES;
			// MariaDB leaves it empty).
			`SELECT tablespace_name AS ts_name,
       SUM(total_extents * extent_size) AS size_bytes,
       MAX(data_free) AS free_bytes,
       SUM(maximum_size) AS max_bytes
FROM information_schema.files
WHERE file_type = 'TABLESPACE'
  AND maximum_size > 0
GROUP BY tablespace_name
ORDER BY tablespace_name`,
		},
		reduce: reduceTablespace,
	},
	modeTemp: {
		queries: []string{
			`SHOW GLOBAL STATUS
WHERE Variable_name IN ('Created_tmp_tables', 'Created_tmp_disk_tables', 'Created_tmp_files')`,
			// The InnoDB temporary tablespace (ibtmp1) on MySQL 8.
			`SELECT tablespace_name AS ts_name,
       SUM(total_extents * extent_size) AS size_bytes,
       MAX(data_free) AS free_bytes,
       SUM(maximum_size) AS max_bytes
FROM information_schema.files
WHERE file_type = 'TEMPORARY'
GROUP BY tablespace_name
ORDER BY tablespace_name`,
		},
		reduce: reduceTemp,
	},
	modeDBSize: {
		queries: []string{
			// The DSN's database; every schema when the DSN names none.
			`SELECT COALESCE(SUM(data_length + index_length), 0) AS size_bytes
FROM information_schema.tables
WHERE table_schema = DATABASE()
   OR (DATABASE() IS NULL AND table_schema NOT IN ('information_schema', 'performance_schema'))`,
		},
		reduce: reduceDBSize,
	},
	modeConnections: {
		queries: []string{
			`SHOW GLOBAL STATUS WHERE Variable_name = 'Threads_connected'`,
			`SELECT @@max_connections AS max_connections`,
		},
		reduce: reduceConnections,
	},
}
